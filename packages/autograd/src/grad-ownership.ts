// Which gradient buffers the tape may hand to a leaf as its `.grad` without copying. PyTorch
// steals a gradient whose reference count says nobody else holds it; JS has no reference counts,
// so a vjp that allocates a gradient for exactly one input marks its buffer, and the tape unmarks
// it as soon as the gradient is seen by anything that might keep it or read it later: a hook, or
// any vjp other than those declared here to only pass views of their gradient on.
// No runtime imports, so ops can declare themselves here while the module graph loads.
import type { TypedArray } from './dtype.js';
import type { OpRecord } from './tape.js';

const exclusive = new WeakSet<TypedArray>();
const viewVjps = new WeakSet<OpRecord>();

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
