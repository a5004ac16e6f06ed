// chunk, narrow and unbind: views cut out of one tensor with slice, whose vjp scatters back.
import type { Tensor } from '../tensor.js';
import { fmt, normalizeAxis } from '../shape.js';
import { slice, type SliceSpec } from './slice.js';
import { split } from './join.js';
import { assertInteger } from './pointwise.js';
import { checkTensor } from '../validate.js';

/**
 * Cuts `x` into `chunks` views of equal size along `dim` (default 0), like `torch.chunk`: each has
 * ⌈n / chunks⌉ elements on `dim` except the last, so fewer than `chunks` may come back.
 *
 * @example
 * ```ts
 * chunk(arange(5), 3);  // [[0, 1], [2, 3], [4]]
 * chunk(arange(6), 4);  // [[0, 1], [2, 3], [4, 5]]
 * ```
 * @category Indexing
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor('chunk', 'x', x);
  assertInteger('chunk', 'chunks', chunks, 1);
  if (x.ndim === 0) throw new Error('chunk: cannot chunk a 0-d tensor');
  const a = normalizeAxis('chunk', dim, x.ndim);
  const n = x.shape[a]!;
  // An empty axis gives `chunks` empty views, as PyTorch.
  if (n === 0) return Array.from({ length: chunks }, () => narrow(x, a, 0, 0));
  return split(x, Math.ceil(n / chunks), a);
}

/**
 * The view of `length` elements of `x` from `start` along `dim`, like `torch.narrow`; a negative
 * `start` counts from the end.
 *
 * @example
 * ```ts
 * narrow(tensor([[1, 2, 3], [4, 5, 6]]), 1, 1, 2);  // [[2, 3], [5, 6]]
 * narrow(tensor([1, 2, 3, 4]), 0, -2, 2);           // [3, 4]
 * ```
 * @category Indexing
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor('narrow', 'x', x);
  if (x.ndim === 0) throw new Error('narrow: cannot narrow a 0-d tensor');
  const a = normalizeAxis('narrow', dim, x.ndim);
  const n = x.shape[a]!;
  assertInteger('narrow', 'start', start);
  assertInteger('narrow', 'length', length, 0);
  const s = start < 0 ? start + n : start;
  if (s < 0 || s > n || s + length > n) {
    throw new Error(`narrow: start ${start} and length ${length} exceed axis ${a} of size ${n} (shape ${fmt(x.shape)})`);
  }
  const specs: SliceSpec[] = new Array<SliceSpec>(a).fill(null);
  specs.push([s, s + length]);
  return slice(x, ...specs);
}

/**
 * Splits `x` along `dim` (default 0) into its slices, each without that axis (views), like
 * `torch.unbind`.
 *
 * @example
 * ```ts
 * unbind(tensor([[1, 2], [3, 4]]));    // [[1, 2], [3, 4]]
 * unbind(tensor([[1, 2], [3, 4]]), 1); // [[1, 3], [2, 4]]
 * ```
 * @category Indexing
 */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  checkTensor('unbind', 'x', x);
  if (x.ndim === 0) throw new Error('unbind: cannot unbind a 0-d tensor');
  const a = normalizeAxis('unbind', dim, x.ndim);
  return Array.from({ length: x.shape[a]! }, (_, i) => {
    const specs: SliceSpec[] = new Array<SliceSpec>(a).fill(null);
    specs.push(i);
    return slice(x, ...specs);
  });
}
