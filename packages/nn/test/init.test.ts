import { describe, expect, it } from 'vitest';
import { Generator, manualSeed, zeros, type Tensor } from '@tapegrad/autograd';
import { Parameter, init } from '@tapegrad/nn';
import { flat } from './helpers.js';

const stats = (t: Tensor) => {
  const v = flat(t);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, maxAbs: Math.max(...v.map(Math.abs)) };
};
/** Sample statistics agree with the distribution's to within a few percent. */
const near = (actual: number, expected: number, rel = 0.03) => expect(Math.abs(actual / expected - 1)).toBeLessThan(rel);
const weight = (shape: number[]) => new Parameter(zeros(shape, { dtype: 'float64' }));

describe('init', () => {
  it('calculateGain matches torch.nn.init.calculate_gain', () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('conv2d')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 12);
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(init.calculateGain('leakyRelu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 12);
    expect(init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
    expect(() => init.calculateGain('swish' as never)).toThrow(/calculateGain: unknown nonlinearity \(got a string "swish"/);
  });

  it('fans follow PyTorch: [in · receptive field, out · receptive field]', () => {
    expect(init.fans(zeros([3, 5]))).toEqual([5, 3]);
    expect(init.fans(zeros([16, 3, 3, 3]))).toEqual([27, 144]);
    expect(() => init.fans(zeros([4]))).toThrow('init.fans: fan in and fan out need a tensor with at least 2 dimensions, got shape [4]');
  });

  it('fill in place, on parameters too, and return the same tensor', () => {
    const w = weight([2, 3]);
    expect(init.ones(w)).toBe(w);
    expect(flat(w)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(flat(init.constant(w, 0.5))).toEqual(Array(6).fill(0.5));
    expect(flat(init.zeros(w))).toEqual(Array(6).fill(0));
    expect(w.requiresGrad).toBe(true);
  });

  it('uniform and normal draw from the requested distribution', () => {
    const u = stats(init.uniform(weight([200, 200]), { low: -2, high: 4, generator: new Generator(1) }));
    expect(u.mean).toBeCloseTo(1, 1);
    near(u.std, 6 / Math.sqrt(12));
    const v = flat(init.uniform(weight([100]), { low: -2, high: 4 }));
    expect(v.every((x) => x >= -2 && x < 4)).toBe(true);
    const n = stats(init.normal(weight([200, 200]), { mean: 3, std: 0.5, generator: new Generator(2) }));
    expect(n.mean).toBeCloseTo(3, 2);
    near(n.std, 0.5);
    expect(() => init.uniform(weight([2]), { low: 1, high: 0 })).toThrow('init.uniform: high must be at least low (1) (got 0, expected a number >= 1)');
  });

  it('xavier: bound gain·√(6 / (fanIn + fanOut)) and std gain·√(2 / (fanIn + fanOut))', () => {
    const u = stats(init.xavierUniform(weight([300, 200]), { gain: 2, generator: new Generator(3) }));
    const bound = 2 * Math.sqrt(6 / 500);
    expect(u.maxAbs).toBeLessThanOrEqual(bound);
    near(u.std, bound / Math.sqrt(3));
    near(stats(init.xavierNormal(weight([300, 200]), { generator: new Generator(4) })).std, Math.sqrt(2 / 500));
  });

  it('kaiming: std gain / √fan, fan in or out, leaky relu gain from a', () => {
    const shape = [64, 32, 3, 3]; // fanIn 288, fanOut 576
    const relu = stats(init.kaimingNormal(weight(shape), { nonlinearity: 'relu', generator: new Generator(5) }));
    near(relu.std, Math.SQRT2 / Math.sqrt(288));
    const out = stats(init.kaimingNormal(weight(shape), { mode: 'fanOut', nonlinearity: 'relu', generator: new Generator(6) }));
    near(out.std, Math.SQRT2 / Math.sqrt(576));
    // PyTorch's Linear/Conv default: a = √5 makes the bound exactly 1/√fanIn.
    const def = stats(init.kaimingUniform(weight(shape), { a: Math.sqrt(5), generator: new Generator(7) }));
    expect(def.maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(288));
    expect(def.maxAbs).toBeGreaterThan(0.99 / Math.sqrt(288));
    expect(() => init.kaimingUniform(weight([2, 2]), { mode: 'fanMiddle' as never })).toThrow(/init.kaimingUniform: unknown mode \(got a string "fanMiddle", expected 'fanIn' or 'fanOut'\)/);
  });

  it('is reproducible from a generator or from the global seed', () => {
    const a = flat(init.kaimingUniform(weight([4, 4]), { generator: new Generator(9) }));
    expect(flat(init.kaimingUniform(weight([4, 4]), { generator: new Generator(9) }))).toEqual(a);
    manualSeed(4);
    const b = flat(init.xavierNormal(weight([4, 4])));
    manualSeed(4);
    expect(flat(init.xavierNormal(weight([4, 4])))).toEqual(b);
    expect(b).not.toEqual(a);
  });
});
