// The WebAssembly im2col/col2im (kernels/wasm/im2col-*.ts) against the TypeScript loops of
// kernels/im2col.ts, which stay the reference: bit-identical panels and accumulated gradients for
// random channels, image counts, windows, strides, padding, dilation and widths that are not a
// multiple of the vector width, including windows that overhang the input entirely.
// Kernels are internal, so this test imports them from src.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { col2im, im2col, outputLength, type Geometry } from '../src/kernels/im2col.js';
import { col2imBatch, im2colBatch, simdIm2col } from '../src/kernels/wasm/im2col-wasm.js';

afterEach(() => { simdIm2col.enabled = true; });

const pair = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));
const caseArb = fc.record({
  cnt: fc.integer({ min: 1, max: 4 }), C: fc.integer({ min: 1, max: 3 }),
  k: pair(1, 5), s: pair(1, 3), p: pair(0, 2), dl: pair(1, 2), extra: pair(0, 13), seed: fc.integer(),
}).map((r) => {
  const size = (a: 0 | 1) => Math.max(1, r.dl[a] * (r.k[a] - 1) + 1 - 2 * r.p[a]) + r.extra[a];
  const H = size(0), W = size(1);
  const g: Geometry = {
    H, W, kH: r.k[0], kW: r.k[1], sH: r.s[0], sW: r.s[1], pH: r.p[0], pW: r.p[1], dH: r.dl[0], dW: r.dl[1],
    oH: outputLength(H, r.k[0], r.s[0], r.p[0], r.dl[0]), oW: outputLength(W, r.k[1], r.s[1], r.p[1], r.dl[1]),
  };
  return { ...r, g };
});

function random(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed | 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    a[i] = ((s >>> 8) % 20001) / 7000 - 1.3;
  }
  return a;
}

/** Identical values, −0 distinct from +0. */
function expectSame(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) expect([i, got[i]]).toEqual([i, want[i]]);
}

describe('WebAssembly im2col/col2im, float32', () => {
  it('im2col: the same panel as the TypeScript loops', () => {
    fc.assert(fc.property(caseArb, ({ cnt, C, g, seed }) => {
      const L = g.oH * g.oW, ld = cnt * L, inImage = C * g.H * g.W, rows = C * g.kH * g.kW;
      const x = random(1 + cnt * inImage, seed);
      const want = random(rows * ld, seed + 1), got = want.slice(); // stale values must be overwritten alike
      for (let n = 0; n < cnt; n++) im2col(x, 1 + n * inImage, C, g, want, n * L, ld);
      expect(im2colBatch(x, 1, cnt, C, g, got, ld)).toBe(true);
      expectSame(got, want);
    }), { numRuns: 150, seed: 12 });
  });

  it('col2im: the same accumulated gradient as the TypeScript loops', () => {
    fc.assert(fc.property(caseArb, ({ cnt, C, g, seed }) => {
      const L = g.oH * g.oW, ld = cnt * L, inImage = C * g.H * g.W, rows = C * g.kH * g.kW;
      const panel = random(rows * ld, seed);
      const want = random(2 + cnt * inImage, seed + 1), got = want.slice();
      for (let n = 0; n < cnt; n++) col2im(panel, n * L, C, g, want, 2 + n * inImage, ld);
      expect(col2imBatch(panel, cnt, C, g, got, 2, ld)).toBe(true);
      expectSame(got, want);
    }), { numRuns: 150, seed: 13 });
  });

  it('declines float64 (the TypeScript loops run)', () => {
    const g: Geometry = { H: 3, W: 3, kH: 2, kW: 2, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, oH: 2, oW: 2 };
    expect(im2colBatch(new Float64Array(9), 0, 1, 1, g, new Float64Array(16), 4)).toBe(false);
  });
});
