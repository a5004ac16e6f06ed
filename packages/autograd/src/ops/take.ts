// take (flat indices) and takeAlongDim (indices along an axis) are gathers, so their gradients
// are gather's scatter; oneHot turns class indices into float rows (no gradient).
import { Tensor } from '../tensor.js';
import { noGrad } from '../grad-mode.js';
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
 * shape; negative indices count from the end. The index holds integers (no gradient).
 *
 * @example
 * ```ts
 * take(tensor([[1, 2, 3], [4, 5, 6]]), tensor([[0, 5], [-1, 2]])); // [[1, 6], [6, 3]]
 * ```
 * @category Indexing
 */
export function take(x: Tensor, index: Tensor): Tensor {
  checkTensor('take', 'x', x);
  checkTensor('take', 'index', index);
  if (!(index instanceof Tensor)) throw new Error(`take: index must be a tensor, got ${typeof index}`);
  const flat = checkedIndices('take', index, x.size, true, `an input of ${x.size} elements (shape ${fmt(x.shape)})`);
  const idx = tensor(flat, { dtype: x.dtype, shape: [flat.length] });
  return gather(x.reshape([-1]), 0, idx).reshape(index.shape);
}

/**
 * Picks values of `x` along `dim` by `indices`, like `torch.take_along_dim`: `indices` has x's
 * rank, and both broadcast on every other axis (so `argsort`/`topk` indices apply directly).
 * Without `dim`, both are flattened. Indices are integers in 0..n−1 (no gradient).
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
  checkedIndices('takeAlongDim', indices, x.shape[a]!, false, `axis ${a} of size ${x.shape[a]} (input shape ${fmt(x.shape)})`);
  const xb = x.expand(common.map((d, i) => (i === a ? x.shape[a]! : d)));
  const ib = indices.expand(common.map((d, i) => (i === a ? indices.shape[a]! : d)));
  return gather(xb, a, ib.toDType(x.dtype));
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
 * (the default) uses the largest index + 1. No gradient.
 *
 * @example
 * ```ts
 * oneHot(tensor([0, 2]), 3); // [[1, 0, 0], [0, 0, 1]]
 * oneHot(tensor([1]));       // [[0, 1]]
 * ```
 * @category Indexing
 */
export function oneHot(indices: Tensor, numClasses = -1, options: OneHotOptions = {}): Tensor {
  checkTensor('oneHot', 'indices', indices);
  const dtype = dtypeFrom('oneHot', checkOptions('oneHot', options, ['dtype']));
  assertInteger('oneHot', 'numClasses', numClasses, -1);
  const raw = indices.contiguousData();
  let classes = numClasses;
  if (classes === -1) {
    if (raw.length === 0) throw new Error('oneHot: cannot infer numClasses from an empty tensor; pass numClasses');
    classes = Array.from(raw).reduce((m, v) => Math.max(m, v), 0) + 1;
  }
  const flat = checkedIndices('oneHot', indices, classes, false, `${classes} classes`);
  return noGrad(() => {
    const out = allocate(dtype, flat.length * classes);
    flat.forEach((c, i) => (out[i * classes + c] = 1));
    return new Tensor(wrap(out, [...indices.shape, classes]));
  });
}
