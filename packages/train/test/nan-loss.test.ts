// A NaN or infinite loss stops fit before that batch's backward and optimizer step: the model and
// the optimizer keep what the last good step left, and the error says where and that it did.
import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { Adam, SGD } from '@tapegrad/optim';
import { fit, trainStep, type FitProgress } from '@tapegrad/train';
import { SeededBatches, TinyNet, blobs, crossEntropy } from './helpers.js';

const silentProgress = (afterBatch: () => void): FitProgress => ({ epochStart() {}, batchEnd: afterBatch, epochEnd() {}, close() {} });

describe('fit with a loss that turns non-finite', () => {
  it.each([
    ['NaN', NaN, 'SGD'],
    ['Infinity', Infinity, 'Adam'],
    ['-Infinity', -Infinity, 'SGD'],
  ] as const)('%s at epoch 1, batch 2: stops naming fit and where, weights and state of the last good step', (label, bad, which) => {
    const { x, y } = blobs(32);
    const model = new TinyNet();
    const optimizer = which === 'SGD' ? new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }) : new Adam(model.parameters(), { lr: 0.01 });
    let calls = 0;
    const perEpoch = 6; // 96 samples in batches of 16
    const loss = (out: Tensor, t: Tensor): Tensor => {
      calls += 1;
      const l = crossEntropy(out, t);
      return calls === perEpoch + 3 ? l.mul(bad) : l;
    };
    let lastGood = { values: model.values(), state: JSON.stringify(optimizer.stateDict()) };
    const progress = silentProgress(() => {
      lastGood = { values: model.values(), state: JSON.stringify(optimizer.stateDict(), (_k, v) => (v?.toArray ? v.toArray() : v)) };
    });
    expect(() => fit({ model, optimizer, trainData: new SeededBatches(x, y, 16, 3), loss, epochs: 3, progress }))
      .toThrow(`fit: the training loss is ${label} at epoch 1, batch 2 (counting from 0); training stopped before its backward and optimizer step, so the model keeps the weights of the last good step`);
    expect(model.values().every(Number.isFinite)).toBe(true);
    expect(model.values()).toEqual(lastGood.values);
    expect(JSON.stringify(optimizer.stateDict(), (_k, v) => (v?.toArray ? v.toArray() : v))).toBe(lastGood.state);
  });

  it('also guards a custom step that calls the loss it is given', () => {
    const { x, y } = blobs(8);
    const model = new TinyNet();
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const before = model.values();
    const step = (ctx: Parameters<typeof trainStep>[0]) => {
      const outputs = ctx.model.forward(ctx.inputs);
      const l = ctx.loss(outputs, ctx.targets);
      l.backward();
      ctx.optimizer.step();
      return { loss: l, outputs };
    };
    expect(() => fit({ model, optimizer, trainData: [[x, y]], loss: (o, t) => crossEntropy(o, t).mul(NaN), step, epochs: 1, progress: false }))
      .toThrow('fit: the training loss is NaN at epoch 0, batch 0');
    expect(model.values()).toEqual(before);
  });

  it('trainStep alone skips backward and step on a non-finite loss', () => {
    const model = new TinyNet();
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const before = model.values();
    const { x, y } = blobs(4);
    expect(() => trainStep({ model, optimizer, inputs: x, targets: y, loss: (o, t) => crossEntropy(o, t).div(0), epoch: 0, batch: 0 }))
      .toThrow('trainStep: the loss is Infinity (got Infinity, expected a finite number); backward and the optimizer step were skipped, so the parameters are unchanged');
    expect(model.values()).toEqual(before);
    expect(() => trainStep({ model, optimizer, inputs: x, targets: y, loss: (o) => o, epoch: 0, batch: 0 })).toThrow('trainStep: the loss function must return a scalar tensor (got a float32 tensor of shape [12,3]');
    expect(() => trainStep({ model, optimizer, inputs: [[1, 2]] as never, targets: y, loss: crossEntropy, epoch: 0, batch: 0 })).toThrow('trainStep: inputs must be a Tensor');
    expect(() => trainStep(undefined as never)).toThrow('trainStep: the step context must be an object (got undefined');
    expect(() => trainStep({ model, optimizer: {} as never, inputs: x, targets: y, loss: crossEntropy, epoch: 0, batch: 0 })).toThrow('trainStep: optimizer must be an Optimizer (got an object');
    expect(tensor([1]).item()).toBe(1);
  });
});
