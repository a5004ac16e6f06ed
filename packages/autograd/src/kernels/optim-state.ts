// Optimizer state that lives in WebAssembly memory: float32 buffers allocated as regions of the
// resident arenas (wasm/simd-memory.ts), so the fused updates (optim-update.ts) read and write them
// in place and a step copies only the parameter and its gradient. A region is freed when its array
// is garbage-collected (state replaced by loadStateDict, the optimizer dropped), never earlier, so a
// state tensor someone still holds stays valid.
import { checkAllocation, fail } from '../validate.js';
import { allocateResident, freeResident, type ResidentRegion } from './wasm/simd-memory.js';

/** enabled: whether new float32 state goes to the resident memory. Mutable for tests; not public API. */
export const residentState = { enabled: true };

const registry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<ResidentRegion>(freeResident) : null;
// Exactly the arrays optimizerState handed out (a subarray of one is not resident: the kernels
// round a region's length up to whole vectors, which only the region's own padding may absorb).
const regions = new WeakMap<object, ResidentRegion>();

/** Where `a` lives when it is an array from {@link optimizerState} in a resident arena, else undefined. */
export function residentRegion(a: object): ResidentRegion | undefined {
  return regions.get(a);
}

/**
 * A zero-filled array of `n` elements for an optimizer's per-parameter state (moment estimates,
 * momentum buffers). float32 state is placed in WebAssembly memory, so {@link fusedAdamUpdate} and
 * {@link fusedSgdUpdate} update it in place instead of copying it in and out every step; without
 * WebAssembly, and for float64, it is a plain typed array. Either way it behaves as an ordinary
 * typed array (pass it to `fromTyped`); its memory is reclaimed when it is garbage-collected. A
 * subarray of it does not keep that memory: hold the array itself (or its tensor) meanwhile.
 *
 * @example
 * ```ts
 * const expAvg = fromTyped(optimizerState('float32', w.size), w.shape);
 * ```
 * @category Optimizer kernels
 */
export function optimizerState(dtype: 'float32' | 'float64', n: number): Float32Array | Float64Array {
  if (dtype !== 'float32' && dtype !== 'float64') fail('optimizerState', 'dtype must be float32 or float64', dtype, "'float32' or 'float64'");
  if (!Number.isSafeInteger(n) || n < 0) fail('optimizerState', 'n must be a non-negative integer', n, 'a non-negative integer');
  checkAllocation('optimizerState', n);
  if (dtype === 'float64') return new Float64Array(n);
  const region = residentState.enabled && registry !== null && n > 0 ? allocateResident(n * 4) : null;
  if (region === null) return new Float32Array(n);
  const a = new Float32Array(region.arena.memory.buffer, region.at, n);
  a.fill(0); // a reused region holds old values
  regions.set(a, region);
  registry!.register(a, region);
  return a;
}
