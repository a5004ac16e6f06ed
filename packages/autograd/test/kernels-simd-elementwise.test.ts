// The WebAssembly SIMD elementwise kernels (kernels/wasm/elementwise-*.ts) against the TypeScript
// loops of map1/map2, which stay the reference: random sizes (0, 1, non-multiples of the vector
// width, large), both dtypes, contiguous and broadcast-scalar operands, special values (±0, ±Inf,
// NaN, subnormals, float32 exp's overflow/underflow edges). Results must be bit-identical except
// float32 exp, which is a polynomial and must stay within EXP_ULP of Math.exp rounded to float32.
// Kernels are internal, so this test imports them from src.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { map1, map2, type BinaryKind, type UnaryKind } from '../src/kernels/elementwise.js';
import { simdBinary, simdBinaryRows, simdElementwise, simdElementwiseAvailable, simdUnary } from '../src/kernels/wasm/elementwise-wasm.js';
import type { TypedArray } from '../src/dtype.js';

type DT = 'float32' | 'float64';
/** Measured maximum over every float32 in [−104, 89] sampled densely: 1 ulp. */
const EXP_ULP = 2;

const saved = { ...simdElementwise };
afterEach(() => Object.assign(simdElementwise, saved));

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1, -1, 1e-45, -1e-45, 1e-40, -1e-40, 1.17e-38, 2.5e-308, 4.9e-324,
  88.72, 88.7228, 88.73, 89, -87.33, -87.34, -103.27, -103.28, -103.97, -104, -200, 200, 1e30, -1e30, 3.4e38, 1.7e308];

const valueArb = (dt: DT) => fc.oneof(
  fc.constantFrom(...SPECIAL),
  dt === 'float32' ? fc.float({ noDefaultInfinity: false }).map(Number) : fc.double(),
  fc.double({ min: -110, max: 110, noNaN: true }),
);
const sizeArb = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 9, 15, 17), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 3000, max: 70000 }));

function arrayOf(dt: DT, vals: number[], n: number): TypedArray {
  const out = dt === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = vals[i % Math.max(1, vals.length)] ?? 0;
  return out;
}

/** map1/map2 with the SIMD path switched off: the reference loops. */
function reference<T>(run: () => T): T {
  simdElementwise.enabled = false;
  try { return run(); } finally { simdElementwise.enabled = true; }
}

const bits32 = (v: number) => new Int32Array(new Float32Array([v]).buffer)[0]!;
/** Distance in float32 steps (ordered integer view), counting −0 and +0 as equal. */
const ulps32 = (a: number, b: number) => {
  const key = (v: number) => { const i = bits32(v); return i < 0 ? -(i & 0x7fffffff) : i; };
  return Math.abs(key(a) - key(b));
};

/** Identical values, NaN matching NaN and −0 distinct from +0. */
function expectSame(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) expect([i, got[i]]).toEqual([i, want[i]]);
}

describe.each(['float32', 'float64'] as const)('SIMD elementwise %s', (dt) => {
  it('validates and compiles here', () => {
    expect(simdElementwiseAvailable(dt)).toBe(true);
  });

  it.each(['neg', 'abs', 'sqrt', 'relu', 'exp'] as const)('%s matches the reference loop', (kind: UnaryKind) => {
    fc.assert(fc.property(fc.array(valueArb(dt), { maxLength: 64 }), sizeArb, (vals, n) => {
      const x = arrayOf(dt, vals, n);
      const want = reference(() => map1(ndarray(x, [n]), () => NaN, kind).data);
      simdElementwise.minSize = 0;
      const got = simdUnary(kind as 'exp', x, n);
      // float64 exp has no SIMD kernel (Math.exp is more accurate than a polynomial would be).
      if (kind === 'exp' && dt === 'float64') { expect(got).toBeNull(); return; }
      if (n === 0) { expect(got).toBeNull(); return; }
      expect(got).toBeInstanceOf(x.constructor);
      if (kind !== 'exp') { expectSame(got!, want); return; }
      for (let i = 0; i < n; i++) {
        const w = want[i]!, g = got![i]!;
        if (Number.isNaN(w) || !Number.isFinite(w) || w === 0) expect(g).toBe(w);
        else expect(ulps32(g, w)).toBeLessThanOrEqual(EXP_ULP);
      }
    }), { numRuns: 60 });
  });

  it.each(['add', 'sub', 'mul', 'div'] as const)('%s matches the reference loop, contiguous and with a broadcast scalar', (kind: BinaryKind) => {
    fc.assert(fc.property(
      fc.array(valueArb(dt), { maxLength: 64 }), fc.array(valueArb(dt), { minLength: 1, maxLength: 64 }), sizeArb,
      fc.constantFrom('vv', 'vs', 'sv'), fc.integer({ min: 0, max: 5 }),
      (va, vb, n, form, off) => {
        // Operands sit at an offset inside a longer array, as views do.
        const a = arrayOf(dt, va, n + off + 1), b = arrayOf(dt, vb, n + off + 1);
        const sa = form === 'sv' ? 0 : 1, sb = form === 'vs' ? 0 : 1;
        const want = reference(() => map2(ndarray(a, [n], [sa], off), ndarray(b, [n], [sb], off), () => NaN, kind).data);
        simdElementwise.minSize = 0;
        const got = simdBinary(kind as 'add', n, a, off, sa, b, off, sb);
        if (n === 0) { expect(got).toBeNull(); return; }
        expectSame(got!, want);
      },
    ), { numRuns: 60 });
  });
});

describe.each(['float32', 'float64'] as const)('SIMD elementwise rows %s', (dt) => {
  // Operand layouts of a rows × width product: [outer step, inner step] as map2's loop plan gives.
  const LAYOUTS = { full: (w: number) => [w, 1], row: () => [0, 1], col: () => [1, 0], one: () => [0, 0] } as const;
  it.each(['add', 'sub', 'mul', 'div'] as const)('%s with full, repeated-row, per-row and single operands matches the reference', (kind: BinaryKind) => {
    fc.assert(fc.property(
      fc.array(valueArb(dt), { minLength: 1, maxLength: 64 }), fc.array(valueArb(dt), { minLength: 1, maxLength: 64 }),
      fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 150 }), fc.constantFrom('full', 'row', 'col', 'one'),
      fc.constantFrom('full', 'row', 'col', 'one'), fc.integer({ min: 0, max: 3 }), fc.constantFrom(7, 64, 16384),
      (va, vb, rows, width, la, lb, off, chunk) => {
        const a = arrayOf(dt, va, rows * width + off), b = arrayOf(dt, vb, rows * width + off);
        const [ao, ai] = LAYOUTS[la](width), [bo, bi] = LAYOUTS[lb](width);
        const want = reference(() => map2(ndarray(a, [rows, width], [ao!, ai!], off), ndarray(b, [rows, width], [bo!, bi!], off), () => NaN, kind).data);
        Object.assign(simdElementwise, { minSize: 0, minWidth: 0, chunk });
        const got = simdBinaryRows(kind as 'add', rows, width, a, off, ao!, ai!, b, off, bo!, bi!);
        if (ai === 0 && bi === 0) { expect(got).toBeNull(); return; }
        expectSame(got!, want);
      },
    ), { numRuns: 80 });
  });
});

describe('SIMD elementwise dispatch', () => {
  it('float32 exp stays within the ulp bound over the whole finite range, with exact edges', () => {
    const n = 1_000_003;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = -105 + (195 * i) / n;
    simdElementwise.minSize = 0;
    const got = simdUnary('exp', x, n)!;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const want = Math.fround(Math.exp(x[i]!));
      if (want === 0 || want === Infinity) expect(got[i]).toBe(want);
      else worst = Math.max(worst, ulps32(got[i]!, want));
    }
    expect(worst).toBeLessThanOrEqual(EXP_ULP);
  });

  it('map1 and map2 use the SIMD path above the threshold and give the reference result', () => {
    const n = simdElementwise.minSize + 13;
    const x = ndarray(Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 30), [n]);
    const y = ndarray(Float32Array.from({ length: n }, (_, i) => Math.cos(i) + 2), [n]);
    const s = ndarray(new Float32Array([3]), [n], [0]);
    for (const kind of ['add', 'sub', 'mul', 'div'] as const) {
      for (const [u, v] of [[x, y], [x, s], [s, y]] as const) {
        expectSame(map2(u, v, () => NaN, kind).data, reference(() => map2(u, v, () => NaN, kind).data));
      }
    }
    for (const kind of ['neg', 'abs', 'sqrt', 'relu'] as const) expectSame(map1(x, () => NaN, kind).data, reference(() => map1(x, () => NaN, kind).data));
  });

  it('leaves small, strided and mixed-dtype operands to the TypeScript loops', () => {
    const a = new Float32Array(10000), b = new Float64Array(10000);
    expect(simdBinary('add', 100, a, 0, 1, a, 0, 1)).toBeNull();
    expect(simdBinary('add', 5000, a, 0, 2, a, 0, 1)).toBeNull();
    expect(simdBinary('add', 5000, a, 0, 1, b, 0, 1)).toBeNull();
    expect(simdBinary('add', 5000, a, 0, 0, a, 0, 0)).toBeNull();
    expect(simdUnary('exp', b, 5000)).toBeNull();
    simdElementwise.enabled = false;
    expect(simdUnary('neg', a, 5000)).toBeNull();
  });
});
