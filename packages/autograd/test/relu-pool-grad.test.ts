// relu's vjp masking max pooling's fresh gradient in place (ops/relu-pool-grad.ts, granted by the
// tape through grad-ownership.ts) against the tensor-op vjp g·(x > 0): the same bits for random
// windows (overlapping, padded, dilated, ceilMode), float32 and float64, size-0 and size-1 axes,
// NaN, ±0 and ±Infinity in x and in the gradient; and everything that may read the unmasked
// gradient (a hook, retainGrad, gradients(), a second consumer, createGraph) still sees it.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { conv2d, gradients, maxPool2d, relu, tensor, type Tensor } from '@tapegrad/autograd';
import { bufferPool, clearRecycled, recycledBytes } from '../src/buffer-pool.js';
import { poolGrad } from '../src/ops/relu-pool-grad.js';
import { expectSameBits } from './kernel-cases.js';

afterEach(() => { poolGrad.inPlace = true; poolGrad.fused = true; });

/** The relu's vjp as tensor ops (false) or by either fast path (true). */
const fast = (on: boolean) => { poolGrad.inPlace = on; poolGrad.fused = on; };
const runs = () => poolGrad.taken + poolGrad.fusedRuns;

/** Few distinct values (ties), with NaN, ±0 and ±Infinity mixed in. */
function random(n: number, seed: number): number[] {
  const special = [NaN, 0, -0, Infinity, -Infinity];
  const a: number[] = [];
  let s = seed | 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    const r = (s >>> 8) % 1000;
    a.push(r < 40 ? special[r % 5]! : r < 500 ? (r % 7) - 3 : ((s >>> 8) % 20001) / 7000 - 1.3);
  }
  return a;
}

const bits = (t: Tensor) => Array.from(t.contiguousData());

const caseArb = fc.record({
  N: fc.integer({ min: 0, max: 2 }), C: fc.integer({ min: 0, max: 3 }), H: fc.integer({ min: 1, max: 9 }), W: fc.integer({ min: 1, max: 9 }),
  k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), pad: fc.integer({ min: 0, max: 1 }), dil: fc.integer({ min: 1, max: 2 }),
  ceil: fc.boolean(), dtype: fc.constantFrom('float32' as const, 'float64' as const), leaf: fc.boolean(), seed: fc.integer(),
}).filter((c) => 2 * c.pad <= c.k && c.dil * (c.k - 1) + 1 <= c.H + 2 * c.pad && c.dil * (c.k - 1) + 1 <= c.W + 2 * c.pad);

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** relu → maxPool2d → backward with a given output gradient; the gradient of x and of the relu's input. */
function run(c: Case) {
  const x = tensor(random(c.N * c.C * c.H * c.W, c.seed), { dtype: c.dtype }).reshape([c.N, c.C, c.H, c.W]).requiresGrad_();
  // The relu's input is a leaf, or an op's output (as a convolution's) that passes its gradient on.
  const pre = c.leaf ? x : x.mul(tensor([2], { dtype: c.dtype }));
  const y = maxPool2d(relu(pre), { kernelSize: c.k, stride: c.s, padding: c.pad, dilation: c.dil, ceilMode: c.ceil });
  y.backward(tensor(random(y.size, c.seed + 1), { dtype: c.dtype }).reshape(y.shape));
  return bits(x.grad!);
}

describe('relu after max pooling: the in-place vjp', () => {
  it('gives the bits of the tensor-op vjp (random windows, float32 and float64, size 0 and 1, NaN, ±0, ±Infinity)', () => {
    const before = { runs: runs(), fused: poolGrad.fusedRuns };
    let cases = 0;
    fc.assert(fc.property(caseArb, (c) => {
      fast(false);
      const want = run(c);
      fast(true);
      expectSameBits(run(c), want);
      cases++;
    }), { numRuns: 300, seed: 7 });
    // Every case took a fast path (the relu's input is materialized and the buffer granted), the
    // pool's vjp applying the mask where WebAssembly covers every window (float32).
    expect(runs() - before.runs).toBe(cases);
    expect(poolGrad.fusedRuns - before.fused).toBeGreaterThan(3);
  });

  it('the pool applying the mask gives the same bits wherever WebAssembly covers every window (float32, specials)', () => {
    const wholeArb = fc.record({
      N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 3 }), gap: fc.integer({ min: 0, max: 1 }),
      oH: fc.integer({ min: 1, max: 3 }), oW: fc.constantFrom(4, 8), rest: fc.nat(2), leaf: fc.boolean(), seed: fc.integer(),
    });
    fc.assert(fc.property(wholeArb, ({ N, C, k, gap, oH, oW, rest, leaf, seed }) => {
      const s = k + gap;
      const len = (o: number) => (o - 1) * s + k + (rest % s);
      const c: Case = { N, C, H: len(oH), W: len(oW), k, s, pad: 0, dil: 1, ceil: false, dtype: 'float32', leaf, seed };
      fast(false);
      const want = run(c);
      fast(true);
      const before = poolGrad.fusedRuns;
      expectSameBits(run(c), want);
      expect(poolGrad.fusedRuns).toBe(before + 1);
    }), { numRuns: 60, seed: 9 });
  });

  it('the in-place path alone gives the same bits (the pool not applying the mask)', () => {
    const before = poolGrad.taken;
    fc.assert(fc.property(caseArb, (c) => {
      fast(false);
      const want = run(c);
      poolGrad.inPlace = true;
      expectSameBits(run(c), want);
    }), { numRuns: 100, seed: 8 });
    expect(poolGrad.taken - before).toBe(100);
  });

  it('is taken in the demo CNN shape (the pool applying the mask), and an input of the relu that is a leaf adopts the buffer', () => {
    const x = tensor(random(2 * 3 * 24 * 24, 5)).reshape([2, 3, 24, 24]).requiresGrad_();
    const before = poolGrad.fusedRuns;
    maxPool2d(relu(x), { kernelSize: 2 }).sum().backward();
    expect(poolGrad.fusedRuns).toBe(before + 1);
    const first = bits(x.grad!);
    maxPool2d(relu(x), { kernelSize: 2 }).sum().backward(); // accumulates into the adopted buffer
    expectSameBits(bits(x.grad!), first.map((v) => v + v));
  });
});

describe('relu after max pooling: readers of the unmasked gradient', () => {
  const setup = () => {
    const x = tensor(random(2 * 2 * 8 * 8, 11)).reshape([2, 2, 8, 8]).requiresGrad_();
    const gy = tensor(random(2 * 2 * 4 * 4, 12)).reshape([2, 2, 4, 4]);
    return { x, gy, pool: (r: Tensor) => maxPool2d(r, { kernelSize: 2 }) };
  };
  /** The unmasked gradient of the relu's output and the gradient of x, by the tensor-op vjp. */
  const reference = () => {
    fast(false);
    const { x, gy, pool } = setup();
    const r = relu(x.mul(1));
    r.retainGrad();
    pool(r).backward(gy);
    fast(true);
    return { gr: bits(r.grad!), gx: bits(x.grad!) };
  };

  it('a hook that keeps the gradient sees it unmasked', () => {
    const want = reference();
    const { x, gy, pool } = setup();
    const r = relu(x.mul(1));
    let kept: Tensor | null = null;
    r.registerHook((g) => void (kept = g));
    pool(r).backward(gy);
    expectSameBits(bits(kept!), want.gr);
    expectSameBits(bits(x.grad!), want.gx);
  });

  it('a retained gradient stays unmasked', () => {
    const want = reference();
    const { x, gy, pool } = setup();
    const r = relu(x.mul(1));
    r.retainGrad();
    pool(r).backward(gy);
    expectSameBits(bits(r.grad!), want.gr);
    expectSameBits(bits(x.grad!), want.gx);
  });

  it('gradients() returns the unmasked gradient of the relu output beside the masked one of x', () => {
    const want = reference();
    const { x, gy, pool } = setup();
    const r = relu(x.mul(1));
    const [gr, gx] = gradients([pool(r)], [r, x], { gradOutputs: [gy] });
    expectSameBits(bits(gr!), want.gr);
    expectSameBits(bits(gx!), want.gx);
  });

  it('a relu read by two pools gets the sum of both gradients', () => {
    const run = () => {
      const { x, gy, pool } = setup();
      const r = relu(x.mul(1));
      pool(r).add(maxPool2d(r, { kernelSize: 2, stride: 2, padding: 1 }).sum()).backward(gy);
      return bits(x.grad!);
    };
    fast(false);
    const want = run();
    fast(true);
    expectSameBits(run(), want);
  });

  it('createGraph records the vjp: the gradient is differentiable again', () => {
    const run = () => {
      const { x, pool } = setup();
      const gy = tensor(random(2 * 2 * 4 * 4, 12)).reshape([2, 2, 4, 4]).requiresGrad_();
      pool(relu(x.mul(1))).backward(gy, { createGraph: true });
      expect(x.grad!.requiresGrad).toBe(true);
      x.grad!.mul(x.detach()).sum().backward();
      return [bits(x.grad!), bits(gy.grad!)];
    };
    fast(false);
    const want = run();
    fast(true);
    const got = run();
    expectSameBits(got[0]!, want[0]!);
    expectSameBits(got[1]!, want[1]!);
  });

  it('createGraph keeps a retained gradient unmasked (it is the gradient itself, not a copy)', () => {
    const want = reference();
    const { x, gy, pool } = setup();
    const r = relu(x.mul(1));
    r.retainGrad();
    pool(r).backward(gy, { createGraph: true });
    expectSameBits(bits(r.grad!), want.gr);
    expectSameBits(bits(x.grad!), want.gx);
  });

  it('retainGraph: a second backward through the same graph gives the same gradient again', () => {
    const { x, gy, pool } = setup();
    const y = pool(relu(x.mul(1)));
    y.backward(gy, { retainGraph: true });
    const once = bits(x.grad!);
    y.backward(gy);
    expectSameBits(bits(x.grad!), once.map((v) => v + v));
  });
});

describe('conv → relu → pool: the gradient buffer after the convolution', () => {
  afterEach(() => { bufferPool.enabled = true; clearRecycled(); });
  const steps = (hook: boolean) => {
    const x = tensor(random(2 * 1 * 34 * 34, 21)).reshape([2, 1, 34, 34]);
    const w = tensor(random(4 * 1 * 3 * 3, 22)).reshape([4, 1, 3, 3]).requiresGrad_();
    const b = tensor(random(4, 23)).requiresGrad_();
    const out: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const c = conv2d(x, w, b);
      if (hook) c.registerHook(() => undefined);
      maxPool2d(relu(c), { kernelSize: 2 }).mul(tensor(random(2 * 4 * 16 * 16, 24 + i)).reshape([2, 4, 16, 16])).sum().backward();
      out.push(bits(w.grad!), bits(b.grad!));
      w.grad = null;
      b.grad = null;
    }
    return out;
  };

  it('is recycled once the convolution\'s vjp has read it, and reusing it changes no gradient', () => {
    bufferPool.enabled = false;
    const want = steps(false);
    bufferPool.enabled = true;
    clearRecycled();
    const got = steps(false);
    got.forEach((g, i) => expectSameBits(g, want[i]!));
    expect(recycledBytes()).toBeGreaterThanOrEqual(2 * 4 * 32 * 32 * 4); // the relu output's gradient, 32 KiB
  });

  it('is not recycled when a hook has seen it', () => {
    clearRecycled();
    const before = recycledBytes();
    steps(true);
    expect(recycledBytes()).toBe(before);
  });
});
