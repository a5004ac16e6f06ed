// The WebAssembly im2col/col2im (kernels/wasm/im2col-*.ts) against the TypeScript loops of
// kernels/im2col.ts, which stay the reference: bit-identical panels and accumulated gradients for
// random channels, image counts, windows, strides, padding, dilation and widths that are not a
// multiple of the vector width, including windows that overhang the input entirely.
// Kernels are internal, so this test imports them from src.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { col2im, im2col, type Geometry } from '../src/kernels/im2col.js';
import { expectSameBits as expectSame, pair, seededFloats as random, windowGeometry } from './kernel-cases.js';
import { col2imBatch, im2colBatch, simdIm2col } from '../src/kernels/wasm/im2col-wasm.js';

afterEach(() => { simdIm2col.enabled = true; });

const caseArb = fc.record({
  cnt: fc.integer({ min: 1, max: 4 }), C: fc.integer({ min: 1, max: 3 }),
  k: pair(1, 5), s: pair(1, 3), p: pair(0, 2), dl: pair(1, 2), extra: pair(0, 13), seed: fc.integer(),
}).map((r) => {
  const g: Geometry = windowGeometry(r);
  return { ...r, g };
});

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
