// The gradient max pooling passes back is zero except at each window's argmax. When it goes to a
// relu whose output the pool read (conv → relu → pool), the relu's vjp g·(x > 0) is not written
// as a new gradient over all of x:
// - when nothing but the relu's vjp will read the pool's gradient (gradientIsPrivate), the pool's
//   vjp applies the mask itself as it writes its gradient in WebAssembly, and the relu's vjp
//   passes that buffer on;
// - else, when the tape grants the relu's vjp that fresh buffer (nothing else has held it, see
//   grad-ownership.ts), the relu masks the argmax positions in place (a quarter of the elements
//   for 2×2 windows).
import { Tensor } from '../tensor.js';
import type { TypedArray } from '../dtype.js';
import { contiguousData, isContiguous, wrap } from '../kernels/layout.js';
import { isPending } from '../kernels/fused/lazy.js';
import { gradientIsPrivate, isGranted, markExclusive, takeGranted } from '../grad-ownership.js';
import type { OpRecord } from '../tape.js';

/**
 * inPlace: whether relu's vjp masks a granted max-pool gradient in place; fused: whether the pool's
 * vjp applies the mask of a relu that alone reads its gradient; taken / fusedRuns: how many times
 * each did. Mutable so tests and benchmarks can compare against the tensor ops; not public API.
 */
export const poolGrad = { inPlace: true, fused: true, taken: 0, fusedRuns: 0 };

/**
 * A max-pool gradient buffer: the gradient of `of`, zero except at the (non-negative) `idx`
 * positions, or (`masked`) already the gradient of the input of `of`'s relu.
 */
interface PoolGradient {
  readonly of: Token;
  readonly idx: Int32Array;
  readonly masked: boolean;
}

// A note names its tensor by a token that references nothing. Holding the tensor would keep its
// step's graph alive for as long as the buffer lives, and a recycled buffer outlives its step in
// the buffer pool; that graph holds buffers noted in turn, so every earlier step's graph stayed
// reachable (the README demo grew by 1.6 MB per step).
type Token = Record<string, never>;
const tokens = new WeakMap<Tensor, Token>();
const notes = new WeakMap<TypedArray, PoolGradient>();
let reluRecord: OpRecord | null = null;

/** Called by relu's definition (activation.ts), so that pooling can recognise its input as a relu's output. */
export function reluIs(record: OpRecord): void {
  reluRecord = record;
}

/**
 * The input of the relu that made `x` (the pool's input), when the gradient the pool's vjp returns
 * for `x` goes to nothing but that relu's vjp and the relu's input is a computed contiguous
 * float32 array; null otherwise.
 */
export function privateReluInput(x: Tensor): Tensor | null {
  const node = x.gradFn;
  if (!poolGrad.fused || node === null || node.op !== reluRecord || x.dtype !== 'float32' || !gradientIsPrivate(x)) return null;
  const input = node.inputs[0]!;
  return isPending(input.data) || input.data.offset !== 0 || !isContiguous(input.data) ? null : input;
}

/**
 * Records that `dx`, just made by max pooling's vjp for the pool's input `of` with argmax
 * positions `idx` (and, `masked`, with the mask of the relu that made `of` applied), is held by
 * nothing else, so the next vjp may be granted it (and a leaf may adopt it as its `.grad`).
 */
export function noteMaxPoolGradient(dx: Tensor, of: Tensor, idx: Int32Array, masked = false): void {
  const buffer = dx.data.data;
  if (dx.requiresGrad || buffer.length !== of.size || dx.data.offset !== 0 || !isContiguous(dx.data)) return;
  let token = tokens.get(of);
  if (token === undefined) tokens.set(of, (token = {}));
  notes.set(buffer, { of: token, idx, masked });
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
  const note = grantedNote(g);
  const buffer = g.data.data;
  if (!note || note.of !== tokens.get(output)) return null;
  // Already masked by the pool's vjp (were it not granted, masking again would give the same bits).
  if (note.masked && takeGranted(buffer)) {
    notes.delete(buffer);
    markExclusive(buffer);
    return new Tensor(wrap(buffer, x.shape));
  }
  if (!poolGrad.inPlace || isPending(x.data) || !isContiguous(x.data) || !takeGranted(buffer)) return null;
  poolGrad.taken++;
  notes.delete(buffer); // it will hold the relu input's gradient, not the pool's
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
