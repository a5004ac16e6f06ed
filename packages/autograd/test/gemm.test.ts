// The WebAssembly SIMD gemm against the plain-JS one, which is the reference: every transpose
// combination, offsets, accumulate, both dtypes, sizes that are not multiples of the tile, several
// cache blockings and register tiles; and bit for bit against its summation order written out
// (gemm-reference.ts). Kernels are internal, so this test imports them from src.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import v8 from 'node:v8';
import { gemm, gemmJs } from '../src/kernels/gemm.js';
import { blocking, gemmWasm, tiles, wasmGemmAvailable } from '../src/kernels/wasm/gemm-wasm.js';
import { expectSameBits, gemmSequential } from './gemm-reference.js';

type DT = 'float32' | 'float64';
const Arr = (dt: DT) => (dt === 'float32' ? Float32Array : Float64Array);
const defaults = { blocking: { ...blocking }, tiles: { ...tiles } };
afterEach(() => {
  Object.assign(blocking, defaults.blocking);
  Object.assign(tiles, defaults.tiles);
});

interface Case {
  m: number; n: number; k: number;
  transA: boolean; transB: boolean; accumulate: boolean;
  aOff: number; bOff: number; cOff: number;
  dtype: DT;
  seed: number;
}

/** Small sizes around the tile (4×8 / 4×4) and, sometimes, ones that span several cache blocks. */
const sizeArb = (max: number) => fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 13 }) }, fc.integer({ min: 1, max }));
const caseArb: fc.Arbitrary<Case> = fc.record({
  m: sizeArb(130), n: sizeArb(130), k: sizeArb(300),
  transA: fc.boolean(), transB: fc.boolean(), accumulate: fc.boolean(),
  aOff: fc.nat(5), bOff: fc.nat(5), cOff: fc.nat(5),
  dtype: fc.constantFrom<DT>('float32', 'float64'),
  seed: fc.integer(),
});

/** Deterministic values in [-1, 1) from a seed (xorshift), so a shrunk case replays exactly. */
function fill(x: Float32Array | Float64Array, seed: number, integers = false): void {
  let s = seed | 1;
  for (let i = 0; i < x.length; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    x[i] = integers ? ((s >>> 0) % 7) - 3 : (s >>> 0) / 2 ** 31 - 1; // integers: no -0, so signs of zero agree
  }
}

/** Operands with sentinels around every matrix (offset before, 3 spare entries after). */
function operands(c: Case, integers = false) {
  const T = Arr(c.dtype);
  const a = new T(c.aOff + c.m * c.k + 3);
  const b = new T(c.bOff + c.k * c.n + 3);
  const out = new T(c.cOff + c.m * c.n + 3);
  fill(a, c.seed, integers);
  fill(b, c.seed + 1, integers);
  fill(out, c.seed + 2, integers);
  return { a, b, out };
}

/** Runs the case through the WebAssembly kernel and the JS one; returns both results and a bound. */
function both(c: Case, integers = false) {
  const { a, b, out } = operands(c, integers);
  const js = out.slice();
  const wasm = out.slice();
  gemmJs(c.m, c.n, c.k, a, c.aOff, c.transA, b, c.bOff, c.transB, js, c.cOff, c.accumulate);
  expect(gemmWasm(c.m, c.n, c.k, a, c.aOff, c.transA, b, c.bOff, c.transB, wasm, c.cOff, c.accumulate)).toBe(true);
  // Both results are within k·eps·Σ|a||b| (+ eps·|C| when accumulating) of the exact product.
  const abs = (x: Float32Array | Float64Array) => Float64Array.from(x, Math.abs);
  const bound = new Float64Array(out.length);
  gemmJs(c.m, c.n, c.k, abs(a), c.aOff, c.transA, abs(b), c.bOff, c.transB, bound, c.cOff, false);
  const eps = c.dtype === 'float32' ? 2 ** -24 : 2 ** -53;
  const tol = bound.map((s, i) => 2 * (c.k + 1) * eps * (s + (c.accumulate ? Math.abs(out[i]!) : 0)) + 1e-300);
  return { js, wasm, out, tol };
}

/** The WebAssembly result equals {@link gemmSequential}'s bit for bit, sentinels included. */
function expectBitExact(c: Case): void {
  const { a, b, out } = operands(c);
  const want = out.slice();
  const got = out.slice();
  gemmSequential(c.m, c.n, c.k, a, c.aOff, c.transA, b, c.bOff, c.transB, want, c.cOff, c.accumulate);
  expect(gemmWasm(c.m, c.n, c.k, a, c.aOff, c.transA, b, c.bOff, c.transB, got, c.cOff, c.accumulate)).toBe(true);
  expectSameBits(got, want, JSON.stringify(c));
}

function expectClose(c: Case): void {
  const { js, wasm, out, tol } = both(c);
  for (let i = 0; i < out.length; i++) {
    const inside = i >= c.cOff && i < c.cOff + c.m * c.n;
    if (!inside) expect(wasm[i], `sentinel ${i} overwritten`).toBe(out[i]);
    else if (!(Math.abs(wasm[i]! - js[i]!) <= tol[i]!)) {
      expect.fail(`C[${i - c.cOff}]: wasm ${wasm[i]} vs js ${js[i]} (tolerance ${tol[i]}) for ${JSON.stringify(c)}`);
    }
  }
}

describe('gemm: WebAssembly SIMD kernel against the plain-JS reference', () => {
  it('is available on this platform (else every other test here would compare JS with JS)', () => {
    expect(wasmGemmAvailable('float32')).toBe(true);
    expect(wasmGemmAvailable('float64')).toBe(true);
  });

  it('matches for random sizes, transposes, offsets, accumulate and dtypes', () => {
    fc.assert(fc.property(caseArb, (c) => expectClose(c)), { numRuns: 150 });
  });

  it('is exact on small integers, where every rounding order gives the same sum', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { js, wasm } = both(c, true);
        expect(Array.from(wasm)).toEqual(Array.from(js));
      }),
      { numRuns: 60 },
    );
  });

  it('is bit-identical to the sequential sum in every case, under any cache blocks and register tile', () => {
    const edges: Partial<Case>[] = [
      { m: 1, n: 1, k: 1 }, { m: 1, n: 1, k: 700 }, { m: 1, n: 300, k: 1 }, { m: 300, n: 1, k: 2 }, { m: 5, n: 9, k: 513 },
    ];
    for (const e of edges) {
      for (const dtype of ['float32', 'float64'] as const) {
        for (const [transA, transB] of [[false, false], [true, true]] as const) {
          expectBitExact({ m: 1, n: 1, k: 1, transA, transB, accumulate: transA, aOff: 1, bOff: 2, cOff: 3, dtype, seed: 11, ...e });
        }
      }
    }
    const blockArb = fc.record({ kc: fc.constantFrom(4, 16, 256), mc: fc.constantFrom(4, 12, 32), bBlockBytes: fc.constantFrom(256, 2048, 512 * 1024) });
    const tileArb = fc.record({ mr: fc.integer({ min: 1, max: 6 }), nv: fc.integer({ min: 1, max: 3 }), unroll: fc.constantFrom(1, 2, 4) });
    fc.assert(
      fc.property(caseArb, blockArb, fc.option(tileArb), (c, bl, t) => {
        Object.assign(blocking, bl);
        if (t) {
          tiles.float32 = { ...tiles.float32, ...t };
          tiles.float64 = { ...tiles.float64, ...t };
        }
        expectBitExact(c);
      }),
      { numRuns: 120 },
    );
  });

  it('matches under tiny cache blocks (many k-blocks, row blocks and column blocks)', () => {
    const blockArb = fc.record({
      kc: fc.constantFrom(1, 2, 5, 16),
      mc: fc.constantFrom(1, 4, 12),
      bBlockBytes: fc.constantFrom(1, 256, 2048),
    });
    fc.assert(
      fc.property(caseArb, blockArb, (c, bl) => {
        Object.assign(blocking, bl);
        expectClose(c);
      }),
      { numRuns: 80 },
    );
  });

  it('matches with other register tiles, unrolling and k padding (the generator, not just one tile)', () => {
    const tileArb = fc.record({
      mr: fc.integer({ min: 1, max: 6 }),
      nv: fc.integer({ min: 1, max: 3 }),
      unroll: fc.constantFrom(1, 2, 4),
    });
    fc.assert(
      fc.property(caseArb, tileArb, (c, t) => {
        tiles.float32 = { ...tiles.float32, ...t };
        tiles.float64 = { ...tiles.float64, ...t };
        expectClose(c);
      }),
      { numRuns: 60 },
    );
  });

  it('matches with relaxed-SIMD multiply-add where the engine accepts it (enabled by flag in Node 20)', () => {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    tiles.float32 = { ...tiles.float32, madd: true };
    tiles.float64 = { ...tiles.float64, madd: true };
    if (!wasmGemmAvailable('float32') || !wasmGemmAvailable('float64')) return; // engine without relaxed SIMD
    fc.assert(fc.property(caseArb, (c) => expectClose(c)), { numRuns: 40 });
  });

  it('keeps working as its memory grows and shrinks back to small products', () => {
    const base: Case = { m: 1, n: 1, k: 1, transA: false, transB: true, accumulate: true, aOff: 1, bOff: 2, cOff: 3, dtype: 'float32', seed: 7 };
    for (const [m, n, k] of [[5, 9, 3], [300, 200, 700], [3, 3, 3], [640, 9, 1000], [1, 1, 1]] as const) {
      for (const dtype of ['float32', 'float64'] as const) expectClose({ ...base, m, n, k, dtype });
    }
  });

  it('propagates NaN and Infinity only into the rows and columns they belong to', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
        const [m, n, k] = [6, 10, 5];
        const T = Arr(dtype);
        const a = new T(m * k).fill(1);
        const b = new T(k * n).fill(1);
        a[transA ? 2 * m + 1 : 1 * k + 2] = Infinity; // op(A)[1, 2]
        b[transB ? 7 * k + 3 : 3 * n + 7] = NaN; // op(B)[3, 7]
        const c = new T(m * n);
        expect(gemmWasm(m, n, k, a, 0, transA!, b, 0, transB!, c, 0, false)).toBe(true);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            const want = j === 7 ? NaN : i === 1 ? Infinity : k;
            expect(c[i * n + j], `C[${i}, ${j}]`).toBe(want);
          }
        }
      }
    }
  });

  it('gemm dispatches: tiny products to JS, larger ones to WebAssembly, empty ones untouched', () => {
    for (const [m, n, k] of [[1, 1, 1], [3, 4, 5], [20, 30, 40], [0, 3, 3], [3, 0, 3], [3, 3, 0]] as const) {
      const c: Case = { m, n, k, transA: true, transB: false, accumulate: false, aOff: 0, bOff: 1, cOff: 2, dtype: 'float64', seed: 3 };
      const { a, b, out } = operands(c);
      const want = out.slice();
      gemmJs(m, n, k, a, 0, true, b, 1, false, want, 2, false);
      gemm(m, n, k, a, 0, true, b, 1, false, out, 2, false);
      for (let i = 0; i < out.length; i++) expect(Math.abs(out[i]! - want[i]!)).toBeLessThanOrEqual(1e-12);
    }
  });
});
