// Vector p-norms over any axes (torch.linalg.vector_norm, torch.norm). The vjp is PyTorch's
// norm_backward case by case, so the gradient at zero is theirs: 0 where the norm is 0.
import { describeValue } from '../validate.js';
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { fmt } from '../shape.js';
import type { TypedArray } from '../dtype.js';
import { reduceWith, reductionAxes, expandReduced, type Axes } from './reduce-axes.js';
import { where } from './elementwise.js';
import { eq, ne } from './compare.js';
import { isNaN as isNaNMask } from './rounding.js';
import { noGrad } from '../grad-mode.js';
import { toFront } from './batch-rules.js';
import { checkBoolean, checkTensor } from '../validate.js';
import { ones, zeros } from './creation.js';

function pNormRun(p: number) {
  if (p === Infinity) return (v: TypedArray, s: number, n: number) => {
    let m = n === 0 ? 0 : -Infinity;
    for (let i = s; i < s + n; i++) { const a = Math.abs(v[i]!); if (a > m || a !== a) m = a; if (m !== m) break; }
    return m;
  };
  if (p === -Infinity) return (v: TypedArray, s: number, n: number) => {
    let m = Infinity;
    for (let i = s; i < s + n; i++) { const a = Math.abs(v[i]!); if (a < m || a !== a) m = a; if (m !== m) break; }
    return m;
  };
  if (p === 0) return (v: TypedArray, s: number, n: number) => {
    let c = 0;
    for (let i = s; i < s + n; i++) c += v[i] !== 0 ? 1 : 0;
    return c;
  };
  if (p === 1) return (v: TypedArray, s: number, n: number) => {
    let t = 0;
    for (let i = s; i < s + n; i++) t += Math.abs(v[i]!);
    return t;
  };
  if (p === 2) return (v: TypedArray, s: number, n: number) => Math.sqrt(sumSquares(v, s, n));
  return (v: TypedArray, s: number, n: number) => {
    let t = 0;
    for (let i = s; i < s + n; i++) t += Math.abs(v[i]!) ** p;
    return t ** (1 / p);
  };
}

function sumSquares(v: TypedArray, s: number, n: number): number {
  let t = 0;
  for (let i = s; i < s + n; i++) t += v[i]! * v[i]!;
  return t;
}

/** x with the norm's gradient rule for exponent p, given the norm broadcast back (`nb`) and g likewise (`gb`). */
function normGrad(x: Tensor, p: number, nb: Tensor, gb: Tensor, axes: readonly number[]): Tensor {
  const zeroNorm = eq(nb, 0);
  if (p === 0) return zeros(x.shape, { dtype: x.dtype });
  if (p === 1) return gb.mul(x.sign());
  if (p === 2) return gb.mul(where(zeroNorm, 0, x.div(nb)));
  if (!Number.isFinite(p)) {
    // The entries equal to the norm (or NaN) share the gradient evenly, as amax/amin.
    const mask = noGrad(() => {
      const hit = eq(x.abs(), nb).add(isNaNMask(x)).gt(0).toDType(x.dtype); // weights in x's precision
      return hit.div(hit.sum([...axes], true));
    });
    return x.sign().mul(gb).mul(mask);
  }
  if (p < 1) {
    // sign(x)·|x|^(p−1) is infinite at 0; PyTorch zeroes it there.
    const scaled = x.sign().mul(where(ne(x, 0), x.abs(), 1).pow(p - 1)).mul(ne(x, 0));
    return scaled.mul(gb).mul(nb.pow(1 - p));
  }
  const scaled = p < 2 ? x.sign().mul(x.abs().pow(p - 1)) : x.mul(x.abs().pow(p - 2));
  return scaled.mul(where(zeroNorm, 0, gb.div(where(zeroNorm, 1, nb).pow(p - 1))));
}

const normOp: Op<[Tensor, number, readonly number[], boolean]> = defineOp({
  name: 'norm',
  forward: (x: Tensor, p: number, axes: readonly number[], keepDims: boolean) => reduceWith(x, axes, keepDims, pNormRun(p)),
  vjp: (g, { args: [x, p, axes], output }) => [normGrad(x, p, expandReduced(output, x, axes), expandReduced(g, x, axes), axes), null, null, null],
  batch: ([x, p, axes, keepDims], [d], { size }) => [normOp(toFront(x, d, size), p, axes.map((a) => a + 1), keepDims), 0],
  jvp: ([t], { args: [x, p, axes, keepDims], output }) => {
    if (!t) return null;
    // The norm is a reduction: its jvp is Σ t·∂norm/∂x over the reduced axes.
    return normGrad(x, p, expandReduced(output, x, axes), ones(x.shape, { dtype: x.dtype }), axes).mul(t).sum([...axes], keepDims);
  },
});

/**
 * The vector p-norm of `x` over `axis` (all axes when omitted), like `torch.linalg.vector_norm`
 * and `torch.norm`: `p` is any number (`Infinity` is the largest |x|, `-Infinity` the smallest,
 * 0 counts non-zeros) or `'fro'` (the 2-norm, Frobenius for a matrix). The gradient matches
 * PyTorch's, including 0 where the norm is 0 (and for p < 1, 0 where x is 0).
 *
 * @example
 * ```ts
 * norm(tensor([3, 4]));                    // 5
 * norm(tensor([[1, -2], [3, -4]]), 1, 1);  // [3, 7]
 * norm(tensor([[1, 2], [3, 4]]), 'fro');   // 5.4772
 * norm(tensor([1, -7, 3]), Infinity);      // 7
 * ```
 * @category Reduction
 */
export function norm(x: Tensor, p: number | 'fro' = 2, axis?: Axes, keepDims = false): Tensor {
  checkTensor('norm', 'x', x);
  checkBoolean('norm', 'keepDims', keepDims);
  if (p === 'fro') {
    const axes = reductionAxes('norm', axis, x);
    if (axis !== undefined && axis !== null && axes.length > 2) throw new Error(`norm: the Frobenius norm takes at most 2 axes, got [${axes.join(',')}]`);
    return normOp(x, 2, axes, keepDims);
  }
  if (typeof p !== 'number' || Number.isNaN(p)) throw new Error(`norm: p must be a number or 'fro', got ${describeValue(p)}${(p as unknown) === 'nuc' ? " (the nuclear norm needs an SVD, which tapegrad does not have)" : ''}`);
  const axes = reductionAxes('norm', axis, x);
  if (p === -Infinity && axes.some((a) => x.shape[a] === 0)) throw new Error(`norm: the -Infinity norm of an empty axis has no value (input shape ${fmt(x.shape)})`);
  return normOp(x, p, axes, keepDims);
}
