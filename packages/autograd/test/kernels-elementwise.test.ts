// The strided elementwise loops (map2 with and without a dedicated kind, map3) against the
// reference that materializes every operand row-major first: random shapes, broadcast (stride 0)
// dimensions, permuted and flipped views, offsets, both dtypes. Kernels are internal, so this
// test imports them from src.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray, { type NdArray } from 'ndarray';
import { loopPlan } from '../src/kernels/loop-plan.js';
import { map1, map2, map3, mapReference, type BinaryKind, type UnaryKind } from '../src/kernels/elementwise.js';
import type { TypedArray } from '../src/dtype.js';

type DT = 'float32' | 'float64';

/** How one operand of output shape S is stored: dimension order, broadcast and flipped dims, offset. */
interface Layout { perm: number[]; bcast: boolean[]; flip: boolean[]; off: number }

const layoutArb = (rank: number): fc.Arbitrary<Layout> =>
  fc.record({
    perm: fc.shuffledSubarray([...Array(rank).keys()], { minLength: rank, maxLength: rank }),
    bcast: fc.array(fc.boolean(), { minLength: rank, maxLength: rank }),
    flip: fc.array(fc.boolean(), { minLength: rank, maxLength: rank }),
    off: fc.nat(3),
  });

/** A view of shape S laid out as `l`, with values that are never 0 (div stays finite). */
function view(S: number[], l: Layout, dt: DT, seed: number): NdArray<TypedArray> {
  const T = S.map((d, i) => (l.bcast[i] ? 1 : d));
  const strides = new Array<number>(S.length).fill(0);
  let acc = 1;
  for (let j = l.perm.length - 1; j >= 0; j--) {
    const i = l.perm[j]!;
    strides[i] = l.bcast[i] ? 0 : acc;
    acc *= T[i]!;
  }
  const data = new (dt === 'float32' ? Float32Array : Float64Array)(l.off + acc);
  let s = seed | 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    data[i] = (((s >>> 8) % 1000) / 500 + 0.25) * (s & 1 ? -1 : 1);
  }
  let offset = l.off;
  S.forEach((d, i) => {
    if (l.flip[i] && strides[i]! !== 0) {
      offset += (d - 1) * strides[i]!;
      strides[i] = -strides[i]!;
    }
  });
  return ndarray(data, S.slice(), strides, offset);
}

const caseArb = fc
  .array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 4 })
  .chain((S) => fc.record({
    S: fc.constant(S),
    la: layoutArb(S.length), lb: layoutArb(S.length), lc: layoutArb(S.length),
    dt: fc.constantFrom<DT>('float32', 'float64'),
    seed: fc.integer(),
  }));

const fns: Record<BinaryKind, (u: number, v: number) => number> = {
  add: (u, v) => u + v, sub: (u, v) => u - v, mul: (u, v) => u * v, div: (u, v) => u / v,
  eq: (u, v) => (u === v ? 1 : 0), ne: (u, v) => (u !== v ? 1 : 0), lt: (u, v) => (u < v ? 1 : 0),
  le: (u, v) => (u <= v ? 1 : 0), gt: (u, v) => (u > v ? 1 : 0), ge: (u, v) => (u >= v ? 1 : 0),
};

const values = (a: NdArray<TypedArray>) => ({ shape: a.shape, dtype: a.data.constructor.name, data: Array.from(a.data) });

describe('strided elementwise kernels', () => {
  it('map2 (dedicated loops and the closure) equals the materializing reference', () => {
    fc.assert(fc.property(caseArb, ({ S, la, lb, dt, seed }) => {
      const a = view(S, la, dt, seed), b = view(S, lb, dt, seed & 1 ? seed : seed + 1);
      if (a.size > 0 && seed & 2) a.data[a.offset] = NaN;
      for (const kind of Object.keys(fns) as BinaryKind[]) {
        const want = values(mapReference([a, b], fns[kind]));
        const compare = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(kind);
        // Comparison kinds store a bool (Uint8Array) mask; the closure alone keeps the operands' dtype.
        expect(values(map2(a, b, fns[kind], kind))).toEqual(compare ? { ...want, dtype: 'Uint8Array' } : want);
        expect(values(map2(a, b, fns[kind]))).toEqual(want);
      }
      expect(values(map2(a, b, Math.max))).toEqual(values(mapReference([a, b], Math.max)));
    }), { numRuns: 300 });
  });

  it('map3 equals the reference and takes its dtype from the middle operand', () => {
    fc.assert(fc.property(caseArb, ({ S, la, lb, lc, dt, seed }) => {
      const a = view(S, la, 'float64', seed), b = view(S, lb, dt, seed + 1), c = view(S, lc, dt, seed + 2);
      const f = (u: number, v: number, w: number) => (u > 0 ? v : w * 2);
      expect(values(map3(a, b, c, f))).toEqual(values(mapReference([a, b, c], f, 1)));
    }), { numRuns: 300 });
  });

  it('a broadcast row is walked with stride 0, not copied, and contiguous loops merge into one', () => {
    expect(loopPlan([64, 256], [[256, 1], [0, 1]])).toEqual({ dims: [64, 256], steps: [[256, 1], [0, 1]] });
    expect(loopPlan([4, 1, 8, 16], [[128, 128, 16, 1], [128, 5, 16, 1]])).toEqual({ dims: [512], steps: [[1], [1]] });
    expect(loopPlan([], [[], []])).toEqual({ dims: [1], steps: [[0], [0]] });
  });

  it('map1 dedicated loops equal the closure, on views and special values', () => {
    const unary: Record<UnaryKind, (v: number) => number> = {
      neg: (v) => -v, exp: Math.exp, log: Math.log, sqrt: Math.sqrt, square: (v) => v * v, abs: Math.abs, relu: (v) => (v <= 0 ? 0 : v),
    };
    fc.assert(fc.property(caseArb, ({ S, la, dt, seed }) => {
      const a = view(S, la, dt, seed);
      if (a.size > 0) a.data[a.offset] = [NaN, Infinity, -0, 0][seed & 3]!;
      for (const kind of Object.keys(unary) as UnaryKind[]) {
        expect(values(map1(a, unary[kind], kind))).toEqual(values(map1(a, unary[kind])));
      }
    }), { numRuns: 200 });
  });

  it('handles empty operands', () => {
    const e = ndarray(new Float32Array(0), [0, 3]);
    expect(map2(e, e, fns.add, 'add').shape).toEqual([0, 3]);
    expect(map3(e, e, e, (u) => u).size).toBe(0);
  });
});
