// The threaded WebAssembly gemm: workers share the memory and claim chunks of rows of C (and,
// when cores are to spare, the jobs packing the operands), so the result must be bit-identical to one thread and to the sequential sum (gemm-reference.ts)
// whoever computed which chunk, and close to the plain-JS reference. Kernels are internal, so
// this test imports them from src.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gemmJs } from '../src/kernels/gemm.js';
import { blocking, gemmWasm, lastTaskChunks } from '../src/kernels/wasm/gemm-wasm.js';
import { lastWorkerChunks, threading, workersReady } from '../src/kernels/wasm/gemm-threads.js';
import { expectSameBits, gemmSequential } from './gemm-reference.js';

const defaults = { threading: { ...threading }, blocking: { ...blocking } };
afterEach(() => {
  Object.assign(threading, defaults.threading);
  Object.assign(blocking, defaults.blocking);
});

const caseArb = fc.record({
  m: fc.integer({ min: 1, max: 90 }), n: fc.integer({ min: 1, max: 70 }), k: fc.integer({ min: 1, max: 300 }),
  transA: fc.boolean(), transB: fc.boolean(), accumulate: fc.boolean(),
  dtype: fc.constantFrom('float32', 'float64'),
  mc: fc.constantFrom(4, 8, 32),
  // 16: up to 19 k-blocks, packed in jobs of whole k-blocks; 256: one or two, split by strips.
  kc: fc.constantFrom(16, 256),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function operands(c: Case) {
  const T = c.dtype === 'float32' ? Float32Array : Float64Array;
  const rand = (size: number) => {
    const x = new T(size);
    for (let i = 0; i < size; i++) x[i] = Math.sin(i * 12.9898 + size) * 0.5;
    return x;
  };
  return { a: rand(c.m * c.k + 1), b: rand(c.k * c.n + 2), out: rand(c.m * c.n + 3) };
}

/** C from the WebAssembly kernel with the current threading settings. */
function wasmResult(c: Case) {
  const { a, b, out } = operands(c);
  const res = out.slice();
  expect(gemmWasm(c.m, c.n, c.k, a, 1, c.transA, b, 2, c.transB, res, 3, c.accumulate)).toBe(true);
  return res;
}

describe.skipIf(threading.workers === 0)('gemm on worker threads', () => {
  beforeAll(() => {
    // The first threaded call starts the workers (and runs on this thread meanwhile).
    threading.minMacs = 0;
    const x = new Float32Array(64);
    gemmWasm(8, 8, 8, x, 0, false, x, 0, false, x.slice(), 0, false);
    expect(workersReady(20_000)).toBe(true);
  });

  it('workers alone compute every chunk, bit-identical to one thread and close to plain JS', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        Object.assign(blocking, { mc: c.mc, kc: c.kc });
        threading.minMacs = Infinity;
        const one = wasmResult(c);
        threading.minMacs = 0;
        threading.mainJoins = false;
        threading.oversubscribed = () => false; // so the workers also do every pack job
        const workers = wasmResult(c);
        const { a, b, out } = operands(c);
        gemmSequential(c.m, c.n, c.k, a, 1, c.transA, b, 2, c.transB, out, 3, c.accumulate);
        expectSameBits(workers, out);
        expect(lastWorkerChunks()).toBe(lastTaskChunks());
        expect(lastTaskChunks()).toBeGreaterThanOrEqual(Math.min(4 * (threading.workers + 1), Math.ceil(c.m / 4)));
        expect(Array.from(workers)).toEqual(Array.from(one));
        const js = operands(c).out;
        gemmJs(c.m, c.n, c.k, a, 1, c.transA, b, 2, c.transB, js, 3, c.accumulate);
        const tol = (c.dtype === 'float32' ? 1e-6 : 1e-14) * (c.k + 1);
        js.forEach((x, i) => expect(Math.abs(x - workers[i]!)).toBeLessThanOrEqual(tol));
      }),
      { numRuns: 40 },
    );
  });

  it('main thread and workers together give the one-thread result', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        Object.assign(blocking, { mc: c.mc, kc: c.kc });
        threading.minMacs = Infinity;
        const one = wasmResult(c);
        threading.minMacs = 0;
        threading.oversubscribed = () => false; // packing shared too
        expect(Array.from(wasmResult(c))).toEqual(Array.from(one));
      }),
      { numRuns: 40 },
    );
  });

  it('gives the one-thread result whether the caller polls for the last chunks or sleeps', () => {
    // Windows from none (sleep at once) to longer than any product; short ones end mid-wait, and
    // runs of long waits switch polling off until waits are short again.
    fc.assert(
      fc.property(caseArb, fc.array(fc.constantFrom(0, 1, 5, 50, 200, 1e6), { minLength: 1, maxLength: 12 }), fc.boolean(), fc.boolean(), (c, spins, mainJoins, crowded) => {
        Object.assign(blocking, { mc: c.mc, kc: c.kc });
        threading.minMacs = Infinity;
        const one = wasmResult(c);
        threading.minMacs = 0;
        threading.mainJoins = mainJoins;
        threading.oversubscribed = () => crowded;
        for (const mainSpinUs of spins) {
          threading.mainSpinUs = mainSpinUs;
          expect(Array.from(wasmResult(c))).toEqual(Array.from(one));
          if (!mainJoins) expect(lastWorkerChunks()).toBe(lastTaskChunks());
        }
      }),
      { numRuns: 30 },
    );
    // A product long enough that the caller usually finishes its chunks while a worker is still
    // inside its last one: reading C before that chunk is done would differ from one thread.
    const big: Case = { m: 256, n: 192, k: 512, transA: false, transB: true, accumulate: true, dtype: 'float32', mc: 32, kc: 256 };
    threading.minMacs = Infinity;
    const one = Array.from(wasmResult(big));
    threading.minMacs = 0;
    threading.mainJoins = true;
    threading.oversubscribed = () => false;
    for (const mainSpinUs of [0, 1, 5, 50, 200, 1e6]) {
      threading.mainSpinUs = mainSpinUs;
      for (let r = 0; r < 4; r++) expect(Array.from(wasmResult(big))).toEqual(one);
    }
  });

  it('idle workers do not keep the process alive', () => {
    const gemmWasmUrl = new URL('../src/kernels/wasm/gemm-wasm.ts', import.meta.url).href;
    const code = `
      const { gemmWasm } = await import(${JSON.stringify(gemmWasmUrl)});
      const n = 256, a = new Float32Array(n * n).fill(1), c = new Float32Array(n * n);
      gemmWasm(n, n, n, a, 0, false, a, 0, false, c, 0, false);
      console.log(c[0]);`;
    const child = spawnSync(process.execPath, ['--conditions=@tapegrad/source', '--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.error).toBeUndefined();
    expect(child.stdout.trim()).toBe('256');
    expect(child.status).toBe(0);
  });
});
