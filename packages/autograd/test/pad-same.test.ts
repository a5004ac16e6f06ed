// pad's reflect/replicate/circular modes and conv2d's padding 'same'/'valid': against plain loops,
// values computed with torch 2.13, finite differences (first and second order), and the
// forward-mode and vmap rules.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { gradcheck, gradgradcheck } from '@tapegrad/autograd/testing';
import { checkRules } from './rule-checks.js';

type Mode = 'reflect' | 'replicate' | 'circular';
const flat = (t: Tensor) => Array.from(t.contiguousData() as ArrayLike<number>);

/** Source index along one axis of size n padded by (b, a), following each mode's description. */
function source(i: number, n: number, b: number, a: number, mode: Mode): number {
  if (mode === 'circular') {
    // Crop first, then wrap around what is left.
    const kept = Array.from({ length: n }, (_, k) => k).slice(Math.max(-b, 0), n - Math.max(-a, 0));
    return kept[(((i - Math.max(b, 0)) % kept.length) + kept.length) % kept.length]!;
  }
  let j = i - b;
  if (mode === 'replicate') return Math.min(Math.max(j, 0), n - 1);
  while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
  return j;
}

function naivePad(x: Tensor, before: number[], after: number[], mode: Mode): { out: number[]; shape: number[] } {
  const xs = flat(x);
  const shape = x.shape.map((n, d) => n + before[d]! + after[d]!);
  const out: number[] = [];
  const total = shape.reduce((p, q) => p * q, 1);
  for (let k = 0; k < total; k++) {
    let rest = k;
    let src = 0;
    let stride = 1;
    for (let d = x.ndim - 1; d >= 0; d--) {
      const i = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
      src += source(i, x.shape[d]!, before[d]!, after[d]!, mode) * stride;
      stride *= x.shape[d]!;
    }
    out.push(xs[src]!);
  }
  return { out, shape };
}

/** A shape of 1–3 axes and valid amounts for `mode` on its last one or two axes (some negative). */
const padCaseArb = fc.constantFrom<Mode>('reflect', 'replicate', 'circular').chain((mode) =>
  fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }).chain((shape) => {
    const padded = Math.min(shape.length, 2);
    const amount = (n: number) => (mode === 'reflect' ? fc.integer({ min: -(n - 1), max: n - 1 }) : mode === 'circular' ? fc.integer({ min: 0, max: n }) : fc.integer({ min: -(n - 1), max: 3 }));
    const pairs = shape.slice(-padded).map((n) => fc.tuple(amount(n), amount(n)));
    return fc.tuple(...pairs).filter((ps) => ps.every(([b, a], i) => shape[shape.length - padded + i]! + b + a >= 1)).map((ps) => {
      const before = shape.map(() => 0);
      const after = shape.map(() => 0);
      ps.forEach(([b, a], i) => { before[shape.length - padded + i] = b; after[shape.length - padded + i] = a; });
      const flatPads = ps.slice().reverse().flatMap(([b, a]) => [b, a]);
      return { mode, shape, before, after, flatPads };
    });
  }),
);

describe('pad modes', () => {
  it('match the plain per-mode loop', () => {
    fc.assert(
      fc.property(padCaseArb, fc.integer({ min: 0, max: 99 }), (c, seed) => {
        const x = tg.randn(c.shape, { dtype: 'float64', generator: new tg.Generator(seed) });
        const y = tg.pad(x, c.flatPads, c.mode);
        const ref = naivePad(x, c.before, c.after, c.mode);
        expect(y.shape).toEqual(ref.shape);
        expect(flat(y)).toEqual(ref.out);
        // The NumPy layout gives the same.
        expect(tg.pad(x, c.before.map((b, d) => [b, c.after[d]!] as [number, number]), c.mode).toArray()).toEqual(y.toArray());
      }),
      { seed: 1, numRuns: 100 },
    );
  });

  it('agree with values computed by PyTorch (F.pad(x, (2, 1, 1, 1), mode))', () => {
    const x = tensor([[[1, 2, 3], [4, 5, 6]]]);
    expect(tg.pad(x, [2, 1, 1, 1], 'reflect').toArray()).toEqual([[[6, 5, 4, 5, 6, 5], [3, 2, 1, 2, 3, 2], [6, 5, 4, 5, 6, 5], [3, 2, 1, 2, 3, 2]]]);
    expect(tg.pad(x, [2, 1, 1, 1], 'replicate').toArray()).toEqual([[[1, 1, 1, 2, 3, 3], [1, 1, 1, 2, 3, 3], [4, 4, 4, 5, 6, 6], [4, 4, 4, 5, 6, 6]]]);
    expect(tg.pad(x, [2, 1, 1, 1], 'circular').toArray()).toEqual([[[5, 6, 4, 5, 6, 4], [2, 3, 1, 2, 3, 1], [5, 6, 4, 5, 6, 4], [2, 3, 1, 2, 3, 1]]]);
    // Negative amounts: F.pad(arange(4)[None], p, mode)
    const r = tg.arange(4).reshape([1, 4]);
    expect(tg.pad(r, [-2, 2], 'reflect').toArray()).toEqual([[2, 3, 2, 1]]);
    expect(tg.pad(r, [-1, 3], 'reflect').toArray()).toEqual([[1, 2, 3, 2, 1, 0]]);
    expect(tg.pad(r, [-4, 1], 'replicate').toArray()).toEqual([[3]]);
    expect(tg.pad(r, [-1, 3], 'circular').toArray()).toEqual([[1, 2, 3, 1, 2, 3]]);
    expect(tg.pad(r, [-2, 2], 'circular').toArray()).toEqual([[2, 3, 2, 3]]);
  });

  it('gradients (first and second order) match finite differences', () => {
    fc.assert(
      fc.property(padCaseArb, (c) => {
        const x = tg.randn(c.shape, { dtype: 'float64', generator: new tg.Generator(3), requiresGrad: true });
        const f = (t: Tensor) => tg.pad(t, c.flatPads, c.mode).square();
        expect(gradcheck(f, [x], { raiseException: true })).toBe(true);
        expect(gradgradcheck(f, [x], { raiseException: true })).toBe(true);
      }),
      { seed: 2, numRuns: 30 },
    );
  });

  it('refuse what PyTorch refuses, by name', () => {
    const x = tg.zeros([1, 4]);
    expect(() => tg.pad(x, [4, 0], 'reflect')).toThrow('pad: reflect padding [4,0] must be less than the size of axis 1 of [1,4] (got 4 before and 0 after)');
    expect(() => tg.pad(x, [0, 5], 'circular')).toThrow('pad: circular padding [0,5] wraps around more than once on axis 1 of [1,4]');
    expect(() => tg.pad(x, [-3, -1], 'replicate')).toThrow('pad: replicate padding [-3,-1] leaves no element on axis 1 of [1,4]');
    expect(() => tg.pad(tg.zeros([2, 0]), [1, 1], 'replicate')).toThrow('pad: cannot replicate-pad the empty axis 1 of [2,0]');
    expect(() => tg.pad(x, [1, 1], 'reflect', 2)).toThrow("pad: mode 'reflect' takes no value (got 2)");
    expect(() => tg.pad(x, [1, 1], 'mirror' as tg.PadMode)).toThrow('pad: unknown mode (got a string "mirror"');
    expect(() => tg.pad(x, [1, 1], 3, 4)).toThrow('pad: a value was given twice');
    expect(tg.pad(x, [1, 1], 'constant', 2).toArray()).toEqual([[2, 0, 0, 0, 0, 2]]);
  });
});

describe("conv2d padding 'same' and 'valid'", () => {
  it("'same' keeps the size and, with an even kernel, pads the extra zero after (as PyTorch)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }),
        (kH, kW, d, H, W) => {
          const gen = new tg.Generator(kH * 31 + kW * 7 + H);
          const x = tg.randn([2, 2, H, W], { dtype: 'float64', generator: gen });
          const w = tg.randn([3, 2, kH, kW], { dtype: 'float64', generator: gen });
          const y = tg.conv2d(x, w, null, { padding: 'same', dilation: d });
          expect(y.shape).toEqual([2, 3, H, W]);
          const [tH, tW] = [d * (kH - 1), d * (kW - 1)];
          const explicit = tg.conv2d(tg.pad(x, [Math.floor(tW / 2), tW - Math.floor(tW / 2), Math.floor(tH / 2), tH - Math.floor(tH / 2)]), w, null, { dilation: d });
          flat(y).forEach((v, i) => expect(v).toBeCloseTo(flat(explicit)[i]!, 12));
        }),
      { seed: 5, numRuns: 40 },
    );
    expect(tg.conv2d(tg.ones([1, 1, 3, 3]), tg.ones([1, 1, 2, 2]), null, { padding: 'valid' }).toArray()).toEqual([[[[4, 4], [4, 4]]]]);
  });

  it('agrees with values computed by PyTorch', () => {
    const x = tg.arange(20, undefined, undefined, { dtype: 'float64' }).reshape([1, 1, 4, 5]).div(10);
    // F.conv2d(x, w, padding='same') with a 2×2 kernel
    const y = tg.conv2d(x, tensor([[[[1, -2], [0.5, 3]]]], { dtype: 'float64' }), null, { padding: 'same' });
    const want = [1.85, 2.1, 2.35, 2.6, 0.85, 3.1, 3.35, 3.6, 3.85, 1.6, 4.35, 4.6, 4.85, 5.1, 2.35, -1.7, -1.8, -1.9, -2.0, 1.9];
    flat(y).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    // F.conv2d(x, w3, padding='same', dilation=(2, 1)) with a 2×3 kernel
    const y3 = tg.conv2d(x, tensor([[[[1, -2, 0.25], [0.5, 3, -1]]]], { dtype: 'float64' }), null, { padding: 'same', dilation: [2, 1] });
    const want3 = [0.9, 1.35, 1.6, 1.85, 3.1, 1.925, 2.45, 2.625, 2.8, 4.35, 2.05, 3.325, 3.5, 3.675, 5.6, -1.725, -0.9, -0.975, -1.05, -1.5];
    flat(y3).forEach((v, i) => expect(v).toBeCloseTo(want3[i]!, 6));
  });

  it("gradients of 'same' (even and odd kernels) match finite differences, to second order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), (k, d) => {
        const gen = new tg.Generator(k + 10 * d);
        const x = tg.randn([1, 2, 3, 4], { dtype: 'float64', generator: gen, requiresGrad: true });
        const w = tg.randn([2, 1, k, k + 1], { dtype: 'float64', generator: gen, requiresGrad: true });
        const f = (a: Tensor, b: Tensor) => tg.conv2d(a, b, null, { padding: 'same', dilation: d, groups: 2 });
        expect(gradcheck(f, [x, w], { raiseException: true })).toBe(true);
        expect(gradgradcheck(f, [x, w], { raiseException: true })).toBe(true);
      }),
      { seed: 6, numRuns: 6 },
    );
  });

  it('refuses what PyTorch refuses, and unknown options', () => {
    const x = tg.zeros([1, 2, 5, 5]);
    const w = tg.zeros([2, 2, 3, 3]);
    expect(() => tg.conv2d(x, w, null, { padding: 'same', stride: 2 })).toThrow("conv2d: padding 'same' needs stride 1 (got stride [2,2]), as in PyTorch");
    expect(() => tg.conv2d(x, w, null, { padding: 'full' as 'same' })).toThrow("conv2d: padding must be a number, a pair, 'same' or 'valid' (got a string \"full\"");
    expect(() => tg.conv2d(x, w, null, { pading: 1 } as tg.Conv2dOptions)).toThrow("conv2d: unexpected option 'pading' (expected one of: stride, padding, dilation, groups)");
    expect(() => tg.conv2dInputGrad(tg.zeros([1, 2, 5, 5]), w, [1, 2, 5, 5], { padding: 'same' })).toThrow("conv2dInputGrad: padding 'same' is only for conv1d/conv2d");
  });
});

describe('pad-mode and same-conv rules: jvp against vjp, vmap against stacking', () => {
  const w = tensor([0.3, -0.2, 0.5, 0.1, -0.4, 0.7, 0.2, 0.9], { dtype: 'float64' }).reshape([2, 1, 2, 2]);
  checkRules([
    { name: 'pad reflect', shape: [2, 3, 4], f: (x) => tg.pad(x, [2, -1, 1, 2], 'reflect') },
    { name: 'pad replicate', shape: [3, 2], f: (x) => tg.pad(x, [[1, 0], [3, 2]], 'replicate') },
    { name: 'pad circular', shape: [2, 3], f: (x) => tg.pad(x, [3, 1, 1, 0], 'circular') },
    { name: "conv2d padding 'same' (even kernel)", shape: [1, 3, 4], f: (x) => tg.conv2d(x, w, null, { padding: 'same' }) },
  ]);
});
