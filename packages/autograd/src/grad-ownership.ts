// Which gradient buffers the tape may hand to a leaf as its `.grad` without copying. PyTorch
// steals a gradient whose reference count says nobody else holds it; JS has no reference counts,
// so a vjp that allocates a gradient for exactly one input marks its buffer, and the tape unmarks
// it as soon as the gradient is seen by anything that might keep it or read it later: a hook, or
// any vjp other than those declared here to only pass views of their gradient on. When nothing
// else can read the gradient afterwards either (backward() without createGraph), the tape grants
// the buffer to the vjp it goes to: the vjp may write its result into it (relu's does), and a
// fact noted about the buffer when it was made still holds while it is granted (nobody else has
// held it since).
// Its only runtime import, buffer-pool.ts, has none, so ops can declare themselves here while the
// module graph loads.
import type { TypedArray } from './dtype.js';
import type { OpRecord } from './tape.js';
import { recycle } from './buffer-pool.js';
import type { Tensor } from './tensor.js';

const exclusive = new WeakSet<TypedArray>();
const viewVjps = new WeakSet<OpRecord>();
const releasingVjps = new WeakSet<OpRecord>();
let granted: TypedArray | null = null;
let privateTo: ((t: Tensor) => boolean) | null = null;

/** Marks `buffer`, just allocated by a vjp for one input and seen by nothing else, as adoptable. */
export function markExclusive(buffer: TypedArray): void {
  exclusive.add(buffer);
}

/** The buffer is no longer adoptable (someone else may hold it). */
export function unmarkExclusive(buffer: TypedArray): void {
  exclusive.delete(buffer);
}

/** True (once) when `buffer` is adoptable; it is unmarked, so no second tensor adopts it. */
export function takeExclusive(buffer: TypedArray): boolean {
  return exclusive.delete(buffer);
}

/** True when `buffer` is adoptable. */
export function isExclusive(buffer: TypedArray): boolean {
  return exclusive.has(buffer);
}

/** Declares that `op`'s vjp only returns views of its gradient and keeps no reference to it. */
export function passesGradientViews(op: OpRecord): void {
  viewVjps.add(op);
}

/** Whether `op`'s vjp was declared by {@link passesGradientViews}. */
export function passesViews(op: OpRecord): boolean {
  return viewVjps.has(op);
}

/** Set by the tape before each vjp: the buffer of its gradient if granted (see above), else null. */
export function grantGradient(buffer: TypedArray | null): void {
  granted = buffer;
}

/** Whether the running vjp was granted `buffer` (so it is as its maker left it). */
export function isGranted(buffer: TypedArray): boolean {
  return granted !== null && granted === buffer;
}

/** True (once) when the running vjp was granted `buffer`: it may overwrite it and return it. */
export function takeGranted(buffer: TypedArray): boolean {
  if (!isGranted(buffer)) return false;
  granted = null;
  return true;
}

// A leaf's `.grad` that the tape adopted from an exclusive buffer and that nobody has read through
// the public `.grad` since: the library's own readers (the tape accumulating into it, the built-in
// optimizers and clipping through peekGrad) keep no reference past their call. When such a `.grad`
// is cleared or replaced, nothing can reach its buffer any more, so the buffer is recycled.
interface GradTensor { readonly data: { readonly data: TypedArray; readonly offset: number } }
const ownedGrads = new WeakSet<GradTensor>();

/** `grad` was just made by the tape around an adopted exclusive buffer (covering it whole). */
export function markOwnedGrad(grad: GradTensor): void {
  ownedGrads.add(grad);
}

/** `grad` was read through the public `.grad`: whoever read it may keep it. */
export function releaseOwnedGrad(grad: GradTensor): void {
  ownedGrads.delete(grad);
}

/** Whether `grad` is still only the library's (for tests). */
export function isOwnedGrad(grad: GradTensor): boolean {
  return ownedGrads.has(grad);
}

/**
 * `grad` is no longer any tensor's `.grad`: when the library alone held it, its buffer is recycled.
 * `flush` first lets any deferred result that reads the buffer take a copy of it.
 */
export function dropGrad(grad: GradTensor, flush: (grad: GradTensor) => void): void {
  if (!ownedGrads.delete(grad)) return;
  flush(grad);
  recycle(grad.data.data);
}

/** Set by the tape for a backward() pass without createGraph (null otherwise): see {@link gradientIsPrivate}. */
export function setGradientPrivacy(test: ((t: Tensor) => boolean) | null): ((t: Tensor) => boolean) | null {
  const before = privateTo;
  privateTo = test;
  return before;
}

/**
 * Whether, in the running backward pass, the gradient a vjp returns for `input` will be read by
 * nothing but `input`'s own vjp: no other op of the graph reads `input`, it has no hooks, does not
 * retain its gradient, is no leaf and no root, and no graph is being built. Such a gradient may
 * already hold that vjp's result when the vjp can tell (relu's after max pooling).
 */
export function gradientIsPrivate(input: Tensor): boolean {
  return privateTo !== null && privateTo(input);
}

/**
 * Declares that `op`'s vjp keeps no reference to its gradient and leaves no deferred result
 * reading it: a granted gradient it did not take is dead once it returns, and is recycled.
 */
export function releasesGradient(op: OpRecord): void {
  releasingVjps.add(op);
}

/**
 * After `op`'s vjp ran with `buffer` granted (see {@link grantGradient}): when the vjp neither
 * took it nor returned it and is declared by {@link releasesGradient}, nothing can reach the
 * buffer any more, so it is recycled (`flush` first gives any deferred reader a copy).
 */
export function releaseGranted(op: OpRecord, buffer: TypedArray, returned: readonly (TypedArray | null)[], flush: (buffer: TypedArray) => void): void {
  if (!releasingVjps.has(op) || !isGranted(buffer) || returned.includes(buffer)) return;
  flush(buffer);
  recycle(buffer);
}
