// The implicit-gemm conv kernels (kernels/wasm/conv-implicit.ts, conv-module.ts) against conv.ts
// with the WebAssembly arena path off (im2col, plain gemm, col2im, the TypeScript bias reorder): bit for
// bit, for random batches, channel counts that leave partial 4- and 8-channel strips, groups,
// windows, strides, dilation, biases, seeded one-image chunks and uneven last chunks, size-1
// dimensions, the demo CNN's shapes, and with every chunk computed by the worker threads alone.
// Kernels are internal, so this test imports them from src.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { convBatching, convForward, convInputGrad, convWeightGrad, type ConvDims } from '../src/kernels/conv.js';
import { arenaConv } from '../src/kernels/wasm/conv-wasm.js';
import { forwardFits, implicitForward, implicitInputGrad, implicitWeightGrad, PACK_THREADS, weightGradFits } from '../src/kernels/wasm/conv-implicit.js';
import { lastWorkerChunks, threading, workersReady } from '../src/kernels/wasm/gemm-threads.js';
import { expectSameBits, pair, seededFloats as random } from './kernel-cases.js';

const budget = convBatching.panelElems;
const minMacs = threading.minMacs, packMin = PACK_THREADS.minElems;
afterEach(() => {
  PACK_THREADS.minElems = packMin;
  convBatching.panelElems = budget;
  arenaConv.enabled = true;
  threading.minMacs = minMacs;
  threading.mainJoins = true;
});

interface Case { d: ConvDims; bias: boolean; seed: number }

/** Forward output and accumulated input and weight gradients from the implicit kernels (null: shape not taken) and from conv.ts with the arena off. */
function both({ d, bias, seed }: Case) {
  const { N, C, O, groups, geo } = d;
  const L = geo.oH * geo.oW;
  const x = random(N * C * geo.H * geo.W, seed);
  const w = random(O * (C / groups) * geo.kH * geo.kW, seed + 1);
  const bv = bias ? random(O, seed + 2) : null;
  const gy = random(N * O * L, seed + 3);
  const out = () => new Float32Array(N * O * L).fill(NaN);
  // Gradients accumulate onto values with some −0s, which only an exact add of nothing keeps.
  const withNegZeros = (a: Float32Array) => a.map((e, i) => (i % 7 === 3 ? -0 : e));
  const dw0 = () => withNegZeros(random(w.length, seed + 5));
  const dx0 = () => withNegZeros(random(x.length, seed + 4));
  arenaConv.enabled = true;
  const fOut = out(), fDw = dw0(), fDx = dx0();
  const fwd = forwardFits(d) ? (expect(implicitForward(x, w, bv, d, fOut)).toBe(true), fOut) : null;
  const ig = forwardFits(d) ? (expect(implicitInputGrad(gy, w, d, fDx)).toBe(true), fDx) : null;
  const wg = weightGradFits(d) ? (expect(implicitWeightGrad(x, gy, d, fDw)).toBe(true), fDw) : null;
  arenaConv.enabled = false;
  const rOut = out(), rDw = dw0(), rDx = dx0();
  convForward(x, w, bv, d, rOut);
  convInputGrad(gy, w, d, rDx);
  convWeightGrad(x, gy, d, rDw);
  return { fwd, ig, wg, rOut, rDx, rDw };
}

function check(c: Case): void {
  const { fwd, ig, wg, rOut, rDx, rDw } = both(c);
  if (fwd) expectSameBits(fwd, rOut);
  if (ig) expectSameBits(ig, rDx);
  if (wg) expectSameBits(wg, rDw);
}

const geometry = (r: { k: [number, number]; sH: number; sW: number; dl: [number, number]; oH: number; oW: number }) => ({
  H: (r.oH - 1) * r.sH + r.dl[0] * (r.k[0] - 1) + 1, W: (r.oW - 1) * r.sW + r.dl[1] * (r.k[1] - 1) + 1,
  kH: r.k[0], kW: r.k[1], sH: r.sH, sW: r.sW, pH: 0, pW: 0, dH: r.dl[0], dW: r.dl[1], oH: r.oH, oW: r.oW,
});

const caseArb = fc.record({
  N: fc.integer({ min: 1, max: 5 }), groups: fc.integer({ min: 1, max: 2 }), cPer: fc.integer({ min: 1, max: 3 }),
  oPer: fc.integer({ min: 1, max: 11 }), k: pair(1, 5), sH: fc.integer({ min: 1, max: 3 }), sW: fc.constantFrom(1, 1, 2),
  dl: pair(1, 2), oH: fc.integer({ min: 1, max: 5 }), oW: fc.constantFrom(8, 16, 24, 5, 13), bias: fc.boolean(),
  budget: fc.constantFrom(1, 700, 3000, 1 << 22), seed: fc.integer(),
}).map((r) => ({
  d: { N: r.N, C: r.groups * r.cPer, O: r.groups * r.oPer, groups: r.groups, geo: geometry(r) } as ConvDims,
  bias: r.bias, budget: r.budget, seed: r.seed,
}));

describe('implicit-gemm conv kernels, float32', () => {
  it('equal conv.ts with the arena off, bit for bit', () => {
    let taken = 0;
    fc.assert(fc.property(caseArb, (c) => {
      convBatching.panelElems = c.budget;
      fc.pre(forwardFits(c.d) || weightGradFits(c.d));
      taken++;
      check(c);
    }), { numRuns: 150, seed: 41 });
    expect(taken).toBe(150);
  });

  it('equal it on size-1 dimensions: one image (the seeded forward), one channel, a 1×1 window, one output row', () => {
    const g = (oH: number, oW: number, k: number) => geometry({ k: [k, k], sH: 1, sW: 1, dl: [1, 1], oH, oW });
    const cases: ConvDims[] = [
      { N: 1, C: 1, O: 1, groups: 1, geo: g(8, 128, 1) },
      { N: 1, C: 3, O: 5, groups: 1, geo: g(4, 24, 3) },
      { N: 4, C: 1, O: 16, groups: 1, geo: g(1, 64, 1) },
      { N: 2, C: 2, O: 2, groups: 2, geo: g(16, 32, 1) },
    ];
    for (const d of cases) {
      expect(forwardFits(d) && weightGradFits(d)).toBe(true);
      for (const bias of [true, false]) check({ d, bias, seed: 9 });
    }
  });

  it("equal it on the demo CNN's two layers", () => {
    const g = (H: number) => geometry({ k: [5, 5], sH: 1, sW: 1, dl: [1, 1], oH: H - 4, oW: H - 4 });
    check({ d: { N: 32, C: 1, O: 16, groups: 1, geo: g(28) }, bias: true, seed: 1 });
    check({ d: { N: 32, C: 16, O: 32, groups: 1, geo: g(12) }, bias: true, seed: 2 });
  });

  it.skipIf(threading.workers === 0)('equal it with every chunk done by the worker threads alone', () => {
    const d: ConvDims = { N: 3, C: 4, O: 10, groups: 2, geo: geometry({ k: [3, 2], sH: 2, sW: 1, dl: [1, 2], oH: 3, oW: 16 }) };
    threading.minMacs = 0;
    PACK_THREADS.minElems = 0;
    check({ d, bias: true, seed: 3 }); // starts the workers if need be
    expect(workersReady(20_000)).toBe(true);
    threading.mainJoins = false;
    check({ d, bias: true, seed: 4 });
    // A group's weight gradient: 3 tap strips (12 taps) × one 8-channel strip, all by workers.
    expect(implicitWeightGrad(random(3 * 4 * 7 * 18, 5), random(3 * 10 * 48, 6), d, new Float32Array(10 * 12))).toBe(true);
    expect(lastWorkerChunks()).toBe(3);
  });
});
