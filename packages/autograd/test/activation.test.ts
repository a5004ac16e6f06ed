import { describe, expect, it } from 'vitest';
import * as tg from '@tapegrad/autograd';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { shapeArb, tensorsArb, type ValueConstraints } from '@tapegrad/autograd/testing';
import { propertyGradcheck } from './helpers.js';

// Φ(1) and φ(1) of the standard normal, for the exact gelu.
const PHI1 = 0.8413447460685429;
const GELU_K = Math.sqrt(2 / Math.PI);

const cases: [string, (x: Tensor) => Tensor, ValueConstraints][] = [
  ['sigmoid', tg.sigmoid, { min: -6, max: 6 }],
  ['logSigmoid', tg.logSigmoid, { min: -6, max: 6 }],
  ['relu', tg.relu, { avoid: [0] }],
  ['leakyRelu', (x) => tg.leakyRelu(x, 0.2), { avoid: [0] }],
  ['elu', (x) => tg.elu(x, 1.5), { avoid: [0] }],
  ['gelu', tg.gelu, { min: -4, max: 4 }],
  ["gelu 'tanh'", (x) => tg.gelu(x, 'tanh'), { min: -4, max: 4 }],
  ['softplus', tg.softplus, { min: -6, max: 6 }],
  // beta·x crosses the threshold inside the range, so both branches and their seam are exercised.
  ['softplus beta=2 threshold=1', (x) => tg.softplus(x, 2, 1), { avoid: [0.5] }],
  ['silu', tg.silu, { min: -6, max: 6 }],
];

describe('activations: gradients', () => {
  for (const [name, f, c] of cases) {
    it(`${name} matches finite differences to second order`, () => {
      propertyGradcheck(shapeArb().chain((s) => tensorsArb([s], c)), f, { second: true });
    });
  }
});

describe('activations: forward values', () => {
  const f64 = (v: number[]) => tensor(v, { dtype: 'float64' });
  const close = (vs: number[]) => vs.map((v) => expect.closeTo(v, 12));

  it('match closed forms', () => {
    expect(tg.sigmoid(f64([0, 2, -2])).toArray()).toEqual(close([0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(2))]));
    expect(tg.logSigmoid(f64([0, 3])).toArray()).toEqual(close([-Math.LN2, -Math.log1p(Math.exp(-3))]));
    expect(tg.relu(f64([-1, 0, 2])).toArray()).toEqual([0, 0, 2]);
    expect(tg.leakyRelu(f64([-2, 3])).toArray()).toEqual(close([-0.02, 3]));
    expect(tg.leakyRelu(f64([-2, 3]), 0.1).toArray()).toEqual(close([-0.2, 3]));
    expect(tg.elu(f64([-1, 2])).toArray()).toEqual(close([Math.exp(-1) - 1, 2]));
    expect(tg.elu(f64([-1]), 2).toArray()).toEqual(close([2 * (Math.exp(-1) - 1)]));
    expect(tg.gelu(f64([1, -1, 0])).toArray()).toEqual(close([PHI1, -(1 - PHI1), 0]));
    const tanhGelu1 = 0.5 * (1 + Math.tanh(GELU_K * (1 + 0.044715)));
    expect(tg.gelu(f64([1]), 'tanh').toArray()).toEqual(close([tanhGelu1]));
    expect(tg.softplus(f64([0, 3])).toArray()).toEqual(close([Math.LN2, Math.log1p(Math.exp(3))]));
    expect(tg.softplus(f64([1]), 2).toArray()).toEqual(close([Math.log1p(Math.exp(2)) / 2]));
    // Linear above the threshold: beta·x = 2 > 1, so softplus(1) is exactly 1.
    expect(tg.softplus(f64([1, 0.25]), 2, 1).toArray()).toEqual(close([1, Math.log1p(Math.exp(0.5)) / 2]));
    expect(tg.silu(f64([1, -2])).toArray()).toEqual(close([1 / (1 + Math.exp(-1)), -2 / (1 + Math.exp(2))]));
  });

  it('keep float32 inputs float32', () => {
    for (const [name, f] of cases) expect(f(tensor([0.5, -0.5])).dtype, name).toBe('float32');
  });

  it('known gradients at hand-picked points', () => {
    const x = tensor([-1, 0.5], { dtype: 'float64', requiresGrad: true });
    tg.gelu(x).sum().backward();
    const pdf1 = Math.exp(-0.5) / Math.sqrt(2 * Math.PI);
    expect(x.grad!.toArray()).toEqual(close([1 - PHI1 - pdf1, 0.6914624612740131 + 0.5 * Math.exp(-0.125) / Math.sqrt(2 * Math.PI)]));
    const r = tensor([-1, 0, 2], { requiresGrad: true });
    tg.relu(r).sum().backward();
    expect(r.grad!.toArray()).toEqual([0, 0, 1]);
    const l = tensor([-1, 2], { requiresGrad: true });
    tg.leakyRelu(l, 0.25).sum().backward();
    expect(l.grad!.toArray()).toEqual([0.25, 1]);
  });
});

describe('activations: stability at large |x|', () => {
  const big = [1000, -1000, 1e300, -1e300];
  for (const dtype of ['float32', 'float64'] as const) {
    it(`every activation and its gradient stay finite at ±1000 and ±1e300 (${dtype})`, () => {
      for (const [name, f] of cases) {
        const x = tensor(dtype === 'float32' ? [1000, -1000, 3e38, -3e38] : big, { dtype, requiresGrad: true });
        const y = tg.detectAnomaly(() => f(x));
        expect(y.contiguousData().every(Number.isFinite), `${name} forward`).toBe(true);
        tg.detectAnomaly(() => y.sum().backward());
        expect(x.grad!.contiguousData().every(Number.isFinite), `${name} gradient`).toBe(true);
      }
    });
  }

  it('gives the exact asymptotes', () => {
    const x = tensor([1000, -1000], { dtype: 'float64' });
    expect(tg.sigmoid(x).toArray()).toEqual([1, 0]);
    expect(tg.logSigmoid(x).toArray()).toEqual([0, -1000]);
    expect(tg.softplus(x).toArray()).toEqual([1000, 0]);
    expect(tg.silu(x).toArray()).toEqual([1000, -0]);
    expect(tg.gelu(x).toArray()).toEqual([1000, -0]);
    expect(tg.gelu(x, 'tanh').toArray()).toEqual([1000, -0]);
    expect(tg.elu(x).toArray()).toEqual([1000, -1]);
    // softplus with a threshold too large to take the linear branch must still not overflow.
    expect(tg.softplus(x, 1, 1e6).toArray()).toEqual([1000, 0]);
  });

  it('logSigmoid keeps its gradient far in the negative tail', () => {
    const x = tensor([-1000, 1000], { dtype: 'float64', requiresGrad: true });
    tg.logSigmoid(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([1, 0]);
  });
});

describe('activations: bad input', () => {
  it('reject bad parameters naming the op and the value', () => {
    const x = tg.zeros([2]);
    expect(() => tg.gelu(x, 'erf' as 'none')).toThrow(`gelu: approximate must be 'none' or 'tanh', got a string "erf"`);
    expect(() => tg.softplus(x, 0)).toThrow('softplus: beta must be non-zero (it divides the result), got 0');
    expect(() => tg.softplus(x, Infinity)).toThrow('softplus: beta must be a finite number, got Infinity');
    expect(() => tg.softplus(x, 1, NaN)).toThrow('softplus: threshold must be a number, got NaN');
    expect(() => tg.leakyRelu(x, NaN)).toThrow('leakyRelu: negativeSlope must be a finite number, got NaN');
    expect(() => tg.elu(x, Infinity)).toThrow('elu: alpha must be a finite number, got Infinity');
  });

  it('are methods of Tensor with the same defaults', () => {
    const x = tensor([-1, 1], { dtype: 'float64' });
    expect(x.leakyRelu().toArray()).toEqual(tg.leakyRelu(x, 0.01).toArray());
    expect(x.gelu('tanh').toArray()).toEqual(tg.gelu(x, 'tanh').toArray());
    expect(x.softplus(2, 5).toArray()).toEqual(tg.softplus(x, 2, 5).toArray());
    expect(x.elu().toArray()).toEqual(tg.elu(x, 1).toArray());
  });
});

describe('relu and NaN', () => {
  it('passes NaN through (as PyTorch) instead of hiding it, and maps -0 to +0', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const out = tensor([NaN, -0, -1, 2], { dtype }).relu().toArray() as number[];
      expect(Number.isNaN(out[0])).toBe(true);
      expect(Object.is(out[1], 0)).toBe(true);
      expect(out.slice(2)).toEqual([0, 2]);
    }
  });
});
