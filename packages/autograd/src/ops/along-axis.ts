// Moving one axis last and back (internal): kernels that scan along an axis (cumsum, cumprod,
// sort) then see each line as a contiguous run.
import { allocate, type TypedArray } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { copyToContiguous, wrap } from '../kernels/layout.js';
import { checkTensor } from '../validate.js';

/** The values of `x` with `axis` moved last, row-major, and the length of each line. */
export function linesOf(x: Tensor, axis: number): { data: TypedArray; n: number } {
  if (x.ndim === 0) return { data: copyToContiguous(x.data), n: 1 };
  const order = x.shape.map((_, i) => i).filter((i) => i !== axis);
  order.push(axis);
  return { data: copyToContiguous(x.data.transpose(...order)), n: x.shape[axis] ?? 1 };
}

/** Undoes {@link linesOf}: lines of `shape[axis]` values back into a tensor of `shape`. */
export function fromLines(data: TypedArray, shape: readonly number[], axis: number): Tensor {
  if (shape.length === 0) return new Tensor(wrap(data, []));
  const order = shape.map((_, i) => i).filter((i) => i !== axis);
  order.push(axis);
  const inverse = new Array<number>(order.length);
  order.forEach((a, i) => (inverse[a] = i));
  const moved = wrap(data, order.map((a) => shape[a]!));
  return new Tensor(wrap(copyToContiguous(moved.transpose(...inverse)), shape));
}

/** Applies `fill(src, dst, start, n)` to every line along `axis`; the result has x's shape and dtype. */
export function mapLines(x: Tensor, axis: number, fill: (src: TypedArray, dst: TypedArray, start: number, n: number) => void): Tensor {
  checkTensor('mapLines', 'x', x);
  const { data, n } = linesOf(x, axis);
  const out = allocate(x.dtype, data.length);
  if (n > 0) for (let s = 0; s < data.length; s += n) fill(data, out, s, n);
  return fromLines(out, x.shape, axis);
}
