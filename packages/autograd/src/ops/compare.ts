// Comparisons: bool masks. Operands promote to a common dtype first (int32 vs 0.5 compares as
// float). They are not differentiable (no grad, no tape).
import { primitiveCompare } from './pointwise.js';

/**
 * A bool tensor, true where `a == b` (broadcasting; operands promote as in arithmetic).
 *
 * @example
 * ```ts
 * eq(tensor([1, 2]), 2); // [false, true]
 * ```
 * @category Comparison
 */
export const eq = primitiveCompare('eq');
/**
 * A bool tensor, true where `a != b`.
 *
 * @example
 * ```ts
 * ne(tensor([1, 2]), 2); // [true, false]
 * ```
 * @category Comparison
 */
export const ne = primitiveCompare('ne');
/**
 * A bool tensor, true where `a < b`.
 *
 * @example
 * ```ts
 * lt(tensor([1, 2]), 2); // [true, false]
 * ```
 * @category Comparison
 */
export const lt = primitiveCompare('lt');
/**
 * A bool tensor, true where `a <= b`.
 *
 * @example
 * ```ts
 * le(tensor([1, 2]), 2); // [true, true]
 * ```
 * @category Comparison
 */
export const le = primitiveCompare('le');
/**
 * A bool tensor, true where `a > b`.
 *
 * @example
 * ```ts
 * gt(tensor([1, 2]), 1); // [false, true]
 * ```
 * @category Comparison
 */
export const gt = primitiveCompare('gt');
/**
 * A bool tensor, true where `a >= b`.
 *
 * @example
 * ```ts
 * ge(tensor([1, 2]), 2); // [false, true]
 * ```
 * @category Comparison
 */
export const ge = primitiveCompare('ge');
