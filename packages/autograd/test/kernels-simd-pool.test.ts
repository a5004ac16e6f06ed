// The WebAssembly max and average pooling (kernels/wasm/pool-*.ts) against the TypeScript loops
// of kernels/pool.ts, which stay the reference: bit-identical values and argmax positions (and
// averages and their adjoint) for random planes, windows, strides, padding, dilation, ceilMode,
// countIncludePad and divisorOverride, with ties, NaN, ±0 and ±Infinity in the data, windows
// overhanging the input, blocks narrower than a vector and inputs cut into chunks of planes.
// Kernels are internal, so this test imports them from src.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maxPool2d, relu, tensor, type Tensor } from '@tapegrad/autograd';
import { fusion, isPending } from '../src/kernels/fused/lazy.js';
import { outputLength, type Geometry } from '../src/kernels/im2col.js';
import { avgPool, avgPoolReference, maxPoolAdjoint, maxPoolForward, maxPoolReference, scatterAddAt } from '../src/kernels/pool.js';
import { avgPoolBlock, maxPoolAdjointBlock, maxPoolBlock, maxPoolReluWhole, simdPool } from '../src/kernels/wasm/pool-wasm.js';

const fusionSaved = { ...fusion };
afterEach(() => { simdPool.enabled = true; simdPool.chunk = 1 << 18; simdPool.relu = true; Object.assign(fusion, fusionSaved); });

/** Input elements per WebAssembly call: one plane per call, a few, or all at once. */
const chunkArb = fc.constantFrom(1, 60, 1 << 18);

const int = (min: number, max: number) => fc.integer({ min, max });
const pair = (min: number, max: number) => fc.tuple(int(min, max), int(min, max));
/** Any window; or (`twoWide`) the 2-wide stride-2 windows that have kernels of their own, 2×2 among them. */
const caseArb = (twoWide: boolean, dilated = true) => fc.record({
  planes: int(0, 4), pFrac: pair(0, 2), extra: pair(0, 19), ceil: fc.boolean(), seed: fc.integer(),
  k: twoWide ? fc.tuple(int(1, 3), fc.constant(2)) : pair(1, 5),
  s: twoWide ? fc.tuple(int(1, 3), fc.constant(2)) : pair(1, 4),
  dl: !dilated ? fc.constant([1, 1] as [number, number]) : twoWide ? fc.tuple(fc.constantFrom(1, 1, 2), fc.constant(1)) : pair(1, 3),
}).map((r) => {
  const p = [0, 1].map((a) => Math.min(r.pFrac[a]!, Math.floor(r.k[a]! / 2))) as [number, number];
  const size = (a: 0 | 1) => Math.max(1, r.dl[a] * (r.k[a] - 1) + 1 - 2 * p[a]) + r.extra[a];
  const H = size(0), W = size(1);
  const g: Geometry = {
    H, W, kH: r.k[0], kW: r.k[1], sH: r.s[0], sW: r.s[1], pH: p[0], pW: p[1], dH: r.dl[0], dW: r.dl[1],
    oH: outputLength(H, r.k[0], r.s[0], p[0], r.dl[0], r.ceil), oW: outputLength(W, r.k[1], r.s[1], p[1], r.dl[1], r.ceil),
  };
  return { ...r, g };
});

/**
 * Few distinct values (many ties), with NaN, ±0 and ±Infinity mixed in, and some scaled far apart
 * so that float64 sums round and their order shows.
 */
function random(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  const special = [NaN, 0, -0, Infinity, -Infinity];
  let s = seed | 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    const r = (s >>> 8) % 1000;
    const v = r < 15 ? special[r % 5]! : r < 500 ? (r % 7) - 3 : ((s >>> 8) % 20001) / 7000 - 1.3;
    a[i] = r >= 900 ? v * 2 ** ((r % 61) - 30) : v;
  }
  return a;
}

describe('WebAssembly max pooling, float32', () => {
  it.each([['any window', false, 21], ['2-wide, stride-2 windows', true, 22]] as const)('the same values, positions and adjoint as the TypeScript loops: %s', (_, twoWide, seed0) => {
    let ran = 0, adjoints = 0;
    fc.assert(fc.property(caseArb(twoWide), chunkArb, ({ planes, g, seed }, chunk) => {
      simdPool.chunk = chunk;
      const x = random(planes * g.H * g.W, seed);
      const n = planes * g.oH * g.oW;
      const want = new Float32Array(n), wantIdx = new Int32Array(n);
      maxPoolReference(x, planes, g, want, wantIdx);
      const got = new Float32Array(n).fill(7), gotIdx = new Int32Array(n).fill(7);
      maxPoolForward(x, planes, g, got, gotIdx);
      if (maxPoolBlock(x, planes, g, got.slice(), gotIdx.slice())) ran++;
      for (let i = 0; i < n; i++) {
        if (!Object.is(got[i], want[i]) || gotIdx[i] !== wantIdx[i]) expect([i, got[i], gotIdx[i]]).toEqual([i, want[i], wantIdx[i]]);
      }
      const nx = x.length, gy = random(n, seed + 1);
      const wantDx = new Float32Array(nx), gotDx = new Float32Array(nx);
      scatterAddAt(gy, wantIdx, wantDx);
      maxPoolAdjoint(gy, wantIdx, planes, g, gotDx);
      if (maxPoolAdjointBlock(gy, wantIdx, planes, g, new Float32Array(nx))) adjoints++;
      for (let i = 0; i < nx; i++) if (!Object.is(gotDx[i], wantDx[i])) expect([i, gotDx[i]]).toEqual([i, wantDx[i]]);
    }), { numRuns: 300, seed: seed0 });
    // The WebAssembly blocks ran in a good share of the cases (the adjoint only where windows do not overlap).
    expect(ran).toBeGreaterThan(50);
    expect(adjoints).toBeGreaterThan(twoWide ? 30 : 10);
  });

  it('takes the demo CNN pools (2×2, stride 2) whole', () => {
    const g: Geometry = { H: 24, W: 24, kH: 2, kW: 2, sH: 2, sW: 2, pH: 0, pW: 0, dH: 1, dW: 1, oH: 12, oW: 12 };
    const x = random(3 * 24 * 24, 5);
    expect(maxPoolBlock(x, 3, g, new Float32Array(3 * 144), new Int32Array(3 * 144))).toEqual({ oh0: 0, oh1: 12, ow0: 0, ow1: 12 });
  });

  it('declines float64 and a disabled switch (the TypeScript loops run)', () => {
    const g: Geometry = { H: 8, W: 8, kH: 2, kW: 2, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, oH: 7, oW: 7 };
    expect(maxPoolBlock(new Float64Array(64), 1, g, new Float64Array(49), new Int32Array(49))).toBeNull();
    simdPool.enabled = false;
    expect(maxPoolBlock(new Float32Array(64), 1, g, new Float32Array(49), new Int32Array(49))).toBeNull();
  });
});

describe('WebAssembly average pooling, float32', () => {
  const optionsArb = fc.record({ countIncludePad: fc.boolean(), override: fc.option(fc.integer({ min: -5, max: 5 }).filter((d) => d !== 0), { nil: null }) });

  it.each([['any window', false, 31], ['2-wide, stride-2 windows', true, 32]] as const)('the same averages and adjoint as the TypeScript loop: %s', (_, twoWide, seed0) => {
    let forwards = 0, adjoints = 0;
    fc.assert(fc.property(caseArb(twoWide, false), optionsArb, chunkArb, ({ planes, g, seed }, { countIncludePad, override }, chunk) => {
      simdPool.chunk = chunk;
      const nx = planes * g.H * g.W, n = planes * g.oH * g.oW;
      const x = random(nx, seed), gy = random(n, seed + 1);
      const want = new Float32Array(n), got = new Float32Array(n).fill(7);
      avgPoolReference(x, planes, g, countIncludePad, override, want, true);
      avgPool(x, planes, g, countIncludePad, override, got, true);
      if (avgPoolBlock(x, planes, g, override, new Float32Array(n), true)) forwards++;
      for (let i = 0; i < n; i++) if (!Object.is(got[i], want[i])) expect([i, got[i]]).toEqual([i, want[i]]);
      const wantDx = new Float32Array(nx), gotDx = new Float32Array(nx);
      avgPoolReference(gy, planes, g, countIncludePad, override, wantDx, false);
      avgPool(gy, planes, g, countIncludePad, override, gotDx, false);
      if (avgPoolBlock(gy, planes, g, override, new Float32Array(nx), false)) adjoints++;
      for (let i = 0; i < nx; i++) if (!Object.is(gotDx[i], wantDx[i])) expect([i, gotDx[i]]).toEqual([i, wantDx[i]]);
    }), { numRuns: 300, seed: seed0 });
    // The WebAssembly blocks ran in a good share of the cases.
    expect(forwards).toBeGreaterThan(50);
    expect(adjoints).toBeGreaterThan(twoWide ? 30 : 15);
  });
});

describe('max pooling of a pending relu, float32', () => {
  const reluOf = (x: Float32Array) => x.map((v) => (v <= 0 ? 0 : v)); // the fused kernels' relu: -0 → +0, NaN kept

  it('the kernel: the same values and positions as the TypeScript loop over the relu', () => {
    let ran = 0;
    // Unpadded windows whose output width is a multiple of 4 (and a few that are not), with a
    // remainder below the stride so the output size stays.
    const wholeArb = fc.record({
      planes: int(1, 4), k: pair(1, 3), s: pair(1, 3), dl: pair(1, 2), oH: int(1, 4), oW: fc.constantFrom(4, 8, 12, 5), rest: pair(0, 2), seed: fc.integer(),
    }).map((r) => {
      const len = (o: number, a: 0 | 1) => (o - 1) * r.s[a] + r.dl[a] * (r.k[a] - 1) + 1 + (r.rest[a] % r.s[a]);
      const g: Geometry = {
        H: len(r.oH, 0), W: len(r.oW, 1), kH: r.k[0], kW: r.k[1], sH: r.s[0], sW: r.s[1], pH: 0, pW: 0, dH: r.dl[0], dW: r.dl[1], oH: r.oH, oW: r.oW,
      };
      return { planes: r.planes, g, seed: r.seed };
    });
    fc.assert(fc.property(wholeArb, chunkArb, ({ planes, g, seed }, chunk) => {
      simdPool.chunk = chunk;
      const x = random(planes * g.H * g.W, seed);
      const n = planes * g.oH * g.oW;
      const want = new Float32Array(n), wantIdx = new Int32Array(n);
      maxPoolReference(reluOf(x), planes, g, want, wantIdx);
      const got = new Float32Array(n), gotIdx = new Int32Array(n);
      if (!maxPoolReluWhole(x, planes, g, got, gotIdx)) return; // a border is left: the caller computes the relu
      ran++;
      for (let i = 0; i < n; i++) {
        if (!Object.is(got[i], want[i]) || gotIdx[i] !== wantIdx[i]) expect([i, got[i], gotIdx[i]]).toEqual([i, want[i], wantIdx[i]]);
      }
    }), { numRuns: 200, seed: 41 });
    expect(ran).toBeGreaterThan(100);
  });

  it('maxPool2d(relu(x)) leaves the relu uncomputed and matches fusion off: values, indices, gradient', () => {
    const same = (a: Tensor, b: Tensor) => {
      expect(a.shape).toEqual(b.shape);
      const p = a.contiguousData(), q = b.contiguousData();
      for (let i = 0; i < p.length; i++) if (!Object.is(p[i], q[i])) expect([i, p[i]]).toEqual([i, q[i]]);
    };
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(8, 16, 12), fc.constantFrom(8, 9, 16), fc.integer(), (N, C, H, W, seed) => {
      const values = random(N * C * H * W, seed);
      const run = () => {
        const x = tensor(Array.from(values)).reshape([N, C, H, W]).requiresGrad_();
        const r = relu(x);
        const y = maxPool2d(r, { kernelSize: 2 });
        const pending = isPending(r.data);
        const [, idx] = maxPool2d(r, { kernelSize: 2, returnIndices: true });
        y.mul(tensor(Array.from(random(y.size, seed + 1))).reshape(y.shape)).sum().backward();
        return { y, idx, dx: x.grad!, pending };
      };
      fusion.minSize = 0;
      const fused = run();
      fusion.enabled = false;
      const plain = run();
      fusion.enabled = true;
      // The whole output is one block when the output width is a multiple of 4.
      expect(fused.pending).toBe((W >> 1) % 4 === 0);
      same(fused.y, plain.y);
      same(fused.idx, plain.idx);
      same(fused.dx, plain.dx);
    }), { numRuns: 40, seed: 42 });
  });
});
