// setNumThreads/getNumThreads and the worker pool behind them: growing the count starts more
// workers (which must receive the already-compiled modules), lowering it leaves extra workers
// asleep, and the product is bit-identical whatever the count. Internals come from src.
import { afterEach, describe, expect, it } from 'vitest';
import { getNumThreads, setNumThreads } from '@tapegrad/autograd';
import { gemmJs } from '../src/kernels/gemm.js';
import { gemmWasm, lastTaskChunks, wasmGemmAvailable } from '../src/kernels/wasm/gemm-wasm.js';
import { lastWorkerChunks, threading, workersReady } from '../src/kernels/wasm/gemm-threads.js';

const defaults = { ...threading };
afterEach(() => {
  Object.assign(threading, defaults);
});

const m = 70, n = 50, k = 90;
const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.37));
const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.11));
function product(): Float32Array {
  const c = new Float32Array(m * n);
  expect(gemmWasm(m, n, k, a, 0, false, b, 0, false, c, 0, false)).toBe(true);
  return c;
}

describe('setNumThreads / getNumThreads', () => {
  it('round-trips the count and rejects anything but an integer from 1 to 64', () => {
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
    expect(threading.workers).toBe(0);
    setNumThreads(3);
    expect(getNumThreads()).toBe(3);
    for (const bad of [0, -1, 1.5, 65, NaN, Infinity]) expect(() => setNumThreads(bad)).toThrow(/integer from 1 to 64/);
    expect(getNumThreads()).toBe(3);
  });

  it.skipIf(!wasmGemmAvailable('float32'))('gives the same product with 1, 2 and 3 threads, growing and shrinking the pool', () => {
    const want = new Float32Array(m * n);
    gemmJs(m, n, k, a, 0, false, b, 0, false, want, 0, false);
    setNumThreads(1);
    threading.minMacs = 0;
    const one = product();
    one.forEach((x, i) => expect(Math.abs(x - want[i]!)).toBeLessThan(1e-3));
    // Workers alone (the main thread does not join), so every chunk proves the workers' work.
    threading.mainJoins = false;
    for (const count of [2, 3, 2]) {
      setNumThreads(count);
      product(); // the first product after growing starts workers and runs on this thread
      expect(workersReady(20_000)).toBe(true);
      expect(Array.from(product())).toEqual(Array.from(one));
      expect(lastWorkerChunks()).toBe(lastTaskChunks());
    }
    // Back to one thread: no worker takes part any more.
    setNumThreads(1);
    expect(Array.from(product())).toEqual(Array.from(one));
  });
});
