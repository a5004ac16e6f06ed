// Reductions over any axes with keepDims, and the softmax family.
import { Tensor } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { broadcastAxes, fmt, normalizeAxes, reducedShape, sameShape, sizeOf } from '../shape.js';
import { wrap } from '../kernels/layout.js';
import { reduceAxes, sumRun } from '../kernels/reduce.js';

type Axes = number | readonly number[] | undefined;

/** The gradient of a reduction, broadcast back over the reduced axes of `x`. */
export function expandReduced(g: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return g.reshape(reducedShape(x.shape, axes, true)).expand(x.shape);
}

const sumOp = defineOp({
  name: 'sum',
  forward: (x: Tensor, axes: readonly number[], keepDims: boolean) =>
    new Tensor(wrap(reduceAxes(x.data, axes, sumRun), reducedShape(x.shape, axes, keepDims))),
  vjp: (g, { args: [x, axes] }) => [expandReduced(g, x, axes), null, null],
});

/**
 * Sum over `axis` (one axis, a list, or all when omitted); `keepDims` keeps reduced axes as size 1.
 *
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]).sum();     // 10
 * tensor([[1, 2], [3, 4]]).sum(0);    // [4, 6]
 * tensor([[1, 2], [3, 4]]).sum(1, true); // [[3], [7]]
 * ```
 * @category Reduction
 */
export function sum(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  return sumOp(x, normalizeAxes('sum', axis, x.ndim), keepDims);
}

/**
 * Mean over `axis` (all axes when omitted).
 *
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]).mean(1); // [1.5, 3.5]
 * ```
 * @category Reduction
 */
export function mean(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  const axes = normalizeAxes('mean', axis, x.ndim);
  const count = sizeOf(axes.map((a) => x.shape[a]!));
  return sumOp(x, axes, keepDims).div(count);
}

/**
 * Sums `x` down to `shape`, undoing a broadcast from `shape` to `x.shape`: the vjp of every broadcast.
 *
 * @example
 * ```ts
 * sumTo(ones([4, 2, 3]), [2, 1]); // [[12], [12]]
 * ```
 * @category Reduction
 */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const { axes } = broadcastAxes(shape, x.shape);
  if (shape.length > x.ndim || shape.some((d, i) => d !== 1 && d !== x.shape[i + x.ndim - shape.length])) {
    throw new Error(`sumTo: ${fmt(x.shape)} is not a broadcast of ${fmt(shape)}`);
  }
  return sumOp(x, axes, true).reshape(shape);
}

function todo(name: string): never {
  throw new Error(`${name}: not implemented yet`);
}

/** @category Reduction @example `x.max(0)` */
export function max(x: Tensor, axis?: Axes, keepDims = false): Tensor { return todo('max'); }
/** @category Reduction @example `x.min(0)` */
export function min(x: Tensor, axis?: Axes, keepDims = false): Tensor { return todo('min'); }
/** @category Reduction @example `x.argmax(1)` */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor { return todo('argmax'); }
/** @category Reduction @example `x.argmin(1)` */
export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor { return todo('argmin'); }
/** @category Reduction @example `x.prod()` */
export function prod(x: Tensor, axis?: Axes, keepDims = false): Tensor { return todo('prod'); }
/** @category Reduction @example `variance(x, 0)` */
export function variance(x: Tensor, axis?: Axes, keepDims = false, correction = 1): Tensor { return todo('variance'); }
/** @category Reduction @example `std(x, 0)` */
export function std(x: Tensor, axis?: Axes, keepDims = false, correction = 1): Tensor { return todo('std'); }
/** @category Reduction @example `x.logSumExp(-1)` */
export function logSumExp(x: Tensor, axis?: Axes, keepDims = false): Tensor { return todo('logSumExp'); }
/** @category Reduction @example `x.softmax(-1)` */
export function softmax(x: Tensor, axis = -1): Tensor { return todo('softmax'); }
/** @category Reduction @example `x.logSoftmax(-1)` */
export function logSoftmax(x: Tensor, axis = -1): Tensor { return todo('logSoftmax'); }
