// The one WebAssembly.Memory of the streaming SIMD kernels (elementwise, optimizer updates): they
// copy operands in chunk by chunk, compute, and copy results out, so a few hundred KiB serve them
// all. Unshared (no worker touches it), grown on demand, never shrunk. The gemm keeps its own
// shared memory, which its worker threads map.
//
// Next to it, resident arenas hold long-lived regions (optimizer state) that kernels update in
// place, so a step copies only what lives in JS arrays. Views of a region must stay valid, and views
// of an unshared memory detach when it grows, so each arena is a memory of fixed size that never
// grows; a full arena gets a sibling. Not one shared (SharedArrayBuffer) memory, whose views would
// survive growth: copies into shared memory are relaxed-atomic and measured about 1.5x slower, and
// browsers allow shared memory only when cross-origin isolated.

interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
/** The global WebAssembly API, typed locally (the project's lib declares its types, not the value). */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
export const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

const PAGE = 65536;
const MAX_BYTES = 0x7fff0000; // keeps byte addresses below 2^31
let memory: WasmMemory | null = null;

/** Grows the memory to at least `bytes`; false when WebAssembly is missing or memory cannot grow. */
export function ensureMemory(bytes: number): boolean {
  if (!WA || bytes > MAX_BYTES) return false;
  try {
    memory ??= new WA.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
    const have = memory.buffer.byteLength;
    if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  } catch {
    return false;
  }
}

/** Instantiates module `bytes` on the memory; null when it does not validate or compile here. */
export function instantiate(bytes: Uint8Array): Record<string, (...args: number[]) => number> | null {
  try {
    if (!WA || !WA.validate(bytes) || !ensureMemory(PAGE)) return null;
    return new WA.Instance(new WA.Module(bytes), { env: { mem: memory } }).exports as Record<string, (...args: number[]) => number>;
  } catch {
    return null;
  }
}

/** A fresh view of the whole memory (views of an unshared memory detach when it grows). */
export function memoryView(dtype: 'float32' | 'float64'): Float32Array | Float64Array {
  return dtype === 'float32' ? new Float32Array(memory!.buffer) : new Float64Array(memory!.buffer);
}

/**
 * An arena of the resident memory: an unshared memory of fixed size that never grows, so views of
 * its regions never detach. Its first `scratchBytes` (from byte `scratch`) are streaming scratch
 * space for kernels that run on it; regions are allocated above.
 */
export interface ResidentArena {
  /** The arena's memory (its buffer never changes). */
  readonly memory: WasmMemory;
  /** Byte address of the scratch space. */
  readonly scratch: number;
  /** Size of the scratch space. */
  readonly scratchBytes: number;
}
/** A region from {@link allocateResident}: its arena and byte address there. */
export interface ResidentRegion { readonly arena: ResidentArena; readonly at: number }

interface Arena extends ResidentArena {
  /** Free blocks above the scratch, sorted by address and coalesced; everything from `top` up is free too. */
  free: { at: number; bytes: number }[];
  top: number;
  live: Map<number, number>; // address → bytes
}
const ARENA_BYTES = 64 * 1024 * 1024;
const SCRATCH_BYTES = 5 * 65536;
const arenas: Arena[] = [];
const compiled = new WeakMap<Uint8Array, object>();

function newArena(need: number): Arena | null {
  // Address 0 means "absent" to the kernels, so the scratch starts one cache line in.
  const bytes = Math.max(ARENA_BYTES, 64 + SCRATCH_BYTES + need);
  if (!WA || bytes > MAX_BYTES) return null;
  try {
    const arena: Arena = { memory: new WA.Memory({ initial: Math.ceil(bytes / PAGE) }), scratch: 64, scratchBytes: SCRATCH_BYTES, free: [], top: 64 + SCRATCH_BYTES, live: new Map() };
    arenas.push(arena);
    return arena;
  } catch {
    return null;
  }
}

function take(arena: Arena, size: number): number {
  const i = arena.free.findIndex((b) => b.bytes >= size);
  if (i >= 0) {
    const b = arena.free[i]!;
    const at = b.at;
    if (b.bytes === size) arena.free.splice(i, 1);
    else Object.assign(b, { at: b.at + size, bytes: b.bytes - size });
    return at;
  }
  if (arena.top + size > arena.memory.buffer.byteLength) return 0;
  arena.top += size;
  return arena.top - size;
}

/**
 * Allocates a long-lived region of at least `bytes` (rounded up to 64) in a resident arena, or
 * null without WebAssembly or memory. Regions never overlap each other or an arena's scratch and
 * keep their place until {@link freeResident}; their contents are not cleared.
 */
export function allocateResident(bytes: number): ResidentRegion | null {
  if (!(bytes >= 0)) return null;
  const size = Math.max(64, Math.ceil(bytes / 64) * 64);
  for (const arena of arenas) {
    const at = take(arena, size);
    if (at !== 0) return arena.live.set(at, size), { arena, at };
  }
  const arena = newArena(size);
  if (arena === null) return null;
  const at = take(arena, size);
  arena.live.set(at, size);
  return { arena, at };
}

/** Returns a region to its arena (unknown regions are ignored); an emptied arena other than the first is dropped. */
export function freeResident(region: ResidentRegion): void {
  const arena = region.arena as Arena;
  const { at } = region;
  const size = arena.live.get(at);
  if (size === undefined) return;
  arena.live.delete(at);
  const free = arena.free;
  let i = free.findIndex((b) => b.at > at);
  if (i < 0) i = free.length;
  free.splice(i, 0, { at, bytes: size });
  // Coalesce with the next block and the previous one; a block ending at `top` lowers `top`.
  const next = free[i + 1];
  if (next !== undefined && at + size === next.at) free[i]!.bytes += free.splice(i + 1, 1)[0]!.bytes;
  const prev = free[i - 1];
  if (prev !== undefined && prev.at + prev.bytes === at) prev.bytes += free.splice(i, 1)[0]!.bytes;
  const last = free[free.length - 1];
  if (last !== undefined && last.at + last.bytes === arena.top) arena.top = free.pop()!.at;
  if (arena.live.size === 0 && arenas.indexOf(arena) > 0) arenas.splice(arenas.indexOf(arena), 1);
}

/** Bytes held by live resident regions, and the number of arenas (for tests and diagnostics). */
export function residentUsage(): { bytes: number; arenas: number } {
  let bytes = 0;
  for (const arena of arenas) for (const size of arena.live.values()) bytes += size;
  return { bytes, arenas: arenas.length };
}

/** Instantiates module `bytes` (importing an unshared `env.mem`) on `arena`'s memory; null when it cannot run here. */
export function instantiateIn(arena: ResidentArena, bytes: Uint8Array): Record<string, (...args: number[]) => number> | null {
  try {
    if (!WA || !WA.validate(bytes)) return null;
    let module = compiled.get(bytes);
    if (module === undefined) compiled.set(bytes, (module = new WA.Module(bytes)));
    return new WA.Instance(module, { env: { mem: arena.memory } }).exports as Record<string, (...args: number[]) => number>;
  } catch {
    return null;
  }
}
