// Comparisons: bool masks. Operands promote to a common dtype first (int32 vs 0.5 compares as
// float). They are not differentiable (no grad, no tape).
import { Tensor, type TensorLike } from '../tensor.js';
import { noGrad } from '../grad-mode.js';
import { map2, type CompareKind } from '../kernels/elementwise.js';
import { broadcastOperands } from './broadcast.js';
import { defineOp } from '../define-op.js';
import { batchElementwise } from './batch-rules.js';

// The name is map2's CompareKind, which selects a branch-free dedicated loop; `f` must agree.
// An op (so jvp and vmap see it) called without recording: a mask never requires grad.
function compareOp(name: CompareKind, f: (a: number, b: number) => boolean) {
  const g = (u: number, v: number) => (f(u, v) ? 1 : 0);
  const op = defineOp({
    name,
    acceptsIntegers: true,
    forward: (x: Tensor, y: Tensor) => new Tensor(map2(x.data, y.data, g, name)),
    vjp: () => [null, null],
    jvp: () => null,
    batch: batchElementwise,
  });
  return (a: TensorLike, b: TensorLike): Tensor =>
    noGrad(() => {
      const [x, y] = broadcastOperands(name, [a, b]);
      return op(x!, y!);
    });
}

/**
 * A bool tensor, true where `a == b` (broadcasting; operands promote as in arithmetic).
 *
 * @example
 * ```ts
 * eq(tensor([1, 2]), 2); // [false, true]
 * ```
 * @category Comparison
 */
export const eq = compareOp('eq', (a, b) => a === b);
/**
 * A bool tensor, true where `a != b`.
 *
 * @example
 * ```ts
 * ne(tensor([1, 2]), 2); // [true, false]
 * ```
 * @category Comparison
 */
export const ne = compareOp('ne', (a, b) => a !== b);
/**
 * A bool tensor, true where `a < b`.
 *
 * @example
 * ```ts
 * lt(tensor([1, 2]), 2); // [true, false]
 * ```
 * @category Comparison
 */
export const lt = compareOp('lt', (a, b) => a < b);
/**
 * A bool tensor, true where `a <= b`.
 *
 * @example
 * ```ts
 * le(tensor([1, 2]), 2); // [true, true]
 * ```
 * @category Comparison
 */
export const le = compareOp('le', (a, b) => a <= b);
/**
 * A bool tensor, true where `a > b`.
 *
 * @example
 * ```ts
 * gt(tensor([1, 2]), 1); // [false, true]
 * ```
 * @category Comparison
 */
export const gt = compareOp('gt', (a, b) => a > b);
/**
 * A bool tensor, true where `a >= b`.
 *
 * @example
 * ```ts
 * ge(tensor([1, 2]), 2); // [false, true]
 * ```
 * @category Comparison
 */
export const ge = compareOp('ge', (a, b) => a >= b);
