// Memory of a training loop, counted rather than timed: every tape node a step records must be
// released by that step's backward, and every step must record the same number of nodes (a
// growing count would mean the graph of one step leaks into the next).
import { describe, expect, it } from 'vitest';
import { Generator, noGrad, randn, tapeStats, tensor, zeroGrad, type Tensor } from '@tapegrad/autograd';

function mlp(seed: number) {
  const gen = new Generator(seed);
  const param = (shape: number[], scale: number) => noGrad(() => randn(shape, { generator: gen }).mul(scale)).requiresGrad_();
  const params = [param([20, 64], 0.2), param([64], 0), param([64, 10], 0.1), param([10], 0)];
  const x = randn([32, 20], { generator: gen });
  const labels = Array.from({ length: 32 }, (_, i) => i % 10);
  const onehot = tensor(labels.map((c) => Array.from({ length: 10 }, (_, j) => (j === c ? 1 : 0))));
  const step = (): number => {
    const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
    const logits = x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
    const loss = logits.logSoftmax(1).mul(onehot).sum().div(-32);
    zeroGrad(params);
    loss.backward();
    noGrad(() => params.forEach((p) => p.add_(p.grad!, -0.1)));
    return loss.item();
  };
  return { step };
}

describe('tape memory over a training loop', () => {
  it('300 MLP steps: live nodes return to 0 after each step, and each step records the same number', () => {
    const { step } = mlp(1);
    const base = tapeStats();
    const perStep = new Set<number>();
    const losses: number[] = [];
    for (let i = 0; i < 300; i++) {
      const before = tapeStats();
      losses.push(step());
      const after = tapeStats();
      expect(after.live).toBe(base.live);
      perStep.add(after.recorded - before.recorded);
    }
    expect([...perStep]).toHaveLength(1);
    expect([...perStep][0]).toBeGreaterThan(5);
    // The loop really trains, so the counts above describe real backward passes.
    expect(losses[299]!).toBeLessThan(losses[0]! * 0.5);
  });

  it('a graph kept with retainGraph stays live until a later backward releases it', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const base = tapeStats().live;
    const y = x.mul(x).sum();
    expect(tapeStats().live).toBe(base + 2);
    y.backward(undefined, { retainGraph: true });
    expect(tapeStats().live).toBe(base + 2);
    y.backward();
    expect(tapeStats().live).toBe(base);
  });
});
