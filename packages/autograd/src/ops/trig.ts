// Trigonometric and hyperbolic functions and their inverses (sin, cos, tanh are in unary.ts).
// Each vjp is written in tensor ops, so all of them are differentiable to any order.
import { unaryOp, binaryOp } from './pointwise.js';

/**
 * Tangent.
 *
 * @example
 * ```ts
 * tan(tensor([0, Math.PI / 4])); // [0, 1]
 * ```
 * @category Elementwise
 */
export const tan = unaryOp('tan', Math.tan, (g, _x, out) => g.mul(out.square().add(1)));

/**
 * Inverse sine (NaN outside [-1, 1]).
 *
 * @example
 * ```ts
 * asin(tensor([0, 1])); // [0, 1.5708]
 * ```
 * @category Elementwise
 */
export const asin = unaryOp('asin', Math.asin, (g, x) => g.div(x.square().neg().add(1).sqrt()));

/**
 * Inverse cosine (NaN outside [-1, 1]).
 *
 * @example
 * ```ts
 * acos(tensor([1, 0])); // [0, 1.5708]
 * ```
 * @category Elementwise
 */
export const acos = unaryOp('acos', Math.acos, (g, x) => g.div(x.square().neg().add(1).sqrt()).neg());

/**
 * Inverse tangent.
 *
 * @example
 * ```ts
 * atan(tensor([0, 1])); // [0, 0.7854]
 * ```
 * @category Elementwise
 */
export const atan = unaryOp('atan', Math.atan, (g, x) => g.div(x.square().add(1)));

/**
 * Hyperbolic sine.
 *
 * @example
 * ```ts
 * sinh(tensor([0, 1])); // [0, 1.1752]
 * ```
 * @category Elementwise
 */
export const sinh = unaryOp('sinh', Math.sinh, (g, x) => g.mul(cosh(x)));

/**
 * Hyperbolic cosine.
 *
 * @example
 * ```ts
 * cosh(tensor([0, 1])); // [1, 1.5431]
 * ```
 * @category Elementwise
 */
export const cosh = unaryOp('cosh', Math.cosh, (g, x) => g.mul(sinh(x)));

/**
 * Inverse hyperbolic sine.
 *
 * @example
 * ```ts
 * asinh(tensor([0, 1])); // [0, 0.8814]
 * ```
 * @category Elementwise
 */
export const asinh = unaryOp('asinh', Math.asinh, (g, x) => g.div(x.square().add(1).sqrt()));

/**
 * Inverse hyperbolic cosine (NaN below 1).
 *
 * @example
 * ```ts
 * acosh(tensor([1, 2])); // [0, 1.3170]
 * ```
 * @category Elementwise
 */
export const acosh = unaryOp('acosh', Math.acosh, (g, x) => g.div(x.square().sub(1).sqrt()));

/**
 * Inverse hyperbolic tangent (±Inf at ±1, NaN beyond).
 *
 * @example
 * ```ts
 * atanh(tensor([0, 0.5])); // [0, 0.5493]
 * ```
 * @category Elementwise
 */
export const atanh = unaryOp('atanh', Math.atanh, (g, x) => g.div(x.square().neg().add(1)));

/**
 * The angle of the point `(x, y)` in radians, in [-π, π], broadcasting (`torch.atan2(y, x)`).
 * Signed zeros pick the quadrant as in C: `atan2(0, -0)` is π.
 *
 * @example
 * ```ts
 * atan2(tensor([1, 1]), tensor([1, -1])); // [0.7854, 2.3562]
 * ```
 * @category Elementwise
 */
export const atan2 = binaryOp('atan2', Math.atan2, {
  // ∂/∂y = x / (x² + y²), ∂/∂x = −y / (x² + y²).
  a: (y, x) => x.div(x.square().add(y.square())),
  b: (y, x) => y.div(x.square().add(y.square())).neg(),
});
