// Elementwise unary math: each op a kernel over the values and a vjp in tensor ops.
import { Tensor } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { isFloating } from '../dtype.js';
import { map1, type UnaryKind } from '../kernels/elementwise.js';
import { erf as erfScalar } from '../kernels/special.js';
import { ge, le } from './compare.js';
import { batchElementwise } from './batch-rules.js';
import { checkNumber, checkTensor } from '../validate.js';

const wrapNd = (nd: Tensor['data']) => new Tensor(nd);

// Ops whose name is a UnaryKind get map1's dedicated loop; the rest go through `f`.
const dedicated = new Set<string>(['neg', 'exp', 'log', 'sqrt', 'square', 'abs']);

// These keep an int32 input's dtype (as in PyTorch); every other unary op computes an integer or
// bool input in float32. On bool, sign is the identity, square counts in int32, neg and abs are errors.
const integral = new Set<string>(['neg', 'abs', 'sign', 'square']);

function unaryOp(name: string, f: (x: number) => number, vjp: (g: Tensor, x: Tensor, out: Tensor) => Tensor | null) {
  const kind = dedicated.has(name) ? (name as UnaryKind) : undefined;
  const keepsInt = integral.has(name);
  const op = defineOp({
    name,
    acceptsIntegers: keepsInt,
    forward: (x: Tensor) => wrapNd(map1(x.data, f, kind)),
    vjp: (g, { args: [x], output }) => [vjp(g, x, output)],
    // A diagonal Jacobian is its own transpose: J·t is the vjp applied to t.
    jvp: ([t], { args: [x], output }) => (t ? vjp(t, x, output) : null),
    batch: ([x], [d], { op }) => [op(x), d],
  });
  return (x: Tensor): Tensor => {
    checkTensor(name, 'x', x);
    if (isFloating(x.dtype)) return op(x);
    if (!keepsInt) return op(x.toDType('float32'));
    if (x.dtype === 'bool') {
      if (name === 'sign') return x;
      if (name === 'square') return op(x.toDType('int32'));
      throw new Error(`${name}: not defined for bool tensors (shape [${x.shape.join(',')}]); convert with toDType('int32')`);
    }
    return op(x);
  };
}

/**
 * `-x`.
 *
 * @example
 * ```ts
 * neg(tensor([1, -2])); // [-1, 2]
 * ```
 * @category Elementwise
 */
export const neg = unaryOp('neg', (x) => -x, (g) => g.neg());

/**
 * `e ** x`.
 *
 * @example
 * ```ts
 * exp(tensor([0, 1])); // [1, 2.7183]
 * ```
 * @category Elementwise
 */
export const exp = unaryOp('exp', Math.exp, (g, _x, out) => g.mul(out));

/**
 * Natural logarithm (NaN below 0, -Inf at 0).
 *
 * @example
 * ```ts
 * log(tensor([1, Math.E])); // [0, 1]
 * ```
 * @category Elementwise
 */
export const log = unaryOp('log', Math.log, (g, x) => g.div(x));

/**
 * `log(1 + x)`, accurate for small `x`.
 *
 * @example
 * ```ts
 * log1p(tensor([1e-10])); // [1e-10]
 * ```
 * @category Elementwise
 */
export const log1p = unaryOp('log1p', Math.log1p, (g, x) => g.div(x.add(1)));

/**
 * Square root.
 *
 * @example
 * ```ts
 * sqrt(tensor([4, 9])); // [2, 3]
 * ```
 * @category Elementwise
 */
export const sqrt = unaryOp('sqrt', Math.sqrt, (g, _x, out) => g.div(out.mul(2)));

/**
 * `1 / sqrt(x)`.
 *
 * @example
 * ```ts
 * rsqrt(tensor([4])); // [0.5]
 * ```
 * @category Elementwise
 */
export const rsqrt = unaryOp('rsqrt', (x) => 1 / Math.sqrt(x), (g, _x, out) => g.mul(out.pow(3)).mul(-0.5));

/**
 * `x * x`.
 *
 * @example
 * ```ts
 * square(tensor([-3])); // [9]
 * ```
 * @category Elementwise
 */
export const square = unaryOp('square', (x) => x * x, (g, x) => g.mul(x).mul(2));

/**
 * Absolute value (gradient `sign(x)`, 0 at 0).
 *
 * @example
 * ```ts
 * abs(tensor([-2, 3])); // [2, 3]
 * ```
 * @category Elementwise
 */
export const abs = unaryOp('abs', Math.abs, (g, x) => g.mul(x.sign()));

/**
 * -1, 0 or 1 by the sign of `x` (zero gradient).
 *
 * @example
 * ```ts
 * sign(tensor([-2, 0, 3])); // [-1, 0, 1]
 * ```
 * @category Elementwise
 */
export const sign = unaryOp('sign', (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), () => null);

/**
 * Sine.
 *
 * @example
 * ```ts
 * sin(tensor([0])); // [0]
 * ```
 * @category Elementwise
 */
export const sin = unaryOp('sin', Math.sin, (g, x) => g.mul(x.cos()));

/**
 * Cosine.
 *
 * @example
 * ```ts
 * cos(tensor([0])); // [1]
 * ```
 * @category Elementwise
 */
export const cos = unaryOp('cos', Math.cos, (g, x) => g.mul(x.sin()).neg());

/**
 * Hyperbolic tangent.
 *
 * @example
 * ```ts
 * tanh(tensor([0, 100])); // [0, 1]
 * ```
 * @category Elementwise
 */
export const tanh = unaryOp('tanh', Math.tanh, (g, _x, out) => g.mul(out.square().neg().add(1)));

/**
 * The error function, accurate to float64 precision.
 *
 * @example
 * ```ts
 * erf(tensor([0, 10])); // [0, 1]
 * ```
 * @category Elementwise
 */
export const erf = unaryOp('erf', erfScalar, (g, x) => g.mul(x.square().neg().exp()).mul(2 / Math.sqrt(Math.PI)));

const clampOp = defineOp({
  name: 'clamp',
  acceptsIntegers: true,
  forward: (x: Tensor, lo: number, hi: number) => wrapNd(map1(x.data, (v) => (v < lo ? lo : v > hi ? hi : v))),
  // The gradient passes where lo <= x <= hi, as in PyTorch.
  vjp: (g, { args: [x, lo, hi] }) => [g.mul(ge(x, lo).mul(le(x, hi))), null, null],
  jvp: ([t], { args: [x, lo, hi] }) => (t ? t.mul(ge(x, lo).mul(le(x, hi))) : null),
  batch: batchElementwise,
});

/**
 * Limits values to `[min, max]`; either bound may be omitted (`null`/`undefined`). An int32 input
 * stays int32 with integer bounds and becomes float32 with a fractional one (as `torch.clamp`);
 * bool computes in int32.
 *
 * @example
 * ```ts
 * clamp(tensor([-2, 0.5, 3]), 0, 1); // [0, 0.5, 1]
 * ```
 * @category Elementwise
 */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  checkTensor('clamp', 'x', x);
  const lo = min === null || min === undefined ? -Infinity : checkNumber('clamp', 'min', min);
  const hi = max === null || max === undefined ? Infinity : checkNumber('clamp', 'max', max);
  if (lo > hi) throw new Error(`clamp: min (${lo}) is greater than max (${hi})`);
  if (isFloating(x.dtype)) return clampOp(x, lo, hi);
  // As torch.clamp's type promotion: a fractional bound makes an integer input float32 (never
  // rounding the bound), integer bounds keep int32, and bool computes in int32.
  const fractional = (v: number) => Number.isFinite(v) && !Number.isInteger(v);
  if (fractional(lo) || fractional(hi)) return clampOp(x.toDType('float32'), lo, hi);
  return clampOp(x.dtype === 'bool' ? x.toDType('int32') : x, lo, hi);
}

