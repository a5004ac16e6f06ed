// Rounding (piecewise constant: zero gradient, as PyTorch) and the NaN/finite tests (no gradient).
import { Tensor } from '../tensor.js';
import { noGrad } from '../grad-mode.js';
import { map1 } from '../kernels/elementwise.js';
import { unaryOp, zerosGrad, assertInteger } from './pointwise.js';
import { defineOp } from '../define-op.js';
import { checkOptions, checkTensor } from '../validate.js';

/**
 * Rounds down to an integer (zero gradient).
 *
 * @example
 * ```ts
 * floor(tensor([1.7, -1.2])); // [1, -2]
 * ```
 * @category Elementwise
 */
export const floor = unaryOp('floor', Math.floor, zerosGrad);

/**
 * Rounds up to an integer (zero gradient).
 *
 * @example
 * ```ts
 * ceil(tensor([1.2, -1.7])); // [2, -1]
 * ```
 * @category Elementwise
 */
export const ceil = unaryOp('ceil', Math.ceil, zerosGrad);

/**
 * Rounds toward zero (zero gradient).
 *
 * @example
 * ```ts
 * trunc(tensor([1.7, -1.7])); // [1, -1]
 * ```
 * @category Elementwise
 */
export const trunc = unaryOp('trunc', Math.trunc, zerosGrad);

/**
 * The fractional part `x − trunc(x)`, with the sign of `x`. Its gradient is 1, as in PyTorch
 * (it is `x` minus a piecewise constant).
 *
 * @example
 * ```ts
 * frac(tensor([1.25, -1.25])); // [0.25, -0.25]
 * ```
 * @category Elementwise
 */
export const frac = unaryOp('frac', (v) => v - Math.trunc(v), (g) => g);

/** Round half to even (banker's rounding), as C's nearbyint: 0.5 → 0, 1.5 → 2, −0.5 → −0. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : r;
}

const roundOp = defineOp({
  name: 'round',
  // As PyTorch: scale by 10^d for d > 0, divide by 10^−d for d < 0 (both exact for the powers used).
  forward: (x: Tensor, decimals: number) => {
    if (decimals === 0) return new Tensor(map1(x.data, roundHalfEven));
    const p = 10 ** Math.abs(decimals);
    const f = decimals > 0 ? (v: number) => roundHalfEven(v * p) / p : (v: number) => roundHalfEven(v / p) * p;
    return new Tensor(map1(x.data, f));
  },
  vjp: (g) => [zerosGrad(g), null],
  // Piecewise constant: the tangent is zero wherever it is defined, as JAX's round.
  jvp: ([t]) => (t ? zerosGrad(t) : null),
  batch: ([x, decimals], [d], { op }) => [op(x, decimals), d],
});

/**
 * Options of {@link round}.
 *
 * @example
 * ```ts
 * const o: RoundOptions = { decimals: 2 };
 * ```
 * @category Elementwise
 */
export interface RoundOptions {
  /** Number of decimal places (negative rounds to tens, hundreds…); default 0. */
  decimals?: number;
}

/**
 * Rounds to the nearest integer, halves to even as PyTorch (`round(2.5)` is 2); with `decimals`,
 * to that many decimal places. Zero gradient.
 *
 * @example
 * ```ts
 * round(tensor([0.5, 1.5, 2.5, -0.5])); // [0, 2, 2, -0]
 * round(tensor([1.2345]), { decimals: 2 }); // [1.23]
 * ```
 * @category Elementwise
 */
export function round(x: Tensor, options: RoundOptions = {}): Tensor {
  checkTensor('round', 'x', x);
  const decimals = checkOptions('round', options, ['decimals']).decimals ?? 0;
  assertInteger('round', 'decimals', decimals);
  return roundOp(x, decimals);
}

/**
 * 1 where `x` is NaN, else 0, in x's dtype (no gradient).
 *
 * @example
 * ```ts
 * isNaN(tensor([1, NaN])); // [0, 1]
 * ```
 * @category Comparison
 */
export function isNaN(x: Tensor): Tensor {
  checkTensor('isNaN', 'x', x);
  return noGrad(() => new Tensor(map1(x.data, (v) => (v !== v ? 1 : 0))));
}

/**
 * 1 where `x` is neither ±Inf nor NaN, else 0, in x's dtype (no gradient).
 *
 * @example
 * ```ts
 * isFinite(tensor([1, Infinity, NaN])); // [1, 0, 0]
 * ```
 * @category Comparison
 */
export function isFinite(x: Tensor): Tensor {
  checkTensor('isFinite', 'x', x);
  return noGrad(() => new Tensor(map1(x.data, (v) => (Number.isFinite(v) ? 1 : 0))));
}
