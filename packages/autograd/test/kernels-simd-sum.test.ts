// The WebAssembly column sum (kernels/wasm/sum-*.ts: runs of float32 values, each summed into its
// own float64 cell, a conv bias gradient's [N, O, L] over N and L) against the TypeScript loop of
// sumAxes and the move-axes-last reference: bit-identical for any A, R (groups of eight runs,
// pairs, an odd last run) and L (whole vectors and a tail), values of mixed magnitude (so another
// order of additions would round differently) with NaN, ±0 and ±Infinity, offsets, and inputs cut
// into chunks of slabs. Kernels are internal, so this test imports them from src.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { sumAxes } from '../src/kernels/reduce-sum.js';
import { reduceAxes, sumRun } from '../src/kernels/reduce.js';
import { simdSum, sumRunsWasm } from '../src/kernels/wasm/sum-wasm.js';
import { expectSameBits } from './kernel-cases.js';

afterEach(() => { simdSum.enabled = true; simdSum.chunk = 1 << 18; });

/** Mixed magnitudes, with NaN, ±0 and ±Infinity now and then (rarely, so most sums stay finite). */
function values(n: number, seed: number, specials: boolean): Float32Array {
  const a = new Float32Array(n);
  const special = [NaN, 0, -0, Infinity, -Infinity];
  let s = seed | 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    const r = (s >>> 8) % 1000;
    a[i] = specials && r < 3 ? special[(s >>> 4) % 5]! : r < 100 ? (r % 2 ? 0 : -0) : Math.sin(r * 12.9898) * 10 ** ((r % 13) - 6);
  }
  return a;
}

describe('WebAssembly column sum, float32', () => {
  it('sumRunsWasm: the same cells as the TypeScript loop (any A, R, L, chunks, specials)', () => {
    const arb = fc.record({
      A: fc.integer({ min: 0, max: 4 }), R: fc.integer({ min: 0, max: 19 }), L: fc.integer({ min: 0, max: 11 }),
      off: fc.nat(3), chunk: fc.constantFrom(1, 40, 1 << 18), specials: fc.boolean(), seed: fc.integer(),
    });
    let ran = 0;
    fc.assert(fc.property(arb, ({ A, R, L, off, chunk, specials, seed }) => {
      const data = values(off + A * R * L, seed, specials);
      const start = values(R, seed + 1, false); // cells already holding partial sums
      const want = Float64Array.from(start);
      for (let a = 0; a < A; a++) for (let r = 0; r < R; r++) for (let l = 0; l < L; l++) want[r]! += data[off + (a * R + r) * L + l]!;
      const got = Float64Array.from(start);
      simdSum.chunk = chunk;
      if (!sumRunsWasm(data, off, A, R, L, got)) {
        expect(A * R * L).toBe(0); // declines only when there is nothing to add
        return;
      }
      ran++;
      expectSameBits(got, want);
    }), { numRuns: 300, seed: 17 });
    expect(ran).toBeGreaterThan(150);
  });

  it('sumAxes takes it for a conv bias gradient and gives the bits of the loop and of the reference', () => {
    const arb = fc.record({
      N: fc.integer({ min: 0, max: 3 }), O: fc.integer({ min: 1, max: 19 }), H: fc.integer({ min: 1, max: 5 }), W: fc.integer({ min: 1, max: 5 }),
      off: fc.nat(3), specials: fc.boolean(), seed: fc.integer(),
    });
    fc.assert(fc.property(arb, ({ N, O, H, W, off, specials, seed }) => {
      const x = ndarray(values(off + N * O * H * W, seed, specials), [N, O, H, W], undefined, off);
      const got = sumAxes(x, [0, 2, 3]);
      simdSum.enabled = false;
      const loop = sumAxes(x, [0, 2, 3]);
      simdSum.enabled = true;
      expect(got).toBeInstanceOf(Float32Array);
      expectSameBits(got, loop);
      expectSameBits(got, reduceAxes(x, [0, 2, 3], sumRun));
    }), { numRuns: 200, seed: 18 });
  });

  it('declines a switched-off kernel and an empty input (nothing written)', () => {
    const acc = new Float64Array([1, 2]);
    simdSum.enabled = false;
    expect(sumRunsWasm(new Float32Array(8), 0, 2, 2, 2, acc)).toBe(false);
    simdSum.enabled = true;
    expect(sumRunsWasm(new Float32Array(0), 0, 0, 2, 2, acc)).toBe(false);
    expect(Array.from(acc)).toEqual([1, 2]);
  });
});
