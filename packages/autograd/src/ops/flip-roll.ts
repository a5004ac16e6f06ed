// flip (a view with negated strides) and roll (a cyclic shift). Each is its own adjoint up to the
// sign of the shift, so the vjp and jvp call the op again and both are differentiable to any order.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { fmt, normalizeAxis } from '../shape.js';
import { view } from './view.js';
import { concat } from './join.js';
import { slice, type SliceSpec } from './slice.js';
import { toFront } from './batch-rules.js';
import { assertInteger } from './pointwise.js';
import { checkTensor, fail } from '../validate.js';

const shift1 = (axes: readonly number[]) => axes.map((a) => a + 1);

const flipOp: Op<[Tensor, readonly number[]]> = defineOp({
  name: 'flip',
  acceptsIntegers: true,
  forward: (x: Tensor, dims: readonly number[]) => {
    const stride = [...x.data.stride];
    let offset = x.data.offset;
    for (const d of dims) {
      if (x.shape[d]! > 0) offset += (x.shape[d]! - 1) * stride[d]!;
      stride[d] = -stride[d]!;
    }
    return view(x, x.shape, stride, offset);
  },
  vjp: (g, { args: [, dims] }) => [flipOp(g, dims), null],
  jvp: ([t], { args: [, dims] }) => (t ? flipOp(t, dims) : null),
  batch: ([x, dims], [d], { size }) => [flipOp(toFront(x, d, size), shift1(dims)), 0],
});

/** Axis list → non-negative axes without repeats, or an error naming the op. A 0-d tensor takes axis 0/-1. */
function axesOf(op: string, dims: number | readonly number[], ndim: number): number[] {
  if (typeof dims !== 'number' && !Array.isArray(dims)) fail(op, 'dims must be an axis or an array of axes', dims, 'an integer or an array of integers');
  const list = typeof dims === 'number' ? [dims] : [...dims];
  const norm = list.map((a) => normalizeAxis(op, a, ndim));
  if (new Set(norm).size !== norm.length) throw new Error(`${op}: repeated axis in [${list.join(',')}]`);
  return ndim === 0 ? [] : norm;
}

/**
 * Reverses the order of elements along `dims` (a view: no copy), like `torch.flip`.
 *
 * @example
 * ```ts
 * flip(tensor([[1, 2], [3, 4]]), 1);      // [[2, 1], [4, 3]]
 * flip(tensor([[1, 2], [3, 4]]), [0, 1]); // [[4, 3], [2, 1]]
 * ```
 * @category Shape
 */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  checkTensor('flip', 'x', x);
  return flipOp(x, axesOf('flip', dims, x.ndim));
}

/** `[start, start + length)` on `axis`, everything elsewhere. */
function rangeOn(axis: number, start: number, length: number): SliceSpec[] {
  const specs: SliceSpec[] = new Array<SliceSpec>(axis).fill(null);
  specs.push([start, start + length]);
  return specs;
}

const rollOp: Op<[Tensor, readonly number[], readonly number[]]> = defineOp({
  name: 'roll',
  acceptsIntegers: true,
  forward: (x: Tensor, shifts: readonly number[], dims: readonly number[]) => {
    let y = x;
    shifts.forEach((s, i) => {
      const d = dims[i]!;
      const n = y.shape[d]!;
      const k = n === 0 ? 0 : ((s % n) + n) % n;
      if (k !== 0) y = concat([slice(y, ...rangeOn(d, n - k, k)), slice(y, ...rangeOn(d, 0, n - k))], d);
    });
    return y;
  },
  vjp: (g, { args: [, shifts, dims] }) => [rollOp(g, shifts.map((s) => -s), dims), null, null],
  jvp: ([t], { args: [, shifts, dims] }) => (t ? rollOp(t, shifts, dims) : null),
  batch: ([x, shifts, dims], [d], { size }) => [rollOp(toFront(x, d, size), shifts, shift1(dims)), 0],
});

/**
 * Shifts elements cyclically by `shifts` along `dims`, like `torch.roll`: elements pushed off the
 * end come back at the start. Without `dims` the tensor is rolled as if flattened. Several dims
 * take one shift each.
 *
 * @example
 * ```ts
 * roll(tensor([1, 2, 3, 4]), 1);                        // [4, 1, 2, 3]
 * roll(tensor([[0, 1, 2], [3, 4, 5]]), [1, -1], [0, 1]); // [[4, 5, 3], [1, 2, 0]]
 * ```
 * @category Shape
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  checkTensor('roll', 'x', x);
  if (typeof shifts !== 'number' && !Array.isArray(shifts)) fail('roll', 'shifts must be an integer or an array of integers', shifts, 'an integer or an array of integers');
  if (dims !== undefined && dims !== null && typeof dims !== 'number' && !Array.isArray(dims)) fail('roll', 'dims must be an axis or an array of axes', dims, 'an integer, an array of integers or undefined');
  const list = typeof shifts === 'number' ? [shifts] : [...shifts];
  list.forEach((s) => assertInteger('roll', 'shift', s));
  if (dims === undefined || dims === null) {
    if (list.length !== 1) throw new Error(`roll: without dims, shifts must be a single number, got [${list.join(',')}]`);
    return rollOp(x.reshape([-1]), list, [0]).reshape(x.shape);
  }
  const axes = typeof dims === 'number' ? [normalizeAxis('roll', dims, x.ndim)] : dims.map((a) => normalizeAxis('roll', a, x.ndim));
  if (axes.length !== list.length) throw new Error(`roll: shifts [${list.join(',')}] and dims [${axes.join(',')}] must have the same length`);
  if (x.ndim === 0) throw new Error(`roll: cannot roll a 0-d tensor along an axis (shape ${fmt(x.shape)}); omit dims`);
  return rollOp(x, list, axes);
}
