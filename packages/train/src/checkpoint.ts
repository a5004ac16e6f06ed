// A training checkpoint in one tapegrad tensor file: the model's tensors under `model.`, the
// optimizer's state under `optim.`, early stopping's best weights under `best.`, and everything
// else (epoch, history, scheduler and early-stopping progress) as JSON metadata. This file works on
// bytes; node/checkpoint-files.ts writes them to disk atomically.
import { defaultGenerator, deserializeTensors, serializeTensors, type GeneratorState, type Tensor } from '@tapegrad/autograd';
import { decodeJson, encodeJson, flattenStateDict, unflattenStateDict, type Optimizer } from '@tapegrad/optim';
import { ensure } from './checks.js';
import type { EarlyStopping } from './early-stopping.js';
import type { EpochRecord, TrainableModel } from './types.js';

const FORMAT = 'tapegrad-checkpoint';
const VERSION = 1;

/**
 * Anything with a resumable state: the learning-rate schedulers of this package, or your own.
 *
 * @example
 * ```ts
 * const scheduler: Resumable = new CosineAnnealingLR(optimizer, { tMax: 20 });
 * ```
 * @category Training
 */
export interface Resumable {
  /** The object's progress, JSON-serializable. */
  stateDict(): unknown;
  /** Restores progress from {@link Resumable.stateDict}. */
  loadStateDict(state: unknown): void;
}

/**
 * The parts of a run a checkpoint saves and restores. `model` and `optimizer` are required;
 * the rest is saved when present.
 *
 * @example
 * ```ts
 * const run: CheckpointParts = { model, optimizer, scheduler, earlyStopping: stopper };
 * ```
 * @category Training
 */
export interface CheckpointParts {
  /** The model, saved by its state dict (parameters and buffers). */
  model: TrainableModel;
  /** The optimizer: per-parameter state and the groups' hyper-parameters. */
  optimizer: Optimizer;
  /** A learning-rate scheduler. */
  scheduler?: Resumable | undefined;
  /** The early stopper, with its best weights. */
  earlyStopping?: EarlyStopping | undefined;
}

/**
 * What {@link restoreCheckpoint} (and `loadCheckpoint` of `@tapegrad/train/node`) returns besides
 * restoring the parts.
 *
 * @example
 * ```ts
 * const { epoch, history } = restoreCheckpoint(bytes, { model, optimizer });
 * ```
 * @category Training
 */
export interface LoadedCheckpoint {
  /** Number of completed epochs: training resumes at this epoch number. */
  epoch: number;
  /** The history of those epochs. */
  history: EpochRecord[];
  /** The `extra` value given to {@link serializeCheckpoint}, or `null`. */
  extra: unknown;
}

/**
 * How far a run got, as saved in a checkpoint: completed epochs, their history, and any
 * JSON-serializable `extra` value of yours.
 *
 * @example
 * ```ts
 * const progress: CheckpointProgress = { epoch: 5, history, extra: { note: 'warm-up done' } };
 * ```
 * @category Training
 */
export interface CheckpointProgress {
  /** Number of completed epochs. */
  epoch: number;
  /** The history of those epochs. */
  history?: readonly EpochRecord[] | undefined;
  /** Anything JSON-serializable (non-finite numbers survive). */
  extra?: unknown;
}

/**
 * Encodes model, optimizer, scheduler and early-stopping state, the number of completed epochs
 * and the history as the bytes of one tapegrad tensor file (`saveCheckpoint` of
 * `@tapegrad/train/node` writes them to disk; a browser can keep them in IndexedDB or download
 * them).
 *
 * @example
 * ```ts
 * const bytes = serializeCheckpoint({ model, optimizer, scheduler }, { epoch: 5, history });
 * ```
 * @category Training
 */
export function serializeCheckpoint(parts: CheckpointParts, progress: CheckpointProgress): Uint8Array {
  const { model, optimizer, scheduler, earlyStopping } = parts;
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(model.stateDict())) tensors[`model.${name}`] = t;
  const optim = flattenStateDict(optimizer.stateDict(), 'optim.');
  Object.assign(tensors, optim.tensors);
  for (const [name, t] of Object.entries(earlyStopping?.bestWeights ?? {})) tensors[`best.${name}`] = t;
  const meta = {
    format: FORMAT,
    version: VERSION,
    epoch: progress.epoch,
    history: encodeJson(progress.history ?? []),
    optimizer: optim.meta,
    scheduler: scheduler ? encodeJson(scheduler.stateDict()) : null,
    earlyStopping: earlyStopping ? { ...earlyStopping.stateDict(), hasBestWeights: earlyStopping.bestWeights !== null } : null,
    extra: encodeJson(progress.extra ?? null),
    // The global stream (dropout masks, randn in a custom step) continues exactly after resume.
    rng: defaultGenerator.getState(),
  };
  return serializeTensors(tensors, meta);
}

/**
 * Checkpoints written before module names followed PyTorch hold camelCase keys ('bn.runningMean');
 * the same camelCase → snake_case rule as @tapegrad/nn's names reads them and leaves newer keys as they are.
 */
// Checkpoints written before BatchNorm's counter became int32 hold it as a float.
const legacyCounter = (key: string, t: Tensor): Tensor => (key.endsWith('num_batches_tracked') && (t.dtype === 'float32' || t.dtype === 'float64') ? t.toDType('int32') : t);
const legacyKey = (key: string) => key.split('.').map((s) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase()).join('.');

/**
 * Restores checkpoint bytes written by {@link serializeCheckpoint} into freshly built parts (same
 * architecture, the optimizer over the same parameters, the same kind of scheduler), and returns
 * the completed epochs and history. Checks everything before changing anything it can: the
 * format, that the scheduler and early stopper were saved if given. `source` names the bytes in
 * errors.
 *
 * @example
 * ```ts
 * const model = makeModel();
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
 * const { epoch } = restoreCheckpoint(bytes, { model, optimizer });
 * ```
 * @category Training
 */
export function restoreCheckpoint(bytes: Uint8Array, parts: CheckpointParts, source = 'the checkpoint bytes'): LoadedCheckpoint {
  return restoreAs('restoreCheckpoint', bytes, parts, source);
}

/** {@link restoreCheckpoint} with errors starting with `who` (the file-reading caller's name). */
export function restoreAs(who: string, bytes: Uint8Array, parts: CheckpointParts, path: string): LoadedCheckpoint {
  const { tensors, meta: raw } = deserializeTensors(bytes, path);
  const meta = raw as Record<string, unknown> | null;
  ensure(meta !== null && typeof meta === 'object' && meta.format === FORMAT, who, `${path} is not a training checkpoint (expected format '${FORMAT}')`);
  ensure(meta.version === VERSION, who, `${path}: unsupported checkpoint version ${String(meta.version)} (this build reads version ${VERSION})`);
  ensure(Number.isInteger(meta.epoch) && (meta.epoch as number) >= 0, who, `${path}: invalid epoch ${JSON.stringify(meta.epoch)}`);
  const { model, optimizer, scheduler, earlyStopping } = parts;
  ensure(!scheduler || meta.scheduler !== null, who, `${path} holds no scheduler state, but a scheduler was given`);
  ensure(!earlyStopping || meta.earlyStopping !== null, who, `${path} holds no early-stopping state, but an early stopper was given`);

  const group = (prefix: string) => {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(tensors)) if (name.startsWith(prefix)) out[legacyKey(name.slice(prefix.length))] = legacyCounter(legacyKey(name.slice(prefix.length)), t);
    return out;
  };
  // Model first: its loadStateDict checks names and shapes and copies nothing on a mismatch.
  model.loadStateDict(group('model.'));
  optimizer.loadStateDict(unflattenStateDict(tensors, meta.optimizer, 'optim.'));
  if (scheduler) scheduler.loadStateDict(decodeJson(meta.scheduler));
  if (earlyStopping) {
    const saved = meta.earlyStopping as ReturnType<EarlyStopping['stateDict']> & { hasBestWeights: boolean };
    earlyStopping.loadStateDict(saved);
    earlyStopping.bestWeights = saved.hasBestWeights ? group('best.') : null;
  }
  if (meta.rng) defaultGenerator.setState(meta.rng as GeneratorState);
  return { epoch: meta.epoch as number, history: decodeJson(meta.history) as EpochRecord[], extra: decodeJson(meta.extra) };
}
