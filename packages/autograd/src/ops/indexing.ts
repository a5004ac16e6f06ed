// Indexing: gather/scatterAdd along an axis and indexSelect/indexAdd of whole slabs. Each pair is
// the other's adjoint, so the vjps call each other and every op is differentiable to any order.
// Joining (concat, stack, split) and pad live in join.ts and pad.ts and are re-exported here.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { fmt, normalizeAxis, sameShape, unravelIndex } from '../shape.js';
import { wrap } from '../kernels/layout.js';
import { addSlabs, gatherAlong, scatterAddAlong, selectSlabs } from '../kernels/indexing.js';
import { commonDType } from './broadcast.js';
import { checkTensor } from '../validate.js';
import { fromTyped, zeros } from './creation.js';
import { isTracer } from '../transform-levels.js';
import { linearJvp, toFront } from './batch-rules.js';

export { concat, stack, split } from './join.js';
export { pad, type PadSpec, type PadMode } from './pad.js';

/** Validated indices: the values as integers and the shape they came in. */
interface Index {
  readonly values: Int32Array;
  readonly shape: readonly number[];
}


/** Checks every index is an integer in [0, size) and converts once, so kernels never re-check. */
function toIndex(op: string, index: Tensor | readonly number[], axis: number, x: Tensor): Index {
  if (index instanceof Tensor && index.dtype === 'bool') {
    throw new Error(`${op}: index must be an int32 tensor (or integer-valued float), got a bool tensor of shape ${fmt(index.shape)}; to select by a mask use where`);
  }
  const raw = index instanceof Tensor ? index.contiguousData() : index;
  const size = x.shape[axis]!;
  const values = new Int32Array(raw.length);
  for (let p = 0; p < raw.length; p++) {
    const v = raw[p]!;
    if (!Number.isInteger(v) || v < 0 || v >= size) {
      const at = index instanceof Tensor ? fmt(unravelIndex(p, index.shape)) : `${p}`;
      const what = Number.isInteger(v) ? 'is out of range' : 'is not an integer';
      throw new Error(`${op}: index ${v} at ${at} ${what} for axis ${axis} of size ${size} (input shape ${fmt(x.shape)}); expected an integer in 0..${size - 1}`);
    }
    values[p] = v;
  }
  return { values, shape: index instanceof Tensor ? [...index.shape] : [raw.length] };
}

// The index is a tensor argument (it gets no gradient) so that under vmap it may differ per
// example; forward converts it (checked) to positions.
const gatherOp: Op<[Tensor, number, Tensor]> = defineOp({
  name: 'gather',
  acceptsIntegers: true,
  forward: (x: Tensor, axis: number, index: Tensor) => {
    const ix = toIndex('gather', index, axis, x);
    return new Tensor(wrap(gatherAlong(x.data, axis, ix.values, ix.shape), ix.shape));
  },
  vjp: (g, { args: [x, axis, index] }) => [scatterAddOp(zeros(x.shape, { dtype: g.dtype }), axis, index, g), null, null],
  jvp: linearJvp(0),
  batch: ([x, axis, index], [dx, , di], { op, size }) => [op(toFront(x, dx, size), axis + 1, toFront(index, di, size)), 0],
});

const scatterAddOp: Op<[Tensor, number, Tensor, Tensor]> = defineOp({
  name: 'scatterAdd',
  acceptsIntegers: true,
  forward: (x: Tensor, axis: number, index: Tensor, src: Tensor) => {
    const ix = toIndex('scatterAdd', index, axis, x);
    return new Tensor(wrap(scatterAddAlong(x.data, axis, ix.values, src.data), x.shape));
  },
  vjp: (g, { args: [x, axis, index, src] }) => [x.requiresGrad ? g : null, null, null, src.requiresGrad ? gatherOp(g, axis, index) : null],
  jvp: linearJvp(0, 3),
  batch: ([x, axis, index, src], [dx, , di, ds], { op, size }) => [
    op(toFront(x, dx, size), axis + 1, toFront(index, di, size), toFront(src, ds, size)),
    0,
  ],
});

function checkAlong(op: string, x: Tensor, axis: number, index: Tensor): number {
  if (x.ndim === 0) throw new Error(`${op}: expected an input with at least 1 dimension, got shape []`);
  if (index.ndim !== x.ndim) {
    throw new Error(`${op}: index must have the same rank as the input, got index shape ${fmt(index.shape)} for input shape ${fmt(x.shape)}`);
  }
  const a = normalizeAxis(op, axis, x.ndim);
  index.shape.forEach((d, i) => {
    if (i !== a && d > x.shape[i]!) {
      throw new Error(`${op}: index shape ${fmt(index.shape)} is larger than input shape ${fmt(x.shape)} on axis ${i} (only axis ${a} may differ)`);
    }
  });
  return a;
}

/**
 * Picks values along `axis` by an index tensor of the same rank, like `torch.gather`:
 * `out[i][j] = x[i][index[i][j]]` for `axis = 1`. The output has the index's shape. Indices are
 * an int32 tensor (integer-valued float tensors are still accepted, deprecated); they get no gradient.
 *
 * @example
 * ```ts
 * gather(tensor([[1, 2], [3, 4]]), 1, tensor([[0, 0], [1, 0]], { dtype: 'int32' })); // [[1, 1], [4, 3]]
 * ```
 * @category Indexing
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  checkTensor('gather', 'x', x);
  checkTensor('gather', 'index', index);
  const a = checkAlong('gather', x, axis, index);
  if (!isTracer(index)) toIndex('gather', index, a, x);
  return gatherOp(x, a, index);
}

/**
 * Adds `src` into a copy of `x` at positions chosen along `axis` by `index`, like
 * `torch.scatter_add`: `out[i][index[i][j]] += src[i][j]` for `axis = 1`; repeated indices
 * accumulate. `src` must have the index's shape. The adjoint of {@link gather}.
 *
 * @example
 * ```ts
 * scatterAdd(zeros([2, 3]), 1, tensor([[0, 0], [2, 1]]), tensor([[1, 2], [3, 4]]));
 * // [[3, 0, 0], [0, 4, 3]]
 * ```
 * @category Indexing
 */
export function scatterAdd(x: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  checkTensor('scatterAdd', 'x', x);
  checkTensor('scatterAdd', 'index', index);
  checkTensor('scatterAdd', 'src', src);
  commonDType('scatterAdd', [x, src]);
  const a = checkAlong('scatterAdd', x, axis, index);
  if (!sameShape(src.shape, index.shape)) throw new Error(`scatterAdd: src shape ${fmt(src.shape)} must equal index shape ${fmt(index.shape)}`);
  if (!isTracer(index)) toIndex('scatterAdd', index, a, x);
  return scatterAddOp(x, a, index, src);
}

/** A per-example 1-D index [B, n] spread over the batched slab shape, for gather/scatterAdd along axis + 1. */
function spreadIndex(index: Tensor, shape: readonly number[], axis: number): Tensor {
  const lifted = index.reshape([shape[0]!, ...shape.slice(1).map((d, i) => (i === axis ? d : 1))]);
  return lifted.expand([...shape]);
}

const indexSelectOp: Op<[Tensor, number, Tensor]> = defineOp({
  name: 'indexSelect',
  acceptsIntegers: true,
  forward: (x: Tensor, axis: number, index: Tensor) => {
    const ix = toIndex('indexSelect', index, axis, x);
    const shape = x.shape.map((d, i) => (i === axis ? ix.values.length : d));
    return new Tensor(wrap(selectSlabs(x.data, axis, ix.values), shape));
  },
  vjp: (g, { args: [x, axis, index] }) => [indexAddOp(zeros(x.shape, { dtype: g.dtype }), axis, index, g), null, null],
  jvp: linearJvp(0),
  batch: ([x, axis, index], [dx, , di], { op, size }) => {
    const xb = toFront(x, dx, size);
    if (di === null) return [op(xb, axis + 1, index), 0];
    // A different index per example: a gather with the index spread over the other axes.
    const shape = xb.shape.map((d, i) => (i === axis + 1 ? index.shape[1 - di]! : d));
    return [gatherOp(xb, axis + 1, spreadIndex(toFront(index, di, size), shape, axis)), 0];
  },
});

const indexAddOp: Op<[Tensor, number, Tensor, Tensor]> = defineOp({
  name: 'indexAdd',
  acceptsIntegers: true,
  forward: (x: Tensor, axis: number, index: Tensor, src: Tensor) => {
    const ix = toIndex('indexAdd', index, axis, x);
    return new Tensor(wrap(addSlabs(x.data, axis, ix.values, src.data), x.shape));
  },
  vjp: (g, { args: [x, axis, index, src] }) => [x.requiresGrad ? g : null, null, null, src.requiresGrad ? indexSelectOp(g, axis, index) : null],
  jvp: linearJvp(0, 3),
  batch: ([x, axis, index, src], [dx, , di, ds], { op, size }) => {
    const xb = toFront(x, dx, size);
    const sb = toFront(src, ds, size);
    if (di === null) return [op(xb, axis + 1, index, sb), 0];
    return [scatterAddOp(xb, axis + 1, spreadIndex(toFront(index, di, size), sb.shape, axis), sb), 0];
  },
});

function checkSlabIndex(op: string, x: Tensor, axis: number, index: Tensor | readonly number[]): [number, Tensor, number] {
  if (x.ndim === 0) throw new Error(`${op}: expected a tensor with at least 1 dimension, got shape []`);
  const a = normalizeAxis(op, axis, x.ndim);
  if (index instanceof Tensor && index.ndim > 1) throw new Error(`${op}: index must be 1-D, got shape ${fmt(index.shape)}`);
  if (index instanceof Tensor && isTracer(index)) return [a, index, index.size];
  const ix = toIndex(op, index, a, x);
  return [a, index instanceof Tensor ? index : fromTyped(Float64Array.from(ix.values), [ix.values.length]), ix.values.length];
}

/**
 * Picks whole slices of `x` along `axis` in the order given, like `torch.index_select`. Indices
 * may repeat; negative indices are an error (as in PyTorch). The index is a list of numbers or a
 * 1-D int32 tensor (an integer-valued float tensor is still accepted, deprecated); no gradient.
 *
 * @example
 * ```ts
 * indexSelect(tensor([[1, 2], [3, 4], [5, 6]]), 0, [2, 0]); // [[5, 6], [1, 2]]
 * ```
 * @category Indexing
 */
export function indexSelect(x: Tensor, axis: number, index: Tensor | readonly number[]): Tensor {
  checkTensor('indexSelect', 'x', x);
  const [a, ix] = checkSlabIndex('indexSelect', x, axis, index);
  return indexSelectOp(x, a, ix);
}

/**
 * Adds slice `j` of `src` into slice `index[j]` of a copy of `x` along `axis`, like
 * `torch.index_add`; repeated indices accumulate. `src` is `x`'s shape with `index.length` on
 * `axis`. The adjoint of {@link indexSelect}.
 *
 * @example
 * ```ts
 * indexAdd(zeros([3, 2]), 0, [2, 2], tensor([[1, 2], [3, 4]])); // [[0, 0], [0, 0], [4, 6]]
 * ```
 * @category Indexing
 */
export function indexAdd(x: Tensor, axis: number, index: Tensor | readonly number[], src: Tensor): Tensor {
  checkTensor('indexAdd', 'x', x);
  checkTensor('indexAdd', 'src', src);
  commonDType('indexAdd', [x, src]);
  const [a, ix, n] = checkSlabIndex('indexAdd', x, axis, index);
  const expected = x.shape.map((d, i) => (i === a ? n : d));
  if (!sameShape(src.shape, expected)) {
    throw new Error(`indexAdd: src shape ${fmt(src.shape)} must be ${fmt(expected)} (input shape ${fmt(x.shape)} with ${n} indices on axis ${a})`);
  }
  return indexAddOp(x, a, ix, src);
}
