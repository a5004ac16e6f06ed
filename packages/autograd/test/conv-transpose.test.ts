// conv1d, convTranspose1d and convTranspose2d: against plain loops written from PyTorch's
// definitions, values computed with torch 2.13, finite differences (first and second order), and
// the forward-mode and vmap rules.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { gradcheck, gradgradcheck } from '@tapegrad/autograd/testing';
import { checkRules } from './rule-checks.js';

type P = [number, number];
interface TCase { N: number; groups: number; cin: number; cout: number; H: number; W: number; k: P; s: P; p: P; op: P; d: P; bias: boolean }

const flat = (t: Tensor) => Array.from(t.contiguousData() as ArrayLike<number>);
const pairArb = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));

/** Each input element, times the kernel, added onto the output window it spreads to (the definition). */
function naiveTranspose(x: number[], w: number[], b: number[] | null, c: TCase): { out: number[]; shape: number[] } {
  const oH = (c.H - 1) * c.s[0] - 2 * c.p[0] + c.d[0] * (c.k[0] - 1) + c.op[0] + 1;
  const oW = (c.W - 1) * c.s[1] - 2 * c.p[1] + c.d[1] * (c.k[1] - 1) + c.op[1] + 1;
  const cinG = c.cin / c.groups;
  const coutG = c.cout / c.groups;
  const out = new Array<number>(c.N * c.cout * oH * oW).fill(0);
  for (let n = 0; n < c.N; n++) {
    for (let co = 0; co < c.cout; co++) for (let i = 0; i < oH * oW; i++) out[(n * c.cout + co) * oH * oW + i] = b ? b[co]! : 0;
    for (let ci = 0; ci < c.cin; ci++) {
      const g = Math.floor(ci / cinG);
      for (let h = 0; h < c.H; h++) for (let v = 0; v < c.W; v++) {
        const xv = x[((n * c.cin + ci) * c.H + h) * c.W + v]!;
        for (let col = 0; col < coutG; col++) for (let i = 0; i < c.k[0]; i++) for (let j = 0; j < c.k[1]; j++) {
          const oh = h * c.s[0] - c.p[0] + i * c.d[0];
          const ow = v * c.s[1] - c.p[1] + j * c.d[1];
          if (oh < 0 || oh >= oH || ow < 0 || ow >= oW) continue;
          const co = g * coutG + col;
          out[((n * c.cout + co) * oH + oh) * oW + ow]! += xv * w[((ci * coutG + col) * c.k[0] + i) * c.k[1] + j]!;
        }
      }
    }
  }
  return { out, shape: [c.N, c.cout, oH, oW] };
}

const caseArb: fc.Arbitrary<TCase> = fc
  .record({
    N: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 1, max: 2 }), ci: fc.integer({ min: 1, max: 2 }), co: fc.integer({ min: 1, max: 2 }),
    H: fc.integer({ min: 1, max: 3 }), W: fc.integer({ min: 1, max: 3 }), k: pairArb(1, 3), s: pairArb(1, 3), p: pairArb(0, 1), opRaw: pairArb(0, 2), d: pairArb(1, 2), bias: fc.boolean(),
  })
  .map((r) => {
    // outputPadding below max(stride, dilation), as PyTorch requires.
    const op: P = [r.opRaw[0] % Math.max(r.s[0], r.d[0]), r.opRaw[1] % Math.max(r.s[1], r.d[1])];
    return { N: r.N, groups: r.groups, cin: r.groups * r.ci, cout: r.groups * r.co, H: r.H, W: r.W, k: r.k as P, s: r.s as P, p: r.p as P, op, d: r.d as P, bias: r.bias };
  })
  // A non-empty output: (n − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1 >= 1.
  .filter((c) => [c.H, c.W].every((n, a) => (n - 1) * c.s[a]! - 2 * c.p[a]! + c.d[a]! * (c.k[a]! - 1) + c.op[a]! >= 0));

const opts = (c: TCase): tg.ConvTranspose2dOptions => ({ stride: c.s, padding: c.p, outputPadding: c.op, dilation: c.d, groups: c.groups });

function inputs(c: TCase, seed: number, requiresGrad = false) {
  const gen = new tg.Generator(seed);
  const x = tg.randn([c.N, c.cin, c.H, c.W], { dtype: 'float64', generator: gen, requiresGrad });
  const w = tg.randn([c.cin, c.cout / c.groups, ...c.k], { dtype: 'float64', generator: gen, requiresGrad });
  const b = c.bias ? tg.randn([c.cout], { dtype: 'float64', generator: gen, requiresGrad }) : null;
  return { x, w, b };
}

describe('convTranspose2d', () => {
  it('matches the direct loop (stride, padding, outputPadding, dilation, groups, bias)', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 99 }), (c, seed) => {
        const { x, w, b } = inputs(c, seed);
        const y = tg.convTranspose2d(x, w, b, opts(c));
        const ref = naiveTranspose(flat(x), flat(w), b && flat(b), c);
        expect(y.shape).toEqual(ref.shape);
        flat(y).forEach((v, i) => expect(v).toBeCloseTo(ref.out[i]!, 12));
      }),
      { seed: 1, numRuns: 80 },
    );
  });

  it('is the adjoint of conv2d: <convTranspose2d(y, w), x> = <y, conv2d(x, w)>', () => {
    const gen = new tg.Generator(4);
    const x = tg.randn([2, 3, 7, 6], { dtype: 'float64', generator: gen });
    const w = tg.randn([4, 1, 3, 2], { dtype: 'float64', generator: gen });
    const o = { stride: [2, 1], padding: 1, dilation: [1, 2], groups: 2 } as const;
    const y = tg.randn(tg.conv2d(x.slice(null, [0, 2]), w, null, o).shape, { dtype: 'float64', generator: gen });
    const xs = x.slice(null, [0, 2]);
    const t = tg.convTranspose2d(y, w, null, { ...o, outputPadding: [0, 0] });
    expect(t.shape).toEqual([2, 2, 7, 6]);
    expect(t.mul(xs).sum().item()).toBeCloseTo(y.mul(tg.conv2d(xs, w, null, o)).sum().item(), 10);
  });

  it('agrees with values computed by PyTorch', () => {
    const x = tg.arange(12, undefined, undefined, { dtype: 'float64' }).div(10).reshape([1, 2, 2, 3]);
    const w = tg.arange(16, undefined, undefined, { dtype: 'float64' }).div(8).sub(1).reshape([2, 2, 2, 2]);
    // F.conv_transpose2d(x, w, tensor([0.5, -0.5]), stride=2, padding=1, output_padding=1)
    const y = tg.convTranspose2d(x, w, tensor([0.5, -0.5], { dtype: 'float64' }), { stride: 2, padding: 1, outputPadding: 1 });
    expect(y.shape).toEqual([1, 2, 3, 5]);
    const want = [0.725, 0.6, 0.7, 0.55, 0.675, 0.35, 0.1, 0.275, 0, 0.2, 0.65, 0.45, 0.625, 0.4, 0.6, 0.025, 0, 0.1, 0.05, 0.175, -0.05, -0.2, -0.025, -0.2, 0, 0.25, 0.15, 0.325, 0.2, 0.4];
    flat(y).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
  });

  it('gradients in input, weight and bias match finite differences, to second order', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { x, w, b } = inputs(c, 7, true);
        const f = (...ts: Tensor[]) => tg.convTranspose2d(ts[0]!, ts[1]!, ts[2] ?? null, opts(c));
        const xs = b ? [x, w, b] : [x, w];
        expect(gradcheck(f, xs, { raiseException: true })).toBe(true);
        expect(gradgradcheck(f, xs, { raiseException: true })).toBe(true);
      }),
      { seed: 2, numRuns: 12 },
    );
  });

  it('takes unbatched input', () => {
    const { x, w } = inputs({ N: 1, groups: 1, cin: 2, cout: 3, H: 2, W: 2, k: [2, 2], s: [1, 1], p: [0, 0], op: [0, 0], d: [1, 1], bias: false }, 3);
    expect(tg.convTranspose2d(x.slice(0), w).toArray()).toEqual((tg.convTranspose2d(x, w).toArray() as unknown[])[0]);
  });
});

describe('convTranspose1d and conv1d', () => {
  it('equal the 2-d ops over a height of 1', () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), (c, batched) => {
        const { x, w, b } = inputs({ ...c, H: 1, k: [1, c.k[1]] }, c.W);
        const x1 = batched ? x.squeeze(2) : x.squeeze(2).slice(0);
        const o1 = { stride: c.s[1], padding: c.p[1], outputPadding: c.op[1], dilation: c.d[1], groups: c.groups };
        const o2 = { stride: [1, c.s[1]], padding: [0, c.p[1]], outputPadding: [0, c.op[1]], dilation: [1, c.d[1]], groups: c.groups } as const;
        const want = tg.convTranspose2d(x1.unsqueeze(-2), w, b, o2).squeeze(-2);
        expect(tg.convTranspose1d(x1, w.squeeze(2), b, o1).toArray()).toEqual(want.toArray());
        // conv1d with the same numbers, weight [O, C/groups, k] = the transposed weight's layout read as a conv's.
        const cw = tg.randn([c.cout, c.cin / c.groups, c.k[1]], { dtype: 'float64', generator: new tg.Generator(1) });
        if (c.W + 2 * c.p[1] >= c.d[1] * (c.k[1] - 1) + 1) {
          const co = { stride: c.s[1], padding: c.p[1], dilation: c.d[1], groups: c.groups };
          const want1 = tg.conv2d(x1.unsqueeze(-2), cw.unsqueeze(-2), null, { stride: [1, co.stride], padding: [0, co.padding], dilation: [1, co.dilation], groups: c.groups });
          expect(tg.conv1d(x1, cw, null, co).toArray()).toEqual(want1.squeeze(-2).toArray());
        }
      }),
      { seed: 3, numRuns: 40 },
    );
  });

  it('agree with values computed by PyTorch', () => {
    const x = tg.arange(8, undefined, undefined, { dtype: 'float64' }).div(4).reshape([1, 2, 4]);
    // F.conv_transpose1d(x, w, stride=1, dilation=2, output_padding=1, groups=2)
    const w = tensor([[[1, -1, 2]], [[0.5, 0.25, -2]]], { dtype: 'float64' });
    const y = tg.convTranspose1d(x, w, null, { dilation: 2, outputPadding: 1, groups: 2 });
    expect(flat(y)).toEqual([0, 0.25, 0.5, 0.5, -0.5, -0.25, 1, 1.5, 0, 0.5, 0.625, 1, 1.1875, -1.625, -2.0625, -3, -3.5, 0]);
    // F.conv1d(arange(10).reshape(1, 2, 5) / 5, w2, padding='same') with an even kernel
    const w2 = tensor([[[1, -1], [1, -1]], [[0.5, 2], [0.5, 2]], [[3, 1], [3, 1]]], { dtype: 'float64' });
    const y2 = tg.conv1d(tg.arange(10, undefined, undefined, { dtype: 'float64' }).reshape([1, 2, 5]).div(5), w2, null, { padding: 'same' });
    const want2 = [-0.4, -0.4, -0.4, -0.4, 2.6, 3.3, 4.3, 5.3, 6.3, 1.3, 4.4, 6, 7.6, 9.2, 7.8];
    flat(y2).forEach((v, i) => expect(v).toBeCloseTo(want2[i]!, 6));
  });

  it('gradients match finite differences, to second order', () => {
    const gen = new tg.Generator(9);
    const x = tg.randn([2, 2, 5], { dtype: 'float64', generator: gen, requiresGrad: true });
    const w = tg.randn([2, 3, 2], { dtype: 'float64', generator: gen, requiresGrad: true });
    const b = tg.randn([3], { dtype: 'float64', generator: gen, requiresGrad: true });
    const ft = (a: Tensor, k: Tensor, c: Tensor) => tg.convTranspose1d(a, k, c, { stride: 2, padding: 1, outputPadding: 1 });
    const fc1 = (a: Tensor, k: Tensor, c: Tensor) => tg.conv1d(a, k.transpose(0, 1).contiguous().slice(null, [0, 2]), c, { padding: 'same', dilation: 2 });
    for (const f of [ft, fc1]) {
      expect(gradcheck(f, [x, w, b], { raiseException: true })).toBe(true);
      expect(gradgradcheck(f, [x, w, b], { raiseException: true })).toBe(true);
    }
  });
});

describe('conv1d and transposed conv rules: jvp against vjp, vmap against stacking', () => {
  const w2 = tensor([0.3, -0.2, 0.5, 0.1, -0.4, 0.7, 0.2, 0.9], { dtype: 'float64' }).reshape([2, 1, 2, 2]);
  const w1 = tensor([0.3, -0.2, 0.5, 0.1, -0.4, 0.7], { dtype: 'float64' }).reshape([2, 1, 3]);
  checkRules([
    { name: 'convTranspose2d', shape: [2, 2, 3], f: (x) => tg.convTranspose2d(x, w2, null, { stride: 2, outputPadding: 1 }) },
    { name: 'convTranspose1d (groups)', shape: [2, 4], f: (x) => tg.convTranspose1d(x, w1, null, { stride: 2, padding: 1, groups: 2 }) },
    { name: 'conv1d', shape: [1, 5], f: (x) => tg.conv1d(x, w1, null, { padding: 'same' }) },
  ]);
  it('vmap over the weight (per-example filters) equals stacking', () => {
    const x = tg.randn([1, 2, 3, 3], { dtype: 'float64', generator: new tg.Generator(2) });
    const ws = tg.randn([3, 2, 1, 2, 2], { dtype: 'float64', generator: new tg.Generator(3) });
    const f = (w: Tensor) => tg.convTranspose2d(x, w, null, { stride: 2 });
    const got = tg.vmap(f)(ws);
    const want = tg.stack([0, 1, 2].map((i) => f(ws.slice(i))));
    expect(got.sub(want).abs().max().item()).toBeLessThan(1e-12);
  });
});

describe('size-0 axes', () => {
  it('an empty batch or channel axis gives an empty or zero output, and gradients of its shape', () => {
    const x = tg.zeros([0, 2, 3, 3], { dtype: 'float64', requiresGrad: true });
    const y = tg.convTranspose2d(x, tg.ones([2, 1, 2, 2], { dtype: 'float64' }), null, { stride: 2 });
    expect(y.shape).toEqual([0, 1, 6, 6]);
    y.sum().backward();
    expect(x.grad!.shape).toEqual([0, 2, 3, 3]);
    expect(tg.convTranspose2d(tg.zeros([1, 0, 3, 3]), tg.zeros([0, 1, 2, 2])).toArray()).toEqual([[[[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]]]);
    expect(tg.conv1d(tg.zeros([0, 2, 5]), tg.zeros([3, 2, 2]), null, { padding: 'same' }).shape).toEqual([0, 3, 5]);
    expect(() => tg.convTranspose1d(tg.zeros([2, 0]), tg.zeros([2, 3, 2]))).toThrow('convTranspose1d: an empty spatial axis has no transposed convolution (input [2,0])');
    const [v, i] = tg.maxPool2d(tg.zeros([0, 2, 4, 4]), { kernelSize: 2, ceilMode: true, returnIndices: true });
    expect([v.shape, i.shape]).toEqual([[0, 2, 2, 2], [0, 2, 2, 2]]);
    expect(tg.avgPool1d(tg.zeros([0, 2, 5]), { kernelSize: 2, ceilMode: true }).shape).toEqual([0, 2, 3]);
    const p = tg.zeros([0, 3], { dtype: 'float64', requiresGrad: true });
    tg.pad(p, [2, 1], 'reflect').sum().backward();
    expect(p.grad!.shape).toEqual([0, 3]);
    expect(tg.vmap((r: Tensor) => tg.pad(r, [1, 1], 'circular'))(tg.zeros([0, 3])).shape).toEqual([0, 5]);
  });
});

describe('bad input', () => {
  it('names the op and what is wrong', () => {
    const x = tg.zeros([1, 2, 3, 3]);
    expect(() => tg.convTranspose2d(x, tg.zeros([2, 1, 2, 2]), null, { outputPadding: 1 })).toThrow(
      'convTranspose2d: outputPadding must be smaller than either stride or dilation, got outputPadding [1,1], stride [1,1], dilation [1,1]',
    );
    expect(() => tg.convTranspose2d(x, tg.zeros([3, 1, 2, 2]))).toThrow('convTranspose2d: expected weight of shape [Cin, Cout/groups, kH, kW] with Cin = 2 divisible by groups (1), got [3,1,2,2]');
    expect(() => tg.convTranspose2d(x, tg.zeros([2, 1, 2, 2]), tg.zeros([2]))).toThrow('convTranspose2d: expected bias of shape [1] (one per output channel), got [2]');
    expect(() => tg.convTranspose2d(x, tg.zeros([2, 1, 1, 1]), null, { padding: 2 })).toThrow('convTranspose2d: the output size [-1,-1] is too small');
    expect(() => tg.convTranspose2d(x, tg.zeros([2, 1, 2, 2]), null, { output_padding: 1 } as tg.ConvTranspose2dOptions)).toThrow("convTranspose2d: unexpected option 'output_padding'");
    expect(() => tg.convTranspose1d(tg.zeros([1, 2, 3]), tg.zeros([2, 1, 2]), null, { outputPadding: 2, stride: 2 })).toThrow(
      'convTranspose1d: outputPadding must be smaller than either stride or dilation, got outputPadding 2, stride 2, dilation 1',
    );
    expect(() => tg.conv1d(tg.zeros([1, 2, 3]), tg.zeros([2, 2, 2, 2]))).toThrow('conv1d: expected a 3-d weight, got [2,2,2,2]');
    expect(() => tg.conv1d(tg.zeros([2, 3, 3, 3]), tg.zeros([2, 2, 2]))).toThrow('conv1d: expected input of shape [N, C, L] or [C, L], got [2,3,3,3]');
    expect(() => tg.conv1d(tg.zeros([1, 2, 3]), tg.zeros([2, 2, 5]))).toThrow('conv1d: kernel of size 5 is larger than the padded input of length 3');
    expect(() => tg.conv1d(tg.zeros([1, 2, 3]), tg.zeros([2, 2, 2]), null, { padding: 'same', stride: 2 })).toThrow("conv1d: padding 'same' needs stride 1 (got stride 2)");
    expect(() => tg.conv1d(tg.zeros([1, 2, 3]), tg.zeros([2, 1, 2]))).toThrow('conv1d: expected weight of shape [O, C/groups, k] with C/groups = 2, got [2,1,2]');
    expect(() => tg.conv1d(tg.zeros([1, 2, 3]), tg.zeros([2, 2, 2]), null, { stride: [1, 1] as unknown as number })).toThrow('conv1d: stride must be a positive integer (got an array of length 2');
  });
});
