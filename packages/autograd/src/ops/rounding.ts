// Rounding (piecewise constant: zero gradient, as PyTorch) and the NaN/finite tests (no gradient).
import { Tensor } from '../tensor.js';
import { allocate, isFloating } from '../dtype.js';
import { wrap } from '../kernels/layout.js';
import { map1 } from '../kernels/elementwise.js';
import { unaryOp, zerosGrad, assertInteger } from './pointwise.js';
import { defineOp } from '../define-op.js';
import { clone } from './movement.js';
import { checkOptions, checkTensor } from '../validate.js';

/**
 * As PyTorch: rounding an int32 tensor is a copy of it (its values are already integers); a bool
 * tensor is an error.
 */
function integral(name: string, floatOp: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  return (x: Tensor): Tensor => {
    checkTensor(name, 'x', x);
    if (x.dtype === 'bool') throw new Error(`${name}: not defined for bool tensors (shape [${x.shape.join(',')}]); convert with toDType('int32')`);
    return x.dtype === 'int32' ? clone(x) : floatOp(x);
  };
}

/**
 * Rounds down to an integer (zero gradient). An int32 tensor comes back as a copy, as in PyTorch.
 *
 * @example
 * ```ts
 * floor(tensor([1.7, -1.2])); // [1, -2]
 * ```
 * @category Elementwise
 */
export const floor = integral('floor', unaryOp('floor', Math.floor, zerosGrad));

/**
 * Rounds up to an integer (zero gradient). An int32 tensor comes back as a copy.
 *
 * @example
 * ```ts
 * ceil(tensor([1.2, -1.7])); // [2, -1]
 * ```
 * @category Elementwise
 */
export const ceil = integral('ceil', unaryOp('ceil', Math.ceil, zerosGrad));

/**
 * Rounds toward zero (zero gradient). An int32 tensor comes back as a copy.
 *
 * @example
 * ```ts
 * trunc(tensor([1.7, -1.7])); // [1, -1]
 * ```
 * @category Elementwise
 */
export const trunc = integral('trunc', unaryOp('trunc', Math.trunc, zerosGrad));

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
 * to that many decimal places. Zero gradient. An int32 tensor comes back as a copy (without decimals).
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
  if (!isFloating(x.dtype) && decimals !== 0) throw new Error(`round: decimals needs a floating-point tensor, got dtype ${x.dtype}; convert with toDType('float32')`);
  return integral('round', (v) => roundOp(v, decimals))(x);
}

/** A bool-valued test of each element (no gradient, no tangent), for any input dtype. */
function predicateOp(name: string, test: (v: number) => boolean) {
  const op = defineOp({
    name,
    acceptsIntegers: true,
    forward: (x: Tensor) => {
      const src = x.contiguousData();
      const out = allocate('bool', src.length);
      for (let i = 0; i < src.length; i++) out[i] = test(src[i]!) ? 1 : 0;
      return new Tensor(wrap(out, x.shape));
    },
    vjp: () => [null],
    jvp: () => null,
    batch: ([x], [d], { op }) => [op(x), d],
  });
  return (x: Tensor): Tensor => {
    checkTensor(name, 'x', x);
    return op(x);
  };
}

/**
 * A bool tensor, true where `x` is NaN, like `torch.isnan` (integer and bool inputs are never NaN).
 *
 * @example
 * ```ts
 * isNaN(tensor([1, NaN])); // [false, true]
 * ```
 * @category Comparison
 */
export const isNaN = predicateOp('isNaN', (v) => v !== v);

/**
 * A bool tensor, true where `x` is neither ±Inf nor NaN, like `torch.isfinite`.
 *
 * @example
 * ```ts
 * isFinite(tensor([1, Infinity, NaN])); // [true, false, false]
 * ```
 * @category Comparison
 */
export const isFinite = predicateOp('isFinite', (v) => Number.isFinite(v));

/**
 * A bool tensor, true where `x` is +Inf or −Inf, like `torch.isinf`.
 *
 * @example
 * ```ts
 * isInf(tensor([1, -Infinity, NaN])); // [false, true, false]
 * ```
 * @category Comparison
 */
export const isInf = predicateOp('isInf', (v) => v === Infinity || v === -Infinity);
