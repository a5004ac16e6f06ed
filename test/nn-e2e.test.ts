// End to end: @tapegrad/nn models trained with a plain SGD loop (optim is its own package) and
// round-tripped through a weight file.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, manualSeed, noGrad, randint, randn, tensor, type Tensor } from '@tapegrad/autograd';
import {
  Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, Tanh, binaryCrossEntropyWithLogits, crossEntropy,
  type Module,
} from '@tapegrad/nn';
import { loadModel, saveModel } from '@tapegrad/nn/node';
import { Adam } from '@tapegrad/optim';

function sgdStep(model: Module, lr: number): void {
  noGrad(() => {
    for (const p of model.parameters()) if (p.grad) p.add_(p.grad, -lr);
  });
  model.zeroGrad();
}

const accuracy = (predicted: Tensor, labels: Tensor) => {
  const p = Array.from(predicted.contiguousData());
  const l = Array.from(labels.contiguousData());
  return p.filter((v, i) => v === l[i]).length / l.length;
};

const cnn = () => new Sequential(new Conv2d(1, 8, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8 * 4 * 4, 4));

describe('nn end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-nn-e2e-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a 2-layer MLP learns XOR to 100% accuracy', () => {
    manualSeed(0);
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = tensor([[0], [1], [1], [0]]);
    const model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1));
    let loss = Infinity;
    for (let step = 0; step < 1500; step++) {
      const l = binaryCrossEntropyWithLogits(model.forward(x), y);
      l.backward();
      sgdStep(model, 0.5);
      loss = l.item();
    }
    expect(loss).toBeLessThan(0.05);
    const predicted = noGrad(() => model.forward(x).gt(0));
    expect(accuracy(predicted, y)).toBe(1);
  });

  it('a small CNN overfits 16 random 1×8×8 images with random labels', () => {
    manualSeed(1);
    const gen = new Generator(2);
    const images = randn([16, 1, 8, 8], { generator: gen });
    const labels = randint(0, 4, [16], { generator: gen });
    const model = cnn();
    for (let step = 0; step < 300; step++) {
      crossEntropy(model.forward(images), labels).backward();
      sgdStep(model, 0.1);
    }
    const predicted = noGrad(() => model.forward(images).argmax(1));
    expect(accuracy(predicted, labels)).toBe(1);
  });

  it('works with @tapegrad/optim: Adam on model.parameters() learns XOR', () => {
    manualSeed(5);
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const labels = tensor([0, 1, 1, 0]);
    const model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 2));
    const optimizer = new Adam(model.parameters(), { lr: 0.05 });
    for (let step = 0; step < 300; step++) {
      optimizer.zeroGrad();
      crossEntropy(model.forward(x), labels).backward();
      optimizer.step();
    }
    expect(accuracy(noGrad(() => model.forward(x).argmax(1)), labels)).toBe(1);
  });

  it('a model saved and loaded gives identical outputs', () => {
    manualSeed(3);
    const trained = cnn();
    const path = join(dir, 'cnn.tg');
    saveModel(trained, path, { note: 'e2e' });
    manualSeed(4);
    const fresh = cnn();
    const x = randn([5, 1, 8, 8]);
    expect(fresh.forward(x).toArray()).not.toEqual(trained.forward(x).toArray());
    expect(loadModel(fresh, path).meta).toEqual({ note: 'e2e' });
    expect(fresh.forward(x).toArray()).toEqual(trained.forward(x).toArray());
  });
});
