// The generated WebAssembly SIMD kernels (kernels/fused/wasm-codegen.ts) against the TypeScript
// block interpreter (run-js.ts), which is their reference: every SIMD-lowerable primitive of the
// table and random fused chains of them, random sizes (0, 1, non-multiples of the vector width,
// large), both dtypes, contiguous, broadcast-row, per-row and broadcast-scalar operands, special
// values (±0, ±Inf, NaN, subnormals, float32 exp's overflow/underflow edges). Results must be
// bit-identical, float32 exp included (its scalar twin performs the same float32 operations); that
// twin stays within EXP_ULP of Math.exp rounded to float32. Kernels are internal: imported from src.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { runWasm, simdElementwise, simdElementwiseAvailable, type Operand } from '../src/kernels/fused/run-wasm.js';
import { runJs } from '../src/kernels/fused/run-js.js';
import { evaluate } from '../src/kernels/fused/evaluate.js';
import { bin, constant, input, select, simdLowerable, un, type Expr, type UnaryKind, type BinaryKind } from '../src/kernels/fused/expr.js';
import { expF32 } from '../src/kernels/fused/exp-f32.js';
import { BINARY, COMPARE, UNARY } from '../src/ops/primitives.js';
import { scalarEval } from './fused-reference.js';
import type { TypedArray } from '../src/dtype.js';
import { expectSameBits as expectSame } from './kernel-cases.js';

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

const bits32 = (v: number) => new Int32Array(new Float32Array([v]).buffer)[0]!;
/** Distance in float32 steps (ordered integer view), counting −0 and +0 as equal. */
const ulps32 = (a: number, b: number) => {
  const key = (v: number) => { const i = bits32(v); return i < 0 ? -(i & 0x7fffffff) : i; };
  return Math.abs(key(a) - key(b));
};

const X = input(0), Y = input(1), Z = input(2);
/** Every primitive of the table, as an expression of up to two operands. */
const TABLE: [string, Expr][] = [
  ...Object.entries(UNARY).map(([k, r]) => [k, r.expr(X)] as [string, Expr]),
  ...Object.entries(BINARY).map(([k, r]) => [k, r.expr(X, Y)] as [string, Expr]),
  ...Object.entries(COMPARE).map(([k, f]) => [k, f(X, Y)] as [string, Expr]),
];

/** Random chains of SIMD-lowerable nodes over three operands, as fusion builds them (shared subtrees included). */
const SIMD_UNARY: UnaryKind[] = ['neg', 'abs', 'sqrt', 'square', 'relu', 'exp'];
const SIMD_BINARY: BinaryKind[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'];
const chainArb: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(X, Y, Z, constant(0.5), constant(-2)),
    fc.tuple(fc.constantFrom(...SIMD_UNARY), tie('e')).map(([k, a]) => un(k, a)),
    fc.tuple(fc.constantFrom(...SIMD_BINARY), tie('e'), tie('e')).map(([k, a, b]) => bin(k, a, b)),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, a, b]) => select(c, a, b)),
    tie('e').map((a) => bin('add', a, a)),
  ),
})).e;

/** Operand layouts of a rows × width loop: [outer step, inner step]. */
const LAYOUTS = { full: (w: number) => [w, 1], row: () => [0, 1], col: () => [1, 0], one: () => [0, 0] } as const;
type LayoutName = keyof typeof LAYOUTS;

/** The SIMD kernel and the interpreter on the same operands (rows × width, each operand with its layout at an offset). */
function both(dt: DT, e: Expr, vals: number[][], rows: number, width: number, layouts: LayoutName[], off: number): { got: TypedArray | null; want: TypedArray; scalar: number[] } {
  const n = rows * width;
  const ops: Operand[] = layouts.map((l, k) => {
    const [outer, inner] = LAYOUTS[l](width);
    return { data: arrayOf(dt, vals[k] ?? [1], n + off + 1), offset: off, outer: outer!, inner: inner! };
  });
  const shape = rows === 1 ? [width] : [rows, width];
  const views = ops.map((o) => ndarray(o.data, shape, rows === 1 ? [o.inner] : [o.outer, o.inner], o.offset));
  const want = dt === 'float32' ? new Float32Array(n) : new Float64Array(n);
  runJs(e, views, shape, dt, want);
  const got = dt === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const scalar: number[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) scalar.push(scalarEval(e, ops.map((o) => o.data[o.offset + r * o.outer + c * o.inner]!), dt));
  return { got: runWasm(e, ops, rows, width, got) ? got : null, want, scalar };
}

describe.each(['float32', 'float64'] as const)('SIMD elementwise %s', (dt) => {
  it('validates and compiles here', () => {
    expect(simdElementwiseAvailable(dt)).toBe(true);
  });

  it.each(TABLE.map(([k]) => k))('%s: the generated kernel equals the interpreter bit for bit, flat runs (vector and splat operands)', (name) => {
    const e = TABLE.find(([k]) => k === name)![1];
    if (!simdLowerable(e, dt)) {
      // JavaScript-only primitives (opaque scalar functions, float64 exp) never take the SIMD path.
      simdElementwise.minSize = 0;
      expect(both(dt, e, [[1]], 1, 64, ['full', 'full'], 0).got).toBeNull();
      return;
    }
    fc.assert(fc.property(
      fc.array(valueArb(dt), { minLength: 1, maxLength: 64 }), fc.array(valueArb(dt), { minLength: 1, maxLength: 64 }), sizeArb,
      fc.constantFrom<LayoutName[]>(['full', 'full'], ['full', 'one'], ['one', 'full']), fc.integer({ min: 0, max: 5 }),
      (va, vb, n, layouts, off) => {
        simdElementwise.minSize = 0;
        const { got, want } = both(dt, e, [va, vb], 1, n, layouts, off);
        if (n === 0) { expect(got).toBeNull(); return; }
        expectSame(got!, want);
      },
    ), { numRuns: 25 });
  });

  it('random fused chains: the generated kernel equals the interpreter and the scalar reference, all row layouts', () => {
    fc.assert(fc.property(
      chainArb, fc.array(fc.array(valueArb(dt), { minLength: 1, maxLength: 32 }), { minLength: 3, maxLength: 3 }),
      fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 90 }),
      fc.array(fc.constantFrom<LayoutName>('full', 'row', 'col', 'one'), { minLength: 3, maxLength: 3 }),
      fc.integer({ min: 0, max: 3 }), fc.constantFrom(7, 64, 16384),
      (e, vals, rows, width, layouts, off, chunk) => {
        if (!simdLowerable(e, dt)) return;
        Object.assign(simdElementwise, { minSize: 0, minWidth: 0, chunk });
        const { got, want, scalar } = both(dt, e, vals, rows, width, layouts, off);
        expect(got).not.toBeNull();
        expectSame(got!, want);
        expectSame(want, scalar);
      },
    ), { numRuns: 150 });
  });
});

describe('SIMD elementwise dispatch', () => {
  it('float32 exp (the kernel and its scalar twin) stays within the ulp bound over the whole finite range, with exact edges', () => {
    const n = 1_000_003;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = -105 + (195 * i) / n;
    const got = evaluate(un('exp', X), [ndarray(x, [n])], 'float32').data;
    let worst = 0, twinDiffers = 0, edgeWrong = 0;
    for (let i = 0; i < n; i++) {
      const want = Math.fround(Math.exp(x[i]!));
      if (i % 7 === 0 && !Object.is(expF32(x[i]!), got[i])) twinDiffers++;
      if (want === 0 || want === Infinity) edgeWrong += +(got[i] !== want);
      else worst = Math.max(worst, ulps32(got[i]!, want));
    }
    expect({ worst: worst <= EXP_ULP, twinDiffers, edgeWrong }).toEqual({ worst: true, twinDiffers: 0, edgeWrong: 0 });
  });

  it('evaluate takes the SIMD path above the threshold and gives the interpreter result', () => {
    const n = simdElementwise.minSize + 13;
    const x = ndarray(Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 30), [n]);
    const y = ndarray(Float32Array.from({ length: n }, (_, i) => Math.cos(i) + 2), [n]);
    const s = ndarray(new Float32Array([3]), [n], [0]);
    const e = bin('add', bin('mul', X, Y), un('exp', X));
    for (const [u, v] of [[x, y], [x, s], [s, y]] as const) {
      const fast = evaluate(e, [u, v], 'float32').data;
      simdElementwise.enabled = false;
      try { expectSame(fast, evaluate(e, [u, v], 'float32').data); } finally { simdElementwise.enabled = true; }
    }
  });

  it('leaves small, strided and mixed-dtype operands to the TypeScript loops', () => {
    const a = new Float32Array(10000), b = new Float64Array(10000);
    const e = bin('add', X, Y), out = new Float32Array(5000);
    expect(runWasm(e, [{ data: a, offset: 0, outer: 0, inner: 1 }, { data: a, offset: 0, outer: 0, inner: 1 }], 1, 100, out)).toBe(false);
    expect(runWasm(e, [{ data: a, offset: 0, outer: 0, inner: 2 }, { data: a, offset: 0, outer: 0, inner: 1 }], 1, 5000, out)).toBe(false);
    expect(runWasm(e, [{ data: a, offset: 0, outer: 0, inner: 1 }, { data: b, offset: 0, outer: 0, inner: 1 }], 1, 5000, out)).toBe(false);
    expect(runWasm(un('exp', X), [{ data: b, offset: 0, outer: 0, inner: 1 }], 1, 5000, new Float64Array(5000))).toBe(false);
    simdElementwise.enabled = false;
    expect(runWasm(un('neg', X), [{ data: a, offset: 0, outer: 0, inner: 1 }], 1, 5000, out)).toBe(false);
  });
});
