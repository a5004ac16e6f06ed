// Each optimizer drives a least-squares linear regression to its known minimum. The data are
// noiseless, so the minimizer is exactly the generating weights and bias.
import { describe, expect, it } from 'vitest';
import { Generator, randn, tensor, zeros, type Tensor } from '@tapegrad/autograd';
import { Adagrad, Adam, AdamW, RMSprop, SGD, type Optimizer } from '@tapegrad/optim';
import { expectClose, train } from './helpers.js';

const TRUE_W = [1.5, -2, 0.5];
const TRUE_B = 0.75;

function problem() {
  const x = randn([64, 3], { dtype: 'float64', generator: new Generator(7) });
  const y = x.mul(tensor([TRUE_W], { dtype: 'float64' })).sum(1).add(TRUE_B);
  const w = zeros([1, 3], { dtype: 'float64', requiresGrad: true });
  const b = zeros([], { dtype: 'float64', requiresGrad: true });
  // Written with broadcasting and sum, not matmul, so it depends only on elementwise ops.
  const loss = (): Tensor => x.mul(w).sum(1).add(b).sub(y).square().mean();
  return { w, b, loss };
}

const cases: [string, (params: Tensor[]) => Optimizer, number, number][] = [
  ['SGD', (p) => new SGD(p, { lr: 0.1 }), 300, 1e-6],
  ['SGD with Nesterov momentum', (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }), 200, 1e-6],
  ['Adam', (p) => new Adam(p, { lr: 0.05 }), 800, 1e-4],
  ['Adam with AMSGrad', (p) => new Adam(p, { lr: 0.05, amsgrad: true }), 800, 1e-4],
  // Decoupled decay moves the minimum by O(lr·λ); a tiny λ keeps it within tolerance.
  ['AdamW', (p) => new AdamW(p, { lr: 0.05, weightDecay: 1e-6 }), 800, 1e-4],
  ['RMSprop', (p) => new RMSprop(p, { lr: 0.003, momentum: 0.5 }), 1500, 1e-3],
  // Centered RMSprop divides by the gradient's variance, which vanishes at the minimum: it hovers within ~lr.
  ['RMSprop centered', (p) => new RMSprop(p, { lr: 0.001, centered: true }), 2500, 2e-3],
  ['Adagrad', (p) => new Adagrad(p, { lr: 0.5 }), 500, 1e-5],
];

describe('convergence on linear regression', () => {
  for (const [name, make, steps, tol] of cases) {
    it(`${name} reaches the known solution`, () => {
      const { w, b, loss } = problem();
      const optimizer = make([w, b]);
      train(optimizer, loss, steps);
      expectClose(w, TRUE_W, 0, tol);
      expectClose(b, [TRUE_B], 0, tol);
      expect(loss().item()).toBeLessThan(tol);
    });
  }
});
