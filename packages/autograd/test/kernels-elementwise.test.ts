// The strided elementwise loops (every primitive's expression through the TypeScript block
// interpreter, the closure loops map2 and map3) against the
// reference that materializes every operand row-major first: random shapes, broadcast (stride 0)
// dimensions, permuted and flipped views, offsets, both dtypes. Kernels are internal, so this
// test imports them from src.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray, { type NdArray } from 'ndarray';
import { loopPlan } from '../src/kernels/loop-plan.js';
import { map2, map3, mapReference } from '../src/kernels/elementwise.js';
import { evaluate } from '../src/kernels/fused/evaluate.js';
import { simdElementwise } from '../src/kernels/fused/run-wasm.js';
import { input, type Expr } from '../src/kernels/fused/expr.js';
import { BINARY, COMPARE, UNARY } from '../src/ops/primitives.js';
import { scalarEval } from './fused-reference.js';
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

const X = input(0), Y = input(1);
/** Every primitive's expression of two operands (unary ones read the first). */
const exprs: [string, Expr, boolean][] = [
  ...Object.entries(UNARY).map(([k, r]) => [k, r.expr(X), false] as [string, Expr, boolean]),
  ...Object.entries(BINARY).map(([k, r]) => [k, r.expr(X, Y), false] as [string, Expr, boolean]),
  ...Object.entries(COMPARE).map(([k, f]) => [k, f(X, Y), true] as [string, Expr, boolean]),
];

const values = (a: NdArray<TypedArray>) => ({ shape: a.shape, dtype: a.data.constructor.name, data: Array.from(a.data) });

describe('strided elementwise kernels', () => {
  it('every primitive (the TypeScript interpreter, SIMD off) and map2 equal the materializing scalar reference', () => {
    simdElementwise.enabled = false;
    try {
      fc.assert(fc.property(caseArb, ({ S, la, lb, dt, seed }) => {
        const a = view(S, la, dt, seed), b = view(S, lb, dt, seed & 1 ? seed : seed + 1);
        if (a.size > 0 && seed & 2) a.data[a.offset] = NaN;
        for (const [, e, compare] of exprs) {
          const want = values(mapReference([a, b], (u, v) => scalarEval(e, [u, v], dt)));
          // Comparisons store a bool (Uint8Array) mask.
          expect(values(evaluate(e, [a, b], dt, compare ? 'bool' : dt))).toEqual(compare ? { ...want, dtype: 'Uint8Array' } : want);
        }
        expect(values(map2(a, b, Math.max))).toEqual(values(mapReference([a, b], Math.max)));
      }), { numRuns: 150 });
    } finally {
      simdElementwise.enabled = true;
    }
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

  it('handles empty operands', () => {
    const e = ndarray(new Float32Array(0), [0, 3]);
    expect(map2(e, e, (u, v) => u + v).shape).toEqual([0, 3]);
    expect(evaluate(exprs[0]![1], [e], 'float32').shape).toEqual([0, 3]);
    expect(map3(e, e, e, (u) => u).size).toBe(0);
  });
});
