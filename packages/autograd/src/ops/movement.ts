// Shape ops. Most are views that share storage with their input (no copy); each vjp undoes the
// view on the gradient.
import { ndView } from '../kernels/nd-view.js';
import { Tensor } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { fmt, normalizeAxes, normalizeAxis, sizeOf, contiguousStrides, assertShape } from '../shape.js';
import { copyToContiguous, isContiguous, wrap } from '../kernels/layout.js';
import { sumTo } from './reduce.js';
import { view } from './view.js';
import { checkInt, checkShape, checkTensor, fail } from '../validate.js';
import { batchElementwise, linearJvp, toFront } from './batch-rules.js';
import { passesGradientViews } from '../grad-ownership.js';

export * from './slice.js';


/** Resolves one `-1` in a target shape and checks the element count. */
/** A target shape as reshape/expand take it: an array of integers >= -1, or one integer (as in PyTorch). */
function targetShape(op: string, shape: unknown): number[] {
  if (typeof shape === 'number') shape = [shape];
  if (!Array.isArray(shape)) fail(op, 'shape must be an array of integers', shape, 'an array of integers (-1 allowed) or one integer');
  shape.forEach((d, i) => checkInt(op, `shape[${i}]`, d, { min: -1 }));
  return [...(shape as number[])];
}

function inferShape(op: string, from: readonly number[], shape: number | readonly number[]): number[] {
  const out = targetShape(op, shape);
  shape = [...out];
  const free = out.indexOf(-1);
  if (free !== out.lastIndexOf(-1)) throw new Error(`${op}: only one dimension can be -1, got ${fmt(shape)}`);
  if (free >= 0) {
    const rest = sizeOf(out.filter((_, i) => i !== free));
    if (rest === 0 || sizeOf(from) % rest !== 0) throw new Error(`${op}: cannot reshape ${fmt(from)} (${sizeOf(from)} elements) into ${fmt(shape)}`);
    out[free] = sizeOf(from) / rest;
  }
  assertShape(op, out);
  if (sizeOf(out) !== sizeOf(from)) throw new Error(`${op}: cannot reshape ${fmt(from)} (${sizeOf(from)} elements) into ${fmt(shape)} (${sizeOf(out)} elements)`);
  return out;
}

const reshapeOp = defineOp({
  name: 'reshape',
  acceptsIntegers: true,
  forward: (x: Tensor, shape: readonly number[]) => {
    const data = isContiguous(x.data) ? x.data.data : copyToContiguous(x.data);
    const offset = data === x.data.data ? x.data.offset : 0;
    return new Tensor(ndView(data, shape, contiguousStrides(shape), offset));
  },
  vjp: (g, { args: [x] }) => [g.reshape(x.shape), null],
  jvp: linearJvp(0),
  batch: ([x, shape], [d], { op, size }) => [op(toFront(x, d, size), [size, ...shape]), 0],
});

/**
 * Returns the same values in a new shape; one dimension may be `-1` (inferred). A view when the
 * input is contiguous, a copy otherwise.
 *
 * @example
 * ```ts
 * arange(6).reshape([2, -1]); // shape [2, 3]
 * ```
 * @category Shape
 */
export function reshape(x: Tensor, shape: number | readonly number[]): Tensor {
  checkTensor('reshape', 'x', x);
  return reshapeOp(x, inferShape('reshape', x.shape, shape));
}

const permuteOp = defineOp({
  name: 'permute',
  acceptsIntegers: true,
  forward: (x: Tensor, dims: readonly number[]) => new Tensor(x.data.transpose(...dims)),
  vjp: (g, { args: [, dims] }) => {
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => (inverse[d] = i));
    return [g.permute(inverse), null];
  },
  jvp: linearJvp(0),
  batch: ([x, dims], [d], { op, size }) => [op(toFront(x, d, size), [0, ...dims.map((a) => a + 1)]), 0],
});
// A Linear weight's gradient comes through here from matmul's vjp, in a buffer it can adopt.
passesGradientViews(permuteOp.record);

/**
 * Reorders the axes (a view): output axis `i` is input axis `dims[i]`.
 *
 * @example
 * ```ts
 * zeros([2, 3, 4]).permute([2, 0, 1]).shape; // [4, 2, 3]
 * ```
 * @category Shape
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor('permute', 'x', x);
  if (!Array.isArray(dims)) fail('permute', 'dims must be an array of axes', dims, `a permutation of the ${x.ndim} axes`);
  const norm = dims.map((d) => normalizeAxis('permute', d, x.ndim));
  if (norm.length !== x.ndim || new Set(norm).size !== norm.length) {
    throw new Error(`permute: dims [${dims.join(',')}] must be a permutation of the ${x.ndim} axes of ${fmt(x.shape)}`);
  }
  return permuteOp(x, norm);
}

/**
 * Swaps two axes (a view); by default the last two, so `m.transpose()` is the matrix transpose.
 * A tensor with fewer than two axes is returned as a view of itself.
 *
 * @example
 * ```ts
 * zeros([2, 3]).transpose().shape; // [3, 2]
 * ```
 * @category Shape
 */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  checkTensor('transpose', 'x', x);
  if (x.ndim < 2 && dim0 === -2 && dim1 === -1) return permuteOp(x, x.shape.map((_, i) => i));
  const a = normalizeAxis('transpose', dim0, x.ndim);
  const b = normalizeAxis('transpose', dim1, x.ndim);
  const dims = x.shape.map((_, i) => i);
  [dims[a], dims[b]] = [b, a];
  return permuteOp(x, dims);
}

const expandOp = defineOp({
  name: 'expand',
  acceptsIntegers: true,
  forward: (x: Tensor, shape: readonly number[]) => {
    const lead = shape.length - x.ndim;
    const stride = shape.map((d, i) => (i < lead || x.shape[i - lead] !== d ? 0 : x.data.stride[i - lead]!));
    return view(x, shape, stride, x.data.offset);
  },
  vjp: (g, { args: [x] }) => [sumTo(g, x.shape), null],
  jvp: linearJvp(0),
  // New leading axes go after the batch axis.
  batch: ([x, shape], [d], { op, size }) => {
    let xb = toFront(x, d, size);
    for (let i = x.ndim - 1; i < shape.length; i++) xb = xb.unsqueeze(1); // x.ndim counts the batch axis
    return [op(xb, [size, ...shape]), 0];
  },
});

/**
 * Broadcasts size-1 axes (and new leading axes) to `shape` without copying (stride 0);
 * `-1` keeps an axis as it is. The gradient sums back over the broadcast axes.
 *
 * @example
 * ```ts
 * tensor([[1], [2]]).expand([2, 3]); // [[1, 1, 1], [2, 2, 2]]
 * ```
 * @category Shape
 */
export function expand(x: Tensor, shape: number | readonly number[]): Tensor {
  checkTensor('expand', 'x', x);
  shape = targetShape('expand', shape);
  const lead = shape.length - x.ndim;
  if (lead < 0) throw new Error(`expand: cannot expand ${fmt(x.shape)} to fewer dimensions ${fmt(shape)}`);
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead]! : d));
  assertShape('expand', target);
  x.shape.forEach((d, i) => {
    if (d !== 1 && d !== target[i + lead]) {
      throw new Error(`expand: cannot expand ${fmt(x.shape)} to ${fmt(shape)}: axis ${i} has size ${d}, expected 1 or ${target[i + lead]}`);
    }
  });
  return expandOp(x, target);
}

/**
 * Broadcasts to `shape` by NumPy rules (a view); an alias of {@link expand} without `-1`.
 *
 * @example
 * ```ts
 * tensor([1, 2, 3]).broadcastTo([2, 3]);
 * ```
 * @category Shape
 */
export function broadcastTo(x: Tensor, shape: number | readonly number[]): Tensor {
  checkTensor('broadcastTo', 'x', x);
  shape = targetShape('broadcastTo', shape);
  if (shape.includes(-1)) throw new Error(`broadcastTo: shape ${fmt(shape)} may not contain -1`);
  checkShape('broadcastTo', 'shape', shape);
  return expand(x, shape);
}

/**
 * Removes size-1 axes: all of them, or the listed ones (listed axes of another size are kept, as in PyTorch).
 *
 * @example
 * ```ts
 * zeros([1, 3, 1]).squeeze().shape;  // [3]
 * zeros([1, 3, 1]).squeeze(0).shape; // [3, 1]
 * ```
 * @category Shape
 */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  checkTensor('squeeze', 'x', x);
  const axes = normalizeAxes('squeeze', axis, x.ndim);
  const keep = x.shape.map((d, i) => !(d === 1 && axes.includes(i)));
  return restrideOp(x, x.shape.filter((_, i) => keep[i]), x.data.stride.filter((_, i) => keep[i]));
}

/**
 * Inserts a size-1 axis at `axis` (which may be `ndim`, or negative counting from the end).
 *
 * @example
 * ```ts
 * zeros([3]).unsqueeze(0).shape;  // [1, 3]
 * zeros([3]).unsqueeze(-1).shape; // [3, 1]
 * ```
 * @category Shape
 */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkTensor('unsqueeze', 'x', x);
  const a = normalizeAxis('unsqueeze', axis, x.ndim + 1);
  const shape = [...x.shape];
  const stride = [...x.data.stride];
  shape.splice(a, 0, 1);
  stride.splice(a, 0, a < x.ndim ? x.data.stride[a]! * x.shape[a]! : 1);
  return restrideOp(x, shape, stride);
}

// squeeze/unsqueeze: same elements, size-1 axes added or removed, so the vjp is a reshape.
const restrideOp = defineOp({
  name: 'view',
  acceptsIntegers: true,
  forward: (x: Tensor, shape: readonly number[], stride: readonly number[]) => view(x, shape, stride, x.data.offset),
  vjp: (g, { args: [x] }) => [g.reshape(x.shape), null, null],
  jvp: ([t], { args: [, shape] }) => (t ? t.reshape(shape) : null),
  // The strides are those of the per-example view; batched, the op is the reshape it stands for.
  batch: ([x, shape], [d], { size }) => [toFront(x, d, size).reshape([size, ...shape]), 0],
});

/**
 * Flattens axes `startDim..endDim` (inclusive) into one.
 *
 * @example
 * ```ts
 * zeros([2, 3, 4]).flatten(1).shape; // [2, 12]
 * ```
 * @category Shape
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor('flatten', 'x', x);
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', startDim, x.ndim);
  const e = normalizeAxis('flatten', endDim, x.ndim);
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${fmt(x.shape)}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

const cloneOp = defineOp({
  name: 'clone',
  acceptsIntegers: true,
  forward: (x: Tensor) => new Tensor(wrap(copyToContiguous(x.data), x.shape)),
  vjp: (g) => [g],
  jvp: linearJvp(0),
  batch: batchElementwise,
});

/**
 * A contiguous copy that does not share storage (the gradient passes straight through).
 *
 * @example
 * ```ts
 * const y = x.clone();
 * ```
 * @category Shape
 */
export function clone(x: Tensor): Tensor {
  checkTensor('clone', 'x', x);
  return cloneOp(x);
}

/**
 * The tensor itself when it is already contiguous, else a contiguous copy.
 *
 * @example
 * ```ts
 * zeros([2, 3]).transpose().contiguous();
 * ```
 * @category Shape
 */
export function contiguous(x: Tensor): Tensor {
  checkTensor('contiguous', 'x', x);
  return isContiguous(x.data) ? x : cloneOp(x);
}
