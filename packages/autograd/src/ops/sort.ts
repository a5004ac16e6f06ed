// sort, argsort and topk along one axis. The order is found without gradient; the values are a
// gather by it, so their gradient is gather's (a scatter of g back to where each value came from).
import { Tensor } from '../tensor.js';
import { noGrad } from '../grad-mode.js';
import { defineOp, type Op } from '../define-op.js';
import { toFront } from './batch-rules.js';
import { fmt, normalizeAxis } from '../shape.js';
import { allocate, type TypedArray } from '../dtype.js';
import { linesOf, fromLines } from './along-axis.js';
import { gather } from './indexing.js';
import { zeros } from './creation.js';
import { clone } from './movement.js';
import { assertInteger } from './pointwise.js';
import { checkBoolean, checkTensor } from '../validate.js';

/**
 * What {@link sort} and {@link topk} return, as PyTorch's `(values, indices)`.
 *
 * @example
 * ```ts
 * const { values, indices }: SortResult = sort(tensor([3, 1, 2]));
 * ```
 * @category Reduction
 */
export interface SortResult {
  /** The selected values (differentiable). */
  values: Tensor;
  /** Where each value came from along the axis, an int32 tensor (PyTorch's are int64), no gradient. */
  indices: Tensor;
}

/** NaN counts as larger than every number, as in PyTorch. */
function ascending(a: number, b: number): number {
  if (a !== a) return b !== b ? 0 : 1;
  if (b !== b) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The stable order of each line along `axis` (ties keep their input order), as int32 indices. */
function orderAlong(x: Tensor, axis: number, descending: boolean): Tensor {
  const { data, n } = linesOf(x, axis);
  const out: TypedArray = allocate('int32', data.length);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let s = 0; s < data.length; s += n) {
    for (let i = 0; i < n; i++) idx[i] = i;
    // Array.prototype.sort is stable (ES2019), so equal values keep their input order.
    idx.sort(descending ? (i, j) => ascending(data[s + j]!, data[s + i]!) : (i, j) => ascending(data[s + i]!, data[s + j]!));
    for (let i = 0; i < n; i++) out[s + i] = idx[i]!;
  }
  return fromLines(out, x.shape, axis);
}

// The order as an op (with no gradient), so that vmap batches it by its rule instead of the
// kernel reading a batched tensor's storage.
const orderOp: Op<[Tensor, number, boolean]> = defineOp({
  name: 'argsort',
  // Any dtype orders (bool as 0 < 1); the output is int32 positions, never on the tape.
  acceptsIntegers: true,
  forward: (x: Tensor, axis: number, descending: boolean) => orderAlong(x, axis, descending),
  vjp: () => [null, null, null],
  // Integer positions: piecewise constant in x, so no tangent (JAX's float0).
  jvp: () => null,
  batch: ([x, axis, descending], [d], { size }) => [orderOp(toFront(x, d, size), axis + 1, descending), 0],
});

function sortAxis(op: string, x: Tensor, dim: number, descending = false): number {
  checkTensor(op, 'x', x);
  checkBoolean(op, op === 'topk' ? 'largest' : 'descending', descending);
  if (x.ndim === 0) {
    normalizeAxis(op, dim, 1); // a 0-d tensor accepts 0 and -1, as PyTorch
    return 0;
  }
  return normalizeAxis(op, dim, x.ndim);
}

// A 0-d tensor is its own sort; clone keeps the result a new node on the tape.
const gatherSorted = (x: Tensor, axis: number, indices: Tensor): Tensor => (x.ndim === 0 ? clone(x) : gather(x, axis, indices));

/**
 * The indices that sort `x` along `dim` (default last), like `torch.argsort(stable=True)`: ties
 * keep their input order and NaN sorts as the largest value. No gradient.
 *
 * @example
 * ```ts
 * argsort(tensor([3, 1, 2]));       // [1, 2, 0]
 * argsort(tensor([3, 1, 2]), 0, true); // [0, 2, 1]
 * ```
 * @category Reduction
 */
export function argsort(x: Tensor, dim = -1, descending = false): Tensor {
  checkTensor('argsort', 'x', x);
  const axis = sortAxis('argsort', x, dim, descending);
  return noGrad(() => orderOp(x, axis, descending));
}

/**
 * Sorts `x` along `dim` (default last), like `torch.sort(stable=True)`: returns the sorted values
 * and where each came from. Ties keep their input order; NaN sorts as the largest value. The
 * values' gradient flows back to the positions they came from.
 *
 * @example
 * ```ts
 * const { values, indices } = sort(tensor([3, 1, 2]));
 * // values [1, 2, 3], indices [1, 2, 0]
 * sort(tensor([[1, 5, 3]]), -1, true).values; // [[5, 3, 1]]
 * ```
 * @category Reduction
 */
export function sort(x: Tensor, dim = -1, descending = false): SortResult {
  checkTensor('sort', 'x', x);
  const axis = sortAxis('sort', x, dim, descending);
  const indices = noGrad(() => orderOp(x, axis, descending));
  return { values: gatherSorted(x, axis, indices), indices };
}

/**
 * The `k` largest (or, with `largest = false`, smallest) values along `dim` (default last) and
 * their indices, like `torch.topk`. With `sorted` (the default) they come best first; otherwise in
 * their input order. Among equal values the earlier index wins; NaN counts as the largest value.
 *
 * @example
 * ```ts
 * topk(tensor([1, 5, 3, 4]), 2);                   // values [5, 4], indices [1, 3]
 * topk(tensor([1, 5, 3, 4]), 2, -1, false).values; // [1, 3]
 * ```
 * @category Reduction
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): SortResult {
  checkTensor('topk', 'x', x);
  const axis = sortAxis('topk', x, dim, largest);
  const n = x.ndim === 0 ? 1 : x.shape[axis]!;
  assertInteger('topk', 'k', k, 0);
  if (k > n) throw new Error(`topk: k (${k}) is larger than axis ${axis} of size ${n} (shape ${fmt(x.shape)})`);
  checkBoolean('topk', 'largest', largest);
  checkBoolean('topk', 'sorted', sorted);
  const indices = noGrad(() => {
    if (x.ndim === 0) return zeros([], { dtype: 'int32' });
    const best = orderOp(x, axis, largest).narrow(axis, 0, k);
    // Unsorted: the chosen indices in increasing order (sorting indices needs no tie rule).
    return sorted ? best.contiguous() : gather(best, axis, orderOp(best, axis, false));
  });
  return { values: gatherSorted(x, axis, indices), indices };
}
