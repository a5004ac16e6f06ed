// Joining and splitting along an axis: concat, stack, split. concat copies; its vjp and split
// are slices (views) of one tensor, so everything here is differentiable to any order.
import { Tensor } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { allocate } from '../dtype.js';
import { fmt, normalizeAxis, sizeOf } from '../shape.js';
import { wrap } from '../kernels/layout.js';
import { copyBlock } from '../kernels/indexing.js';
import { slice, unsqueeze, type SliceSpec } from './movement.js';
import { checkTensor, checkTensorList, fail } from '../validate.js';
import { linearJvp, toFront } from './batch-rules.js';

/** Slice specs selecting `[start, start + length)` on `axis` and everything elsewhere. */
function rangeOn(axis: number, start: number, length: number): SliceSpec[] {
  const specs: SliceSpec[] = new Array<SliceSpec>(axis).fill(null);
  specs.push([start, start + length]);
  return specs;
}

const concatOp = defineOp({
  name: 'concat',
  acceptsIntegers: true,
  forward: (tensors: readonly Tensor[], axis: number) => {
    const first = tensors[0]!;
    const shape = [...first.shape];
    shape[axis] = tensors.reduce((n, t) => n + t.shape[axis]!, 0);
    const out = wrap(allocate(first.dtype, sizeOf(shape)), shape);
    const at = shape.map(() => 0);
    const from = shape.map(() => 0);
    for (const t of tensors) {
      copyBlock(out, at, t.data, from, t.shape);
      at[axis]! += t.shape[axis]!;
    }
    return new Tensor(out);
  },
  vjp: (g, { args: [tensors, axis] }) => {
    let start = 0;
    const grads = tensors.map((t) => {
      const n = t.shape[axis]!;
      const gi = t.requiresGrad ? slice(g, ...rangeOn(axis, start, n)) : null;
      start += n;
      return gi;
    });
    return [grads, null];
  },
  jvp: linearJvp(0),
  batch: ([tensors, axis], [dims], { op, size }) => [op(tensors.map((t, i) => toFront(t, dims[i]!, size)), axis + 1), 0],
});

/** Non-empty list, one dtype; returns the first tensor, against which the others are compared. */
function checkList(op: string, tensors: readonly Tensor[]): Tensor {
  if (tensors.length === 0) throw new Error(`${op}: expected a non-empty list of tensors`);
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    if (t.dtype !== first.dtype) {
      throw new Error(`${op}: tensor ${i} is ${t.dtype} but tensor 0 is ${first.dtype}; convert one side (e.g. x.toDType('${first.dtype}'))`);
    }
  });
  return first;
}

/**
 * Joins tensors end to end along an existing `axis` (default 0), like `torch.cat`. All tensors
 * need the same dtype and rank, and the same sizes on every other axis.
 *
 * @example
 * ```ts
 * concat([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])]);  // [[1, 2], [3, 4], [5, 6]]
 * concat([tensor([[1], [2]]), tensor([[3], [4]])], 1); // [[1, 3], [2, 4]]
 * ```
 * @category Indexing
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  checkTensorList('concat', 'tensors', tensors);
  const first = checkList('concat', tensors);
  if (first.ndim === 0) throw new Error('concat: tensor 0 is 0-d and cannot be concatenated; use stack to join scalars');
  const a = normalizeAxis('concat', axis, first.ndim);
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((d, j) => j !== a && d !== first.shape[j])) {
      throw new Error(
        `concat: tensor ${i} has shape ${fmt(t.shape)} but tensor 0 has shape ${fmt(first.shape)}; sizes must match except on axis ${a}`,
      );
    }
  });
  return concatOp([...tensors], a);
}

/**
 * Joins tensors of one shape along a new `axis` (default 0), like `torch.stack`.
 *
 * @example
 * ```ts
 * stack([tensor([1, 2]), tensor([3, 4])]);    // [[1, 2], [3, 4]]
 * stack([tensor([1, 2]), tensor([3, 4])], 1); // [[1, 3], [2, 4]]
 * ```
 * @category Indexing
 */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  checkTensorList('stack', 'tensors', tensors);
  const first = checkList('stack', tensors);
  const a = normalizeAxis('stack', axis, first.ndim + 1);
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((d, j) => d !== first.shape[j])) {
      throw new Error(`stack: tensor ${i} has shape ${fmt(t.shape)} but tensor 0 has shape ${fmt(first.shape)}; stack needs equal shapes`);
    }
  });
  return concatOp(tensors.map((t) => unsqueeze(t, a)), a);
}

/**
 * Cuts `x` along `axis` (default 0) into views, like `torch.split`: a number is the chunk size
 * (the last chunk may be smaller), a list gives each section's size and must sum to the axis size.
 *
 * @example
 * ```ts
 * split(arange(5), 2);      // [[0, 1], [2, 3], [4]]
 * split(arange(5), [1, 4]); // [[0], [1, 2, 3, 4]]
 * ```
 * @category Indexing
 */
export function split(x: Tensor, sizeOrSections: number | readonly number[], axis = 0): Tensor[] {
  checkTensor('split', 'x', x);
  if (x.ndim === 0) throw new Error('split: cannot split a 0-d tensor');
  const a = normalizeAxis('split', axis, x.ndim);
  const n = x.shape[a]!;
  let sizes: number[];
  if (typeof sizeOrSections === 'number') {
    const size = sizeOrSections;
    if (!Number.isInteger(size) || size <= 0) throw new Error(`split: chunk size must be a positive integer, got ${size}`);
    sizes = [];
    for (let s = 0; s < n; s += size) sizes.push(Math.min(size, n - s));
    if (n === 0) sizes.push(0);
  } else {
    if (!Array.isArray(sizeOrSections)) fail('split', 'sizeOrSections must be a chunk size or a list of section sizes', sizeOrSections, 'a positive integer or an array of non-negative integers');
    sizes = [...sizeOrSections];
    if (sizes.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`split: section sizes must be non-negative integers, got [${sizes.join(',')}]`);
    const total = sizes.reduce((s, v) => s + v, 0);
    if (total !== n) {
      throw new Error(`split: section sizes [${sizes.join(',')}] sum to ${total} but axis ${a} has size ${n} (shape ${fmt(x.shape)})`);
    }
  }
  let start = 0;
  return sizes.map((s) => {
    const part = slice(x, ...rangeOn(a, start, s));
    start += s;
    return part;
  });
}
