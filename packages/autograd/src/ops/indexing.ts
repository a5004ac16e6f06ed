// Indexing: gather/scatterAdd along an axis and indexSelect/indexAdd of whole slabs. Each pair is
// the other's adjoint, so the vjps call each other and every op is differentiable to any order.
// Joining (concat, stack, split) and pad live in join.ts and pad.ts and are re-exported here.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { fmt, normalizeAxis, sameShape, unravelIndex } from '../shape.js';
import { wrap } from '../kernels/layout.js';
import { addSlabs, gatherAlong, scatterAddAlong, selectSlabs } from '../kernels/indexing.js';
import { commonDType } from './broadcast.js';
import { zeros } from './creation.js';
import { checkTensor } from '../validate.js';

export { concat, stack, split } from './join.js';
export { pad, type PadSpec } from './pad.js';

/** Validated indices: the values as integers and the shape they came in. */
interface Index {
  readonly values: Int32Array;
  readonly shape: readonly number[];
}


/** Checks every index is an integer in [0, size) and converts once, so kernels never re-check. */
function toIndex(op: string, index: Tensor | readonly number[], axis: number, x: Tensor): Index {
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

const gatherOp: Op<[Tensor, number, Index]> = defineOp({
  name: 'gather',
  forward: (x: Tensor, axis: number, index: Index) => new Tensor(wrap(gatherAlong(x.data, axis, index.values, index.shape), index.shape)),
  vjp: (g, { args: [x, axis, index] }) => [scatterAddOp(zeros(x.shape, { dtype: g.dtype }), axis, index, g), null, null],
});

const scatterAddOp: Op<[Tensor, number, Index, Tensor]> = defineOp({
  name: 'scatterAdd',
  forward: (x: Tensor, axis: number, index: Index, src: Tensor) => new Tensor(wrap(scatterAddAlong(x.data, axis, index.values, src.data), x.shape)),
  vjp: (g, { args: [x, axis, index, src] }) => [x.requiresGrad ? g : null, null, null, src.requiresGrad ? gatherOp(g, axis, index) : null],
});

/** The shared checks of gather and scatterAdd: rank, and index sizes within x's off the axis. */
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
 * integers stored in a float tensor (they get no gradient).
 *
 * @example
 * ```ts
 * gather(tensor([[1, 2], [3, 4]]), 1, tensor([[0, 0], [1, 0]])); // [[1, 1], [4, 3]]
 * ```
 * @category Indexing
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  checkTensor('gather', 'x', x);
  checkTensor('gather', 'index', index);
  const a = checkAlong('gather', x, axis, index);
  return gatherOp(x, a, toIndex('gather', index, a, x));
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
  return scatterAddOp(x, a, toIndex('scatterAdd', index, a, x), src);
}

const indexSelectOp: Op<[Tensor, number, Index]> = defineOp({
  name: 'indexSelect',
  forward: (x: Tensor, axis: number, index: Index) => {
    const shape = x.shape.map((d, i) => (i === axis ? index.values.length : d));
    return new Tensor(wrap(selectSlabs(x.data, axis, index.values), shape));
  },
  vjp: (g, { args: [x, axis, index] }) => [indexAddOp(zeros(x.shape, { dtype: g.dtype }), axis, index, g), null, null],
});

const indexAddOp: Op<[Tensor, number, Index, Tensor]> = defineOp({
  name: 'indexAdd',
  forward: (x: Tensor, axis: number, index: Index, src: Tensor) => new Tensor(wrap(addSlabs(x.data, axis, index.values, src.data), x.shape)),
  vjp: (g, { args: [x, axis, index, src] }) => [x.requiresGrad ? g : null, null, null, src.requiresGrad ? indexSelectOp(g, axis, index) : null],
});

function checkSlabIndex(op: string, x: Tensor, axis: number, index: Tensor | readonly number[]): [number, Index] {
  if (x.ndim === 0) throw new Error(`${op}: expected a tensor with at least 1 dimension, got shape []`);
  const a = normalizeAxis(op, axis, x.ndim);
  if (index instanceof Tensor && index.ndim > 1) throw new Error(`${op}: index must be 1-D, got shape ${fmt(index.shape)}`);
  return [a, toIndex(op, index, a, x)];
}

/**
 * Picks whole slices of `x` along `axis` in the order given, like `torch.index_select`. Indices
 * may repeat; negative indices are an error (as in PyTorch). The index is a list of numbers or a
 * 1-D tensor of integers (no gradient).
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
  const [a, ix] = checkSlabIndex('indexAdd', x, axis, index);
  const expected = x.shape.map((d, i) => (i === a ? ix.values.length : d));
  if (!sameShape(src.shape, expected)) {
    throw new Error(`indexAdd: src shape ${fmt(src.shape)} must be ${fmt(expected)} (input shape ${fmt(x.shape)} with ${ix.values.length} indices on axis ${a})`);
  }
  return indexAddOp(x, a, ix, src);
}
