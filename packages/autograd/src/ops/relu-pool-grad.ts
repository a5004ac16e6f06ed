// The gradient max pooling passes back is zero except at each window's argmax. While nothing else
// has held that fresh buffer (the tape grants it to the next vjp, see grad-ownership.ts), the relu
// whose output the pool read (conv → relu → pool) masks g·(x > 0) at those positions only, in
// place (a quarter of the elements for 2×2 windows), instead of writing a new gradient over all of x.
import { Tensor } from '../tensor.js';
import type { TypedArray } from '../dtype.js';
import { contiguousData, isContiguous, wrap } from '../kernels/layout.js';
import { isPending } from '../kernels/fused/lazy.js';
import { isGranted, markExclusive, takeGranted } from '../grad-ownership.js';

/**
 * inPlace: whether relu's vjp masks a granted max-pool gradient in place; taken: how many times it
 * did. Mutable so tests and benchmarks can compare against the tensor ops; not public API.
 */
export const poolGrad = { inPlace: true, taken: 0 };

/** A max-pool gradient buffer: the gradient of `of`, zero except at the (non-negative) `idx` positions. */
interface PoolGradient {
  readonly of: Tensor;
  readonly idx: Int32Array;
}

const notes = new WeakMap<TypedArray, PoolGradient>();

/**
 * Records that `dx`, just made by max pooling's vjp for the pool's input `of` with argmax
 * positions `idx`, is held by nothing else, so the next vjp may be granted it (and a leaf may
 * adopt it as its `.grad`).
 */
export function noteMaxPoolGradient(dx: Tensor, of: Tensor, idx: Int32Array): void {
  const buffer = dx.data.data;
  if (dx.requiresGrad || buffer.length !== of.size || dx.data.offset !== 0 || !isContiguous(dx.data)) return;
  notes.set(buffer, { of, idx });
  markExclusive(buffer);
}

/** The note of `g`'s buffer when the running vjp was granted it, else null. */
function grantedNote(g: Tensor): PoolGradient | null {
  if (isPending(g.data)) return null;
  const buffer = g.data.data;
  const note = notes.get(buffer);
  return note && isGranted(buffer) ? note : null;
}

/**
 * relu's vjp g·(x > 0) written into g's buffer, when the tape granted it and it is max pooling's
 * gradient of this relu's `output`; null (nothing done) otherwise. Bit-identical to the tensor ops:
 * every other position holds +0, which the mask keeps +0, and a masked position becomes g·0.
 */
export function reluGradOfPool(g: Tensor, x: Tensor, output: Tensor): Tensor | null {
  if (!poolGrad.inPlace || isPending(x.data) || !isContiguous(x.data)) return null;
  const note = grantedNote(g);
  const buffer = g.data.data;
  if (!note || note.of !== output || !takeGranted(buffer)) return null;
  poolGrad.taken++;
  const xs = contiguousData(x.data);
  const idx = note.idx;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    // Overlapping windows may share a position: masking it twice gives the same bits.
    if (i >= 0 && !(xs[i]! > 0)) buffer[i] = buffer[i]! * 0;
  }
  // The result is the only holder of the buffer: the next vjp may be granted it in turn (or the
  // relu's input adopt it).
  markExclusive(buffer);
  return new Tensor(wrap(buffer, x.shape));
}
