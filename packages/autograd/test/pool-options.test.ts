// PyTorch's pooling options (ceilMode, dilation, countIncludePad, divisorOverride, returnIndices)
// and the 1-d pools, against a direct loop written from PyTorch's definitions, a few values
// computed with torch 2.13, finite differences, and the forward-mode and vmap rules.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { gradcheck, gradgradcheck } from '@tapegrad/autograd/testing';
import { checkRules } from './rule-checks.js';

type P = [number, number];
interface PoolCase { N: number; C: number; H: number; W: number; k: P; s: P; p: P; d: P; ceil: boolean; cip: boolean; div: number | null }

/** PyTorch's pooling_output_shape, written out again. */
function outLen(n: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let o = Math.floor((n + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= n + p) o--;
  return o;
}

/** The definition, one window at a time (max: first maximum wins; avg: PyTorch's divisor rules). */
function naivePool(x: number[], c: PoolCase, kind: 'max' | 'avg'): { out: number[]; idx: number[]; oH: number; oW: number } {
  const oH = outLen(c.H, c.k[0], c.s[0], c.p[0], c.d[0], c.ceil);
  const oW = outLen(c.W, c.k[1], c.s[1], c.p[1], c.d[1], c.ceil);
  const out: number[] = [];
  const idx: number[] = [];
  for (let plane = 0; plane < c.N * c.C; plane++) {
    const at = (h: number, w: number) => x[plane * c.H * c.W + h * c.W + w]!;
    for (let oh = 0; oh < oH; oh++) {
      for (let ow = 0; ow < oW; ow++) {
        if (kind === 'max') {
          let best = -Infinity;
          let arg = -1;
          for (let i = 0; i < c.k[0]; i++) {
            for (let j = 0; j < c.k[1]; j++) {
              const h = oh * c.s[0] - c.p[0] + i * c.d[0];
              const w = ow * c.s[1] - c.p[1] + j * c.d[1];
              if (h < 0 || h >= c.H || w < 0 || w >= c.W) continue;
              if (arg < 0 || at(h, w) > best) [best, arg] = [at(h, w), h * c.W + w];
            }
          }
          out.push(best);
          idx.push(arg);
        } else {
          let [hs, ws] = [oh * c.s[0] - c.p[0], ow * c.s[1] - c.p[1]];
          let [he, we] = [Math.min(hs + c.k[0], c.H + c.p[0]), Math.min(ws + c.k[1], c.W + c.p[1])];
          const poolSize = (he - hs) * (we - ws);
          [hs, ws, he, we] = [Math.max(hs, 0), Math.max(ws, 0), Math.min(he, c.H), Math.min(we, c.W)];
          let sum = 0;
          for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) sum += at(h, w);
          out.push(sum / (c.div ?? (c.cip ? poolSize : (he - hs) * (we - ws))));
        }
      }
    }
  }
  return { out, idx, oH, oW };
}

const pairArb = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));

function poolCaseArb(kind: 'max' | 'avg'): fc.Arbitrary<PoolCase> {
  return fc
    .record({
      N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 2 }), k: pairArb(1, 3), s: pairArb(1, 3),
      d: kind === 'max' ? pairArb(1, 2) : fc.constant<[number, number]>([1, 1]), pad: pairArb(0, 2), ceil: fc.boolean(), cip: fc.boolean(),
      div: kind === 'avg' ? fc.option(fc.integer({ min: 1, max: 5 })) : fc.constant(null),
    })
    .chain((r) => {
      const span = [0, 1].map((a) => r.d[a]! * (r.k[a]! - 1) + 1);
      const p: P = [Math.min(r.pad[0], Math.floor(r.k[0] / 2)), Math.min(r.pad[1], Math.floor(r.k[1] / 2))];
      const min = (a: 0 | 1) => Math.max(1, span[a]! - 2 * p[a]);
      return fc.record({ H: fc.integer({ min: min(0), max: 6 }), W: fc.integer({ min: min(1), max: 6 }) }).map(({ H, W }) => ({
        N: r.N, C: r.C, H, W, k: r.k as P, s: r.s as P, p, d: r.d as P, ceil: r.ceil, cip: r.cip, div: r.div,
      }));
    });
}

const maxOpts = (c: PoolCase): tg.MaxPool2dOptions => ({ kernelSize: c.k, stride: c.s, padding: c.p, dilation: c.d, ceilMode: c.ceil });
const avgOpts = (c: PoolCase): tg.AvgPool2dOptions => ({
  kernelSize: c.k, stride: c.s, padding: c.p, ceilMode: c.ceil, countIncludePad: c.cip, ...(c.div === null ? {} : { divisorOverride: c.div }),
});
const flat = (t: Tensor) => Array.from(t.contiguousData() as ArrayLike<number>);

/** Distinct values far apart (no ties within finite-difference steps), in a seeded random order. */
function distinct(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const order = flat(tg.rand([n], { dtype: 'float64', generator: new tg.Generator(seed) }));
  const ranks = order.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  return tensor(ranks.map((r) => (r - n / 2) * 0.37), { dtype: 'float64' }).reshape(shape).detach().requiresGrad_();
}

describe('maxPool2d options', () => {
  it('match the direct loop, with PyTorch-style per-plane indices', () => {
    fc.assert(
      fc.property(poolCaseArb('max'), fc.integer({ min: 0, max: 99 }), (c, seed) => {
        const x = tg.randn([c.N, c.C, c.H, c.W], { dtype: 'float64', generator: new tg.Generator(seed) });
        const [y, i] = tg.maxPool2d(x, { ...maxOpts(c), returnIndices: true });
        const ref = naivePool(flat(x), c, 'max');
        expect(y.shape).toEqual([c.N, c.C, ref.oH, ref.oW]);
        expect(flat(y)).toEqual(ref.out);
        expect(i.dtype).toBe('int32');
        expect(flat(i)).toEqual(ref.idx);
      }),
      { seed: 1, numRuns: 80 },
    );
  });

  it('agree with values computed by PyTorch', () => {
    const x = tg.arange(25, undefined, undefined, { dtype: 'float64' }).reshape([1, 1, 5, 5]);
    // F.max_pool2d(x, 2, 2, ceil_mode=True)
    expect(tg.maxPool2d(x, { kernelSize: 2, ceilMode: true }).toArray()).toEqual([[[[6, 8, 9], [16, 18, 19], [21, 23, 24]]]]);
    // F.max_pool2d(x.flip(-1), 2, 2, padding=1, dilation=2, ceil_mode=True, return_indices=True)
    const [v, i] = tg.maxPool2d(tg.flip(x, [-1]), { kernelSize: 2, padding: 1, dilation: 2, ceilMode: true, returnIndices: true });
    expect(v.toArray()).toEqual([[[[8, 8, 6], [18, 18, 16], [18, 18, 16]]]]);
    expect(i.toArray()).toEqual([[[[6, 6, 8], [16, 16, 18], [16, 16, 18]]]]);
    // F.max_pool2d(-x, 3, 2, padding=1, ceil_mode=True, return_indices=True)
    const [v2, i2] = tg.maxPool2d(x.neg(), { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, returnIndices: true });
    expect(v2.add(0).toArray()).toEqual([[[[0, -1, -3], [-5, -6, -8], [-15, -16, -18]]]]);
    expect(i2.toArray()).toEqual([[[[0, 1, 3], [5, 6, 8], [15, 16, 18]]]]);
    // F.max_pool1d(tensor([[1, 3, 2, 5, 4]]), 2, ceil_mode=True)
    expect(tg.maxPool1d(tensor([[1, 3, 2, 5, 4]]), { kernelSize: 2, ceilMode: true }).toArray()).toEqual([[3, 5, 4]]);
  });

  it('gradients (first and second order) match finite differences away from ties', () => {
    fc.assert(
      fc.property(poolCaseArb('max'), fc.integer({ min: 0, max: 99 }), (c, seed) => {
        const x = distinct([c.N, c.C, c.H, c.W], seed);
        // A window of padding alone (dilation can make one) is -Infinity: no finite differences there.
        fc.pre(!naivePool(flat(x), c, 'max').idx.includes(-1));
        const f = (t: Tensor) => tg.maxPool2d(t, maxOpts(c));
        expect(gradcheck(f, [x], { raiseException: true })).toBe(true);
        expect(gradgradcheck(f, [x], { raiseException: true })).toBe(true);
      }),
      { seed: 2, numRuns: 20 },
    );
  });
});

describe('avgPool2d options', () => {
  it('match the direct loop (ceilMode, countIncludePad, divisorOverride)', () => {
    fc.assert(
      fc.property(poolCaseArb('avg'), fc.integer({ min: 0, max: 99 }), (c, seed) => {
        const x = tg.randn([c.N, c.C, c.H, c.W], { dtype: 'float64', generator: new tg.Generator(seed) });
        const y = tg.avgPool2d(x, avgOpts(c));
        const ref = naivePool(flat(x), c, 'avg');
        expect(y.shape).toEqual([c.N, c.C, ref.oH, ref.oW]);
        flat(y).forEach((v, i) => expect(v).toBeCloseTo(ref.out[i]!, 12));
      }),
      { seed: 3, numRuns: 80 },
    );
  });

  it('agree with values computed by PyTorch', () => {
    const x5 = tg.arange(25, undefined, undefined, { dtype: 'float64' }).reshape([1, 1, 5, 5]);
    const x6 = tg.arange(36, undefined, undefined, { dtype: 'float64' }).reshape([1, 1, 6, 6]);
    const close = (t: Tensor, want: number[]) => flat(t).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    // F.avg_pool2d(x5, 3, 2, padding=1, ceil_mode=True)
    close(tg.avgPool2d(x5, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }), [1.3333, 3, 2.6667, 7, 12, 9, 8, 13, 9.3333]);
    close(tg.avgPool2d(x5, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [3, 4.5, 6, 10.5, 12, 13.5, 18, 19.5, 21]);
    // F.avg_pool2d(x6, 3, 2, padding=1, ceil_mode=True): the last window is clipped to the padded input.
    close(tg.avgPool2d(x6, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }),
      [1.5556, 3.3333, 4.6667, 2.6667, 8.3333, 14, 16, 8.5, 16.3333, 26, 28, 14.5, 10.1667, 16, 17, 8.75]);
    close(tg.avgPool2d(x6, { kernelSize: 3, stride: 2, ceilMode: true }), [7, 9, 10.5, 19, 21, 22.5, 28, 30, 31.5]);
    close(tg.avgPool2d(x6, { kernelSize: 3, stride: 2, ceilMode: true, divisorOverride: 2 }), [31.5, 40.5, 31.5, 85.5, 94.5, 67.5, 84, 90, 63]);
  });

  it('gradients (first and second order) match finite differences', () => {
    fc.assert(
      fc.property(poolCaseArb('avg'), fc.integer({ min: 0, max: 99 }), (c, seed) => {
        const x = tg.randn([c.N, c.C, c.H, c.W], { dtype: 'float64', generator: new tg.Generator(seed), requiresGrad: true });
        const f = (t: Tensor) => tg.avgPool2d(t, avgOpts(c));
        expect(gradcheck(f, [x], { raiseException: true })).toBe(true);
        expect(gradgradcheck(f, [x], { raiseException: true })).toBe(true);
      }),
      { seed: 4, numRuns: 20 },
    );
  });
});

describe('maxPool1d and avgPool1d', () => {
  it('equal the 2-d pools over a height of 1, batched or not', () => {
    fc.assert(
      fc.property(poolCaseArb('max'), fc.boolean(), (c, batched) => {
        const x = tg.randn([c.N, c.C, c.W], { dtype: 'float64', generator: new tg.Generator(c.W) });
        const x1 = batched ? x : x.slice(0);
        const m = { kernelSize: c.k[1], stride: c.s[1], padding: c.p[1], dilation: c.d[1], ceilMode: c.ceil };
        const [v, i] = tg.maxPool1d(x1, { ...m, returnIndices: true });
        const [v2, i2] = tg.maxPool2d(x1.unsqueeze(-2), { ...m, kernelSize: [1, m.kernelSize], stride: [1, m.stride], padding: [0, m.padding], dilation: [1, m.dilation], returnIndices: true });
        expect(v.toArray()).toEqual(v2.squeeze(-2).toArray());
        expect(i.toArray()).toEqual(i2.squeeze(-2).toArray());
        const a = { kernelSize: c.k[1], stride: c.s[1], padding: Math.min(c.p[1], Math.floor(c.k[1] / 2)), ceilMode: c.ceil, countIncludePad: c.cip };
        if (c.W + 2 * a.padding >= a.kernelSize) {
          const a2 = { ...a, kernelSize: [1, a.kernelSize] as P, stride: [1, a.stride] as P, padding: [0, a.padding] as P };
          expect(tg.avgPool1d(x1, a).toArray()).toEqual(tg.avgPool2d(x1.unsqueeze(-2), a2).squeeze(-2).toArray());
        }
      }),
      { seed: 5, numRuns: 40 },
    );
  });
});

describe('pooling rules: jvp against vjp, vmap against stacking', () => {
  checkRules([
    { name: 'maxPool2d ceil/dilation/padding', shape: [2, 5, 5], distinct: true, f: (x) => tg.maxPool2d(x, { kernelSize: 2, padding: 1, dilation: 2, ceilMode: true }) },
    { name: 'maxPool2d values of returnIndices', shape: [1, 4, 5], distinct: true, f: (x) => tg.maxPool2d(x, { kernelSize: [2, 3], stride: [1, 2], ceilMode: true, returnIndices: true })[0] },
    { name: 'avgPool2d ceil/countIncludePad', shape: [2, 5, 4], f: (x) => tg.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }) },
    { name: 'avgPool2d divisorOverride', shape: [1, 4, 4], f: (x) => tg.avgPool2d(x, { kernelSize: 3, stride: 2, ceilMode: true, divisorOverride: 4 }) },
    { name: 'maxPool1d', shape: [2, 7], distinct: true, f: (x) => tg.maxPool1d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }) },
    { name: 'avgPool1d', shape: [2, 7], f: (x) => tg.avgPool1d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }) },
  ]);

  it('vmap of returnIndices gives each example its own indices', () => {
    const xs = distinct([3, 2, 4, 4], 7);
    const got = tg.vmap((x: Tensor) => tg.maxPool2d(x, { kernelSize: 2, returnIndices: true })[1])(xs);
    const want = tg.stack([0, 1, 2].map((i) => tg.maxPool2d(xs.slice(i), { kernelSize: 2, returnIndices: true })[1]));
    expect(got.dtype).toBe('int32');
    expect(got.toArray()).toEqual(want.toArray());
  });
});

describe('pooling bad input', () => {
  const x = tg.zeros([1, 2, 6, 6]);
  it('refuses unknown and misplaced options by name', () => {
    expect(() => tg.maxPool2d(x, { kernelSize: 2, countIncludePad: true } as tg.MaxPool2dOptions)).toThrow("maxPool2d: unexpected option 'countIncludePad'");
    expect(() => tg.avgPool2d(x, { kernelSize: 2, dilation: 2 } as tg.AvgPool2dOptions)).toThrow("avgPool2d: unexpected option 'dilation'");
    expect(() => tg.avgPool1d(tg.zeros([1, 4]), { kernelSize: 2, divisorOverride: 2 } as tg.AvgPool1dOptions)).toThrow("avgPool1d: unexpected option 'divisorOverride'");
    expect(() => tg.maxPool2d(x, undefined as unknown as tg.MaxPool2dOptions)).toThrow('maxPool2d: options must be an object with kernelSize');
    expect(() => tg.maxPool2d(x, {} as tg.MaxPool2dOptions)).toThrow('maxPool2d: kernelSize is required');
  });
  it('checks each option', () => {
    expect(() => tg.avgPool2d(x, { kernelSize: 2, divisorOverride: 0 })).toThrow('avgPool2d: divisorOverride must be a non-zero integer (got 0');
    expect(() => tg.maxPool2d(x, { kernelSize: 2, ceilMode: 1 as unknown as boolean })).toThrow('maxPool2d: ceilMode must be a boolean (got 1');
    expect(() => tg.maxPool2d(x, { kernelSize: 2, returnIndices: 'yes' as unknown as boolean })).toThrow('maxPool2d: returnIndices must be a boolean');
    expect(() => tg.maxPool2d(x, { kernelSize: 2, dilation: 0 })).toThrow('maxPool2d: dilation must be a positive integer or a pair of them (got 0');
    expect(() => tg.maxPool2d(x, { kernelSize: 2, dilation: 2, padding: 2 })).toThrow('maxPool2d: padding [2,2] must be at most half the kernel size [2,2]');
    expect(() => tg.maxPool1d(tg.zeros([1, 2, 3]), { kernelSize: 5 })).toThrow('maxPool1d: kernel of size 5 is larger than the padded input of size 3 (input [1,2,3], padding 0)');
    expect(() => tg.maxPool1d(tg.zeros([3]), { kernelSize: 1 })).toThrow('maxPool1d: expected input of shape [N, C, L] or [C, L], got [3]');
    expect(() => tg.avgPool1d(tg.zeros([1, 4]), { kernelSize: [2, 2] as unknown as number })).toThrow('avgPool1d: kernelSize must be a positive integer (got an array of length 2');
  });
});

describe('maxUnpool2d', () => {
  it('puts each value at its index in a zero plane (the loop), and undoes maxPool2d on the maxima', () => {
    fc.assert(
      fc.property(poolCaseArb('max').filter((c) => c.d[0] === 1 && c.d[1] === 1 && !c.ceil), fc.integer({ min: 0, max: 99 }), (c, seed) => {
        const x = distinct([c.N, c.C, c.H, c.W], seed).detach();
        const [v, i] = tg.maxPool2d(x, { kernelSize: c.k, stride: c.s, padding: c.p, returnIndices: true });
        const base = [c.H, c.W].map((n, a) => (v.shape[2 + a]! - 1) * c.s[a]! - 2 * c.p[a]! + c.k[a]!);
        // The output must hold every index: at least the input's size when windows overlap its end.
        const size = base.map((b, a) => Math.max(b, Math.min([c.H, c.W][a]!, b + c.s[a]! - 1)));
        fc.pre(size.every((n, a) => n >= [c.H, c.W][a]! && n < base[a]! + c.s[a]!));
        const y = tg.maxUnpool2d(v, i, { kernelSize: c.k, stride: c.s, padding: c.p, outputSize: size });
        const want = new Array<number>(c.N * c.C * size[0]! * size[1]!).fill(0);
        const vs = flat(v);
        flat(i).forEach((idx, k) => (want[Math.floor(k / (v.shape[2]! * v.shape[3]!)) * size[0]! * size[1]! + idx] = vs[k]!));
        expect(flat(y)).toEqual(want);
        // Each maximum lands where it was: y equals x at every index (outputs of the input's size).
        if (size[0] === c.H && size[1] === c.W) {
          const [xs, ys] = [flat(x), flat(y)];
          flat(i).forEach((idx, k) => {
            const at = Math.floor(k / (v.shape[2]! * v.shape[3]!)) * c.H * c.W + idx;
            expect(ys[at]).toBe(xs[at]);
          });
        }
      }),
      { seed: 8, numRuns: 40 },
    );
  });

  it('agrees with PyTorch (F.max_unpool2d after F.max_pool2d(x.flip(-1), 2, return_indices=True))', () => {
    const x = tg.flip(tg.arange(16, undefined, undefined, { dtype: 'float64' }).reshape([1, 1, 4, 4]), [-1]);
    const [v, i] = tg.maxPool2d(x, { kernelSize: 2, returnIndices: true });
    expect(tg.maxUnpool2d(v, i, { kernelSize: 2 }).toArray()).toEqual([[[[0, 0, 0, 0], [7, 0, 5, 0], [0, 0, 0, 0], [15, 0, 13, 0]]]]);
    expect(tg.maxUnpool2d(v, i, { kernelSize: 2, outputSize: [5, 5] }).toArray()).toEqual([[[[0, 0, 0, 0, 7], [0, 5, 0, 0, 0], [0, 0, 15, 0, 13], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]]]);
    expect(() => tg.maxUnpool2d(v, i, { kernelSize: 2, outputSize: [6, 5] })).toThrow('maxUnpool2d: invalid outputSize [6,5] (axis 0 must be between 3 and 5)');
    expect(() => tg.maxUnpool2d(v, i.mul(10), { kernelSize: 2 })).toThrow('maxUnpool2d: index 40 is outside the output plane of [4,4] (16 positions)');
    expect(() => tg.maxUnpool2d(v, i.toDType('float64'), { kernelSize: 2 })).toThrow('maxUnpool2d: expected int32 indices of the input\'s shape [1,1,2,2], got float64 [1,1,2,2]');
    expect(() => tg.maxUnpool2d(v, i, { kernelSize: 2, output_size: [4, 4] } as tg.MaxUnpool2dOptions)).toThrow("maxUnpool2d: unexpected option 'output_size'");
  });

  it('gradients match finite differences to second order; jvp against vjp; vmap with per-example indices', () => {
    const x = tg.randn([2, 2, 3, 3], { dtype: 'float64', generator: new tg.Generator(3), requiresGrad: true });
    const idx = tg.tensor(Array.from({ length: 36 }, (_, k) => (k * 7) % 25), { dtype: 'int32' }).reshape([2, 2, 3, 3]);
    const f = (t: Tensor) => tg.maxUnpool2d(t, idx, { kernelSize: 1, stride: 2, outputSize: [5, 5] }).square();
    expect(gradcheck(f, [x], { raiseException: true })).toBe(true);
    expect(gradgradcheck(f, [x], { raiseException: true })).toBe(true);
    const g = (t: Tensor) => tg.maxUnpool2d(t, idx, { kernelSize: 1, stride: 2, outputSize: [5, 5] });
    const v = tg.randn(x.shape, { dtype: 'float64', generator: new tg.Generator(4) });
    const [y, jv] = tg.jvp(g, [x.detach()], [v]);
    const u = tg.randn(y.shape, { dtype: 'float64', generator: new tg.Generator(5) });
    const [, pull] = tg.vjp(g, x.detach());
    expect(u.mul(jv).sum().item()).toBeCloseTo(pull(u)[0]!.mul(v).sum().item(), 10);
    const xs = tg.randn([3, 1, 2, 2], { dtype: 'float64', generator: new tg.Generator(6) });
    const is = tg.tensor([[[[0, 3], [9, 15]]], [[[1, 2], [8, 14]]], [[[5, 6], [10, 11]]]], { dtype: 'int32' });
    const h = (a: Tensor, b: Tensor) => tg.maxUnpool2d(a, b, { kernelSize: 2 });
    const got = tg.vmap(h)(xs, is);
    expect(got.toArray()).toEqual(tg.stack([0, 1, 2].map((k) => h(xs.slice(k), is.slice(k)))).toArray());
  });
});
