// Large buffers that the library knows are dead, kept for the next allocation of the same dtype
// and length. A fresh large typed array is expensive in V8: its pages fault on first write and its
// external bytes drive the collector (docs/performance.md). Knowing a buffer is dead cannot wait
// for the collector: FinalizationRegistry callbacks and WeakRef clearing only happen between
// event-loop tasks, never inside a synchronous training loop. So only buffers whose death the
// library can prove are recycled (see grad-ownership.ts): a leaf's gradient that the tape adopted
// and nobody but the library has read since, when `.grad` is cleared or replaced, and a gradient
// granted to a vjp that declared it keeps nothing of it.
// No runtime imports, so dtype.ts can use it while the module graph loads.
import type { TypedArray } from './dtype.js';

/**
 * enabled: whether buffers are recycled; minBytes: smaller buffers are not worth it; perLength
 * and maxBytes bound what is kept. Mutable for tests; not public API.
 */
export const bufferPool = { enabled: true, minBytes: 16384, perLength: 4, maxBytes: 64 * 2 ** 20 };

// Entries are strong, and the pool empties itself a second or two after a buffer was last kept (a
// timer that does not keep Node running), so it serves a training loop without pinning memory once the
// program has moved on. Weak references cannot do this: a WeakRef keeps its target alive until the
// current synchronous job ends, so in a synchronous loop every buffer ever kept stayed alive.
const free = new Map<number, TypedArray[]>();
let heldBytes = 0;
let emptyTimer: ReturnType<typeof setTimeout> | null = null;
let keptSinceTimer = false;

// One timer at a time rather than one per kept buffer: when it fires after a buffer was kept, it
// waits another second; so the pool empties one to two seconds after it last kept a buffer.
function emptyLater(): void {
  keptSinceTimer = true;
  if (emptyTimer === null) startTimer();
}

function startTimer(): void {
  keptSinceTimer = false;
  emptyTimer = setTimeout(() => {
    emptyTimer = null;
    if (keptSinceTimer) startTimer();
    else clearRecycled();
  }, 1000);
  (emptyTimer as { unref?: () => void }).unref?.();
}

const KIND = (a: TypedArray) => (a instanceof Float32Array ? 0 : a instanceof Float64Array ? 1 : a instanceof Int32Array ? 2 : 3);
const key = (kind: number, length: number) => length * 4 + kind;

/**
 * Keeps `buffer` for a later {@link takeRecycled} of its dtype and length. The caller guarantees
 * that nothing reachable reads or writes it any more. It must own its whole ArrayBuffer.
 */
export function recycle(buffer: TypedArray): void {
  const bytes = buffer.byteLength;
  if (!bufferPool.enabled || bytes < bufferPool.minBytes || buffer.byteOffset !== 0 || buffer.buffer.byteLength !== bytes) return;
  if (heldBytes + bytes > bufferPool.maxBytes) return;
  const k = key(KIND(buffer), buffer.length);
  let list = free.get(k);
  if (list === undefined) free.set(k, (list = []));
  if (list.length >= bufferPool.perLength) return;
  list.push(buffer);
  heldBytes += bytes;
  emptyLater();
}

/**
 * A recycled buffer of the kind (0 float32, 1 float64, 2 int32, 3 bool) and length, zero-filled
 * when `zero` (else holding its last values); undefined when none is kept.
 */
export function takeRecycled(kind: number, length: number, bytesPer: number, zero: boolean): TypedArray | undefined {
  const list = free.get(key(kind, length));
  if (list === undefined) return undefined;
  const buffer = list.pop();
  if (buffer === undefined) return undefined;
  heldBytes -= length * bytesPer;
  return zero ? buffer.fill(0) : buffer;
}

/** Bytes of the buffers kept. For tests. */
export function recycledBytes(): number {
  return heldBytes;
}

/** Drops every kept buffer. For tests. */
export function clearRecycled(): void {
  free.clear();
  heldBytes = 0;
  if (emptyTimer !== null) clearTimeout(emptyTimer);
  emptyTimer = null;
}
