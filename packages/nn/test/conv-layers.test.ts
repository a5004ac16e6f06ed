// Conv1d, ConvTranspose1d/2d, Conv2d's paddingMode and 'same' padding, and the pooling layers'
// PyTorch options: outputs against the ops and values computed with torch 2.13, PyTorch's weight
// layout and initialization, gradcheck in float64, and PyTorch's errors.
import { describe, expect, it } from 'vitest';
import { Generator, conv1d, convTranspose1d, convTranspose2d, noGrad, randn, tensor, arange, type Tensor } from '@tapegrad/autograd';
import { AvgPool1d, AvgPool2d, Conv1d, Conv2d, ConvNd, ConvTranspose1d, ConvTranspose2d, MaxPool1d, MaxPool2d, MaxUnpool2d } from '@tapegrad/nn';
import { flat, moduleGradcheck } from './helpers.js';

const f64 = { dtype: 'float64' as const };
const input = (shape: number[], seed = 0) => randn(shape, { ...f64, requiresGrad: true, generator: new Generator(seed) });
const close = (t: Tensor, want: number[], digits = 8) => flat(t).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, digits));

describe('Conv2d padding modes and same padding', () => {
  const x = arange(24, undefined, undefined, f64).div(10).reshape([1, 2, 3, 4]);
  const conv = (mode: 'reflect' | 'replicate' | 'circular') => {
    const c = new Conv2d(2, 1, [2, 3], { ...f64, padding: 'same', paddingMode: mode });
    noGrad(() => {
      c.weight.copy_(arange(12, undefined, undefined, f64).div(6).sub(1).reshape([1, 2, 2, 3]));
      c.bias!.copy_(tensor([0.5], f64));
    });
    return c;
  };
  it('agree with torch.nn.Conv2d(2, 1, (2, 3), padding="same", padding_mode=mode)', () => {
    close(conv('reflect').forward(x), [3.8333333333, 3.9333333333, 3.8333333333, 3.6666666667, 3.4333333333, 3.5333333333, 3.4333333333, 3.2666666667, 2.2333333333, 2.3333333333, 2.2333333333, 2.0666666667]);
    close(conv('replicate').forward(x), [3.9333333333, 3.9333333333, 3.8333333333, 3.7, 3.5333333333, 3.5333333333, 3.4333333333, 3.3, 2.7333333333, 2.7333333333, 2.6333333333, 2.5]);
    close(conv('circular').forward(x), [3.6333333333, 3.9333333333, 3.8333333333, 3.6, 3.2333333333, 3.5333333333, 3.4333333333, 3.2, 1.6333333333, 1.9333333333, 1.8333333333, 1.6]);
  });
  it('pass gradcheck and print like PyTorch', () => {
    moduleGradcheck(conv('reflect'), [input([1, 2, 3, 4])]);
    moduleGradcheck(new Conv2d(2, 2, 3, { ...f64, padding: 1, stride: 2, paddingMode: 'circular' }), [input([2, 2, 5, 4], 1)]);
    expect(new Conv2d(1, 8, 4, { padding: 'same', paddingMode: 'reflect' }).extraRepr()).toBe('1, 8, kernel_size=(4, 4), stride=(1, 1), padding=same, padding_mode=reflect');
  });
  it('refuse what PyTorch refuses', () => {
    expect(() => new Conv2d(1, 1, 3, { padding: 'same', stride: 2 })).toThrow("Conv2d: padding 'same' is not supported for strided convolutions");
    expect(() => new Conv2d(1, 1, 3, { paddingMode: 'mirror' as 'reflect' })).toThrow("Conv2d: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got a string \"mirror\"");
    expect(() => new Conv2d(1, 1, 3, { padding_mode: 'reflect' } as object)).toThrow("Conv2d: unexpected option 'padding_mode'");
    expect(() => new Conv2d(1, 1, 3, { padding: 3, paddingMode: 'reflect' }).forward(randn([1, 1, 3, 3]))).toThrow(/^Conv2d\(.*\): reflect padding \[3,3,3,3\] must be less than the size of axis 2 of \[1,1,3,3\]/);
  });
});

describe('Conv1d', () => {
  it('has PyTorch weight shape and init, and computes conv1d', () => {
    const c = new Conv1d(4, 6, 3, { ...f64, groups: 2, generator: new Generator(1) });
    expect(c.weight.shape).toEqual([6, 2, 3]);
    const bound = 1 / Math.sqrt(2 * 3);
    expect(Math.max(...flat(c.weight).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...flat(c.bias!).map(Math.abs))).toBeLessThanOrEqual(bound);
    const x = randn([2, 4, 7], f64);
    expect(c.forward(x).toArray()).toEqual(conv1d(x, c.weight, c.bias, { groups: 2 }).toArray());
    expect(c.forward(x.slice(0)).shape).toEqual([6, 5]);
  });
  it('agrees with torch.nn.Conv1d(2, 2, 3, padding=1, padding_mode="circular", bias=False)', () => {
    const c = new Conv1d(2, 2, 3, { ...f64, padding: 1, paddingMode: 'circular', bias: false });
    noGrad(() => c.weight.copy_(arange(12, undefined, undefined, f64).div(4).sub(1).reshape([2, 2, 3])));
    close(c.forward(arange(10, undefined, undefined, f64).div(5).reshape([1, 2, 5])), [-1.05, -0.25, -0.7, -1.15, -1.35, 6.45, 6.05, 7.4, 8.75, 7.35]);
    expect(c.extraRepr()).toBe('2, 2, kernel_size=(3,), stride=(1,), padding=(1,), bias=False, padding_mode=circular');
  });
  it('passes gradcheck (same padding, dilation, replicate mode)', () => {
    moduleGradcheck(new Conv1d(2, 3, 4, { ...f64, padding: 'same', dilation: 2, paddingMode: 'replicate' }), [input([2, 2, 6])]);
    moduleGradcheck(new Conv1d(2, 2, 2, { ...f64, stride: 2, groups: 2 }), [input([1, 2, 5], 1)]);
  });
  it('names itself on bad input', () => {
    expect(() => new Conv1d(3, 2, 3).forward(randn([1, 4, 8]))).toThrow('Conv1d(3, 2, kernel_size=(3,), stride=(1,)): expected input of shape [N, 3, L] or [3, L], got shape [1,4,8]');
    expect(() => new Conv1d(3, 2, 5).forward(randn([1, 3, 2]))).toThrow(/^Conv1d\(.*\): kernel of size 5 is larger than the padded input of length 2/);
  });
});

describe('ConvTranspose2d and ConvTranspose1d', () => {
  it('have PyTorch weight layout [in, out/groups, k...] and init, and compute the transposed ops', () => {
    const t = new ConvTranspose2d(2, 4, 3, { ...f64, stride: 2, padding: 1, outputPadding: 1, groups: 2, generator: new Generator(2) });
    expect(t.weight.shape).toEqual([2, 2, 3, 3]);
    expect(t.bias!.shape).toEqual([4]);
    const bound = 1 / Math.sqrt(2 * 9); // fan-in as PyTorch computes it on this layout: size(1)·k·k
    expect(Math.max(...flat(t.weight).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...flat(t.bias!).map(Math.abs))).toBeLessThanOrEqual(bound);
    const x = randn([2, 2, 4, 3], f64);
    const y = t.forward(x);
    expect(y.shape).toEqual([2, 4, 8, 6]);
    expect(y.toArray()).toEqual(convTranspose2d(x, t.weight, t.bias, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }).toArray());
    expect(t.extraRepr()).toBe('2, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), groups=2');
    const t1 = new ConvTranspose1d(8, 4, 4, { ...f64, stride: 2, padding: 1, bias: false });
    expect(t1.weight.shape).toEqual([8, 4, 4]);
    const x1 = randn([8, 16], f64);
    expect(t1.forward(x1).toArray()).toEqual(convTranspose1d(x1, t1.weight, null, { stride: 2, padding: 1 }).toArray());
    expect(t1.extraRepr()).toBe('8, 4, kernel_size=(4,), stride=(2,), padding=(1,), bias=False');
  });
  it('take PyTorch\'s outputSize in forward', () => {
    const t = new ConvTranspose2d(2, 3, 3, { ...f64, stride: 2, padding: 1 });
    const x = randn([1, 2, 4, 4], f64);
    expect(t.forward(x).shape).toEqual([1, 3, 7, 7]);
    expect(t.forward(x, [8, 7]).toArray()).toEqual(convTranspose2d(x, t.weight, t.bias, { stride: 2, padding: 1, outputPadding: [1, 0] }).toArray());
    expect(t.forward(x, [1, 3, 8, 8]).shape).toEqual([1, 3, 8, 8]);
    expect(() => t.forward(x, [9, 8])).toThrow('ConvTranspose2d(2, 3, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1)): requested an output size of [9,8], but valid sizes range from [7,7] to [8,8] (for an input of [4,4])');
    expect(() => t.forward(x, [8])).toThrow(/outputSize must be 2 or 4 non-negative integers/);
    const t1 = new ConvTranspose1d(2, 2, 4, { ...f64, stride: 3 });
    expect(t1.forward(randn([2, 2, 5], f64), [18]).shape).toEqual([2, 2, 18]);
  });

  it('pass gradcheck', () => {
    moduleGradcheck(new ConvTranspose2d(2, 3, [2, 3], { ...f64, stride: [2, 1], dilation: [1, 2], outputPadding: [1, 1] }), [input([1, 2, 3, 3])]);
    moduleGradcheck(new ConvTranspose1d(2, 2, 3, { ...f64, stride: 3, padding: 1, outputPadding: 2, groups: 2 }), [input([2, 2, 4], 1)]);
  });
  it('refuse what PyTorch refuses', () => {
    expect(() => new ConvTranspose2d(2, 2, 3, { paddingMode: 'reflect' as 'zeros' })).toThrow("ConvTranspose2d: only paddingMode 'zeros' is supported for transposed convolutions");
    expect(() => new ConvTranspose2d(2, 2, 3, { outputPadding: 1 }).forward(randn([1, 2, 3, 3]))).toThrow(/^ConvTranspose2d\(.*\): outputPadding must be smaller than either stride or dilation/);
    expect(() => new ConvTranspose1d(3, 2, 3, { groups: 2 })).toThrow('ConvTranspose1d: inChannels (3) and outChannels (2) must both be divisible by groups (2)');
    expect(() => new ConvTranspose2d(2, 2, 3).forward(randn([1, 3, 3, 3]))).toThrow('ConvTranspose2d(2, 2, kernel_size=(3, 3), stride=(1, 1)): expected input of shape [N, 2, H, W] or [2, H, W], got shape [1,3,3,3]');
  });
});

describe('ConvNd', () => {
  it('holds what all four layers share, with PyTorch\'s defaults for the settings a layer lacks', () => {
    const layers = [new Conv1d(4, 8, 3), new Conv2d(2, 4, [3, 5], { padding: 'same' }), new ConvTranspose1d(8, 4, 4, { stride: 2 }), new ConvTranspose2d(4, 2, 3, { outputPadding: 1, stride: 2 })];
    expect(layers.every((l) => l instanceof ConvNd)).toBe(true);
    expect(layers.map((l) => [l.kernelSize, l.outputPadding, l.paddingMode])).toEqual([
      [[3], [0], 'zeros'], [[3, 5], [0, 0], 'zeros'], [[4], [0], 'zeros'], [[3, 3], [1, 1], 'zeros'],
    ]);
    expect(layers.map((l) => l.namedParameters().map(([n]) => n))).toEqual(Array(4).fill(['weight', 'bias']));
  });
});

describe('pooling layers with PyTorch options', () => {
  const x = arange(25, undefined, undefined, f64).reshape([1, 1, 5, 5]);
  it('pass the options through to the ops', () => {
    expect(new MaxPool2d(2, { ceilMode: true }).forward(x).toArray()).toEqual([[[[6, 8, 9], [16, 18, 19], [21, 23, 24]]]]);
    const [v, i] = new MaxPool2d(2, { padding: 1, dilation: 2, ceilMode: true, returnIndices: true }).forward(x.flip([-1]));
    expect(v.toArray()).toEqual([[[[8, 8, 6], [18, 18, 16], [18, 18, 16]]]]);
    expect(i.toArray()).toEqual([[[[6, 6, 8], [16, 16, 18], [16, 16, 18]]]]);
    close(new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }).forward(x), [3, 4.5, 6, 10.5, 12, 13.5, 18, 19.5, 21]);
    close(new AvgPool2d(3, { stride: 2, ceilMode: true, divisorOverride: 2 }).forward(arange(36, undefined, undefined, f64).reshape([1, 1, 6, 6])), [31.5, 40.5, 31.5, 85.5, 94.5, 67.5, 84, 90, 63]);
    expect(new MaxPool1d(2, { ceilMode: true }).forward(tensor([[1, 3, 2, 5, 4]])).toArray()).toEqual([[3, 5, 4]]);
    const [v1, i1] = new MaxPool1d(2, { returnIndices: true }).forward(tensor([[1, 3, 2, 5, 4]]));
    expect([v1.toArray(), i1.toArray()]).toEqual([[[3, 5]], [[1, 3]]]);
    expect(new AvgPool1d(2, { padding: 1, countIncludePad: false }).forward(tensor([[1, 3, 2, 6]])).toArray()).toEqual([[1, 2.5, 6]]);
  });
  it('pass gradcheck', () => {
    moduleGradcheck(new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, divisorOverride: 5 }), [input([1, 2, 5, 4])]);
    moduleGradcheck(new AvgPool1d(3, { stride: 2, padding: 1, ceilMode: true }), [input([2, 7], 1)]);
  });
  it('print like PyTorch and refuse options of the other pool', () => {
    expect(new MaxPool2d(3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }).extraRepr()).toBe('kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True');
    expect(new MaxPool1d(2).extraRepr()).toBe('kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False');
    expect(new AvgPool1d(2).extraRepr()).toBe('kernel_size=(2,), stride=(2,), padding=(0,)');
    expect(() => new MaxPool2d(2, { countIncludePad: false } as object)).toThrow("MaxPool2d: unexpected option 'countIncludePad'");
    expect(() => new AvgPool2d(2, { dilation: 2 } as object)).toThrow("AvgPool2d: unexpected option 'dilation'");
    expect(() => new AvgPool2d(2, { divisorOverride: 0 })).toThrow('AvgPool2d: divisorOverride must be a non-zero integer');
    expect(() => new MaxPool1d(2, { padding: 2 })).toThrow('MaxPool1d: padding 2 must be at most half the kernel size 2');
  });
});

describe('MaxUnpool2d', () => {
  it('puts MaxPool2d\'s maxima back in place, prints like PyTorch and passes gradcheck', () => {
    const x = arange(16, undefined, undefined, f64).reshape([1, 1, 4, 4]).flip([-1]);
    const [v, i] = new MaxPool2d(2, { returnIndices: true }).forward(x);
    const unpool = new MaxUnpool2d(2);
    expect(unpool.forward(v, i).toArray()).toEqual([[[[0, 0, 0, 0], [7, 0, 5, 0], [0, 0, 0, 0], [15, 0, 13, 0]]]]);
    expect(unpool.forward(v, i, [5, 5]).shape).toEqual([1, 1, 5, 5]);
    expect(unpool.extraRepr()).toBe('kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)');
    moduleGradcheck(unpool, [input([1, 1, 2, 2]), i]);
    expect(() => unpool.forward(v, i, [7, 7])).toThrow(/^MaxUnpool2d\(.*\): invalid outputSize \[7,7\]/);
  });
});
