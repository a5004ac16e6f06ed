// Checkpoints: a run interrupted mid-epoch and resumed from its last checkpoint ends with exactly
// the parameters (and history) of an uninterrupted run, with shuffled batches, Adam, a scheduler
// and early stopping with best weights all carried across.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Adam, StepLR } from '@tapegrad/optim';
import { EarlyStopping, fit, restoreCheckpoint, serializeCheckpoint, trainStep, type EpochRecord, type FitOptions } from '@tapegrad/train';
import { checkpointDir, loadCheckpoint, readCheckpoint, saveCheckpoint } from '@tapegrad/train/node';
import { manualSeed, noGrad, randn } from '@tapegrad/autograd';
import { SeededBatches, TinyNet, blobs, crossEntropy } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'tapegrad-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every part of a run, built from scratch the same way each time (as a new process would). */
type Run = FitOptions<TinyNet> & { earlyStopping?: EarlyStopping };
function makeRun(overrides: Partial<Run> = {}): Run {
  const { x, y } = blobs(24);
  const { x: vx, y: vy } = blobs(8, 1);
  const model = new TinyNet();
  const optimizer = new Adam(model.parameters(), { lr: 0.05 });
  return {
    model, optimizer, loss: crossEntropy, epochs: 8, progress: false,
    trainData: new SeededBatches(x, y, 10, 42), // shuffled, with a short last batch
    valData: new SeededBatches(vx, vy, 8, 7), // shuffled too: its generator must be replayed as well
    scheduler: new StepLR(optimizer, { stepSize: 3, gamma: 0.5 }),
    earlyStopping: new EarlyStopping({ patience: 50, restoreBestWeights: true }),
    ...overrides,
  };
}

const withoutTimes = (h: EpochRecord[]) => h.map(({ seconds: _s, samplesPerSecond: _t, ...rest }) => rest);

describe('fit checkpoints', () => {
  it('resumes an interrupted run to the same parameters, bit for bit', () => {
    const reference = makeRun();
    const full = fit(reference);

    const dir = join(root, 'interrupted');
    const crashing = makeRun({
      checkpoint: { write: checkpointDir(dir) },
      step: (ctx) => {
        if (ctx.epoch === 5 && ctx.batch === 3) throw new Error('power cut');
        return trainStep(ctx);
      },
    });
    expect(() => fit(crashing)).toThrow('power cut');
    expect(loadCheckpoint(join(dir, 'last.tg'), makeRun()).epoch).toBe(5);

    const resumed = makeRun({ checkpoint: { write: checkpointDir(dir) }, resume: readCheckpoint(join(dir, 'last.tg')) });
    const result = fit(resumed);
    expect(resumed.model.values()).toEqual(reference.model.values());
    expect(resumed.optimizer.paramGroups[0]!.lr).toBe(reference.optimizer.paramGroups[0]!.lr);
    expect(withoutTimes(result.history)).toEqual(withoutTimes(full.history));
    expect(result.bestEpoch).toBe(full.bestEpoch);
  });

  it('restores the global random stream, so a step that draws noise resumes bit for bit', () => {
    // Gradient noise from the global generator: without its state in the checkpoint, the resumed
    // run would draw different noise and drift from the reference.
    const noisy = (ctx: Parameters<typeof trainStep>[0]) => {
      const out = trainStep(ctx);
      noGrad(() => {
        for (const p of ctx.model.parameters()) p.add_(randn(p.shape), 1e-3);
      });
      return out;
    };
    manualSeed(11);
    const reference = makeRun({ step: noisy, earlyStopping: undefined }); // final weights, not restored best ones
    fit(reference);

    const dir = join(root, 'noisy');
    manualSeed(11);
    const crashing = makeRun({
      checkpoint: { write: checkpointDir(dir) },
      earlyStopping: undefined,
      step: (ctx) => {
        if (ctx.epoch === 4 && ctx.batch === 1) throw new Error('power cut');
        return noisy(ctx);
      },
    });
    expect(() => fit(crashing)).toThrow('power cut');
    manualSeed(12345); // a new process would start from some other state
    const resumed = makeRun({ step: noisy, earlyStopping: undefined, checkpoint: { write: checkpointDir(dir) }, resume: readCheckpoint(join(dir, 'last.tg')) });
    fit(resumed);
    expect(resumed.model.values()).toEqual(reference.model.values());
  });

  it('writes last.tg every epoch and best.tg on each new best, leaving no temporary files', () => {
    const dir = join(root, 'both');
    const bests: number[] = [];
    const run = makeRun({
      epochs: 4, checkpoint: { write: checkpointDir(dir), best: true },
      onEpochEnd: (record) => {
        const best = loadCheckpoint(join(dir, 'best.tg'), makeRun());
        bests.push(best.epoch - 1);
        expect(loadCheckpoint(join(dir, 'last.tg'), makeRun()).epoch).toBe(record.epoch + 1);
      },
    });
    const { history } = fit(run);
    const runningBest = history.map((_, i) => history.slice(0, i + 1).reduce((b, r) => (r.valLoss! < history[b]!.valLoss! ? r.epoch : b), 0));
    expect(bests).toEqual(runningBest);
    expect(readdirSync(dir).sort()).toEqual(['best.tg', 'last.tg']);
  });

  it('resuming a run that already stopped early trains no further and restores the same best weights', () => {
    const dir = join(root, 'stopped');
    const stopping = () => new EarlyStopping({ patience: 1, minDelta: 10, restoreBestWeights: true }); // stops after epoch 1
    const first = makeRun({ checkpoint: { write: checkpointDir(dir) }, earlyStopping: stopping() });
    const done = fit(first);
    expect(done.history).toHaveLength(2);
    const again = makeRun({ resume: readCheckpoint(join(dir, 'last.tg')), earlyStopping: stopping() });
    const result = fit(again);
    expect(result.history).toHaveLength(2);
    expect(result.stoppedEarly).toBe(true);
    expect(again.model.values()).toEqual(first.model.values());
  });

  it('saveCheckpoint/loadCheckpoint round-trip the parts and check what they are given', () => {
    const run = makeRun({ epochs: 2 });
    fit(run);
    const path = join(root, 'manual', 'ckpt.tg');
    const stopper = run.earlyStopping!;
    saveCheckpoint(path, { model: run.model, optimizer: run.optimizer, scheduler: run.scheduler, earlyStopping: stopper }, { epoch: 2, extra: { note: 'x', inf: Infinity } });
    const fresh = makeRun();
    const freshStopper = fresh.earlyStopping!;
    const loaded = loadCheckpoint(path, { model: fresh.model, optimizer: fresh.optimizer, scheduler: fresh.scheduler, earlyStopping: freshStopper });
    expect(loaded).toEqual({ epoch: 2, history: [], extra: { note: 'x', inf: Infinity } });
    expect(fresh.model.values()).toEqual(run.model.values());
    expect(fresh.optimizer.stateDict()).toEqual(run.optimizer.stateDict());
    expect(fresh.scheduler!.stateDict()).toEqual(run.scheduler!.stateDict());
    expect(freshStopper.stateDict()).toEqual(stopper.stateDict());
    expect(freshStopper.bestWeights!.w1!.toArray()).toEqual(stopper.bestWeights!.w1!.toArray());

    const bare = join(root, 'manual', 'bare.tg');
    saveCheckpoint(bare, { model: run.model, optimizer: run.optimizer }, { epoch: 2 });
    expect(() => loadCheckpoint(bare, { model: fresh.model, optimizer: fresh.optimizer, scheduler: fresh.scheduler }))
      .toThrow('holds no scheduler state, but a scheduler was given');
    const other = join(root, 'manual', 'other.tg');
    writeFileSync(other, 'not a checkpoint');
    expect(() => loadCheckpoint(other, fresh)).toThrow('not a tapegrad tensor file');
    expect(() => readCheckpoint(join(root, 'nowhere.tg'))).toThrow(`readCheckpoint: no checkpoint at ${join(root, 'nowhere.tg')}`);
    expect(() => fit(makeRun({ resume: join(root, 'last.tg') as unknown as Uint8Array }))).toThrow(
      `fit: resume must be the checkpoint's bytes (a Uint8Array; in Node readCheckpoint(path) from @tapegrad/train/node reads them), got "${join(root, 'last.tg')}"`,
    );
    expect(() => fit(makeRun({ checkpoint: { dir: root } as never }))).toThrow('fit: checkpoint must be { write, last?, best? } with write(name, bytes); for files in Node use { write: checkpointDir(dir) } from @tapegrad/train/node, got { dir }');
  });

  it('works on bytes alone: fit hands each checkpoint to the writer, and resumes from bytes', () => {
    const saved = new Map<string, Uint8Array>();
    const reference = makeRun();
    fit(reference);
    const crashing = makeRun({
      checkpoint: { write: (name, bytes) => saved.set(name, bytes), best: true },
      step: (ctx) => {
        if (ctx.epoch === 3 && ctx.batch === 1) throw new Error('tab closed');
        return trainStep(ctx);
      },
    });
    expect(() => fit(crashing)).toThrow('tab closed');
    expect([...saved.keys()].sort()).toEqual(['best', 'last']);
    expect(restoreCheckpoint(saved.get('last')!, makeRun()).epoch).toBe(3);
    const resumed = makeRun({ resume: saved.get('last')! });
    fit(resumed);
    expect(resumed.model.values()).toEqual(reference.model.values());
    const bytes = serializeCheckpoint({ model: resumed.model, optimizer: resumed.optimizer }, { epoch: 8 });
    expect(() => restoreCheckpoint(bytes, makeRun())).toThrow('restoreCheckpoint: the checkpoint bytes holds no scheduler state, but a scheduler was given');
    expect(existsSync(join(root, 'nowhere.tg'))).toBe(false);
  });
});
