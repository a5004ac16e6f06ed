// The public switch for how many threads the WebAssembly matrix product may use. The settings
// themselves live in kernels/wasm/gemm-threads.ts, where the benchmark and tests also tune the
// size threshold; this file only validates and translates "threads" into "extra workers".
import { threading } from './kernels/wasm/gemm-threads.js';

/** More threads than this would only contend for cores on any machine this library targets. */
const MAX_THREADS = 64;

/**
 * Sets how many threads large matrix products (matmul, linear layers, convolutions) may use: the
 * calling thread plus `n − 1` worker threads sharing the WebAssembly memory. `1` keeps every
 * product on the calling thread. The default is the number of cores, up to 8. Products below a
 * size threshold always stay on the calling thread, where waking a worker costs more than it
 * saves. Workers start on the first large product after an increase; lowering the count leaves
 * the extra workers asleep. Results do not depend on the thread count.
 *
 * @param n - total threads, an integer from 1 to 64.
 * @example
 * ```ts
 * setNumThreads(1); // deterministic timing on a shared machine
 * matmul(a, b);
 * setNumThreads(2);
 * ```
 * @category Performance
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new Error(`setNumThreads: expected an integer from 1 to ${MAX_THREADS}, got ${n}`);
  }
  threading.workers = n - 1;
}

/**
 * The number of threads large matrix products may use (see {@link setNumThreads}): the calling
 * thread plus its workers.
 *
 * @example
 * ```ts
 * getNumThreads(); // 2 on a two-core machine
 * ```
 * @category Performance
 */
export function getNumThreads(): number {
  return threading.workers + 1;
}
