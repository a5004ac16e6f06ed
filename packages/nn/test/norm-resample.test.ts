import { describe, expect, it } from 'vitest';
import { Generator, arange, noGrad, randn, tensor } from '@tapegrad/autograd';
import {
  AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, GroupNorm, InstanceNorm2d, Linear, Module, ModuleDict, PixelShuffle, PixelUnshuffle, Upsample,
} from '@tapegrad/nn';
import { flat, moduleGradcheck } from './helpers.js';
import { maxDiff, torchCase } from './torch-fixtures.js';

const f64 = { dtype: 'float64' as const };
const rnd = (shape: number[], seed: number) => randn(shape, { ...f64, generator: new Generator(seed) });

describe('GroupNorm', () => {
  it('normalizes each group of each sample by its formula', () => {
    const gn = new GroupNorm(2, 4, f64);
    noGrad(() => { gn.weight!.copy_(tensor([1, 2, 3, 4], f64)); gn.bias!.copy_(tensor([0, 1, 0, -1], f64)); });
    const x = rnd([2, 4, 3], 1);
    const xs = flat(x), ys = flat(gn.forward(x));
    for (let n = 0; n < 2; n++) for (let g = 0; g < 2; g++) {
      const idx = Array.from({ length: 6 }, (_, i) => n * 12 + g * 6 + i); // channels 2g, 2g+1, 3 positions each
      const vals = idx.map((i) => xs[i]!);
      const mu = vals.reduce((a, b) => a + b) / 6;
      const v = vals.reduce((a, b) => a + (b - mu) ** 2, 0) / 6;
      idx.forEach((i, k) => {
        const c = 2 * g + Math.floor(k / 3);
        expect(ys[i]).toBeCloseTo(((xs[i]! - mu) / Math.sqrt(v + 1e-5)) * [1, 2, 3, 4][c]! + [0, 1, 0, -1][c]!, 12);
      });
    }
  });

  it('matches torch and passes gradcheck', () => {
    const c = torchCase('groupNorm');
    const gn = new GroupNorm(2, 4, f64);
    c.load(gn);
    expect(maxDiff(gn.forward(c.get('x')), c.get('out'))).toBeLessThan(1e-12);
    moduleGradcheck(new GroupNorm(3, 6, f64), [rnd([2, 6, 2], 2).requiresGrad_()]);
    expect(() => new GroupNorm(3, 4)).toThrow(/GroupNorm: numChannels \(4\) must be divisible by numGroups \(3\)/);
    expect(() => new GroupNorm(2, 4).forward(randn([2, 3, 5]))).toThrow(/expected input \[N, 4, \.\.\.\]/);
  });
});

describe('InstanceNorm2d', () => {
  it('normalizes each channel of each image; tracks running stats when asked', () => {
    const x = rnd([2, 3, 4, 5], 3);
    const y = new InstanceNorm2d(3, f64).forward(x);
    expect(Math.abs(y.mean([2, 3]).abs().max().item())).toBeLessThan(1e-12);
    expect(maxDiff(y.var([2, 3], false, 0), y.var([2, 3], false, 0).mul(0).add(1))).toBeLessThan(1e-4);
    const tracked = new InstanceNorm2d(3, { ...f64, trackRunningStats: true, affine: true });
    tracked.forward(x);
    expect(maxDiff(tracked.runningMean!, x.mean([2, 3]).mean(0).mul(0.1))).toBeLessThan(1e-12);
    expect(maxDiff(tracked.runningVar!, x.var([2, 3], false, 1).mean(0).mul(0.1).add(0.9))).toBeLessThan(1e-12);
    expect(Object.keys(tracked.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    tracked.eval();
    expect(maxDiff(tracked.forward(x), x.sub(tracked.runningMean!.reshape([3, 1, 1])).div(tracked.runningVar!.reshape([3, 1, 1]).add(1e-5).sqrt()))).toBeLessThan(1e-12);
    moduleGradcheck(new InstanceNorm2d(2, { ...f64, affine: true }), [rnd([2, 2, 2, 3], 4).requiresGrad_()]);
  });
});

describe('adaptive pooling', () => {
  it('averages and maxima over PyTorch windows (torch fixture: 5×7 → 3×4)', () => {
    const c = torchCase('adaptive');
    expect(maxDiff(new AdaptiveAvgPool2d([3, 4]).forward(c.get('x')), c.get('avg'))).toBeLessThan(1e-12);
    expect(maxDiff(new AdaptiveMaxPool2d([3, 4]).forward(c.get('x')), c.get('max'))).toBeLessThan(1e-12);
  });

  it('1d by hand: 5 → 3 windows [0,2), [1,4), [3,5)', () => {
    const x = tensor([[[1, 2, 3, 4, 5]]], f64);
    expect(flat(new AdaptiveAvgPool1d(3).forward(x))).toEqual([1.5, 3, 4.5]);
    expect(new AdaptiveAvgPool2d([2, null]).forward(rnd([1, 4, 4], 5)).shape).toEqual([1, 2, 4]);
    expect(new AdaptiveAvgPool2d(1).forward(rnd([2, 3, 7, 7], 6)).shape).toEqual([2, 3, 1, 1]);
  });

  it('gradients agree with finite differences', () => {
    moduleGradcheck(new AdaptiveAvgPool2d([2, 3]), [rnd([1, 2, 5, 4], 7).requiresGrad_()]);
    moduleGradcheck(new AdaptiveMaxPool2d([2, 3]), [rnd([1, 2, 5, 4], 8).requiresGrad_()]);
    moduleGradcheck(new AdaptiveAvgPool1d(4), [rnd([2, 7], 9).requiresGrad_()]);
    expect(() => new AdaptiveAvgPool2d([0, 2])).toThrow(/AdaptiveAvgPool2d: outputSize must be a positive integer/);
  });
});

describe('Upsample', () => {
  it('matches torch: nearest to a size, bilinear with and without alignCorners', () => {
    const c = torchCase('upsampleBilinear');
    const x = c.get('x');
    expect(maxDiff(new Upsample({ size: [5, 7] }).forward(x), c.get('nearest'))).toBe(0);
    expect(maxDiff(new Upsample({ size: [5, 7], mode: 'bilinear' }).forward(x), c.get('alignFalse'))).toBeLessThan(1e-12);
    expect(maxDiff(new Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: true }).forward(x), c.get('alignTrue'))).toBeLessThan(1e-12);
  });

  it('linear by hand, nearest by repetition; gradients', () => {
    const x = tensor([[[0, 10]]], f64);
    expect(flat(new Upsample({ scaleFactor: 2, mode: 'linear' }).forward(x))).toEqual([0, 2.5, 7.5, 10]);
    expect(flat(new Upsample({ size: 3, mode: 'linear', alignCorners: true }).forward(x))).toEqual([0, 5, 10]);
    expect(flat(new Upsample({ scaleFactor: 2 }).forward(tensor([[[[1, 2]]]], f64)))).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
    moduleGradcheck(new Upsample({ scaleFactor: [2, 1.5], mode: 'bilinear' }), [rnd([1, 1, 3, 2], 10).requiresGrad_()]);
    expect(() => new Upsample({ scaleFactor: 2, alignCorners: true })).toThrow(/alignCorners only applies to the linear modes/);
    expect(() => new Upsample({ size: 4, scaleFactor: 2 })).toThrow(/exactly one of size and scaleFactor/);
    expect(() => new Upsample({ size: 4, mode: 'bicubic' as never })).toThrow(/mode must be/);
  });
});

describe('PixelShuffle / PixelUnshuffle / ModuleDict', () => {
  it('moves channel c·r² + i·r + j to pixel (h·r + i, w·r + j), and back', () => {
    const x = arange(0, 8, 1, f64).reshape([1, 8, 1, 1]);
    const y = new PixelShuffle(2).forward(x);
    expect(y.shape).toEqual([1, 2, 2, 2]);
    expect(flat(y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const z = rnd([2, 12, 3, 2], 11);
    expect(maxDiff(new PixelUnshuffle(2).forward(new PixelShuffle(2).forward(z)), z)).toBe(0);
    const img = arange(0, 16, 1, f64).reshape([1, 1, 4, 4]);
    expect(flat(new PixelUnshuffle(2).forward(img).slice(0, null, 0, 0))).toEqual([0, 1, 4, 5]);
  });

  it('ModuleDict names parameters by key and refuses member names', () => {
    class Heads extends Module<[], never> {
      heads = new ModuleDict({ cls: new Linear(2, 3), box: new Linear(2, 4) });
      forward(): never { throw new Error('unused'); }
    }
    const m = new Heads();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['heads.cls.weight', 'heads.cls.bias', 'heads.box.weight', 'heads.box.bias']);
    expect(m.heads.keys()).toEqual(['cls', 'box']);
    expect(m.heads.delete('cls')).toBeInstanceOf(Linear);
    expect(m.heads.size).toBe(1);
    expect(() => m.heads.set('forward', new Linear(1, 1))).toThrow(/would shadow a ModuleDict member/);
    expect(() => m.heads.set('training', new Linear(1, 1))).toThrow(/would shadow/);
  });

  it('ModuleDict update, pop, clear, keys/values/items and iteration as PyTorch', () => {
    const [a, b, c, d] = [new Linear(2, 1), new Linear(2, 2), new Linear(2, 3), new Linear(2, 4)];
    const dict = new ModuleDict({ a, b });
    dict.update({ c, a: d }); // replaces in place, appends new keys (a dict's update)
    expect(dict.items()).toEqual([['a', d], ['b', b], ['c', c]]);
    dict.update([['e', a]]);
    dict.update(new ModuleDict({ f: b }));
    expect([...dict]).toEqual(['a', 'b', 'c', 'e', 'f']);
    expect(dict.values()).toEqual([d, b, c, a, b]);
    // every entry is checked before any is stored
    expect(() => dict.update({ g: c, forward: d })).toThrow(/key 'forward' would shadow/);
    expect(() => dict.update([['g', c], ['h', 3 as never]])).toThrow(/the value under 'h' is not a Module/);
    expect(() => dict.update([['g', c], ['h']] as never)).toThrow(/^ModuleDict: entry 1 must be a \[name, Module\] pair/);
    expect(() => dict.update(5 as never)).toThrow(/^ModuleDict: modules must be/);
    expect(dict.has('g')).toBe(false);
    expect(dict.pop('c')).toBe(c);
    expect(() => dict.pop('c')).toThrow("ModuleDict: pop: no module under key 'c' (keys: a, b, e, f)");
    expect(dict.delete('c')).toBeUndefined();
    expect(dict.size).toBe(4);
    dict.clear();
    expect([dict.size, dict.keys(), dict.parameters().length]).toEqual([0, [], 0]);
  });
});
