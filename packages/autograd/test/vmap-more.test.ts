// vmap of the issue-12 ops (their batch rules, or vmap's loop where an op has none) equals
// looping over the examples and stacking, with the batch on axis 0 or 1.
import { describe, expect, it } from 'vitest';
import * as tg from '@tapegrad/autograd';
import { Generator, randn, vmap, type Tensor } from '@tapegrad/autograd';

const gen = new Generator(5);
const X = randn([3, 4, 5], { dtype: 'float64', generator: gen });
const Y = randn([3, 4, 5], { dtype: 'float64', generator: gen });

const cases: [string, (x: Tensor, y: Tensor) => Tensor][] = [
  ['tan', (x) => tg.tan(x)],
  ['atan2', (x, y) => tg.atan2(x, y)],
  ['logaddexp', (x, y) => tg.logaddexp(x, y)],
  ['round', (x) => tg.round(x.mul(3))],
  ['hardtanh', (x) => tg.hardtanh(x, -0.5, 0.5)],
  ['selu', (x) => tg.selu(x)],
  ['mish', (x) => tg.mish(x)],
  ['prelu', (x, y) => tg.prelu(x, y.sum(0).mul(0.1))],
  ['flip', (x) => tg.flip(x, [0, 1])],
  ['roll', (x) => tg.roll(x, [1, -2], [0, 1])],
  ['repeat', (x) => tg.repeat(x, [2, 1, 2])],
  ['tril', (x) => tg.tril(x, 1)],
  ['triu', (x) => tg.triu(x, -1)],
  ['maskedFill', (x, y) => tg.maskedFill(x, y.gt(0), 7)],
  ['cumsum', (x) => tg.cumsum(x, 1)],
  ['cumprod', (x) => tg.cumprod(x, 0)],
  ['norm', (x) => tg.norm(x, 3, 1)],
  ['sort', (x) => tg.sort(x, 0, true).values],
  ['topk', (x) => tg.topk(x, 2, 1).values],
  ['einsum', (x, y) => tg.einsum('ij,kj->ik', x, y)],
  ['narrow', (x) => tg.narrow(x, 1, 1, 3)],
  // expand adding leading axes to a batched tensor (prelu broadcasts its weight this way)
  ['expand with new axes', (_x, y) => y.sum(0).expand([2, 4, 5])],
];

describe('vmap of the issue-12 ops', () => {
  for (const [name, f] of cases) {
    it(`${name} equals a loop over the examples (batch on axis 0 and 1)`, () => {
      const loop = (xs: Tensor, ys: Tensor, axis: number) => tg.stack(xs.unbind(axis).map((x, i) => f(x, ys.unbind(axis)[i]!)));
      expect(vmap(f)(X, Y).toArray()).toEqual(loop(X, Y, 0).toArray());
      const Xt = X.transpose(0, 1);
      const Yt = Y.transpose(0, 1);
      expect(vmap(f, { inAxes: [1, 1] })(Xt, Yt).toArray()).toEqual(loop(Xt, Yt, 1).toArray());
    });
  }
});
