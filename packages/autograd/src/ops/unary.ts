// Elementwise unary math, made from the primitive table (primitives.ts: expression and vjp per op).
import { Tensor } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { isFloating } from '../dtype.js';
import { map1 } from '../kernels/elementwise.js';
import { primitiveUnary } from './pointwise.js';
import { ge, le } from './compare.js';
import { batchElementwise } from './batch-rules.js';
import { checkNumber, checkTensor } from '../validate.js';

const wrapNd = (nd: Tensor['data']) => new Tensor(nd);

/**
 * `-x`.
 *
 * @example
 * ```ts
 * neg(tensor([1, -2])); // [-1, 2]
 * ```
 * @category Elementwise
 */
export const neg = primitiveUnary('neg');

/**
 * `e ** x`.
 *
 * @example
 * ```ts
 * exp(tensor([0, 1])); // [1, 2.7183]
 * ```
 * @category Elementwise
 */
export const exp = primitiveUnary('exp');

/**
 * Natural logarithm (NaN below 0, -Inf at 0).
 *
 * @example
 * ```ts
 * log(tensor([1, Math.E])); // [0, 1]
 * ```
 * @category Elementwise
 */
export const log = primitiveUnary('log');

/**
 * `log(1 + x)`, accurate for small `x`.
 *
 * @example
 * ```ts
 * log1p(tensor([1e-10])); // [1e-10]
 * ```
 * @category Elementwise
 */
export const log1p = primitiveUnary('log1p');

/**
 * Square root.
 *
 * @example
 * ```ts
 * sqrt(tensor([4, 9])); // [2, 3]
 * ```
 * @category Elementwise
 */
export const sqrt = primitiveUnary('sqrt');

/**
 * `1 / sqrt(x)`.
 *
 * @example
 * ```ts
 * rsqrt(tensor([4])); // [0.5]
 * ```
 * @category Elementwise
 */
export const rsqrt = primitiveUnary('rsqrt');

/**
 * `x * x`.
 *
 * @example
 * ```ts
 * square(tensor([-3])); // [9]
 * ```
 * @category Elementwise
 */
export const square = primitiveUnary('square');

/**
 * Absolute value (gradient `sign(x)`, 0 at 0).
 *
 * @example
 * ```ts
 * abs(tensor([-2, 3])); // [2, 3]
 * ```
 * @category Elementwise
 */
export const abs = primitiveUnary('abs');

/**
 * -1, 0 or 1 by the sign of `x` (zero gradient).
 *
 * @example
 * ```ts
 * sign(tensor([-2, 0, 3])); // [-1, 0, 1]
 * ```
 * @category Elementwise
 */
export const sign = primitiveUnary('sign');

/**
 * Sine.
 *
 * @example
 * ```ts
 * sin(tensor([0])); // [0]
 * ```
 * @category Elementwise
 */
export const sin = primitiveUnary('sin');

/**
 * Cosine.
 *
 * @example
 * ```ts
 * cos(tensor([0])); // [1]
 * ```
 * @category Elementwise
 */
export const cos = primitiveUnary('cos');

/**
 * Hyperbolic tangent.
 *
 * @example
 * ```ts
 * tanh(tensor([0, 100])); // [0, 1]
 * ```
 * @category Elementwise
 */
export const tanh = primitiveUnary('tanh');

/**
 * The error function, accurate to float64 precision.
 *
 * @example
 * ```ts
 * erf(tensor([0, 10])); // [0, 1]
 * ```
 * @category Elementwise
 */
export const erf = primitiveUnary('erf');

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

