// The in-place strided sum (sumAxes) against the reference reduction that moves the reduced
// axes last and sums each run (reduceAxes with sumRun): random shapes, random axis subsets,
// permuted, flipped and broadcast views, both dtypes. Bit-identical, since both add the same
// values in the same order in float64. Kernels are internal, so this test imports them from src.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { sumAxes } from '../src/kernels/reduce-sum.js';
import { reduceAxes, sumRun } from '../src/kernels/reduce.js';
import { simdRowSum } from '../src/kernels/wasm/row-sum.js';
import { expectSameBits } from './kernel-cases.js';

const caseArb = fc
  .array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 4 })
  .chain((S) => fc.record({
    S: fc.constant(S),
    axes: fc.subarray([...S.keys()]),
    perm: fc.shuffledSubarray([...S.keys()], { minLength: S.length, maxLength: S.length }),
    bcast: fc.array(fc.boolean(), { minLength: S.length, maxLength: S.length }),
    flip: fc.array(fc.boolean(), { minLength: S.length, maxLength: S.length }),
    off: fc.nat(3),
    f64: fc.boolean(),
    seed: fc.integer(),
  }));

describe('sumAxes', () => {
  it('is bit-identical to the move-axes-last reference for any view and axis set', () => {
    fc.assert(fc.property(caseArb, ({ S, axes, perm, bcast, flip, off, f64, seed }) => {
      const strides = new Array<number>(S.length).fill(0);
      let acc = 1;
      for (let j = perm.length - 1; j >= 0; j--) {
        const i = perm[j]!;
        strides[i] = bcast[i] ? 0 : acc;
        acc *= bcast[i] ? 1 : S[i]!;
      }
      const data = new (f64 ? Float64Array : Float32Array)(off + acc);
      let s = seed | 0;
      for (let i = 0; i < data.length; i++) {
        s = (Math.imul(s, 1103515245) + 12345) | 0;
        data[i] = ((s >>> 8) % 2001) / 997 - 1;
      }
      let offset = off;
      S.forEach((d, i) => {
        if (flip[i] && d > 0 && strides[i]! !== 0) {
          offset += (d - 1) * strides[i]!;
          strides[i] = -strides[i]!;
        }
      });
      const x = ndarray(data, S.slice(), strides, offset);
      const got = sumAxes(x, axes);
      const want = reduceAxes(x, axes, sumRun);
      expect(got.constructor).toBe(want.constructor);
      expect(Array.from(got)).toEqual(Array.from(want));
    }), { numRuns: 400 });
  });
  it('is bit-identical on contiguous rows summed into a row of cells (a bias gradient), several blocks of four rows', () => {
    const arb = fc.record({
      lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), rows: fc.integer({ min: 0, max: 13 }), n: fc.integer({ min: 1, max: 9 }),
      reduceLead: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }), off: fc.nat(3), f64: fc.boolean(),
    });
    fc.assert(fc.property(arb, ({ lead, rows, n, reduceLead, off, f64 }) => {
      const S = [...lead, rows, n];
      const size = S.reduce((p, d) => p * d, 1);
      const data = new (f64 ? Float64Array : Float32Array)(off + size);
      // Values of mixed magnitude, so a different order of additions would change the rounding.
      for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 12.9898) * 10 ** ((i % 7) - 3);
      const axes = [...lead.keys()].filter((i) => reduceLead[i]).concat([lead.length]);
      const x = ndarray(data, S, undefined, off);
      const got = sumAxes(x, axes);
      const want = reduceAxes(x, axes, sumRun);
      expect(Array.from(got)).toEqual(Array.from(want));
    }), { numRuns: 200 });
  });
  it('sums float32 rows into cells in WebAssembly bit for bit (eight cells a vector pass, the rest in the loop; chunked rows; strided rows)', () => {
    const arb = fc.record({
      lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 1 }), rows: fc.integer({ min: 0, max: 40 }), n: fc.integer({ min: 0, max: 41 }),
      pad: fc.constantFrom(0, 0, 3), off: fc.nat(3), chunkBytes: fc.constantFrom(32, 100, 256 * 1024), special: fc.boolean(),
    });
    const saved = { ...simdRowSum };
    simdRowSum.minValues = 0;
    try {
      fc.assert(fc.property(arb, ({ lead, rows, n, pad, off, chunkBytes, special }) => {
        simdRowSum.chunkBytes = chunkBytes;
        const S = [...lead, rows, n];
        // Rows `pad` values apart beyond their n (a column slice), so rows are not one block.
        const strides = [...lead.map(() => rows * (n + pad)), n + pad, 1];
        const data = new Float32Array(off + S.slice(0, -1).reduce((p, d) => p * d, 1) * (n + pad));
        // Values of mixed magnitude with ±2^60 among them, so that adding in another order changes even the
        // float32 result (1 + 2^60 − 2^60 is 0 in float64, 1 + (2^60 − 2^60) is 1); some NaN, ±0, ±Infinity.
        const big = (i: number) => (i % 5 === 1 ? 2 ** 60 : i % 5 === 3 ? -(2 ** 60) : Math.sin(i * 12.9898) * 10 ** ((i % 7) - 3));
        for (let i = 0; i < data.length; i++) data[i] = special && i % 37 === 5 ? [NaN, -0, Infinity, -Infinity][i % 4]! : big(i % 3 === 0 ? i : i * 7);
        const x = ndarray(data, S, strides, off);
        const axes = [...lead.keys(), lead.length];
        expectSameBits(sumAxes(x, axes), reduceAxes(x, axes, sumRun));
      }), { numRuns: 300 });
    } finally {
      Object.assign(simdRowSum, saved);
    }
  });
  it('is bit-identical on runs summed into a column of cells (a conv bias gradient: [N, O, L] over N and L), several blocks of four runs', () => {
    const arb = fc.record({
      N: fc.integer({ min: 0, max: 3 }), O: fc.integer({ min: 1, max: 13 }), L: fc.integer({ min: 1, max: 9 }),
      keepN: fc.boolean(), flipL: fc.boolean(), off: fc.nat(3), f64: fc.boolean(),
    });
    fc.assert(fc.property(arb, ({ N, O, L, keepN, flipL, off, f64 }) => {
      const data = new (f64 ? Float64Array : Float32Array)(off + N * O * L);
      // Values of mixed magnitude, so a different order of additions would change the rounding.
      for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 12.9898) * 10 ** ((i % 7) - 3);
      const x = flipL && L > 1
        ? ndarray(data, [N, O, L], [O * L, L, -1], off + L - 1)
        : ndarray(data, [N, O, L], undefined, off);
      const axes = keepN ? [2] : [0, 2];
      const got = sumAxes(x, axes);
      const want = reduceAxes(x, axes, sumRun);
      expect(Array.from(got)).toEqual(Array.from(want));
    }), { numRuns: 200 });
  });
});
