// optim with nn modules: a classifier trained end to end with AdamW, warm-up + cosine and
// clipping; frozen parameters are skipped; nn's Parameter subclass goes through state dicts.
import { describe, expect, it } from 'vitest';
import { Generator, noGrad, randn, tensor } from '@tapegrad/autograd';
import { Linear, ReLU, Sequential, crossEntropy } from '@tapegrad/nn';
import { AdamW, CosineAnnealingLR, LinearLR, SGD, SequentialLR, clipGradNorm } from '@tapegrad/optim';

/** Two Gaussian blobs per class around (±2, ±2), labelled by quadrant parity (XOR-like). */
function blobs(n: number, seed: number) {
  const gen = new Generator(seed);
  const centres = [[2, 2], [-2, -2], [2, -2], [-2, 2]];
  const labels = Array.from({ length: n }, (_, i) => Math.floor(i / 2) % 2);
  const points = Array.from({ length: n }, (_, i) => centres[i % 4]!);
  const x = tensor(points).add(randn([n, 2], { generator: gen }).mul(0.5));
  return { x, y: tensor(labels) };
}

describe('optim with @tapegrad/nn', () => {
  it('trains an MLP classifier to high accuracy with AdamW, warm-up + cosine and clipping', () => {
    const { x, y } = blobs(128, 0);
    const model = new Sequential(new Linear(2, 16, { generator: new Generator(1) }), new ReLU(), new Linear(16, 2, { generator: new Generator(2) }));
    const optimizer = new AdamW(model.parameters(), { lr: 0.05 });
    const scheduler = new SequentialLR(optimizer, {
      schedulers: [new LinearLR(optimizer, { startFactor: 0.2, totalIters: 5 }), new CosineAnnealingLR(optimizer, { tMax: 55 })],
      milestones: [5],
    });
    for (let epoch = 0; epoch < 60; epoch++) {
      optimizer.zeroGrad();
      crossEntropy(model.forward(x), y).backward();
      clipGradNorm(model.parameters(), 5);
      optimizer.step();
      scheduler.step();
    }
    const test = blobs(64, 9);
    const predicted = noGrad(() => model.forward(test.x).argmax(1));
    const accuracy = predicted.eq(test.y).mean().item();
    expect(accuracy).toBeGreaterThan(0.95);
  });

  it('skips frozen parameters (no gradient, no state, unchanged values)', () => {
    const backbone = new Sequential(new Linear(2, 8, { generator: new Generator(3) }), new ReLU());
    const head = new Linear(8, 2, { generator: new Generator(4) });
    backbone.requiresGrad_(false);
    const optimizer = new SGD([...backbone.parameters(), ...head.parameters()], { lr: 0.1, momentum: 0.9 });
    const frozenBefore = backbone.parameters().map((p) => p.toArray());
    const headBefore = head.parameters().map((p) => p.toArray());
    const { x, y } = blobs(16, 5);
    for (let i = 0; i < 3; i++) {
      optimizer.zeroGrad();
      crossEntropy(head.forward(backbone.forward(x)), y).backward();
      optimizer.step();
    }
    expect(backbone.parameters().map((p) => p.toArray())).toEqual(frozenBefore);
    expect(head.parameters().map((p) => p.toArray())).not.toEqual(headBefore);
    expect(Object.keys(optimizer.stateDict().state)).toEqual(['2', '3']);
  });
});
