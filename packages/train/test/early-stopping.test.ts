// Early stopping and ReduceLROnPlateau inside fit, driven by scripted validation losses so the
// epoch where training must stop (and the rates it must use) can be worked out by hand.
import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { ReduceLROnPlateau, SGD } from '@tapegrad/optim';
import { EarlyStopping, fit, type EpochRecord } from '@tapegrad/train';
import { SeededBatches, TinyNet, blobs, crossEntropy } from './helpers.js';

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without an improvement larger than minDelta', () => {
    const stopper = new EarlyStopping({ monitor: 'valLoss', patience: 3, minDelta: 0.01 });
    // 0.895 is not better than 0.9 by more than 0.01; 0.85 is, and resets the count.
    const values = [1.0, 0.9, 0.895, 0.92, 0.85, 0.86, 0.851, 0.8401, 0.5];
    const stops = values.map((v) => stopper.update(v));
    expect(stops).toEqual([false, false, false, false, false, false, false, true, false]);
    expect(stopper.stateDict()).toEqual({ best: 0.5, bestEpoch: 8, wait: 0, stoppedEpoch: 7 });
  });

  it('infers the direction from the name: accuracies are maximized', () => {
    expect(new EarlyStopping({ monitor: 'valAccuracy' }).mode).toBe('max');
    expect(new EarlyStopping({ monitor: 'trainLoss' }).mode).toBe('min');
    const stopper = new EarlyStopping({ monitor: 'valAccuracy', patience: 2 });
    expect([0.5, 0.7, 0.69, 0.7].map((v) => stopper.update(v))).toEqual([false, false, false, true]);
    expect(stopper.bestEpoch).toBe(1);
  });

  it('treats NaN as no improvement and rejects bad options and unknown fields', () => {
    const stopper = new EarlyStopping({ patience: 1 });
    expect(stopper.update(1)).toBe(false);
    expect(stopper.update(NaN)).toBe(true);
    expect(() => new EarlyStopping({ patience: 0 })).toThrow('EarlyStopping: patience must be an integer >= 1, got 0');
    expect(() => new EarlyStopping({ minDelta: -1 })).toThrow('minDelta');
    const record = { epoch: 0, trainLoss: 1 } as EpochRecord;
    expect(() => new EarlyStopping({ monitor: 'valF1' }).update(record)).toThrow("monitor 'valF1' is not a field of the epoch record (fields: epoch, trainLoss)");
  });
});

/** A run whose validation loss follows `script` (one value per epoch), whatever the weights do. */
function scriptedRun(script: number[]) {
  const { x, y } = blobs(16);
  const model = new TinyNet();
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  let evaluations = 0;
  // In eval mode (validation) the loss is the scripted value; in training mode a real loss.
  const loss = (out: Tensor, t: Tensor) => (model.training ? crossEntropy(out, t) : tensor(script[evaluations++]!, { dtype: 'float64' }));
  const trainData = new SeededBatches(x, y, 16, 0);
  const valData = [[x.slice([0, 4]), y.slice([0, 4])] as const];
  const weights: number[][] = [];
  const onEpochEnd = () => void weights.push(model.values());
  // fit's own options apart from what the test inspects (fit refuses unknown keys).
  return { fit: { model, optimizer, loss, trainData, valData, onEpochEnd }, model, optimizer, weights };
}

describe('fit with early stopping', () => {
  const script = [1.0, 0.8, 0.7, 0.71, 0.69, 0.75, 0.72, 0.74, 0.6, 0.5];

  it('stops at the epoch the scripted losses dictate and restores the best weights', () => {
    const run = scriptedRun(script);
    // minDelta 0.02: 0.69 is not enough better than 0.7, so epochs 3.. are bad; patience 4 → stop after epoch 6.
    const result = fit({ ...run.fit, epochs: 10, progress: false, earlyStopping: { patience: 4, minDelta: 0.02, restoreBestWeights: true } });
    expect(result.history.map((r) => r.valLoss)).toEqual(script.slice(0, 7));
    expect(result.stoppedEarly).toBe(true);
    expect(result.bestEpoch).toBe(2);
    expect(result.restoredBestWeights).toBe(true);
    expect(run.model.values()).toEqual(run.weights[2]);
    expect(run.model.values()).not.toEqual(run.weights[6]);
  });

  it('counts epochs from 0 in data and from 1 in the text it prints', () => {
    const run = scriptedRun(script);
    const lines: string[] = [];
    const progress = { epochStart() {}, batchEnd() {}, epochEnd() {}, close() {}, log: (m: string) => void lines.push(m) };
    const result = fit({ ...run.fit, epochs: 10, progress, earlyStopping: { patience: 4, minDelta: 0.02 } });
    expect(result.bestEpoch).toBe(2);
    expect(result.history[result.bestEpoch!]!.epoch).toBe(2);
    expect(lines).toEqual(['early stopping: valLoss has not improved by more than 0.02 for 4 epoch(s); best epoch 3']);
  });

  it('keeps the last weights without restoreBestWeights, and runs every epoch when the metric keeps improving', () => {
    const run = scriptedRun(script);
    const result = fit({ ...run.fit, epochs: 10, progress: false, earlyStopping: { patience: 4, minDelta: 0.02 } });
    expect(result.history).toHaveLength(7);
    expect(result.restoredBestWeights).toBe(false);
    expect(run.model.values()).toEqual(run.weights[6]);

    const falling = scriptedRun([5, 4, 3, 2, 1]);
    const full = fit({ ...falling.fit, epochs: 5, progress: false, earlyStopping: { patience: 1 } });
    expect([full.history.length, full.stoppedEarly, full.bestEpoch]).toEqual([5, false, 4]);
  });

  it('monitors a maximized metric (valAccuracy) given as an EarlyStopping instance', () => {
    const run = scriptedRun(script);
    const stopper = new EarlyStopping({ monitor: 'valAccuracy', patience: 2 });
    const result = fit({ ...run.fit, epochs: 10, progress: false, earlyStopping: stopper });
    const acc = result.history.map((r) => r.valAccuracy!);
    const bestSoFar = (i: number) => Math.max(...acc.slice(0, i));
    const last = acc.length - 1;
    // It stopped because the last two epochs did not beat the best before them.
    if (result.stoppedEarly) expect(Math.max(acc[last]!, acc[last - 1]!)).toBeLessThanOrEqual(bestSoFar(last - 1));
    expect(stopper.bestEpoch).toBe(acc.indexOf(Math.max(...acc)));
  });

  it('steps ReduceLROnPlateau with the monitored metric, halving the rate the epoch after a plateau exceeds patience', () => {
    const run = scriptedRun([1, 0.9, 0.95, 0.97, 0.99, 0.98, 0.97, 0.96]);
    const plateau = new ReduceLROnPlateau(run.optimizer, { factor: 0.5, patience: 2 });
    const { history } = fit({ ...run.fit, epochs: 8, progress: false, scheduler: plateau });
    // Bad epochs 2, 3, 4 (three > patience 2): reduced after epoch 4; epochs 5, 6, 7 are bad again.
    expect(history.map((r) => r.lr)).toEqual([0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05]);
    expect(run.optimizer.paramGroups[0]!.lr).toBe(0.025);
  });

  it('refuses to monitor a validation metric without validation data', () => {
    const run = scriptedRun(script);
    expect(() => fit({ ...run.fit, valData: undefined, epochs: 2, progress: false, earlyStopping: { monitor: 'valLoss' } }))
      .toThrow("fit: the monitored metric 'valLoss' needs valData");
  });
});
