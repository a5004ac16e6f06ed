// take (flat indices) and takeAlongDim (indices along an axis) are gathers, so their gradients
// are gather's scatter; oneHot turns class indices into float rows (no gradient).
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { isTracer } from '../transform-levels.js';
import { where } from './elementwise.js';
import { allocate, dtypeFrom, type DType } from '../dtype.js';
import { broadcastShapes, fmt, normalizeAxis, unravelIndex } from '../shape.js';
import { wrap } from '../kernels/layout.js';
import { gather } from './indexing.js';
import { tensor } from './creation.js';
import { assertInteger } from './pointwise.js';
import { checkOptions, checkTensor } from '../validate.js';

/** The index values, checked to be integers in [-size, size) (negatives allowed) or [0, size). */
function checkedIndices(op: string, index: Tensor, size: number, negatives: boolean, what: string): number[] {
  const raw = index.contiguousData();
  const lo = negatives ? -size : 0;
  return Array.from(raw, (v, p) => {
    if (!Number.isInteger(v) || v < lo || v >= size) {
      throw new Error(`${op}: index ${v} at ${fmt(unravelIndex(p, index.shape))} is out of range for ${what}; expected an integer in ${lo}..${size - 1}`);
    }
    return v < 0 ? v + size : v;
  });
}

/**
 * Picks elements of `x` as if it were flattened, like `torch.take`: the result has the index's
 * shape; negative indices count from the end. The index is an int32 tensor (integer-valued float
 * tensors still work, deprecated); it gets no gradient.
 *
 * @example
 * ```ts
 * take(tensor([[1, 2, 3], [4, 5, 6]]), tensor([[0, 5], [-1, 2]], { dtype: 'int32' })); // [[1, 6], [6, 3]]
 * ```
 * @category Indexing
 */
export function take(x: Tensor, index: Tensor): Tensor {
  checkTensor('take', 'x', x);
  checkTensor('take', 'index', index);
  if (!(index instanceof Tensor)) throw new Error(`take: index must be a tensor, got ${typeof index}`);
  checkIndexDType('take', index);
  let flat: Tensor;
  if (isTracer(index)) {
    // Under vmap the values differ per example: wrap negatives with tensor ops; gather's forward
    // then checks every example's positions.
    flat = where(index.lt(0), index.add(x.size), index);
  } else {
    const checked = checkedIndices('take', index, x.size, true, `an input of ${x.size} elements (shape ${fmt(x.shape)})`);
    flat = tensor(checked, { dtype: 'int32', shape: [checked.length] });
  }
  return gather(x.reshape([-1]), 0, flat.reshape([-1])).reshape(index.shape);
}

/**
 * Picks values of `x` along `dim` by `indices`, like `torch.take_along_dim`: `indices` has x's
 * rank, and both broadcast on every other axis (so `argsort`/`topk` indices apply directly).
 * Without `dim`, both are flattened. Indices are int32 in 0..n−1 (integer-valued floats still work,
 * deprecated); no gradient.
 *
 * @example
 * ```ts
 * const x = tensor([[10, 30, 20], [60, 40, 50]]);
 * takeAlongDim(x, argsort(x, 1), 1);       // [[10, 20, 30], [40, 50, 60]]
 * takeAlongDim(x, tensor([[0], [2]]), 1);  // [[10], [50]]
 * ```
 * @category Indexing
 */
export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number): Tensor {
  checkTensor('takeAlongDim', 'x', x);
  checkTensor('takeAlongDim', 'indices', indices);
  if (!(indices instanceof Tensor)) throw new Error(`takeAlongDim: indices must be a tensor, got ${typeof indices}`);
  if (dim === undefined) return takeAlongDim(x.reshape([-1]), indices.reshape([-1]), 0);
  if (x.ndim === 0) throw new Error('takeAlongDim: expected an input with at least 1 dimension with dim given, got shape []');
  if (indices.ndim !== x.ndim) {
    throw new Error(`takeAlongDim: indices must have the input's rank, got indices shape ${fmt(indices.shape)} for input shape ${fmt(x.shape)}`);
  }
  const a = normalizeAxis('takeAlongDim', dim, x.ndim);
  const others = (s: readonly number[]) => s.map((d, i) => (i === a ? 1 : d));
  const common = broadcastShapes('takeAlongDim', others(x.shape), others(indices.shape));
  checkIndexDType('takeAlongDim', indices);
  // Under vmap gather's forward checks every example's indices instead.
  if (!isTracer(indices)) checkedIndices('takeAlongDim', indices, x.shape[a]!, false, `axis ${a} of size ${x.shape[a]} (input shape ${fmt(x.shape)})`);
  const xb = x.expand(common.map((d, i) => (i === a ? x.shape[a]! : d)));
  const ib = indices.expand(common.map((d, i) => (i === a ? indices.shape[a]! : d)));
  return gather(xb, a, ib);
}

// An op, so that under vmap it sees every example's indices at once: the checks cover them all and
// an inferred class count is the largest over the batch (every example needs the same width).
const oneHotOp: Op<[Tensor, number, DType]> = defineOp({
  name: 'oneHot',
  acceptsIntegers: true,
  forward: (indices: Tensor, numClasses: number, dtype: DType) => {
    const raw = indices.contiguousData();
    let classes = numClasses;
    if (classes === -1) {
      if (raw.length === 0) throw new Error('oneHot: cannot infer numClasses from an empty tensor; pass numClasses');
      classes = Array.from(raw).reduce((m, v) => Math.max(m, v), 0) + 1;
    }
    const flat = checkedIndices('oneHot', indices, classes, false, `${classes} classes`);
    const out = allocate(dtype, flat.length * classes);
    flat.forEach((c, i) => (out[i * classes + c] = 1));
    return new Tensor(wrap(out, [...indices.shape, classes]));
  },
  vjp: () => [null, null, null],
  jvp: () => null,
  // The classes axis is appended last, so the batch axis stays where it was.
  batch: ([indices, numClasses, dtype], [d], { op }) => [op(indices, numClasses, dtype), d],
});

/** Indices are int32 (or integer-valued floats, deprecated); a bool tensor is a mask, not indices. */
function checkIndexDType(op: string, index: Tensor): void {
  if (index.dtype === 'bool') throw new Error(`${op}: indices must be an int32 tensor, got a bool tensor of shape ${fmt(index.shape)}; to select by a mask use where or maskedFill`);
}

/**
 * Options of {@link oneHot}.
 *
 * @example
 * ```ts
 * const o: OneHotOptions = { dtype: 'float64' };
 * ```
 * @category Indexing
 */
export interface OneHotOptions {
  /** Element type of the result (default `'float32'`). */
  dtype?: DType;
}

/**
 * One-hot rows for integer class indices, like `torch.nn.functional.one_hot` but returning floats
 * (ready to multiply): the result has shape `[...indices.shape, numClasses]`. `numClasses = -1`
 * (the default) uses the largest index + 1 (under vmap, the largest over the batch). Indices are
 * int32 (integer-valued floats still work, deprecated). No gradient.
 *
 * @example
 * ```ts
 * oneHot(tensor([0, 2], { dtype: 'int32' }), 3); // [[1, 0, 0], [0, 0, 1]]
 * oneHot(tensor([1]));       // [[0, 1]]
 * ```
 * @category Indexing
 */
export function oneHot(indices: Tensor, numClasses = -1, options: OneHotOptions = {}): Tensor {
  checkTensor('oneHot', 'indices', indices);
  const dtype = dtypeFrom('oneHot', checkOptions('oneHot', options, ['dtype']));
  assertInteger('oneHot', 'numClasses', numClasses, -1);
  checkIndexDType('oneHot', indices);
  return oneHotOp(indices, numClasses, dtype);
}
