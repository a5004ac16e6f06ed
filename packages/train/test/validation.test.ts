// Bad input to the training helpers: a clear error naming the function, never a wrong number.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tensor } from '@tapegrad/autograd';
import { SGD } from '@tapegrad/optim';
import { EarlyStopping, ProgressReporter, accuracy, evaluate, fit, formatEpochLine, historyToSvg } from '@tapegrad/train';
import { saveHistorySvg } from '@tapegrad/train/node';
import { TinyNet, blobs, crossEntropy } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'tapegrad-train-validation-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('accuracy', () => {
  const out = tensor([[2, 1, 0], [0, 3, 1]]);
  it('refuses labels that are not class indices, as a wrong number would be silent', () => {
    expect(() => accuracy(out, tensor([0, 3]))).toThrow('accuracy: targets[1] is not a class index (got 3, expected an integer in [0, 2] for 3 classes)');
    expect(() => accuracy(out, tensor([0, -1], { dtype: 'int32' }))).toThrow('accuracy: targets[1] is not a class index (got -1');
    expect(() => accuracy(out, tensor([0.5, 1]))).toThrow('accuracy: targets[0] is not a class index (got 0.5');
    expect(() => accuracy(out, tensor([0, NaN]))).toThrow('accuracy: targets[1] is not a class index (got NaN');
    expect(() => accuracy(out, tensor([0, 1, 1]))).toThrow('accuracy: outputs and targets disagree on the batch size');
    expect(() => accuracy([[1, 2]] as never, tensor([0]))).toThrow('accuracy: outputs must be a Tensor');
    expect(() => accuracy(out, [0, 1] as never)).toThrow('accuracy: targets must be a Tensor');
  });
  it('still returns null where it does not apply, and a fraction where it does', () => {
    expect(accuracy(tensor([[0.5], [0.2]]), tensor([0.4, 0.1]))).toBeNull();
    expect(accuracy(out, tensor([[1, 0, 0], [0, 1, 0]]))).toBeNull();
    expect(accuracy(out, tensor([0, 0], { dtype: 'int32' }))).toBe(0.5);
  });
});

describe('options of the training helpers', () => {
  it('EarlyStopping and ProgressReporter refuse unknown keys, wrong types and out-of-range values', () => {
    expect(() => new EarlyStopping({ patience: 2, restoreBest: true } as never)).toThrow("EarlyStopping: unexpected option 'restoreBest'");
    expect(() => new EarlyStopping('valLoss' as never)).toThrow('EarlyStopping: options must be an object (got a string');
    expect(() => new EarlyStopping({ monitor: 3 } as never)).toThrow('EarlyStopping: monitor must be a history field name, got 3');
    expect(() => new EarlyStopping({ minDelta: -0.1 })).toThrow('EarlyStopping: minDelta must be a finite number >= 0, got -0.1');
    expect(() => new EarlyStopping({ restoreBestWeights: 'yes' } as never)).toThrow('EarlyStopping: restoreBestWeights must be true or false');
    expect(() => new EarlyStopping().update('x' as never)).toThrow('EarlyStopping: update expects an epoch record or the monitored value');
    expect(() => new ProgressReporter({ mode: 'fancy' } as never)).toThrow("ProgressReporter: mode must be 'auto', 'bar' or 'lines'");
    expect(() => new ProgressReporter({ stream: 'stdout' } as never)).toThrow('ProgressReporter: stream must have a write(text) method');
    expect(() => new ProgressReporter({ epoch: 3 } as never)).toThrow("ProgressReporter: unexpected option 'epoch'");
    expect(() => new ProgressReporter({ minInterval: NaN })).toThrow('ProgressReporter: minInterval must be a number of milliseconds >= 0 (got NaN');
  });

  it('fit refuses unknown keys and wrong types before training, changing nothing', () => {
    const model = new TinyNet();
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const { x, y } = blobs(4);
    const before = model.values();
    const ok = { model, optimizer, trainData: [[x, y]] as [typeof x, typeof y][], loss: crossEntropy, epochs: 1, progress: false as const };
    expect(() => fit({ ...ok, epoch: 3 } as never)).toThrow("fit: unexpected option 'epoch'");
    expect(() => fit({ ...ok, trainData: 'abc' } as never)).toThrow('fit: trainData must be an iterable of [inputs, targets] batches (got a string');
    expect(() => fit({ ...ok, trainData: [[x]] } as never)).toThrow('fit: trainData batch 0 must be [inputs, targets] (got an array of length 1');
    expect(() => fit({ ...ok, optimizer: {} } as never)).toThrow('fit: optimizer must be an Optimizer');
    expect(() => fit({ ...ok, model: {} } as never)).toThrow('fit: model must be a trainable model');
    expect(() => fit({ ...ok, earlyStopping: { patience: 0 } })).toThrow('fit: earlyStopping: EarlyStopping: patience must be an integer >= 1, got 0');
    expect(() => fit({ ...ok, metrics: { acc: 3 } } as never)).toThrow('fit: metrics must be an object of functions by name');
    expect(() => fit({ ...ok, progress: 'yes' } as never)).toThrow('fit: progress must be true, false or a FitProgress');
    expect(model.values()).toEqual(before);
    expect(() => evaluate(model, [[x, y]], { loss: crossEntropy, metric: {} } as never)).toThrow("evaluate: unexpected option 'metric'");
    expect(() => evaluate(undefined as never, [[x, y]])).toThrow('evaluate: model must be a trainable model (got undefined');
  });

  it('formatEpochLine, historyToSvg and saveHistorySvg check records and options; the file is not written on error', () => {
    expect(() => formatEpochLine({ epoch: 1.5 })).toThrow('formatEpochLine: record.epoch must be a non-negative integer (got 1.5');
    expect(() => formatEpochLine({ epoch: 0, trainLoss: '0.3' } as never)).toThrow('formatEpochLine: record.trainLoss must be a number or null');
    expect(formatEpochLine({ epoch: 0, trainLoss: NaN })).toBe('epoch 1  loss nan');
    expect(() => historyToSvg(3 as never)).toThrow('historyToSvg: history must be an array of epoch records (got 3');
    expect(() => historyToSvg([{ epoch: 0, trainLoss: 1 }], { width: -1 })).toThrow('historyToSvg: width must be a finite number > 0 (got -1');
    expect(() => historyToSvg([{ epoch: 0, trainLoss: 1 }], { panels: [{ title: 'L', series: [{ key: 'trainLoss', colour: 'red' }] }] } as never)).toThrow("historyToSvg: unexpected option 'colour'");
    const path = join(root, 'h.svg');
    expect(() => saveHistorySvg(path, [{ epoch: 0, trainLoss: 1 }], { hight: 3 } as never)).toThrow("saveHistorySvg: unexpected option 'hight'");
    expect(existsSync(path)).toBe(false);
    expect(() => saveHistorySvg(join(root, 'no', 'such', 'dir', 'h.svg'), [{ epoch: 0, trainLoss: 1 }])).toThrow(`saveHistorySvg: cannot write ${join(root, 'no', 'such', 'dir', 'h.svg')}`);
    expect(() => saveHistorySvg('', [])).toThrow('saveHistorySvg: path must be a non-empty string');
  });
});
