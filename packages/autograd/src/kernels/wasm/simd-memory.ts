// The one WebAssembly.Memory of the streaming SIMD kernels (elementwise, optimizer updates): they
// copy operands in chunk by chunk, compute, and copy results out, so a few hundred KiB serve them
// all. Unshared (no worker touches it), grown on demand, never shrunk. The gemm keeps its own
// shared memory, which its worker threads map.

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
