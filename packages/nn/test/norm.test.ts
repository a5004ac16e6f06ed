import { describe, expect, it } from 'vitest';
import { Generator, noGrad, randn, tensor } from '@tapegrad/autograd';
import { BatchNorm1d, BatchNorm2d, LayerNorm, init } from '@tapegrad/nn';
import { flat, moduleGradcheck } from './helpers.js';

const f64 = { dtype: 'float64' as const };
const input = (shape: number[], seed = 0) => randn(shape, { ...f64, requiresGrad: true, generator: new Generator(seed) });
const eps = 1e-5;
const close = (actual: number[], expected: number[], digits = 6) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, digits));
};

describe('BatchNorm1d', () => {
  // Channel 0 holds 1, 3, 5 and channel 1 holds 2, 6, 4: means 3 and 4, biased variance 8/3,
  // unbiased variance 4 for both.
  const x = () => tensor([[1, 2], [3, 6], [5, 4]], f64);

  it('normalizes with batch statistics in training', () => {
    const s = Math.sqrt(8 / 3 + eps);
    close(flat(new BatchNorm1d(2, f64).forward(x())), [-2 / s, -2 / s, 0, 2 / s, 2 / s, 0]);
  });

  it('updates running stats with momentum and the unbiased variance, as PyTorch', () => {
    const bn = new BatchNorm1d(2, f64);
    bn.forward(x());
    close(flat(bn.runningMean!), [0.3, 0.4]);
    close(flat(bn.runningVar!), [0.9 + 0.4, 0.9 + 0.4]);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    bn.forward(x());
    close(flat(bn.runningMean!), [0.9 * 0.3 + 0.3, 0.9 * 0.4 + 0.4]);
    close(flat(bn.runningVar!), [0.9 * 1.3 + 0.4, 0.9 * 1.3 + 0.4]);
    expect(bn.numBatchesTracked!.item()).toBe(2);
  });

  it('uses running stats (and does not update them) in evaluation', () => {
    const bn = new BatchNorm1d(2, f64);
    bn.forward(x());
    noGrad(() => {
      bn.weight!.copy_(tensor([2, 1], f64));
      bn.bias!.copy_(tensor([0, 10], f64));
    });
    bn.eval();
    const y = flat(bn.forward(tensor([[1, 1]], f64))); // a batch of one is fine in evaluation
    close(y, [(2 * (1 - 0.3)) / Math.sqrt(1.3 + eps), (1 - 0.4) / Math.sqrt(1.3 + eps) + 10]);
    close(flat(bn.runningMean!), [0.3, 0.4]);
  });

  it('momentum null keeps a cumulative average', () => {
    const bn = new BatchNorm1d(2, { ...f64, momentum: null });
    bn.forward(x());
    bn.forward(tensor([[3, 0], [5, 0], [7, 0]], f64)); // means 5 and 0, unbiased variances 4 and 0
    close(flat(bn.runningMean!), [4, 2]);
    close(flat(bn.runningVar!), [4, 2]);
  });

  it('accepts [N, C, L], and without running stats always uses batch statistics', () => {
    expect(new BatchNorm1d(3).forward(randn([4, 3, 5])).shape).toEqual([4, 3, 5]);
    const bn = new BatchNorm1d(2, { ...f64, trackRunningStats: false, affine: false });
    expect(bn.parameters()).toHaveLength(0);
    expect(bn.buffers()).toHaveLength(0);
    expect(flat(bn.eval().forward(x()))).toEqual(flat(bn.train().forward(x())));
  });

  it('passes gradcheck in float64 in training and evaluation mode', () => {
    const bn = new BatchNorm1d(3, f64);
    init.normal(bn.weight!, { generator: new Generator(1) });
    init.normal(bn.bias!, { generator: new Generator(2) });
    moduleGradcheck(bn, [input([4, 3])]);
    moduleGradcheck(bn, [input([3, 3, 2], 3)]);
    moduleGradcheck(bn.eval(), [input([2, 3], 4)]);
  });

  it('names itself and the expected shape on bad input', () => {
    expect(() => new BatchNorm1d(3).forward(randn([4, 2]))).toThrow('BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True): expected input of shape [N, 3] or [N, 3, L], got shape [4,2]');
    expect(() => new BatchNorm1d(3).forward(randn([1, 3]))).toThrow(/expected more than 1 value per channel when training, got input shape \[1,3\]/);
    expect(() => new BatchNorm1d(3).forward(randn([2, 3], f64))).toThrow(/input is float64 but the layer's parameters are float32/);
    expect(() => new BatchNorm1d(3, { momentum: 2 })).toThrow(/momentum must be in \[0, 1\] or null/);
  });
});

describe('BatchNorm2d', () => {
  it('normalizes per channel over batch and spatial axes and tracks running stats', () => {
    const x = randn([2, 3, 4, 4], { ...f64, generator: new Generator(5) });
    const bn = new BatchNorm2d(3, { ...f64, momentum: 0.2 });
    const y = bn.forward(x);
    expect(y.shape).toEqual([2, 3, 4, 4]);
    const values = x.toArray() as number[][][][];
    for (let c = 0; c < 3; c++) {
      const v = values.flatMap((sample) => sample[c]!.flat());
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const ss = v.reduce((a, b) => a + (b - mean) ** 2, 0);
      expect(bn.runningMean!.toArray() as number[]).toHaveLength(3);
      expect((bn.runningMean!.toArray() as number[])[c]).toBeCloseTo(0.2 * mean, 10);
      expect((bn.runningVar!.toArray() as number[])[c]).toBeCloseTo(0.8 + (0.2 * ss) / (v.length - 1), 10);
      const yc = (y.toArray() as number[][][][]).flatMap((sample) => sample[c]!.flat());
      yc.forEach((out, i) => expect(out).toBeCloseTo((v[i]! - mean) / Math.sqrt(ss / v.length + eps), 8));
    }
  });

  it('passes gradcheck in float64 and checks its input rank', () => {
    const bn = new BatchNorm2d(2, f64);
    init.normal(bn.weight!, { generator: new Generator(1) });
    moduleGradcheck(bn, [input([2, 2, 2, 3])]);
    expect(() => new BatchNorm2d(2).forward(randn([2, 2, 3]))).toThrow(/BatchNorm2d\(2, .*\): expected input of shape \[N, 2, H, W\], got shape \[2,2,3\]/);
  });
});

describe('LayerNorm', () => {
  it('normalizes each sample over its trailing axes, the same in training and evaluation', () => {
    const ln = new LayerNorm(4, f64);
    const s = Math.sqrt(1.25 + eps);
    close(flat(ln.forward(tensor([[1, 2, 3, 4]], f64))), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]);
    const x = randn([2, 3, 4], f64);
    expect(flat(ln.eval().forward(x))).toEqual(flat(ln.train().forward(x)));
    const wide = new LayerNorm([3, 4], f64).forward(x);
    const first = flat(wide).slice(0, 12);
    expect(first.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 10);
  });

  it('passes gradcheck in float64 with a learned scale and shift', () => {
    const ln = new LayerNorm([2, 3], f64);
    init.normal(ln.weight!, { generator: new Generator(1) });
    init.normal(ln.bias!, { generator: new Generator(2) });
    moduleGradcheck(ln, [input([2, 2, 3])]);
  });

  it('options, printing and shape errors', () => {
    expect(new LayerNorm(4, { elementwiseAffine: false }).parameters()).toHaveLength(0);
    expect(new LayerNorm(4, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(new LayerNorm(8).extraRepr()).toBe('(8,), eps=1e-05, elementwise_affine=True');
    expect(new LayerNorm([3, 4], { eps: 1e-6 }).extraRepr()).toBe('(3, 4), eps=1e-06, elementwise_affine=True');
    expect(() => new LayerNorm([3, 4]).forward(randn([2, 4, 3]))).toThrow(/^LayerNorm\(\(3, 4\), .*\): expected input with trailing shape \[3,4\], got shape \[2,4,3\]/);
  });
});
