// repeat/tile, tril/triu and maskedFill. repeat is a broadcast (expand) plus a reshape, so its
// gradient is the sum over the copies for free; tril/triu zero a triangle and are their own vjp.
import { Tensor, type TensorLike } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { copyToContiguous, wrap } from '../kernels/layout.js';
import { broadcastShapes, fmt, sameShape } from '../shape.js';
import { where } from './elementwise.js';
import { tensor } from './creation.js';
import { isFloating } from '../dtype.js';
import { toFront } from './batch-rules.js';
import { assertInteger } from './pointwise.js';
import { checkAllocation, checkTensor, checkTensorLike } from '../validate.js';

/**
 * Repeats `x` along each axis `repeats[i]` times, like `torch.Tensor.repeat`: `repeats` may be
 * longer than `x.ndim` (new leading axes), not shorter. The result is a copy.
 *
 * @example
 * ```ts
 * repeat(tensor([1, 2]), [2, 2]); // [[1, 2, 1, 2], [1, 2, 1, 2]]
 * ```
 * @category Shape
 */
export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  checkTensor('repeat', 'x', x);
  if (!Array.isArray(repeats)) throw new Error(`repeat: repeats must be an array of integers, got ${typeof repeats}`);
  if (repeats.length < x.ndim) {
    throw new Error(`repeat: repeats [${repeats.join(',')}] has fewer entries than the tensor has dimensions (shape ${fmt(x.shape)})`);
  }
  repeats.forEach((r) => assertInteger('repeat', 'each repeat', r, 0));
  checkAllocation('repeat', x.size * repeats.reduce((a, r) => a * r, 1));
  const shape = [...new Array<number>(repeats.length - x.ndim).fill(1), ...x.shape];
  // [d0, d1] → [1, d0, 1, d1] → expand [r0, d0, r1, d1] → reshape [r0·d0, r1·d1].
  const interleaved = shape.flatMap((d) => [1, d]);
  const expanded = shape.flatMap((d, i) => [repeats[i]!, d]);
  return x.reshape(interleaved).expand(expanded).reshape(shape.map((d, i) => d * repeats[i]!));
}

/**
 * Repeats `x` like `torch.tile`: as {@link repeat}, but a `reps` shorter than `x.ndim` is padded
 * with leading 1s.
 *
 * @example
 * ```ts
 * tile(tensor([[1, 2], [3, 4]]), [2]); // [[1, 2, 1, 2], [3, 4, 3, 4]]
 * ```
 * @category Shape
 */
export function tile(x: Tensor, reps: readonly number[]): Tensor {
  checkTensor('tile', 'x', x);
  if (!Array.isArray(reps)) throw new Error(`tile: reps must be an array of integers, got ${typeof reps}`);
  reps.forEach((r) => assertInteger('tile', 'each rep', r, 0));
  checkAllocation('tile', x.size * reps.reduce((a, r) => a * r, 1));
  const padded = reps.length < x.ndim ? [...new Array<number>(x.ndim - reps.length).fill(1), ...reps] : [...reps];
  return repeat(x, padded);
}

/** Keeps entries with j − i ≤ k (lower) or j − i ≥ k (upper) of the last two axes; zeros the rest. */
function triangle(x: Tensor, k: number, lower: boolean): Tensor {
  const data = copyToContiguous(x.data);
  const rows = x.shape[x.ndim - 2]!;
  const cols = x.shape[x.ndim - 1]!;
  for (let base = 0; base < data.length; base += rows * cols) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) if (lower ? j - i > k : j - i < k) data[base + i * cols + j] = 0;
    }
  }
  return new Tensor(wrap(data, x.shape));
}

function triangleOp(name: string, lower: boolean): Op<[Tensor, number]> {
  const op: Op<[Tensor, number]> = defineOp({
    name,
    acceptsIntegers: true,
    forward: (x: Tensor, k: number) => triangle(x, k, lower),
    vjp: (g, { args: [, k] }) => [op(g, k), null],
    jvp: ([t], { args: [, k] }) => (t ? op(t, k) : null),
    batch: ([x, k], [d], { size }) => [op(toFront(x, d, size), k), 0],
  });
  return op;
}

const trilOp = triangleOp('tril', true);
const triuOp = triangleOp('triu', false);

function checkTriangle(op: string, x: Tensor, diagonal: number): void {
  checkTensor(op, 'x', x);
  if (x.ndim < 2) throw new Error(`${op}: expected a tensor with at least 2 dimensions (a matrix or a batch of them), got shape ${fmt(x.shape)}`);
  assertInteger(op, 'diagonal', diagonal);
}

/**
 * The lower triangle of the last two axes (entries with j − i ≤ `diagonal`), zeros above, like
 * `torch.tril`; `diagonal` > 0 keeps more diagonals, < 0 fewer. Batched over leading axes; any dtype.
 *
 * @example
 * ```ts
 * tril(ones([3, 3]));     // [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
 * tril(ones([2, 3]), -1); // [[0, 0, 0], [1, 0, 0]]
 * ```
 * @category Shape
 */
export function tril(x: Tensor, diagonal = 0): Tensor {
  checkTensor('tril', 'x', x);
  checkTriangle('tril', x, diagonal);
  return trilOp(x, diagonal);
}

/**
 * The upper triangle of the last two axes (entries with j − i ≥ `diagonal`), zeros below, like
 * `torch.triu` (e.g. a causal mask is `triu(ones([n, n], { dtype: 'bool' }), 1)`). Any dtype.
 *
 * @example
 * ```ts
 * triu(ones([3, 3]), 1); // [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
 * ```
 * @category Shape
 */
export function triu(x: Tensor, diagonal = 0): Tensor {
  checkTensor('triu', 'x', x);
  checkTriangle('triu', x, diagonal);
  return triuOp(x, diagonal);
}

/**
 * `value` where `mask` is true, `x` elsewhere, like `torch.masked_fill`. `mask` is a bool tensor
 * (a float mask still works, non-zero counting as true, but is deprecated) that broadcasts to x's
 * shape; the result has x's shape and dtype. `value` is a number or a 0-d tensor, which then gets
 * the gradient summed over the filled positions. `x` gets no gradient where filled.
 *
 * @example
 * ```ts
 * const scores = tensor([[1, 2], [3, 4]]);
 * maskedFill(scores, triu(ones([2, 2], { dtype: 'bool' }), 1), -Infinity); // [[1, -Inf], [3, 4]]
 * ```
 * @category Indexing
 */
export function maskedFill(x: Tensor, mask: Tensor, value: TensorLike): Tensor {
  checkTensor('maskedFill', 'x', x);
  checkTensor('maskedFill', 'mask', mask);
  checkTensorLike('maskedFill', 'value', value);
  if (!(mask instanceof Tensor)) throw new Error(`maskedFill: mask must be a tensor, got ${typeof mask}`);
  const target = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (!sameShape(target, x.shape)) throw new Error(`maskedFill: mask of shape ${fmt(mask.shape)} does not broadcast to the input's shape ${fmt(x.shape)}`);
  if (value instanceof Tensor && value.ndim !== 0) throw new Error(`maskedFill: value must be a number or a 0-d tensor, got shape ${fmt(value.shape)}`);
  if (typeof value !== 'number' && !(value instanceof Tensor)) throw new Error(`maskedFill: value must be a number or a 0-d tensor, got ${typeof value}`);
  if (isFloating(x.dtype)) return where(mask, value, x);
  // The result keeps x's dtype, as PyTorch; unlike PyTorch a fractional value into int32 is an
  // error rather than silently truncated.
  if (value instanceof Tensor && isFloating(value.dtype)) {
    throw new Error(`maskedFill: value is a ${value.dtype} tensor but x is ${x.dtype} (shape ${fmt(x.shape)}); pass a number or convert x with toDType('float32')`);
  }
  if (x.dtype === 'int32' && typeof value === 'number' && !Number.isInteger(value)) {
    throw new Error(`maskedFill: value ${value} is not an integer but x is int32 (shape ${fmt(x.shape)}); convert x with toDType('float32') first`);
  }
  const v = value instanceof Tensor ? value : tensor(value, { dtype: x.dtype });
  return where(mask, v.toDType(x.dtype), x);
}
