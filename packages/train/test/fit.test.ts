// fit's loop: it learns, records a history whose numbers can be recomputed by hand, honours a
// custom step, validates in eval mode without the tape, and reports progress.
import { describe, expect, it } from 'vitest';
import { isGradEnabled, tensor, type Tensor } from '@tapegrad/autograd';
import { Adam, SGD, StepLR, clipGradNorm } from '@tapegrad/optim';
import { accuracy, evaluate, fit, type FitProgress, type StepContext } from '@tapegrad/train';
import { SeededBatches, TinyNet, blobs, crossEntropy } from './helpers.js';

function setup() {
  const { x, y } = blobs(32);
  const { x: vx, y: vy } = blobs(16, 1);
  const model = new TinyNet();
  return { model, trainData: new SeededBatches(x, y, 16, 3), valData: new SeededBatches(vx, vy, 20, null), loss: crossEntropy };
}

describe('fit', () => {
  it('learns three blobs and returns one complete record per epoch', () => {
    const { model, ...data } = setup();
    const optimizer = new Adam(model.parameters(), { lr: 0.05 });
    const { history, stoppedEarly, bestEpoch } = fit({ model, optimizer, ...data, epochs: 6, progress: false });
    expect(history.map((r) => r.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const r of history) {
      expect(Object.keys(r).sort()).toEqual(['epoch', 'lr', 'samplesPerSecond', 'seconds', 'trainAccuracy', 'trainLoss', 'valAccuracy', 'valLoss']);
      expect(r.seconds).toBeGreaterThan(0);
      expect(r.samplesPerSecond).toBeGreaterThan(0);
      expect(r.lr).toBe(0.05);
    }
    expect(history[5]!.trainLoss).toBeLessThan(history[0]!.trainLoss);
    expect(history[5]!.valAccuracy).toBeGreaterThan(0.9);
    expect(stoppedEarly).toBe(false);
    expect(bestEpoch).toBe(history.reduce((b, r) => (r.valLoss! < history[b]!.valLoss! ? r.epoch : b), 0));
    // The recorded validation numbers are exactly what evaluate() gives for the final weights.
    const final = evaluate(model, data.valData, { loss: crossEntropy });
    expect(final.loss).toBe(history[5]!.valLoss);
    expect(final.accuracy).toBe(history[5]!.valAccuracy);
    expect(final.samples).toBe(48);
  });

  it('averages per-batch values weighted by batch size', () => {
    const x = tensor([[0, 0], [1, 1], [2, 2], [3, 3]]);
    const y = tensor([0, 1, 2, 0]);
    const model = new TinyNet();
    const optimizer = new SGD(model.parameters(), { lr: 0 });
    // Batches of 3 and 1 samples with losses 1 and 5: the epoch loss is (3·1 + 1·5)/4 = 2, not 3.
    const fixed = [tensor([[9, 0, 0], [0, 9, 0], [9, 0, 0]]), tensor([[9, 0, 0]])]; // accuracy 2/3 then 1
    const step = ({ batch }: StepContext) => ({ loss: batch === 0 ? 1 : 5, outputs: fixed[batch]! });
    const { history } = fit({ model, optimizer, trainData: new SeededBatches(x, y, 3, null), epochs: 1, loss: crossEntropy, step, progress: false });
    expect(history[0]!.trainLoss).toBe(2);
    expect(history[0]!.trainAccuracy).toBe(0.75);
    expect(history[0]!.valLoss).toBeNull();
    expect(history[0]!.valAccuracy).toBeNull();
  });

  it('honours a custom step that sees the model and optimizer (here: clipping and an L2 penalty)', () => {
    const { model, ...data } = setup();
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const seen: string[] = [];
    const norms: number[] = [];
    const step = (ctx: StepContext<TinyNet>) => {
      expect(ctx.model).toBe(model);
      expect(ctx.optimizer).toBe(optimizer);
      expect(ctx.model.training).toBe(true);
      seen.push(`${ctx.epoch}.${ctx.batch}:${ctx.inputs.shape[0]}`);
      ctx.optimizer.zeroGrad();
      const outputs = ctx.model.forward(ctx.inputs);
      const penalty = ctx.model.w1.square().sum().mul(1e-3);
      const loss = ctx.loss(outputs, ctx.targets).add(penalty);
      loss.backward();
      norms.push(clipGradNorm(ctx.model.parameters(), 0.5));
      ctx.optimizer.step();
      return { loss }; // no outputs: training metrics are null
    };
    const { history } = fit({ model, optimizer, ...data, epochs: 2, step, progress: false });
    expect(seen).toEqual(['0.0:16', '0.1:16', '0.2:16', '0.3:16', '0.4:16', '0.5:16', '1.0:16', '1.1:16', '1.2:16', '1.3:16', '1.4:16', '1.5:16']);
    expect(norms.some((n) => n > 0.5)).toBe(true);
    expect(history[1]!.trainAccuracy).toBeNull();
    expect(history[1]!.valAccuracy).not.toBeNull();
  });

  it('validates in eval mode without recording, then returns to training mode', () => {
    const { model, ...data } = setup();
    const modes: string[] = [];
    const loss = (out: Tensor, t: Tensor) => {
      modes.push(`${model.training ? 'train' : 'eval'}:${isGradEnabled() ? 'grad' : 'noGrad'}`);
      return crossEntropy(out, t);
    };
    fit({ model, optimizer: new SGD(model.parameters(), { lr: 0.1 }), ...data, loss, epochs: 2, progress: false });
    expect(new Set(modes)).toEqual(new Set(['train:grad', 'eval:noGrad']));
    expect(modes.filter((m) => m === 'eval:noGrad')).toHaveLength(2 * 3); // 48 validation samples in batches of 20
    expect(model.evalCalls).toBe(2);
    expect(model.training).toBe(true);
  });

  it('records custom metrics as train<Name>/val<Name>, the rate of each epoch, and reports progress', () => {
    const { model, ...data } = setup();
    const optimizer = new SGD(model.parameters(), { lr: 0.2 });
    const calls: string[] = [];
    const progress: FitProgress = {
      epochStart: (epoch, batches) => calls.push(`start ${epoch}/${batches}`),
      batchEnd: (batch, { samples }) => calls.push(`batch ${batch} ${samples}`),
      epochEnd: (record, history) => calls.push(`end ${record.epoch} ${history.length}`),
      close: () => calls.push('close'),
    };
    const firstClass = (out: Tensor, t: Tensor) => (t.ndim === 1 ? t.eq(0).mean().item() : null);
    const { history } = fit({
      model, optimizer, ...data, epochs: 3, progress, metrics: { accuracy, firstClass },
      scheduler: new StepLR(optimizer, { stepSize: 1, gamma: 0.5 }),
    });
    expect(history.map((r) => r.lr)).toEqual([0.2, 0.1, 0.05]);
    expect(history[0]!.trainFirstClass).toBeCloseTo(1 / 3, 6);
    expect(history[0]!.valFirstClass).toBeCloseTo(1 / 3, 6);
    expect(calls.slice(0, 8)).toEqual(['start 0/6', 'batch 1 16', 'batch 2 32', 'batch 3 48', 'batch 4 64', 'batch 5 80', 'batch 6 96', 'end 0 1']);
    expect(calls.at(-1)).toBe('close');
  });

  it('fails clearly on a non-finite loss, bad epochs, and one-shot data', () => {
    const { model, ...data } = setup();
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const nan = (out: Tensor, t: Tensor) => crossEntropy(out, t).mul(NaN);
    expect(() => fit({ model, optimizer, ...data, loss: nan, epochs: 1, progress: false }))
      .toThrow('fit: the training loss is NaN at epoch 0, batch 0 (counting from 0); training stopped before its backward and optimizer step, so the model keeps the weights of the last good step');
    expect(() => fit({ model, optimizer, ...data, epochs: 1.5, progress: false })).toThrow('fit: epochs must be a non-negative integer, got 1.5');
    const oneShot = (function* () { yield [data.valData.x, data.valData.y] as const; })();
    const fresh = new TinyNet();
    expect(() => fit({ model: fresh, optimizer: new SGD(fresh.parameters(), { lr: 0.1 }), trainData: oneShot, loss: crossEntropy, epochs: 2, progress: false }))
      .toThrow('fit: trainData yielded no batches in epoch 1');
  });
});

describe('accuracy with int32 labels', () => {
  it('counts hits against int32 class indices as against float ones', () => {
    const out = tensor([[2, 1], [0, 3], [5, 4]]);
    expect(accuracy(out, tensor([0, 1, 1], { dtype: 'int32' }))).toBeCloseTo(2 / 3);
    expect(accuracy(out, tensor([0, 1, 1], { dtype: 'int32' }))).toBe(accuracy(out, tensor([0, 1, 1])));
  });
});
