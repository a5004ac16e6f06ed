// Elementwise binary arithmetic (made from the primitive table, primitives.ts), where and dtype casts (unary math is in unary.ts). Binary ops broadcast through `broadcastOperands`, so their
// kernels and vjps only ever see operands of the output's shape.
import { Tensor, type TensorLike } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { assertDType, type DType } from '../dtype.js';
import { broadcastShapes, sameShape } from '../shape.js';
import { promotedType } from './promotion.js';
import { map3 } from '../kernels/elementwise.js';
import { copyToContiguous, wrap } from '../kernels/layout.js';
import { castPending } from '../kernels/fused/lazy.js';
import { broadcastOperands } from './broadcast.js';
import { primitiveBinary } from './pointwise.js';
import { batchElementwise } from './batch-rules.js';
import { checkTensor, checkTensorLike } from '../validate.js';

export * from './unary.js';

const wrapNd = (nd: Tensor['data']) => new Tensor(nd);
const need = (t: Tensor, grad: () => Tensor): Tensor | null => (t.requiresGrad ? grad() : null);

/**
 * `a + b`, broadcasting.
 *
 * @example
 * ```ts
 * add(tensor([1, 2]), 10); // [11, 12]
 * ```
 * @category Elementwise
 */
export const add = primitiveBinary('add');

/**
 * `a - b`, broadcasting.
 *
 * @example
 * ```ts
 * sub(tensor([1, 2]), tensor([[1], [2]])); // [[0, 1], [-1, 0]]
 * ```
 * @category Elementwise
 */
export const sub = primitiveBinary('sub');

/**
 * `a * b`, broadcasting.
 *
 * @example
 * ```ts
 * mul(tensor([1, 2]), 3); // [3, 6]
 * ```
 * @category Elementwise
 */
export const mul = primitiveBinary('mul');

/**
 * `a / b`, broadcasting. True division: integer and bool operands give a float32 result, as in PyTorch.
 *
 * @example
 * ```ts
 * div(tensor([1, 2]), 2); // [0.5, 1]
 * ```
 * @category Elementwise
 */
export const div = primitiveBinary('div');

/**
 * `a ** b`, broadcasting; the exponent may be a tensor (its gradient needs `a > 0`) or a number.
 *
 * @example
 * ```ts
 * pow(tensor([2, 3]), 2); // [4, 9]
 * ```
 * @category Elementwise
 */
export const pow = primitiveBinary('pow');

/**
 * Elementwise maximum of `a` and `b`, broadcasting.
 *
 * @example
 * ```ts
 * maximum(tensor([1, 5]), 3); // [3, 5]
 * ```
 * @category Elementwise
 */
export const maximum = primitiveBinary('maximum');

/**
 * Elementwise minimum of `a` and `b`, broadcasting.
 *
 * @example
 * ```ts
 * minimum(tensor([1, 5]), 3); // [1, 3]
 * ```
 * @category Elementwise
 */
export const minimum = primitiveBinary('minimum');

const whereOp = defineOp({
  name: 'where',
  acceptsIntegers: true,
  forward: (cond: Tensor, a: Tensor, b: Tensor) => wrapNd(map3(cond.data, a.data, b.data, (c, u, v) => (c !== 0 ? u : v))),
  vjp: (g, { args: [cond, a, b] }) => {
    const zero = g.mul(0);
    return [null, need(a, () => where(cond, g, zero)), need(b, () => where(cond, zero, g))];
  },
  jvp: ([, ta, tb], { args: [cond] }) => (ta === null && tb === null ? null : where(cond, ta ?? 0, tb ?? 0)),
  batch: batchElementwise,
});

/**
 * Picks `a` where `cond` is true and `b` elsewhere, broadcasting all three; `a` and `b` promote to
 * a common dtype. `cond` is a bool mask (e.g. from `x.gt(0)`; a tensor of another dtype counts
 * non-zero as true) and gets no gradient.
 *
 * @example
 * ```ts
 * const x = tensor([-1, 2]);
 * where(x.gt(0), x, 0); // [0, 2]
 * ```
 * @category Elementwise
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', 'cond', cond);
  checkTensorLike('where', 'a', a);
  checkTensorLike('where', 'b', b);
  const dtype = a instanceof Tensor || b instanceof Tensor ? promotedType([a, b]) : 'float32';
  const [x, y] = broadcastOperands('where', [a, b], dtype);
  const shape = broadcastShapes('where', cond.shape, x!.shape);
  const fit = (t: Tensor) => (sameShape(t.shape, shape) ? t : t.expand(shape));
  return whereOp(fit(cond.detach()), fit(x!), fit(y!));
}

const toDTypeOp = defineOp({
  name: 'toDType',
  acceptsIntegers: true,
  // A pending bool mask read as its computing dtype stays pending (fused into its consumer).
  forward: (x: Tensor, dtype: DType) => new Tensor(castPending(x.data, dtype) ?? wrap(copyToContiguous(x.data, dtype), x.shape)),
  vjp: (g, { args: [x] }) => [need(x, () => g.toDType(x.dtype)), null],
  jvp: ([t], { args: [, dtype] }) => (t ? t.toDType(dtype) : null),
  batch: ([x, dtype], [d], { op }) => [op(x, dtype), d],
});

/**
 * Converts to another dtype (a copy; the same tensor when it already has that dtype). Floats to
 * int32 truncate toward zero; to bool, every non-zero value (NaN included) becomes true.
 *
 * @example
 * ```ts
 * tensor([1, 2]).toDType('float64');
 * ```
 * @category Elementwise
 */
export function toDType(x: Tensor, dtype: DType): Tensor {
  checkTensor('toDType', 'x', x);
  assertDType('toDType', dtype);
  return x.dtype === dtype ? x : toDTypeOp(x, dtype);
}
