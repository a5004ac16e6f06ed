// Per-sample losses and gradients with int32 class targets and ids: crossEntropy, nllLoss and
// Embedding under vmap equal a loop over the examples (their checks see every example's targets).
import { describe, expect, it } from 'vitest';
import { Generator, grad, randn, stack, tensor, vmap, type Tensor } from '@tapegrad/autograd';
import { Embedding, crossEntropy, nllLoss } from '@tapegrad/nn';

const logits = randn([4, 3, 5], { dtype: 'float64', generator: new Generator(1) });
const targets = tensor([[0, 1, 2], [4, 3, -100], [1, 1, 1], [0, 4, 0]], { dtype: 'int32' });
const weight = tensor([1, 2, 0.5, 1, 3], { dtype: 'float64' });
const loop = (f: (l: Tensor, y: Tensor) => Tensor) => stack([0, 1, 2, 3].map((i) => f(logits.unbind(0)[i]!, targets.unbind(0)[i]!)));

describe('class-index losses under vmap', () => {
  const losses: [string, (l: Tensor, y: Tensor) => Tensor][] = [
    ['crossEntropy', (l, y) => crossEntropy(l, y)],
    ['crossEntropy with weight, smoothing, sum', (l, y) => crossEntropy(l, y, { weight, labelSmoothing: 0.1, reduction: 'sum' })],
    ['nllLoss', (l, y) => nllLoss(l.logSoftmax(1), y, { weight })],
    ['nllLoss, reduction none', (l, y) => nllLoss(l.logSoftmax(1), y, { reduction: 'none' })],
  ];
  for (const [name, f] of losses) {
    it(`${name}: values and per-sample gradients equal the loop (ignoreIndex in one example)`, () => {
      expect(vmap(f)(logits, targets).sub(loop(f)).abs().max().item()).toBeLessThan(1e-14);
      const g = (l: Tensor, y: Tensor) => f(l, y).sum();
      expect(vmap(grad(g))(logits, targets).sub(loop((l, y) => grad(g)(l, y))).abs().max().item()).toBeLessThan(1e-14);
    });
  }
  it('a bad target in any example is an error naming the loss', () => {
    const bad = tensor([[0, 1, 2], [4, 3, 2], [1, 7, 1], [0, 4, 0]], { dtype: 'int32' });
    expect(() => vmap((l: Tensor, y: Tensor) => crossEntropy(l, y))(logits, bad)).toThrow(/^crossEntropy: target 7 at \[2,1\] is not a class index for 5 classes/);
  });
});

describe('Embedding under vmap', () => {
  const emb = new Embedding(6, 2, { dtype: 'float64', generator: new Generator(2), paddingIdx: 0 });
  const ids = tensor([[0, 5], [3, 3], [2, 1]], { dtype: 'int32' });
  it('per-example ids give the rows of each example; a bad id in any example is an error', () => {
    expect(vmap((i: Tensor) => emb.forward(i))(ids).toArray()).toEqual(emb.forward(ids).toArray());
    expect(() => vmap((i: Tensor) => emb.forward(i))(tensor([[0, 1], [2, 6]], { dtype: 'int32' }))).toThrow(/^Embedding\(6, 2, padding_idx=0\): id 6 at flat position 3 of ids with shape \[2,2\]/);
  });
});
