// Exponential-family helpers that stay accurate where the naive formula cancels or overflows.
import { erfc as erfcScalar } from '../kernels/special.js';
import { unaryOp, binaryOp } from './pointwise.js';

/**
 * The complementary error function 1 − erf(x), accurate where it is tiny (erfc(10) ≈ 2.09e-45).
 *
 * @example
 * ```ts
 * erfc(tensor([0, 3])); // [1, 2.209e-5]
 * ```
 * @category Elementwise
 */
export const erfc = unaryOp('erfc', erfcScalar, (g, x) => g.mul(x.square().neg().exp()).mul(-2 / Math.sqrt(Math.PI)));

/**
 * `e ** x − 1`, accurate for small `x`.
 *
 * @example
 * ```ts
 * expm1(tensor([1e-10])); // [1e-10]
 * ```
 * @category Elementwise
 */
export const expm1 = unaryOp('expm1', Math.expm1, (g, _x, out) => g.mul(out.add(1)));

/** log(e^a + e^b) = max + log1p(e^−|a−b|); equal infinities give that infinity, not NaN. */
function logAddExpScalar(a: number, b: number): number {
  if (a === b && !Number.isFinite(a)) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/**
 * `log(e^a + e^b)` without overflow, broadcasting.
 *
 * @example
 * ```ts
 * logaddexp(tensor([1000, 0]), tensor([1000, 0])); // [1000.6931, 0.6931]
 * ```
 * @category Elementwise
 */
export const logaddexp = binaryOp('logaddexp', logAddExpScalar, {
  // ∂/∂a = e^(a − out) = σ(a − b): never above 1, so it cannot overflow.
  a: (a, _b, out) => a.sub(out).exp(),
  b: (_a, b, out) => b.sub(out).exp(),
});
