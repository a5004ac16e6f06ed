// int32 class targets and ids: the same values and gradients as the (deprecated) float ones.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randn, tensor, manualSeed } from '@tapegrad/autograd';
import { crossEntropy, nllLoss, Embedding } from '@tapegrad/nn';

describe('int32 targets', () => {
  it('crossEntropy and nllLoss give the same loss and gradient for int32 and float targets', () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 4 }),
      c: fc.integer({ min: 2, max: 4 }),
      seed: fc.integer({ min: 0, max: 1000 }),
      smoothing: fc.constantFrom(0, 0.1),
    });
    fc.assert(fc.property(arb, ({ n, c, seed, smoothing }) => {
      manualSeed(seed);
      const labels = Array.from({ length: n }, (_, i) => (i * 7 + seed) % c);
      const run = (targets: ReturnType<typeof tensor>) => {
        manualSeed(seed);
        const logits = randn([n, c], { dtype: 'float64', requiresGrad: true });
        const loss = crossEntropy(logits, targets, { labelSmoothing: smoothing }).add(nllLoss(logits.logSoftmax(1), targets, { ignoreIndex: 0 }));
        loss.backward();
        return [loss.item(), logits.grad!.toArray()];
      };
      expect(run(tensor(labels, { dtype: 'int32' }))).toEqual(run(tensor(labels, { dtype: 'float64' })));
    }), { numRuns: 30 });
  });

  it('an int32 target tensor of the logits\' shape is still class indices, not probabilities', () => {
    expect(() => crossEntropy(tensor([[1, 2], [3, 4]]), tensor([[0, 1], [1, 0]], { dtype: 'int32' }))).toThrow('crossEntropy: expected input [N, C]');
  });

  it('Embedding takes int32 ids', () => {
    manualSeed(0);
    const emb = new Embedding(5, 2, { paddingIdx: 0 });
    const ids = tensor([[1, 0], [4, 4]], { dtype: 'int32' });
    expect(emb.forward(ids).toArray()).toEqual(emb.forward(ids.toDType('float32')).toArray());
  });
});
