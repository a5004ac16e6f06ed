import { describe, expect, it } from 'vitest';
import { SGD, type SGDOptions } from '@tapegrad/optim';
import { W0, expectClose, expectMatchesReference, param, quadGrad, quadLoss, train } from './helpers.js';

/** torch.optim.SGD written out in plain numbers. */
function referenceSGD(w0: readonly number[], o: Required<SGDOptions>, steps: number): number[] {
  const w = [...w0];
  let buf: number[] | null = null;
  for (let t = 0; t < steps; t++) {
    const grad = quadGrad(w);
    const g = w.map((wi, i) => (o.maximize ? -grad[i]! : grad[i]!) + o.weightDecay * wi);
    let d = g;
    if (o.momentum !== 0) {
      buf = buf === null ? [...g] : buf.map((bi, i) => o.momentum * bi + (1 - o.dampening) * g[i]!);
      d = o.nesterov ? g.map((gi, i) => gi + o.momentum * buf![i]!) : buf;
    }
    for (let i = 0; i < w.length; i++) w[i] = w[i]! - o.lr * d[i]!;
  }
  return w;
}

const base: Required<SGDOptions> = { lr: 0.05, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false };

describe('SGD', () => {
  const cases: [string, Partial<SGDOptions>][] = [
    ['plain', {}],
    ['momentum', { momentum: 0.9 }],
    ['momentum with dampening', { momentum: 0.8, dampening: 0.3 }],
    ['nesterov', { momentum: 0.9, nesterov: true }],
    ['weight decay', { weightDecay: 0.1 }],
    ['momentum, dampening, weight decay', { momentum: 0.7, dampening: 0.5, weightDecay: 0.05 }],
    ['nesterov with weight decay, maximize', { momentum: 0.5, nesterov: true, weightDecay: 0.02, maximize: true }],
  ];
  for (const [name, options] of cases) {
    it(`matches the update equations: ${name}`, () => {
      const o = { ...base, ...options };
      expectMatchesReference((w) => new SGD([w], o), (steps) => referenceSGD(W0, o, steps));
    });
  }

  it('defaults to lr 1e-3 without momentum', () => {
    const optimizer = new SGD([param(W0)]);
    expect(optimizer.defaults).toEqual({ ...base, lr: 1e-3 });
  });

  it('keeps the momentum buffer in float32 for float32 parameters', () => {
    const w = param(W0, 'float32');
    const optimizer = new SGD([w], { lr: 0.05, momentum: 0.9 });
    train(optimizer, () => quadLoss(w), 3);
    expect(optimizer.state.get(w)?.momentumBuffer?.dtype).toBe('float32');
    expectClose(w, referenceSGD(W0, { ...base, momentum: 0.9 }, 3), 1e-6, 1e-6);
  });
});
