import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { tensorArb } from '@tapegrad/autograd/testing';
import { propertyGradcheck } from './helpers.js';

type P = [number, number];

/** A small convolution: input [N,C,H,W], weight [O,C/groups,kH,kW], and the window settings. */
interface ConvCase {
  N: number; C: number; O: number; H: number; W: number; groups: number;
  kernel: P; stride: P; padding: P; dilation: P; bias: boolean;
}

const pairArb = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));

// H and W are drawn after the window so that it always fits the padded input.
const convCaseArb: fc.Arbitrary<ConvCase> = fc
  .record({
    N: fc.integer({ min: 1, max: 2 }),
    groups: fc.integer({ min: 1, max: 3 }),
    cPer: fc.integer({ min: 1, max: 3 }),
    oPer: fc.integer({ min: 1, max: 2 }),
    kernel: pairArb(1, 3), stride: pairArb(1, 2), padding: pairArb(0, 1), dilation: pairArb(1, 2),
    bias: fc.boolean(),
  })
  .filter((r) => r.groups * r.cPer <= 3)
  .chain((r) => {
    const minSize = (a: 0 | 1) => Math.max(1, r.dilation[a] * (r.kernel[a] - 1) + 1 - 2 * r.padding[a]);
    return fc.record({ H: fc.integer({ min: minSize(0), max: 6 }), W: fc.integer({ min: minSize(1), max: 6 }) }).map(({ H, W }) => ({
      N: r.N, C: r.groups * r.cPer, O: r.groups * r.oPer, H, W, groups: r.groups,
      kernel: r.kernel as P, stride: r.stride as P, padding: r.padding as P, dilation: r.dilation as P, bias: r.bias,
    }));
  });

const weightShape = (c: ConvCase) => [c.O, c.C / c.groups, ...c.kernel];
const options = (c: ConvCase): tg.Conv2dOptions => ({ stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });

// propertyGradcheck hands f only tensors, so the settings travel as a leading tensor without grad.
const encode = (c: ConvCase) => tensor([...c.stride, ...c.padding, ...c.dilation, c.groups], { dtype: 'float64' });
function decode(cfg: Tensor): tg.Conv2dOptions {
  const [sH, sW, pH, pW, dH, dW, groups] = cfg.toArray() as number[];
  return { stride: [sH!, sW!], padding: [pH!, pW!], dilation: [dH!, dW!], groups };
}

const convInputsArb = (c: ConvCase) =>
  fc.tuple(tensorArb([c.N, c.C, c.H, c.W]), tensorArb(weightShape(c)), ...(c.bias ? [tensorArb([c.O])] : []))
    .map((ts) => [encode(c), ...ts]);
const conv = (cfg: Tensor, x: Tensor, w: Tensor, b?: Tensor) => tg.conv2d(x, w, b ?? null, decode(cfg));

/** Direct 7-loop convolution on flat row-major arrays: the definition, with nothing shared with the library. */
function naiveConv(x: number[], w: number[], b: number[] | null, c: ConvCase): { out: number[]; oH: number; oW: number } {
  const [kH, kW] = c.kernel;
  const oH = Math.floor((c.H + 2 * c.padding[0] - c.dilation[0] * (kH - 1) - 1) / c.stride[0]) + 1;
  const oW = Math.floor((c.W + 2 * c.padding[1] - c.dilation[1] * (kW - 1) - 1) / c.stride[1]) + 1;
  const Cg = c.C / c.groups;
  const Og = c.O / c.groups;
  const out: number[] = [];
  for (let n = 0; n < c.N; n++)
    for (let o = 0; o < c.O; o++)
      for (let oh = 0; oh < oH; oh++)
        for (let ow = 0; ow < oW; ow++) {
          let s = b ? b[o]! : 0;
          for (let ci = 0; ci < Cg; ci++)
            for (let i = 0; i < kH; i++)
              for (let j = 0; j < kW; j++) {
                const ih = oh * c.stride[0] - c.padding[0] + i * c.dilation[0];
                const iw = ow * c.stride[1] - c.padding[1] + j * c.dilation[1];
                if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
                const ch = Math.floor(o / Og) * Cg + ci;
                s += x[((n * c.C + ch) * c.H + ih) * c.W + iw]! * w[((o * Cg + ci) * kH + i) * kW + j]!;
              }
          out.push(s);
        }
  return { out, oH, oW };
}

const flat = (t: Tensor) => Array.from(t.contiguousData());

describe('conv2d', () => {
  it('matches a direct convolution on random configurations (float64 and float32)', () => {
    fc.assert(
      fc.property(convCaseArb, fc.constantFrom('float64' as const, 'float32' as const), fc.integer({ min: 0, max: 1000 }), (c, dtype, seed) => {
        const gen = new tg.Generator(seed);
        const x = tg.randn([c.N, c.C, c.H, c.W], { dtype, generator: gen });
        const w = tg.randn(weightShape(c), { dtype, generator: gen });
        const b = c.bias ? tg.randn([c.O], { dtype, generator: gen }) : null;
        const y = tg.conv2d(x, w, b, options(c));
        const ref = naiveConv(flat(x), flat(w), b && flat(b), c);
        expect(y.shape).toEqual([c.N, c.O, ref.oH, ref.oW]);
        const tol = dtype === 'float64' ? 1e-12 : 1e-4;
        flat(y).forEach((v, i) => expect(Math.abs(v - ref.out[i]!)).toBeLessThan(tol));
      }),
      { numRuns: 60 },
    );
  });

  it('computes a 3×3 box filter by hand', () => {
    const x = tg.arange(16).reshape([1, 1, 4, 4]);
    expect(tg.conv2d(x, tg.ones([1, 1, 3, 3])).toArray()).toEqual([[[[45, 54], [81, 90]]]]);
    expect(tg.conv2d(x, tg.ones([1, 1, 3, 3]), tensor([1]), { stride: 2 }).toArray()).toEqual([[[[46]]]]);
    // Padding 1 keeps the size; the corner sees only its 2×2 neighbourhood: 0 + 1 + 4 + 5.
    expect((tg.conv2d(x, tg.ones([1, 1, 3, 3]), null, { padding: 1 }).toArray() as number[][][][])[0]![0]![0]![0]).toBe(10);
  });

  it('accepts unbatched [C, H, W] input and returns [O, H\', W\']', () => {
    const gen = new tg.Generator(3);
    const x = tg.randn([2, 5, 5], { dtype: 'float64', generator: gen });
    const w = tg.randn([4, 1, 3, 3], { dtype: 'float64', generator: gen });
    const y = tg.conv2d(x, w, null, { groups: 2, padding: [1, 0] });
    expect(y.shape).toEqual([4, 5, 3]);
    expect(y.toArray()).toEqual((tg.conv2d(x.unsqueeze(0), w, null, { groups: 2, padding: [1, 0] }).toArray() as unknown[])[0]);
  });

  it('gradients match finite differences for input, weight and bias', () => {
    propertyGradcheck(convCaseArb.chain(convInputsArb), conv as (...xs: Tensor[]) => Tensor, { numRuns: 30 });
  });

  it('second derivatives match finite differences (its vjp is differentiable)', () => {
    propertyGradcheck(convCaseArb.chain(convInputsArb), conv as (...xs: Tensor[]) => Tensor, { second: true, numRuns: 15 });
  });

  it('1×1 convolutions (which skip im2col) match the reference and finite differences', () => {
    const pointwise = convCaseArb.map((c): ConvCase => ({ ...c, kernel: [1, 1], stride: [1, 1], padding: [0, 0] }));
    fc.assert(
      fc.property(pointwise, (c) => {
        const gen = new tg.Generator(c.H * 7 + c.W);
        const x = tg.randn([c.N, c.C, c.H, c.W], { dtype: 'float64', generator: gen });
        const w = tg.randn(weightShape(c), { dtype: 'float64', generator: gen });
        const ref = naiveConv(flat(x), flat(w), null, c).out;
        flat(tg.conv2d(x, w, null, options(c))).forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 12));
      }),
    );
    propertyGradcheck(pointwise.chain(convInputsArb), conv as (...xs: Tensor[]) => Tensor, { second: true, numRuns: 10 });
  });

  it('reads strided (non-contiguous) views correctly', () => {
    const gen = new tg.Generator(5);
    const x = tg.randn([2, 3, 5, 4], { dtype: 'float64', generator: gen });
    const w = tg.randn([2, 3, 2, 2], { dtype: 'float64', generator: gen });
    const view = x.transpose(2, 3);
    expect(tg.conv2d(view, w, null, { padding: 1 }).toArray()).toEqual(tg.conv2d(view.contiguous().clone(), w, null, { padding: 1 }).toArray());
    expect(tg.maxPool2d(view, { kernelSize: 2 }).toArray()).toEqual(tg.maxPool2d(view.clone(), { kernelSize: 2 }).toArray());
  });

  it('conv2dInputGrad and conv2dWeightGrad agree with backward', () => {
    const gen = new tg.Generator(7);
    const x = tg.randn([2, 4, 6, 5], { dtype: 'float64', generator: gen, requiresGrad: true });
    const w = tg.randn([6, 2, 3, 2], { dtype: 'float64', generator: gen, requiresGrad: true });
    const opts = { stride: [2, 1], padding: 1, dilation: [1, 2], groups: 2 } as const;
    const y = tg.conv2d(x, w, null, opts);
    const g = tg.randn(y.shape, { dtype: 'float64', generator: gen });
    y.backward(g);
    const close = (a: Tensor, b: Tensor) => flat(a).forEach((v, i) => expect(v).toBeCloseTo(flat(b)[i]!, 12));
    close(tg.conv2dInputGrad(g, w, x.shape, opts), x.grad!);
    close(tg.conv2dWeightGrad(x, g, w.shape, opts), w.grad!);
  });
});

interface PoolCase { N: number; C: number; H: number; W: number; kernel: P; stride: P; padding: P }

const poolCaseArb: fc.Arbitrary<PoolCase> = fc
  .record({ N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }), kernel: pairArb(1, 3), stride: pairArb(1, 2), pad: pairArb(0, 1) })
  .chain((r) => {
    const padding: P = [Math.min(r.pad[0], Math.floor(r.kernel[0] / 2)), Math.min(r.pad[1], Math.floor(r.kernel[1] / 2))];
    const min = (a: 0 | 1) => Math.max(1, r.kernel[a] - 2 * padding[a]);
    return fc.record({ H: fc.integer({ min: min(0), max: 6 }), W: fc.integer({ min: min(1), max: 6 }) })
      .map(({ H, W }) => ({ N: r.N, C: r.C, H, W, kernel: r.kernel as P, stride: r.stride as P, padding }));
  });

const encodePool = (c: PoolCase, includePad = 1) => tensor([...c.kernel, ...c.stride, ...c.padding, includePad], { dtype: 'float64' });
function decodePool(cfg: Tensor): tg.AvgPool2dOptions {
  const [kH, kW, sH, sW, pH, pW, inc] = cfg.toArray() as number[];
  return { kernelSize: [kH!, kW!], stride: [sH!, sW!], padding: [pH!, pW!], countIncludePad: inc === 1 };
}
const poolInputsArb = (distinct: boolean) => (c: PoolCase) =>
  fc.tuple(fc.constantFrom(0, 1), tensorArb([c.N, c.C, c.H, c.W], { distinct })).map(([inc, x]) => [encodePool(c, inc), x]);

describe('maxPool2d', () => {
  it('computes a 2×2 max pool by hand, padding counting as -Infinity', () => {
    const x = tg.arange(16).reshape([1, 1, 4, 4]);
    expect(tg.maxPool2d(x, { kernelSize: 2 }).toArray()).toEqual([[[[5, 7], [13, 15]]]]);
    const neg = tensor([[[-1, -2], [-3, -4]]]);
    expect(tg.maxPool2d(neg, { kernelSize: 2, stride: 1, padding: 1 }).toArray()).toEqual([[[-1, -1, -2], [-1, -1, -2], [-3, -3, -4]]]);
  });

  it('routes the gradient to each window maximum, accumulating where windows share it', () => {
    const x = tensor([[[[1, 9, 2], [0, 0, 0], [3, 0, 4]]]], { requiresGrad: true });
    tg.maxPool2d(x, { kernelSize: 2, stride: 1 }).sum().backward();
    expect(x.grad!.toArray()).toEqual([[[[0, 2, 0], [0, 0, 0], [1, 0, 1]]]]);
  });

  it('gradients and second derivatives match finite differences away from ties', () => {
    const f = (cfg: Tensor, x: Tensor) => {
      const { countIncludePad: _, ...o } = decodePool(cfg);
      return tg.maxPool2d(x, o);
    };
    propertyGradcheck(poolCaseArb.chain(poolInputsArb(true)), f as (...xs: Tensor[]) => Tensor, { second: true, numRuns: 25 });
  });
});

describe('avgPool2d', () => {
  it('computes by hand, with and without counting padding', () => {
    const x = tg.arange(16).reshape([1, 1, 4, 4]);
    expect(tg.avgPool2d(x, { kernelSize: 2 }).toArray()).toEqual([[[[2.5, 4.5], [10.5, 12.5]]]]);
    const small = tensor([[[[1, 2], [3, 4]]]]);
    expect(tg.avgPool2d(small, { kernelSize: 2, padding: 1 }).toArray()).toEqual([[[[0.25, 0.5], [0.75, 1]]]]);
    expect(tg.avgPool2d(small, { kernelSize: 2, padding: 1, countIncludePad: false }).toArray()).toEqual([[[[1, 2], [3, 4]]]]);
  });

  it('gradients and second derivatives match finite differences', () => {
    const f = (cfg: Tensor, x: Tensor) => tg.avgPool2d(x, decodePool(cfg));
    propertyGradcheck(poolCaseArb.chain(poolInputsArb(false)), f as (...xs: Tensor[]) => Tensor, { second: true, numRuns: 15 });
  });
});

describe('unfold and fold', () => {
  it('unfold lays out one window per column', () => {
    const cols = tg.unfold(tg.arange(16).reshape([1, 1, 4, 4]), { kernelSize: 2, stride: 2 });
    expect(cols.toArray()).toEqual([[[0, 2, 8, 10], [1, 3, 9, 11], [4, 6, 12, 14], [5, 7, 13, 15]]]);
    expect(tg.fold(tg.ones([4, 9]), { outputSize: 4, kernelSize: 2 }).toArray()).toEqual([[[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]]);
  });

  it('are adjoint and twice differentiable', () => {
    const f = (cfg: Tensor, x: Tensor) => {
      const { stride, padding, dilation } = decode(cfg);
      return tg.unfold(x, { kernelSize: [2, 3], stride, padding: padding as [number, number], dilation });
    };
    const arb = fc.tuple(pairArb(1, 2), pairArb(0, 1), pairArb(1, 2), fc.integer({ min: 3, max: 6 }), fc.integer({ min: 5, max: 7 }))
      .chain(([s, p, d, H, W]) => {
        const c: ConvCase = { N: 1, C: 2, O: 1, H, W, groups: 1, kernel: [2, 3], stride: s, padding: p, dilation: d, bias: false };
        return tensorArb([1, 2, H, W]).map((x) => [encode(c), x]);
      });
    propertyGradcheck(arb, f as (...xs: Tensor[]) => Tensor, { second: true, numRuns: 10 });
    // <unfold(x), y> = <x, fold(y)>
    const gen = new tg.Generator(1);
    const x = tg.randn([2, 3, 5, 4], { dtype: 'float64', generator: gen });
    const opts = { kernelSize: [3, 2], padding: 1, stride: [2, 1], dilation: [1, 2] } as const;
    const u = tg.unfold(x, opts);
    const y = tg.randn(u.shape, { dtype: 'float64', generator: gen });
    expect(u.mul(y).sum().item()).toBeCloseTo(x.mul(tg.fold(y, { ...opts, outputSize: [5, 4] })).sum().item(), 12);
  });
});

describe('bad input', () => {
  const x = tg.zeros([1, 6, 8, 8]);
  it('conv2d names the shapes it cannot use', () => {
    expect(() => tg.conv2d(x, tg.zeros([4, 3, 3, 3]), null, { groups: 3 })).toThrow(
      'conv2d: expected weight of shape [O, C/groups, kH, kW] with C/groups = 2, got [4,3,3,3] for input [1,6,8,8] and groups 3',
    );
    expect(() => tg.conv2d(x, tg.zeros([4, 3, 3]))).toThrow('conv2d: expected weight of shape [O, C/groups, kH, kW] with C/groups = 6, got [4,3,3]');
    expect(() => tg.conv2d(tg.zeros([1, 5, 8, 8]), tg.zeros([4, 1, 3, 3]), null, { groups: 2 })).toThrow('conv2d: input channels (5) are not divisible by groups (2)');
    expect(() => tg.conv2d(x, tg.zeros([3, 3, 3, 3]), null, { groups: 2 })).toThrow('conv2d: output channels (3) of weight [3,3,3,3] are not divisible by groups (2)');
    expect(() => tg.conv2d(tg.zeros([1, 1, 2, 2]), tg.zeros([1, 1, 5, 5]), null, { padding: 1 })).toThrow(
      'conv2d: kernel of size [5,5] is larger than the padded input of size [4,4] (input [1,1,2,2], padding [1,1])',
    );
    expect(() => tg.conv2d(tg.zeros([1, 1, 4, 4]), tg.zeros([1, 1, 3, 3]), null, { dilation: 2 })).toThrow('conv2d: kernel of size [5,5] (after dilation) is larger');
    expect(() => tg.conv2d(tg.zeros([8, 8]), tg.zeros([1, 1, 3, 3]))).toThrow('conv2d: expected input of shape [N, C, H, W] or [C, H, W], got [8,8]');
    expect(() => tg.conv2d(x, tg.zeros([4, 6, 3, 3]), tg.zeros([3]))).toThrow('conv2d: expected bias of shape [4] (one per output channel of weight [4,6,3,3]), got [3]');
    expect(() => tg.conv2d(x, tg.zeros([4, 6, 3, 3], { dtype: 'float64' }))).toThrow('conv2d: dtype mismatch: input is float32 but weight is float64');
    expect(() => tg.conv2d(x, tg.zeros([4, 6, 3, 3]), tg.zeros([4], { dtype: 'float64' }))).toThrow('conv2d: dtype mismatch: input is float32 but bias is float64');
    expect(() => tg.conv2d(x, tg.zeros([4, 6, 3, 3]), null, { stride: 0 })).toThrow('conv2d: stride must be a positive integer or a pair of them, got 0');
    expect(() => tg.conv2d(x, tg.zeros([4, 6, 3, 3]), null, { padding: [1, -1] })).toThrow('conv2d: padding must be a non-negative integer or a pair of them, got [1,-1]');
    expect(() => tg.conv2d(x, tg.zeros([4, 6, 3, 3]), null, { groups: 0 })).toThrow('conv2d: groups must be a positive integer, got 0');
  });
  it('the conv2d gradients check gradOutput against the convolution', () => {
    expect(() => tg.conv2dInputGrad(tg.zeros([1, 4, 5, 5]), tg.zeros([4, 6, 3, 3]), [1, 6, 8, 8])).toThrow(
      'conv2dInputGrad: expected gradOutput of shape [1,4,6,6] for input [1,6,8,8] and weight [4,6,3,3], got [1,4,5,5]',
    );
    expect(() => tg.conv2dWeightGrad(x, tg.zeros([1, 4, 6, 6]), [4, 3, 3, 3])).toThrow('conv2dWeightGrad: expected weight of shape [O, C/groups, kH, kW] with C/groups = 6, got [4,3,3,3]');
  });
  it('pools refuse bad windows and shapes', () => {
    expect(() => tg.maxPool2d(x, { kernelSize: 3, padding: 2 })).toThrow('maxPool2d: padding [2,2] must be at most half the kernel size [3,3]');
    expect(() => tg.avgPool2d(x, { kernelSize: 2, padding: [0, 2] })).toThrow('avgPool2d: padding [0,2] must be at most half the kernel size [2,2]');
    expect(() => tg.maxPool2d(tg.zeros([2, 2]), { kernelSize: 2 })).toThrow('maxPool2d: expected input of shape [N, C, H, W] or [C, H, W], got [2,2]');
    expect(() => tg.avgPool2d(x, { kernelSize: 9 })).toThrow('avgPool2d: kernel of size [9,9] is larger than the padded input of size [8,8]');
    expect(() => tg.maxPool2d(x, { kernelSize: 0 })).toThrow('maxPool2d: kernelSize must be a positive integer or a pair of them (got 0');
  });
  it('fold checks the window count', () => {
    expect(() => tg.fold(tg.zeros([1, 4, 8]), { outputSize: 4, kernelSize: 2 })).toThrow('fold: input [1,4,8] has 8 windows but output size [4,4] with these options has 3·3 = 9');
    expect(() => tg.fold(tg.zeros([1, 5, 9]), { outputSize: 4, kernelSize: 2 })).toThrow('fold: input dimension 1 (5) of [1,5,9] is not divisible by the kernel size 2·2 = 4');
  });
});
