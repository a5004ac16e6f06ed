import { describe, expect, it } from 'vitest';
import { Adagrad, RMSprop, type AdagradOptions, type RMSpropOptions } from '@tapegrad/optim';
import { W0, expectMatchesReference, param, quadGrad } from './helpers.js';

/** torch.optim.RMSprop written out in plain numbers. */
function referenceRMSprop(w0: readonly number[], o: Required<RMSpropOptions>, steps: number): number[] {
  const w = [...w0];
  const sq = w.map(() => 0);
  const avg = w.map(() => 0);
  const buf = w.map(() => 0);
  for (let t = 1; t <= steps; t++) {
    const grad = quadGrad(w);
    for (let i = 0; i < w.length; i++) {
      const g = (o.maximize ? -grad[i]! : grad[i]!) + o.weightDecay * w[i]!;
      sq[i] = o.alpha * sq[i]! + (1 - o.alpha) * g * g;
      let denom: number;
      if (o.centered) {
        avg[i] = o.alpha * avg[i]! + (1 - o.alpha) * g;
        denom = Math.sqrt(sq[i]! - avg[i]! ** 2) + o.eps;
      } else denom = Math.sqrt(sq[i]!) + o.eps;
      if (o.momentum > 0) {
        buf[i] = o.momentum * buf[i]! + g / denom;
        w[i] = w[i]! - o.lr * buf[i]!;
      } else w[i] = w[i]! - (o.lr * g) / denom;
    }
  }
  return w;
}

/** torch.optim.Adagrad written out in plain numbers. */
function referenceAdagrad(w0: readonly number[], o: Required<AdagradOptions>, steps: number): number[] {
  const w = [...w0];
  const sum = w.map(() => o.initialAccumulatorValue);
  for (let t = 1; t <= steps; t++) {
    const grad = quadGrad(w);
    const clr = o.lr / (1 + (t - 1) * o.lrDecay);
    for (let i = 0; i < w.length; i++) {
      const g = (o.maximize ? -grad[i]! : grad[i]!) + o.weightDecay * w[i]!;
      sum[i] = sum[i]! + g * g;
      w[i] = w[i]! - (clr * g) / (Math.sqrt(sum[i]!) + o.eps);
    }
  }
  return w;
}

describe('RMSprop', () => {
  const base: Required<RMSpropOptions> = { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };
  const cases: [string, Partial<RMSpropOptions>][] = [
    ['defaults', {}],
    ['alpha and weight decay', { alpha: 0.9, weightDecay: 0.1 }],
    ['momentum', { momentum: 0.9 }],
    ['centered', { centered: true, alpha: 0.8 }],
    ['centered with momentum, weight decay, maximize', { centered: true, momentum: 0.5, weightDecay: 0.01, eps: 1e-4, maximize: true }],
  ];
  for (const [name, options] of cases) {
    it(`matches the update equations: ${name}`, () => {
      const o = { ...base, ...options };
      expectMatchesReference((w) => new RMSprop([w], o), (steps) => referenceRMSprop(W0, o, steps));
    });
  }

  it('keeps only the buffers its options need', () => {
    const w = param(W0);
    const plain = new RMSprop([w]);
    expect(plain.defaults).toEqual(base);
    w.grad = param([1, 2, 3, 4]);
    plain.step();
    expect(Object.keys(plain.state.get(w)!).sort()).toEqual(['squareAvg', 'step']);
    const full = new RMSprop([w], { centered: true, momentum: 0.1 });
    full.step();
    expect(Object.keys(full.state.get(w)!).sort()).toEqual(['gradAvg', 'momentumBuffer', 'squareAvg', 'step']);
  });
});

describe('Adagrad', () => {
  const base: Required<AdagradOptions> = { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false };
  const cases: [string, Partial<AdagradOptions>][] = [
    ['defaults', { lr: 0.5 }],
    ['lr decay', { lr: 0.5, lrDecay: 0.1 }],
    ['initial accumulator and eps', { lr: 0.3, initialAccumulatorValue: 0.5, eps: 1e-2 }],
    ['weight decay, lr decay, maximize', { lr: 0.2, weightDecay: 0.1, lrDecay: 0.05, maximize: true }],
  ];
  for (const [name, options] of cases) {
    it(`matches the update equations: ${name}`, () => {
      const o = { ...base, ...options };
      expectMatchesReference((w) => new Adagrad([w], o), (steps) => referenceAdagrad(W0, o, steps));
    });
  }

  it('has PyTorch defaults', () => {
    expect(new Adagrad([param([1])]).defaults).toEqual(base);
  });
});
