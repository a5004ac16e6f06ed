import { describe, expect, it } from 'vitest';
import { Generator, conv2d, defineOp, manualSeed, noGrad, ones, randn, tensor, zeros, type Tensor } from '@tapegrad/autograd';
import { AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, Module, Parameter, init } from '@tapegrad/nn';
import { flat, moduleGradcheck } from './helpers.js';

const f64 = { dtype: 'float64' as const };
const input = (shape: number[], seed = 0) => randn(shape, { ...f64, requiresGrad: true, generator: new Generator(seed) });

describe('Linear', () => {
  it('maps the last axis from inFeatures to outFeatures, for any leading shape', () => {
    const layer = new Linear(4, 3);
    expect(layer.forward(randn([5, 4])).shape).toEqual([5, 3]);
    expect(layer.forward(randn([2, 6, 4])).shape).toEqual([2, 6, 3]);
    expect(layer.forward(randn([4])).shape).toEqual([3]);
    expect(layer.weight.shape).toEqual([3, 4]);
    expect(layer.bias!.shape).toEqual([3]);
  });

  it('computes x·Wᵀ + b', () => {
    const layer = new Linear(2, 2);
    noGrad(() => {
      layer.weight.copy_(tensor([[1, 2], [3, 4]]));
      layer.bias!.copy_(tensor([10, 20]));
    });
    expect(flat(layer.forward(tensor([[1, 1], [0, 2]])))).toEqual([13, 27, 14, 28]);
    expect(new Linear(2, 2, { bias: false }).bias).toBeNull();
  });

  it('passes gradcheck in float64 for input, weight and bias', () => {
    manualSeed(0);
    moduleGradcheck(new Linear(4, 3, f64), [input([2, 4])]);
    moduleGradcheck(new Linear(3, 2, { ...f64, bias: false }), [input([2, 5, 3], 1)]);
  });

  it('names itself and the expected shape on bad input', () => {
    expect(() => new Linear(4, 2).forward(randn([3, 5]))).toThrow('Linear(in_features=4, out_features=2, bias=True): expected input with last dimension 4, got shape [3,5]');
    expect(() => new Linear(4, 2).forward(tensor(1))).toThrow(/expected input with last dimension 4, got shape \[\]/);
    expect(() => new Linear(4, 2).forward(randn([3, 4], f64))).toThrow(/input is float64 but the layer's parameters are float32/);
    expect(() => new Linear(2.5, 2)).toThrow('Linear: inFeatures must be a non-negative integer (got 2.5, expected an integer >= 0)');
  });

  it('initializes as PyTorch: weight and bias in U(−1/√in, 1/√in), reproducible from a generator', () => {
    const layer = new Linear(400, 300, { generator: new Generator(1) });
    const bound = 1 / Math.sqrt(400);
    const w = flat(layer.weight);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeCloseTo(bound / Math.sqrt(3), 3);
    expect(Math.max(...flat(layer.bias!).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(flat(new Linear(400, 300, { generator: new Generator(1) }).weight)).toEqual(w);
    manualSeed(9);
    const a = flat(new Linear(3, 3).weight);
    manualSeed(9);
    expect(flat(new Linear(3, 3).weight)).toEqual(a);
  });
});

describe('Conv2d', () => {
  it('output shapes follow stride, padding, dilation and groups', () => {
    expect(new Conv2d(1, 8, 3).forward(randn([2, 1, 8, 8])).shape).toEqual([2, 8, 6, 6]);
    expect(new Conv2d(1, 8, 3, { padding: 1 }).forward(randn([2, 1, 8, 8])).shape).toEqual([2, 8, 8, 8]);
    expect(new Conv2d(3, 4, [3, 1], { stride: 2, padding: [1, 0] }).forward(randn([1, 3, 9, 7])).shape).toEqual([1, 4, 5, 4]);
    expect(new Conv2d(2, 2, 3, { dilation: 2 }).forward(randn([1, 2, 7, 7])).shape).toEqual([1, 2, 3, 3]);
    const grouped = new Conv2d(4, 6, 3, { groups: 2 });
    expect(grouped.weight.shape).toEqual([6, 2, 3, 3]);
    expect(grouped.forward(randn([1, 4, 5, 5])).shape).toEqual([1, 6, 3, 3]);
    expect(new Conv2d(3, 5, 3).forward(randn([3, 6, 6])).shape).toEqual([5, 4, 4]); // unbatched
  });

  it('is the conv2d op with its own weight and bias', () => {
    const conv = new Conv2d(2, 3, 2, { stride: 2, padding: 1 });
    const x = randn([2, 2, 5, 5]);
    expect(flat(conv.forward(x))).toEqual(flat(conv2d(x, conv.weight, conv.bias, { stride: 2, padding: 1 })));
    noGrad(() => {
      init.ones(conv.weight);
      init.constant(conv.bias!, 0.5);
    });
    // Window of ones over an all-ones input with one pixel of zero padding: the corner sees 2·1 cells.
    expect(conv.forward(ones([1, 2, 2, 2])).contiguousData()[0]).toBe(2 + 0.5);
  });

  it('passes gradcheck in float64 (stride, padding, dilation, groups, bias)', () => {
    manualSeed(0);
    moduleGradcheck(new Conv2d(2, 2, 3, { ...f64, padding: 1, stride: 2 }), [input([2, 2, 5, 5])]);
    moduleGradcheck(new Conv2d(4, 2, 2, { ...f64, groups: 2, dilation: 2, bias: false }), [input([1, 4, 5, 4], 1)]);
  });

  it('names itself and the expected shape on bad input or settings', () => {
    const conv = new Conv2d(1, 8, 3, { padding: 1 });
    expect(() => conv.forward(randn([2, 3, 8, 8]))).toThrow('Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)): expected input of shape [N, 1, H, W] or [1, H, W], got shape [2,3,8,8]');
    expect(() => conv.forward(randn([8, 8]))).toThrow(/expected input of shape \[N, 1, H, W\]/);
    expect(() => new Conv2d(1, 2, 5).forward(randn([1, 1, 3, 3]))).toThrow(/^Conv2d\(.*\): kernel of size \[5,5\] is larger than the padded input of size \[3,3\] \(input \[1,1,3,3\], padding \[0,0\]\)/);
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(/must both be divisible by groups \(2\)/);
    expect(() => new Conv2d(3, 4, 0)).toThrow(/kernelSize must be an integer of at least 1/);
  });

  it('prints like PyTorch and initializes weight and bias within 1/√fanIn', () => {
    expect(new Conv2d(16, 32, 3, { stride: 2, dilation: 2, groups: 4, bias: false }).extraRepr()).toBe(
      '16, 32, kernel_size=(3, 3), stride=(2, 2), dilation=(2, 2), groups=4, bias=False',
    );
    const conv = new Conv2d(4, 8, 3, { groups: 2 });
    const bound = 1 / Math.sqrt(2 * 9);
    expect(Math.max(...flat(conv.weight).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...flat(conv.bias!).map(Math.abs))).toBeLessThanOrEqual(bound);
  });
});

describe('MaxPool2d and AvgPool2d', () => {
  const x = tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);

  it('pool each window', () => {
    expect(flat(new MaxPool2d(2).forward(x))).toEqual([6, 8, 14, 16]);
    expect(flat(new AvgPool2d(2).forward(x))).toEqual([3.5, 5.5, 11.5, 13.5]);
    expect(new MaxPool2d(3, { stride: 1 }).forward(x).shape).toEqual([1, 1, 2, 2]);
    expect(new MaxPool2d(3, { stride: 2, padding: 1 }).forward(randn([2, 3, 8, 8])).shape).toEqual([2, 3, 4, 4]);
    expect(new AvgPool2d(2).forward(randn([3, 4, 4])).shape).toEqual([3, 2, 2]);
    // Padding zeros count in the divisor by default, as in PyTorch.
    expect(flat(new AvgPool2d(2, { padding: 1 }).forward(ones([1, 1, 2, 2])))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(flat(new AvgPool2d(2, { padding: 1, countIncludePad: false }).forward(ones([1, 1, 2, 2])))).toEqual([1, 1, 1, 1]);
  });

  it('pass gradcheck in float64', () => {
    moduleGradcheck(new AvgPool2d(2, { stride: 1, padding: 1 }), [input([1, 2, 3, 3])]);
    // Distinct values, so no window has a tie and max is differentiable.
    const distinct = tensor(Array.from({ length: 32 }, (_, i) => ((i * 7) % 32) / 4), { ...f64, shape: [1, 2, 4, 4], requiresGrad: true });
    moduleGradcheck(new MaxPool2d(2), [distinct]);
  });

  it('name themselves on bad input and print like PyTorch', () => {
    expect(() => new MaxPool2d(2).forward(randn([4, 4]))).toThrow(/^MaxPool2d\(kernel_size=2, stride=2, padding=0\): expected input of shape \[N, C, H, W\] or \[C, H, W\]/);
    expect(() => new AvgPool2d(5).forward(randn([1, 1, 3, 3]))).toThrow("AvgPool2d(kernel_size=5, stride=5, padding=0): kernel of size [5,5] is larger than the padded input of size [3,3] (input [1,1,3,3], padding [0,0])");
    expect(() => new MaxPool2d(2, { padding: 2 })).toThrow(/padding \[2,2\] must be at most half the kernel size/);
    expect(new MaxPool2d([2, 3], { stride: 1 }).extraRepr()).toBe('kernel_size=(2, 3), stride=1, padding=0');
    expect(new AvgPool2d(2, { countIncludePad: false }).extraRepr()).toBe('kernel_size=2, stride=2, padding=0, count_include_pad=False');
  });
});

describe('Flatten', () => {
  it('merges axes startDim..endDim (default all but the batch axis)', () => {
    expect(new Flatten().forward(zeros([16, 8, 4, 4])).shape).toEqual([16, 128]);
    expect(new Flatten(0).forward(zeros([2, 3])).shape).toEqual([6]);
    expect(new Flatten(1, 2).forward(zeros([2, 3, 4, 5])).shape).toEqual([2, 12, 5]);
    expect(() => new Flatten(2).forward(zeros([3, 4]))).toThrow('Flatten(start_dim=2, end_dim=-1): cannot flatten axes 2..-1 of an input of shape [3,4]');
    moduleGradcheck(new Flatten(), [input([2, 2, 3])]);
  });
});

describe('moduleGradcheck (the test helper) really checks parameters', () => {
  // Scales by w but reports a gradient twice too large for w (the input's is right).
  const badScale = defineOp({
    name: 'badScale',
    forward: (x: Tensor, w: Tensor) => x.mul(w),
    vjp: (g, { args: [x, w] }) => [g.mul(w), g.mul(x).mul(2).sum(0)],
  });
  class Bad extends Module<[Tensor], Tensor> {
    w = new Parameter(tensor([1.5, -0.5], f64));
    forward(x: Tensor) { return badScale(x, this.w); }
  }

  it('fails on a layer whose parameter gradient is wrong', () => {
    expect(() => moduleGradcheck(new Bad(), [input([3, 2])])).toThrow(/input 1 \(shape \[2\]\)/);
  });
});
