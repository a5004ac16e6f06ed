// Grow-only scratch buffers for kernels that need temporary space on every call (conv's patch
// panels): allocating and zero-filling megabytes per call cost more than the copies themselves,
// and churned the garbage collector during training. A buffer is only ever handed out to one
// kernel at a time (kernels are synchronous and do not call each other while holding one), and
// its contents are garbage: callers overwrite what they read. No autograd in here.
import { allocate, type DType, type TypedArray } from '../dtype.js';

const pools: Record<string, TypedArray[]> = {};

/**
 * A buffer of at least `n` elements of `dtype` (a view of exactly `n`), the same storage on every
 * call with the same `slot` until a larger request grows it. Distinct slots never alias.
 */
export function scratch(dtype: DType, slot: number, n: number): TypedArray {
  const pool = (pools[dtype] ??= []);
  let buf = pool[slot];
  if (!buf || buf.length < n) {
    // Grow geometrically so a slowly increasing size does not reallocate every call.
    buf = allocate(dtype, Math.max(n, Math.ceil((buf?.length ?? 0) * 1.5)));
    pool[slot] = buf;
  }
  return buf.subarray(0, n);
}

/** Drops every scratch buffer (tests; a long-lived process that shrinks its model). */
export function releaseScratch(): void {
  for (const k of Object.keys(pools)) delete pools[k];
}
