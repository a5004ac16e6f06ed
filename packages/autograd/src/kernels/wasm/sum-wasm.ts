// Runs the column sum of sum-module.ts for float32 on the streaming kernels' memory
// (simd-memory.ts): the cells are copied in once, then a chunk of whole [R, L] slabs at a time
// (about 1 MiB; that memory never shrinks) is copied in and summed into them, and the cells are
// copied out. False (nothing written) without WebAssembly SIMD or when memory cannot grow.
import { sumModuleBytes } from './sum-module.js';
import { ensureMemory, instantiate, memoryView } from './simd-memory.js';

/**
 * enabled: whether the kernel runs; chunk: input elements per call (whole slabs, at least one).
 * Mutable so tests can compare against the TypeScript loop and force many chunks; not public API.
 */
export const simdSum = { enabled: true, chunk: 1 << 18 };

let kernels: ReturnType<typeof instantiate> | undefined;
const pad = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * acc[r] += Σ data[offset + (a·R + r)·L + l] over a < A and l < L, each cell adding its values in
 * that order (as sumAxes's loop does); false when the kernel cannot run (nothing written).
 */
export function sumRunsWasm(data: Float32Array, offset: number, A: number, R: number, L: number, acc: Float64Array): boolean {
  if (!simdSum.enabled || A * R * L === 0) return false;
  if (kernels === undefined) kernels = instantiate(sumModuleBytes());
  if (!kernels) return false;
  const slab = R * L, per = Math.min(A, Math.max(1, Math.floor(simdSum.chunk / slab)));
  const accAt = 64, dataAt = accAt + pad(R * 8);
  if (!ensureMemory(dataAt + per * slab * 4)) return false;
  const f32 = memoryView('float32') as Float32Array;
  const f64 = memoryView('float64') as Float64Array;
  f64.set(acc.subarray(0, R), accAt / 8);
  for (let a0 = 0; a0 < A; a0 += per) {
    const cnt = Math.min(per, A - a0), from = offset + a0 * slab;
    f32.set(data.subarray(from, from + cnt * slab), dataAt / 4);
    kernels.sumRuns!(dataAt, accAt, cnt, R, L);
  }
  acc.set(f64.subarray(accAt / 8, accAt / 8 + R));
  return true;
}
