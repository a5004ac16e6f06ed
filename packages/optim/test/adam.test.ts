import { describe, expect, it } from 'vitest';
import { Adam, AdamW, type AdamOptions } from '@tapegrad/optim';
import { W0, expectMatchesReference, param } from './helpers.js';
import { quadGrad } from './helpers.js';

/** torch.optim.Adam / AdamW written out in plain numbers. */
function referenceAdam(w0: readonly number[], o: Required<AdamOptions>, decoupled: boolean, steps: number): number[] {
  const w = [...w0];
  const [b1, b2] = o.betas;
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  const vmax = w.map(() => 0);
  for (let t = 1; t <= steps; t++) {
    const grad = quadGrad(w);
    for (let i = 0; i < w.length; i++) {
      let g = o.maximize ? -grad[i]! : grad[i]!;
      if (decoupled) w[i] = w[i]! * (1 - o.lr * o.weightDecay);
      else g += o.weightDecay * w[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      vmax[i] = Math.max(vmax[i]!, v[i]!);
      const mHat = m[i]! / (1 - b1 ** t);
      const vHat = (o.amsgrad ? vmax[i]! : v[i]!) / (1 - b2 ** t);
      w[i] = w[i]! - (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
    }
  }
  return w;
}

const base: Required<AdamOptions> = { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };

describe('Adam', () => {
  const cases: [string, Partial<AdamOptions>][] = [
    ['defaults', {}],
    ['other betas and eps', { betas: [0.5, 0.9], eps: 1e-3 }],
    ['L2 weight decay', { weightDecay: 0.1 }],
    ['amsgrad', { amsgrad: true, betas: [0.8, 0.5] }],
    ['amsgrad with weight decay, maximize', { amsgrad: true, weightDecay: 0.05, maximize: true }],
  ];
  for (const [name, options] of cases) {
    it(`matches the update equations: ${name}`, () => {
      const o = { ...base, ...options };
      expectMatchesReference((w) => new Adam([w], o), (steps) => referenceAdam(W0, o, false, steps));
    });
  }

  it('counts steps per parameter and keeps AMSGrad state only when asked', () => {
    const w = param(W0);
    const adam = new Adam([w]);
    expect(adam.defaults).toEqual({ ...base, lr: 1e-3 });
    w.grad = param([1, 1, 1, 1]);
    adam.step();
    adam.step();
    const s = adam.state.get(w)!;
    expect(s.step).toBe(2);
    expect(s.maxExpAvgSq).toBeUndefined();
  });
});

describe('AdamW', () => {
  const cases: [string, Partial<AdamOptions>][] = [
    ['default decay 0.01', {}],
    ['strong decay', { weightDecay: 0.5 }],
    ['amsgrad', { amsgrad: true, weightDecay: 0.1, betas: [0.7, 0.6] }],
    ['no decay equals Adam', { weightDecay: 0 }],
  ];
  for (const [name, options] of cases) {
    it(`matches the update equations: ${name}`, () => {
      const o = { ...base, weightDecay: 0.01, ...options };
      expectMatchesReference((w) => new AdamW([w], o), (steps) => referenceAdam(W0, o, true, steps));
    });
  }

  it('defaults to weight decay 0.01, overridable per group, and names itself in errors', () => {
    const adamw = new AdamW([{ params: [param([1])] }, { params: [param([2])], weightDecay: 0 }]);
    expect(adamw.defaults.weightDecay).toBe(0.01);
    expect(adamw.paramGroups.map((g) => g.weightDecay)).toEqual([0.01, 0]);
    expect(adamw).toBeInstanceOf(Adam);
    expect(() => new AdamW([param([1])], { betas: [0.9, 1] })).toThrow('AdamW: invalid betas[1] (got 1, expected a number in [0, 1))');
  });
});
