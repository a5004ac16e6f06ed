// Comparisons: masks of 0/1 in the operands' dtype. They are not differentiable (no grad, no tape).
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
 * 1 where `a == b`, else 0 (broadcasting).
 *
 * @example
 * ```ts
 * eq(tensor([1, 2]), 2); // [0, 1]
 * ```
 * @category Comparison
 */
export const eq = compareOp('eq', (a, b) => a === b);
/**
 * 1 where `a != b`, else 0.
 *
 * @example
 * ```ts
 * ne(tensor([1, 2]), 2); // [1, 0]
 * ```
 * @category Comparison
 */
export const ne = compareOp('ne', (a, b) => a !== b);
/**
 * 1 where `a < b`, else 0.
 *
 * @example
 * ```ts
 * lt(tensor([1, 2]), 2); // [1, 0]
 * ```
 * @category Comparison
 */
export const lt = compareOp('lt', (a, b) => a < b);
/**
 * 1 where `a <= b`, else 0.
 *
 * @example
 * ```ts
 * le(tensor([1, 2]), 2); // [1, 1]
 * ```
 * @category Comparison
 */
export const le = compareOp('le', (a, b) => a <= b);
/**
 * 1 where `a > b`, else 0.
 *
 * @example
 * ```ts
 * gt(tensor([1, 2]), 1); // [0, 1]
 * ```
 * @category Comparison
 */
export const gt = compareOp('gt', (a, b) => a > b);
/**
 * 1 where `a >= b`, else 0.
 *
 * @example
 * ```ts
 * ge(tensor([1, 2]), 2); // [0, 1]
 * ```
 * @category Comparison
 */
export const ge = compareOp('ge', (a, b) => a >= b);
