// The batched conv kernels (several images per patch panel, one gemm per group and chunk,
// scratch buffers reused across calls) against the per-image reference in conv-reference.ts:
// random batch, channels, groups, window, stride, padding, dilation, both dtypes, and panel
// budgets small enough to force one image per chunk, uneven chunks, or the whole batch at once.
// Kernels are internal, so this test imports them from src.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { convBatching, convForward, convInputGrad, convWeightGrad, type ConvDims } from '../src/kernels/conv.js';
import { convForwardReference, convInputGradReference, convWeightGradReference } from '../src/kernels/conv-reference.js';
import { outputLength } from '../src/kernels/im2col.js';
import { pair, windowGeometry } from './kernel-cases.js';
import { releaseScratch, scratch } from '../src/kernels/scratch.js';

const budget = convBatching.panelElems;
afterEach(() => {
  convBatching.panelElems = budget;
});

type DT = 'float32' | 'float64';

const caseArb = fc
  .record({
    N: fc.integer({ min: 1, max: 5 }), groups: fc.integer({ min: 1, max: 3 }),
    cPer: fc.integer({ min: 1, max: 3 }), oPer: fc.integer({ min: 1, max: 4 }),
    k: pair(1, 3), s: pair(1, 2), p: pair(0, 1), dl: pair(1, 2),
    extra: pair(0, 6), bias: fc.boolean(), dt: fc.constantFrom<DT>('float32', 'float64'),
    budget: fc.constantFrom(1, 60, 200, 1 << 22), seed: fc.integer(),
  })
  .map((r) => {
    // Input just large enough for the (dilated) window, plus a random margin.
    const geo = windowGeometry(r);
    const d: ConvDims = { N: r.N, C: r.groups * r.cPer, O: r.groups * r.oPer, groups: r.groups, geo };
    return { d, bias: r.bias, dt: r.dt, budget: r.budget, seed: r.seed };
  });

function random(dt: DT, n: number, seed: number) {
  const a = new (dt === 'float32' ? Float32Array : Float64Array)(n);
  let s = seed | 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    a[i] = ((s >>> 8) % 2001) / 1000 - 1;
  }
  return a;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, dt: DT) {
  const tol = dt === 'float32' ? 1e-4 : 1e-10;
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Math.abs(got[i]! - want[i]!) > tol * (1 + Math.abs(want[i]!))) expect([i, got[i]]).toEqual([i, want[i]]);
  }
}

describe('batched conv kernels', () => {
  it('forward, input gradient and weight gradient equal the per-image reference', () => {
    fc.assert(fc.property(caseArb, ({ d, bias, dt, budget: b, seed }) => {
      convBatching.panelElems = b;
      const { N, C, O, groups, geo } = d;
      const L = geo.oH * geo.oW;
      const x = random(dt, N * C * geo.H * geo.W, seed);
      const w = random(dt, O * (C / groups) * geo.kH * geo.kW, seed + 1);
      const bv = bias ? random(dt, O, seed + 2) : null;
      const gy = random(dt, N * O * L, seed + 3);
      const fresh = (n: number) => new (dt === 'float32' ? Float32Array : Float64Array)(n);
      // Dirty the scratch buffers first: the kernels must not rely on their contents.
      scratch(dt, 0, 5000).fill(NaN);
      scratch(dt, 1, 5000).fill(NaN);
      const [out, outRef] = [fresh(N * O * L), fresh(N * O * L)];
      convForward(x, w, bv, d, out);
      convForwardReference(x, w, bv, d, outRef);
      expectClose(out, outRef, dt);
      const [dx, dxRef] = [fresh(x.length), fresh(x.length)];
      convInputGrad(gy, w, d, dx);
      convInputGradReference(gy, w, d, dxRef);
      expectClose(dx, dxRef, dt);
      const [dw, dwRef] = [fresh(w.length), fresh(w.length)];
      convWeightGrad(x, gy, d, dw);
      convWeightGradReference(x, gy, d, dwRef);
      expectClose(dw, dwRef, dt);
    }), { numRuns: 200 });
    releaseScratch();
  });

  it('reuses one scratch buffer per slot and grows it only when asked for more', () => {
    releaseScratch();
    const a = scratch('float32', 0, 100);
    expect(scratch('float32', 0, 50).buffer).toBe(a.buffer);
    expect(scratch('float32', 1, 50).buffer).not.toBe(a.buffer);
    expect(scratch('float64', 0, 50).buffer).not.toBe(a.buffer);
    const grown = scratch('float32', 0, 1000);
    expect(grown.length).toBe(1000);
    expect(grown.buffer).not.toBe(a.buffer);
    expect(scratch('float32', 0, 120).buffer).toBe(grown.buffer);
    releaseScratch();
  });
});

describe('maxPoolForward without padding', () => {
  it('matches the general loop bit for bit (values, argmax, ties, NaN)', async () => {
    const { maxPoolForward, maxPoolReference } = await import('../src/kernels/pool.js');
    const valueArb = fc.oneof(fc.constantFrom(0, -0, 1, -1, NaN, Infinity, -Infinity), fc.integer({ min: -3, max: 3 }));
    fc.assert(fc.property(
      fc.record({ planes: fc.integer({ min: 1, max: 3 }), k: pair(1, 3), s: pair(1, 3), dl: pair(1, 2), extra: pair(0, 5), vals: fc.array(valueArb, { minLength: 1, maxLength: 40 }) }),
      ({ planes, k, s, dl, extra, vals }) => {
        const H = dl[0] * (k[0] - 1) + 1 + extra[0], W = dl[1] * (k[1] - 1) + 1 + extra[1];
        const geo = { H, W, kH: k[0], kW: k[1], sH: s[0], sW: s[1], pH: 0, pW: 0, dH: dl[0], dW: dl[1],
          oH: outputLength(H, k[0], s[0], 0, dl[0]), oW: outputLength(W, k[1], s[1], 0, dl[1]) };
        const x = Float32Array.from({ length: planes * H * W }, (_, i) => vals[(i * 7) % vals.length]!);
        const n = planes * geo.oH * geo.oW;
        const [o1, o2, i1, i2] = [new Float32Array(n), new Float32Array(n), new Int32Array(n), new Int32Array(n)];
        maxPoolForward(x, planes, geo, o1, i1);
        maxPoolReference(x, planes, geo, o2, i2);
        expect(Array.from(i1)).toEqual(Array.from(i2));
        for (let j = 0; j < n; j++) expect(Object.is(o1[j], o2[j])).toBe(true);
      }), { numRuns: 200, seed: 14 });
  });
});
