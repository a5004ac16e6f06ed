// A checkpoint that does not fit the parts it is loaded into (another optimizer type, another
// model, another scheduler) is refused with an error naming the function, the file and the part,
// and changes nothing: model weights, optimizer state, learning rates, scheduler and RNG.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultGenerator, randn, type Tensor } from '@tapegrad/autograd';
import { Adam, ReduceLROnPlateau, SGD, StepLR, type Optimizer } from '@tapegrad/optim';
import { fit, restoreCheckpoint, serializeCheckpoint } from '@tapegrad/train';
import { loadCheckpoint, saveCheckpoint } from '@tapegrad/train/node';
import { TinyNet, blobs, crossEntropy } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'tapegrad-ckpt-refused-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const plain = (v: unknown): string => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && 'toArray' in x ? (x as Tensor).toArray() : x));

/** Trains `model` a little so the optimizer has state and the scheduler has progress. */
function trained(model: TinyNet, optimizer: Optimizer, scheduler?: StepLR | ReduceLROnPlateau) {
  const { x, y } = blobs(8);
  fit({ model, optimizer, scheduler, trainData: [[x, y]], loss: crossEntropy, epochs: 2, progress: false });
  return { model, optimizer, scheduler };
}

function everything(parts: { model: TinyNet; optimizer: Optimizer; scheduler?: StepLR | ReduceLROnPlateau | undefined }): string {
  return plain({
    weights: parts.model.values(),
    optimizer: parts.optimizer.stateDict(),
    lr: parts.optimizer.paramGroups.map((g) => g.lr),
    scheduler: parts.scheduler?.stateDict() ?? null,
    rng: defaultGenerator.getState(),
  });
}

describe('loadCheckpoint / restoreCheckpoint of a checkpoint that does not fit', () => {
  it('SGD checkpoint into Adam: refused, nothing changed (the model is not overwritten first)', () => {
    const m = new TinyNet(2, 8, 3, 5);
    const saved = trained(m, new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 }));
    const path = join(root, 'sgd.tg');
    saveCheckpoint(path, saved, { epoch: 2 });
    const t = new TinyNet(2, 8, 3, 9);
    const target = trained(t, new Adam(t.parameters(), { lr: 0.01 }));
    randn([3]); // move the global stream away from what the file holds
    const before = everything(target);
    expect(() => loadCheckpoint(path, target)).toThrow(
      new RegExp(`^loadCheckpoint: ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} does not fit the optimizer given \\(the model, optimizer, scheduler and early stopping were left unchanged\\): Adam: loaded parameter group 0 has hyper-parameter '\\w+', which Adam does not have`),
    );
    expect(everything(target)).toBe(before);
  });

  it('a checkpoint of another model: refused, nothing changed', () => {
    const m = new TinyNet(2, 8, 3, 5);
    const bytes = serializeCheckpoint(trained(m, new SGD(m.parameters(), { lr: 0.1 })), { epoch: 2 });
    const t = new TinyNet(2, 5, 3, 9); // hidden width 5, not 8
    const target = trained(t, new SGD(t.parameters(), { lr: 0.1 }));
    const before = everything(target);
    expect(() => restoreCheckpoint(bytes, target)).toThrow(/^restoreCheckpoint: the checkpoint bytes does not fit the model given \(the model, optimizer, scheduler and early stopping were left unchanged\)/);
    expect(everything(target)).toBe(before);
  });

  it('a checkpoint whose scheduler differs: model and optimizer already restored are put back', () => {
    const m = new TinyNet(2, 8, 3, 5);
    const opt = new SGD(m.parameters(), { lr: 0.1 });
    const bytes = serializeCheckpoint(trained(m, opt, new ReduceLROnPlateau(opt)), { epoch: 2 });
    const t = new TinyNet(2, 8, 3, 9);
    const tOpt = new SGD(t.parameters(), { lr: 0.2 });
    const target = trained(t, tOpt, new StepLR(tOpt, { stepSize: 1, gamma: 0.5 }));
    const before = everything(target);
    expect(() => restoreCheckpoint(bytes, target)).toThrow(/^restoreCheckpoint: the checkpoint bytes does not fit the scheduler given \(.*\): StepLR: loaded state has undefined base rate/);
    expect(everything(target)).toBe(before);
  });

  it('refuses parts that are not parts, and damaged bytes, before reading anything', () => {
    const m = new TinyNet();
    const opt = new SGD(m.parameters(), { lr: 0.1 });
    const bytes = serializeCheckpoint({ model: m, optimizer: opt }, { epoch: 0 });
    expect(() => restoreCheckpoint(bytes, undefined as never)).toThrow('restoreCheckpoint: parts must be an object (got undefined');
    expect(() => restoreCheckpoint(bytes, { model: m, optimizer: {} } as never)).toThrow('restoreCheckpoint: optimizer must be an Optimizer (got an object');
    expect(() => restoreCheckpoint(bytes, { model: m, optimizer: opt, schedular: null } as never)).toThrow("restoreCheckpoint: unexpected option 'schedular'");
    expect(() => restoreCheckpoint('abc' as never, { model: m, optimizer: opt })).toThrow('restoreCheckpoint: bytes must be a Uint8Array (got a string');
    expect(() => restoreCheckpoint(bytes.slice(0, 20), { model: m, optimizer: opt })).toThrow(/^restoreCheckpoint: the checkpoint bytes is not a readable checkpoint/);
    expect(() => serializeCheckpoint({ model: m, optimizer: opt }, { epoch: -1 })).toThrow('serializeCheckpoint: progress.epoch must be a non-negative integer (got -1');
    expect(() => serializeCheckpoint({ model: m, optimizer: opt }, { epoch: 1, extra: { f: () => 1 } })).toThrow('serializeCheckpoint: progress.extra cannot be saved: encodeJson: value.f is not JSON data');
    expect(() => saveCheckpoint(join(root, 'x.tg'), { model: m, optimizer: opt }, { epoch: 1.5 })).toThrow('saveCheckpoint: progress.epoch must be a non-negative integer (got 1.5');
  });
});
