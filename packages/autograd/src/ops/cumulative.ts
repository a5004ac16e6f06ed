// cumsum and cumprod along one axis. cumsum's adjoint is the reverse cumsum, so vjp and jvp call
// the op again (any order). cumprod divides by x when no input is zero (differentiable again) and
// otherwise uses exact first-order kernels built around the first zero of each line.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { allocate } from '../dtype.js';
import { normalizeAxis } from '../shape.js';
import { noGrad } from '../grad-mode.js';
import { fromLines, linesOf, mapLines } from './along-axis.js';
import { toFront } from './batch-rules.js';
import { checkTensor } from '../validate.js';

/** Axis of a scan; a 0-d tensor accepts 0 and -1 (as PyTorch) and is its own single line. */
function scanAxis(op: string, x: Tensor, dim: number): number {
  checkTensor(op, 'x', x);
  if (x.ndim === 0) {
    normalizeAxis(op, dim, 1); // throws for anything but 0 / -1
    return 0;
  }
  return normalizeAxis(op, dim, x.ndim);
}

const cumsumOp: Op<[Tensor, number, boolean]> = defineOp({
  name: 'cumsum',
  // int32 sums wrap around at 2^31 as int32 arithmetic does (PyTorch sums integers in int64).
  acceptsIntegers: true,
  forward: (x: Tensor, axis: number, reverse: boolean) =>
    mapLines(x, axis, (src, dst, s, n) => {
      let acc = 0;
      if (reverse) for (let i = s + n - 1; i >= s; i--) dst[i] = acc += src[i]!;
      else for (let i = s; i < s + n; i++) dst[i] = acc += src[i]!;
    }),
  vjp: (g, { args: [, axis, reverse] }) => [cumsumOp(g, axis, !reverse), null, null],
  jvp: ([t], { args: [, axis, reverse] }) => (t ? cumsumOp(t, axis, reverse) : null),
  // A scan of 0-d examples is the identity.
  batch: ([x, axis, reverse], [d], { size }) => (d !== null && x.ndim === 1 ? [x.clone(), d] : [cumsumOp(toFront(x, d, size), axis + 1, reverse), 0]),
});

/** Integer scans accumulate in int32: a bool input counts (as PyTorch, which uses int64). */
const scanInput = (x: Tensor): Tensor => (x.dtype === 'bool' ? x.toDType('int32') : x);

/**
 * Running sums along `dim`, like `torch.cumsum`: `out[i] = x[0] + … + x[i]`. An int32 or bool
 * input gives int32 (PyTorch gives int64; int32 sums wrap past 2^31 − 1).
 *
 * @example
 * ```ts
 * cumsum(tensor([1, 2, 3]), 0);           // [1, 3, 6]
 * cumsum(tensor([[1, 2], [3, 4]]), 1);    // [[1, 3], [3, 7]]
 * ```
 * @category Reduction
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  checkTensor('cumsum', 'x', x);
  return cumsumOp(scanInput(x), scanAxis('cumsum', x, dim), false);
}

/** For each line, with z its first zero: the exact vjp of cumprod (only positions ≤ z get any). */
function cumprodVjpWithZeros(x: Tensor, g: Tensor, out: Tensor, axis: number): Tensor {
  const { data: xs, n } = linesOf(x, axis);
  const gs = linesOf(g, axis).data;
  const os = linesOf(out, axis).data;
  const res = allocate(x.dtype, xs.length);
  for (let s = 0; s < xs.length; s += n) {
    let z = s;
    while (z < s + n && xs[z] !== 0) z++;
    // k < z: Σ_{j=k}^{z−1} g_j·out_j / x_k, by a suffix sum.
    let suffix = 0;
    for (let k = z - 1; k >= s; k--) {
      suffix += gs[k]! * os[k]!;
      res[k] = suffix / xs[k]!;
    }
    if (z < s + n) {
      // k = z: Σ_{j≥z} g_j · out_{z−1} · Π_{z<i≤j} x_i.
      let run = z > s ? os[z - 1]! : 1;
      let acc = gs[z]! * run;
      for (let j = z + 1; j < s + n; j++) acc += gs[j]! * (run *= xs[j]!);
      res[z] = acc;
    }
  }
  return fromLines(res, x.shape, axis);
}

/** The exact jvp of cumprod when a line has a zero at z: out_j·Σ_{k≤j} t_k/x_k before z, t_z·out_{z−1}·Π_{z<i≤j} x_i after. */
function cumprodJvpWithZeros(x: Tensor, t: Tensor, out: Tensor, axis: number): Tensor {
  const { data: xs, n } = linesOf(x, axis);
  const ts = linesOf(t, axis).data;
  const os = linesOf(out, axis).data;
  const res = allocate(x.dtype, xs.length);
  for (let s = 0; s < xs.length; s += n) {
    let acc = 0;
    let j = s;
    for (; j < s + n && xs[j] !== 0; j++) res[j] = os[j]! * (acc += ts[j]! / xs[j]!);
    if (j === s + n) continue;
    let run = (j > s ? os[j - 1]! : 1) * ts[j]!;
    res[j] = run;
    for (let i = j + 1; i < s + n; i++) res[i] = run *= xs[i]!;
  }
  return fromLines(res, x.shape, axis);
}

const cumprodOp: Op<[Tensor, number]> = defineOp({
  name: 'cumprod',
  acceptsIntegers: true,
  forward: (x: Tensor, axis: number) => {
    // Math.imul keeps an int32 product exact modulo 2^32 (a float product loses digits past 2^53 first).
    const times = x.dtype === 'int32' ? Math.imul : (a: number, b: number) => a * b;
    const output = mapLines(x, axis, (src, dst, s, n) => {
      let acc = 1;
      for (let i = s; i < s + n; i++) dst[i] = acc = times(acc, src[i]!);
    });
    return { output, saved: x.contiguousData().every((v) => v !== 0) };
  },
  // Without zeros: ∂L/∂x_k = Σ_{j≥k} g_j·out_j / x_k, a reverse cumsum, differentiable again.
  vjp: (g, { args: [x, axis], output, saved: noZeros }) =>
    [noZeros ? cumsumOp(g.mul(output), axis, true).div(x) : noGrad(() => cumprodVjpWithZeros(x, g, output, axis)), null],
  jvp: ([t], { args: [x, axis], output, saved: noZeros }) => {
    if (!t) return null;
    return noZeros ? output.mul(cumsumOp(t.div(x), axis, false)) : noGrad(() => cumprodJvpWithZeros(x, t, output, axis));
  },
  batch: ([x, axis], [d], { size }) => (d !== null && x.ndim === 1 ? [x.clone(), d] : [cumprodOp(toFront(x, d, size), axis + 1), 0]),
});

/**
 * Running products along `dim`, like `torch.cumprod`: `out[i] = x[0]·…·x[i]`. The gradient is
 * exact when inputs are zero (first order; with zeros it is not differentiable again). An int32 or
 * bool input gives int32 (wrapping modulo 2^32; PyTorch gives int64).
 *
 * @example
 * ```ts
 * cumprod(tensor([1, 2, 3, 4]), 0); // [1, 2, 6, 24]
 * ```
 * @category Reduction
 */
export function cumprod(x: Tensor, dim: number): Tensor {
  checkTensor('cumprod', 'x', x);
  return cumprodOp(scanInput(x), scanAxis('cumprod', x, dim));
}
