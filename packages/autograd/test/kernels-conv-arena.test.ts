// conv.ts's float32 kernels run in the gemm's WebAssembly memory (kernels/wasm/conv-wasm.ts)
// against the same kernels with that path switched off (panels and products copied through JS
// scratch buffers, the bias reorder in a TypeScript loop): bit-identical outputs and accumulated
// gradients for random batches, channels, groups, windows, strides, padding, dilation, biases,
// and panel budgets that force one image per chunk, uneven chunks or the whole batch at once.
// Kernels are internal, so this test imports them from src.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { convBatching, convForward, convInputGrad, convWeightGrad, type ConvDims } from '../src/kernels/conv.js';
import { arenaConv, convForwardArena, convInputGradArena, sweepThreads } from '../src/kernels/wasm/conv-wasm.js';
import { blocking, tiles } from '../src/kernels/wasm/gemm-wasm.js';
import { expectSameBits as expectSame, pair, seededFloats as random, windowGeometry } from './kernel-cases.js';
import { lastWorkerChunks, threading, workersReady } from '../src/kernels/wasm/gemm-threads.js';

const sweepMin = sweepThreads.minElems;
const kc = blocking.kc, tile = tiles.float32;

const budget = convBatching.panelElems;
afterEach(() => {
  convBatching.panelElems = budget;
  arenaConv.enabled = true;
  arenaConv.implicit = true;
  sweepThreads.minElems = sweepMin;
  threading.mainJoins = true;
  blocking.kc = kc;
  tiles.float32 = tile;
});

const caseArb = fc
  .record({
    N: fc.integer({ min: 1, max: 6 }), groups: fc.integer({ min: 1, max: 3 }),
    cPer: fc.integer({ min: 1, max: 4 }), oPer: fc.integer({ min: 1, max: 5 }),
    k: pair(1, 4), s: pair(1, 3), p: pair(0, 2), dl: pair(1, 2),
    extra: pair(0, 9), bias: fc.boolean(),
    budget: fc.constantFrom(1, 60, 300, 1 << 22), seed: fc.integer(),
  })
  .map((r) => {
    const geo = windowGeometry(r);
    const d: ConvDims = { N: r.N, C: r.groups * r.cPer, O: r.groups * r.oPer, groups: r.groups, geo };
    return { d, bias: r.bias, budget: r.budget, seed: r.seed };
  });

/** Runs all three kernels with the arena path on, then off, from the same inputs; gradients accumulate onto `seed`-dependent values. */
function both(d: ConvDims, bias: boolean, seed: number) {
  const { N, C, O, groups, geo } = d;
  const L = geo.oH * geo.oW;
  const x = random(N * C * geo.H * geo.W, seed);
  const w = random(O * (C / groups) * geo.kH * geo.kW, seed + 1);
  const bv = bias ? random(O, seed + 2) : null;
  const gy = random(N * O * L, seed + 3);
  const run = (on: boolean) => {
    arenaConv.enabled = on;
    const out = new Float32Array(N * O * L).fill(NaN);
    convForward(x, w, bv, d, out);
    const dx = random(x.length, seed + 4);
    convInputGrad(gy, w, d, dx);
    const dw = random(w.length, seed + 5);
    convWeightGrad(x, gy, d, dw);
    return [out, dx, dw] as const;
  };
  return [run(true), run(false)] as const;
}

describe('conv kernels in the gemm memory, float32', () => {
  it('equal conv.ts with the path off, bit for bit', () => {
    fc.assert(fc.property(caseArb, ({ d, bias, budget: b, seed }) => {
      convBatching.panelElems = b;
      const [on, off] = both(d, bias, seed);
      for (let i = 0; i < 3; i++) expectSame(on[i]!, off[i]!);
    }), { numRuns: 200, seed: 21 });
  });

  it('equal it on windows without padding, as implicit gemms (conv-implicit.ts) and as im2col + gemm, under any gemm blocking', () => {
    const directArb = fc.record({
      N: fc.integer({ min: 1, max: 4 }), groups: fc.integer({ min: 1, max: 2 }), cPer: fc.integer({ min: 1, max: 3 }),
      oPer: fc.integer({ min: 1, max: 6 }), k: pair(1, 4), sH: fc.integer({ min: 1, max: 3 }), sW: fc.constantFrom(1, 1, 2), dl: pair(1, 2),
      oH: fc.integer({ min: 1, max: 4 }), oW: fc.constantFrom(8, 16), bias: fc.boolean(),
      budget: fc.constantFrom(1, 500, 1 << 22), kc: fc.constantFrom(4, 8, 256), unroll: fc.constantFrom(1, 2), seed: fc.integer(),
      implicit: fc.boolean(),
    });
    fc.assert(fc.property(directArb, (r) => {
      convBatching.panelElems = r.budget;
      arenaConv.implicit = r.implicit;
      blocking.kc = r.kc;
      tiles.float32 = { ...tile, unroll: r.unroll };
      const H = (r.oH - 1) * r.sH + r.dl[0] * (r.k[0] - 1) + 1, W = (r.oW - 1) * r.sW + r.dl[1] * (r.k[1] - 1) + 1;
      const geo = { H, W, kH: r.k[0], kW: r.k[1], sH: r.sH, sW: r.sW, pH: 0, pW: 0, dH: r.dl[0], dW: r.dl[1], oH: r.oH, oW: r.oW };
      const [on, off] = both({ N: r.N, C: r.groups * r.cPer, O: r.groups * r.oPer, groups: r.groups, geo }, r.bias, r.seed);
      for (let i = 0; i < 3; i++) expectSame(on[i]!, off[i]!);
    }), { numRuns: 120, seed: 22 });
  });

  it('equal it on products large enough for the gemm threads', () => {
    const geo = { H: 12, W: 12, kH: 5, kW: 5, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, oH: 8, oW: 8 };
    for (const groups of [1, 2]) {
      const [on, off] = both({ N: 9, C: 16, O: 32, groups, geo }, true, 7 + groups);
      for (let i = 0; i < 3; i++) expectSame(on[i]!, off[i]!);
    }
  });

  it.skipIf(threading.workers === 0)('equal it with im2col and col2im done by the worker threads alone', () => {
    const geo = { H: 9, W: 7, kH: 3, kW: 2, sH: 2, sW: 1, pH: 1, pW: 1, dH: 1, dW: 2, oH: 5, oW: 6 };
    const d: ConvDims = { N: 9, C: 4, O: 6, groups: 2, geo };
    sweepThreads.minElems = 0;
    both(d, true, 3); // starts the workers if need be
    expect(workersReady(20_000)).toBe(true);
    threading.mainJoins = false;
    const [on, off] = both(d, true, 5);
    for (let i = 0; i < 3; i++) expectSame(on[i]!, off[i]!);
    // The last threaded task of an input gradient is its col2im: every image done by a worker.
    const dx = new Float32Array(on[1].length);
    arenaConv.enabled = true;
    expect(convInputGradArena(random(9 * 6 * 30, 1), random(6 * 2 * 6, 2), d, dx)).toBe(true);
    expect(lastWorkerChunks()).toBe(9);
  });

  it('takes float32 only, and leaves empty shapes to conv.ts', () => {
    const geo = { H: 3, W: 3, kH: 2, kW: 2, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, oH: 2, oW: 2 };
    const d: ConvDims = { N: 1, C: 1, O: 1, groups: 1, geo };
    expect(convForwardArena(new Float32Array(9), new Float32Array(4), null, d, new Float32Array(4))).toBe(true);
    expect(convForwardArena(new Float64Array(9), new Float64Array(4), null, d, new Float64Array(4))).toBe(false);
    expect(convForwardArena(new Float32Array(0), new Float32Array(4), null, { ...d, N: 0 }, new Float32Array(0))).toBe(false);
  });
});
