// A training checkpoint in one tapegrad tensor file: the model's tensors under `model.`, the
// optimizer's state under `optim.`, early stopping's best weights under `best.`, and everything
// else (epoch, history, scheduler and early-stopping progress) as JSON metadata. This file works on
// bytes; node/checkpoint-files.ts writes them to disk atomically.
import { checkOptions, defaultGenerator, describeValue, deserializeTensors, fail, noGrad, serializeTensors, type GeneratorState, type Tensor } from '@tapegrad/autograd';
import { decodeJson, encodeJson, flattenStateDict, unflattenStateDict, type Optimizer } from '@tapegrad/optim';
import { FIT_KEYS, checkModel, checkOptimizer, ensure, isPlainObject } from './checks.js';
import { EarlyStopping } from './early-stopping.js';
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
  return serializeAs('serializeCheckpoint', parts, progress);
}

/** {@link serializeCheckpoint} with errors starting with `who` (the file-writing caller's name). */
export function serializeAs(who: string, parts: CheckpointParts, progress: CheckpointProgress): Uint8Array {
  checkParts(who, parts);
  if (!isPlainObject(progress)) fail(who, 'progress must be an object', progress, '{ epoch, history?, extra? }');
  checkOptions(who, progress, ['epoch', 'history', 'extra']);
  ensure(Number.isSafeInteger(progress.epoch) && progress.epoch >= 0, who, `progress.epoch must be a non-negative integer (got ${describeValue(progress.epoch)}, expected the number of completed epochs)`);
  ensure(progress.history === undefined || Array.isArray(progress.history), who, `progress.history must be a list of epoch records (got ${describeValue(progress.history)}, expected fit's history)`);
  const { model, optimizer, scheduler, earlyStopping } = parts;
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(model.stateDict())) tensors[`model.${name}`] = t;
  const json = (what: string, v: unknown): unknown => {
    try {
      return encodeJson(v);
    } catch (e) {
      throw new Error(`${who}: ${what} cannot be saved: ${(e as Error).message}`, { cause: e });
    }
  };
  const optim = flattenStateDict(optimizer.stateDict(), 'optim.');
  Object.assign(tensors, optim.tensors);
  for (const [name, t] of Object.entries(earlyStopping?.bestWeights ?? {})) tensors[`best.${name}`] = t;
  const meta = {
    format: FORMAT,
    version: VERSION,
    epoch: progress.epoch,
    history: json('progress.history', progress.history ?? []),
    optimizer: optim.meta,
    scheduler: scheduler ? json('the scheduler state', scheduler.stateDict()) : null,
    earlyStopping: earlyStopping ? { ...earlyStopping.stateDict(), hasBestWeights: earlyStopping.bestWeights !== null } : null,
    extra: json('progress.extra', progress.extra ?? null),
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
  if (!(bytes instanceof Uint8Array)) fail(who, 'bytes must be a Uint8Array', bytes, "the checkpoint's bytes (serializeCheckpoint's result)");
  checkParts(who, parts);
  let file: ReturnType<typeof deserializeTensors>;
  try {
    file = deserializeTensors(bytes, path);
  } catch (e) {
    throw new Error(`${who}: ${path} is not a readable checkpoint: ${(e as Error).message}`, { cause: e });
  }
  const { tensors, meta: raw } = file;
  const meta = raw as Record<string, unknown> | null;
  ensure(meta !== null && typeof meta === 'object' && meta.format === FORMAT, who, `${path} is not a training checkpoint (expected format '${FORMAT}')`);
  ensure(meta.version === VERSION, who, `${path}: unsupported checkpoint version ${String(meta.version)} (this build reads version ${VERSION})`);
  ensure(Number.isInteger(meta.epoch) && (meta.epoch as number) >= 0, who, `${path}: invalid epoch ${JSON.stringify(meta.epoch)}`);
  const { model, optimizer, scheduler, earlyStopping } = parts;
  ensure(!scheduler || meta.scheduler !== null, who, `${path} holds no scheduler state, but a scheduler was given`);
  ensure(!earlyStopping || (meta.earlyStopping !== null && typeof meta.earlyStopping === 'object'), who, `${path} holds no early-stopping state, but an early stopper was given`);

  const group = (prefix: string) => {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(tensors)) if (name.startsWith(prefix)) out[legacyKey(name.slice(prefix.length))] = legacyCounter(legacyKey(name.slice(prefix.length)), t);
    return out;
  };
  // Decode everything first (a malformed part throws here, before anything is written) ...
  let decoded: { optim: ReturnType<typeof unflattenStateDict>; scheduler: unknown; history: EpochRecord[]; extra: unknown };
  try {
    decoded = {
      optim: unflattenStateDict(tensors, meta.optimizer, 'optim.'),
      scheduler: scheduler ? decodeJson(meta.scheduler) : null,
      history: decodeJson(meta.history ?? []) as EpochRecord[],
      extra: decodeJson(meta.extra ?? null),
    };
  } catch (e) {
    throw new Error(`${who}: ${path} is damaged: ${(e as Error).message}`, { cause: e });
  }
  ensure(Array.isArray(decoded.history), who, `${path}: its history is not a list of epoch records`);
  // ... then restore the parts one by one. Each refuses a mismatch on its own (the model's names and
  // shapes, the optimizer's type and layout, ...), but an earlier part may already be restored when
  // a later one refuses, so every part's current state is kept and put back: a refused checkpoint
  // changes nothing.
  const saved = snapshotParts(parts);
  let stage = 'model';
  try {
    model.loadStateDict(group('model.'));
    stage = 'optimizer';
    optimizer.loadStateDict(decoded.optim);
    stage = 'scheduler';
    if (scheduler) scheduler.loadStateDict(decoded.scheduler);
    stage = 'early stopping';
    if (earlyStopping) {
      const state = meta.earlyStopping as ReturnType<EarlyStopping['stateDict']> & { hasBestWeights: boolean };
      earlyStopping.loadStateDict(state);
      earlyStopping.bestWeights = state.hasBestWeights ? group('best.') : null;
    }
    stage = 'random generator';
    if (meta.rng) defaultGenerator.setState(meta.rng as GeneratorState);
  } catch (e) {
    restoreParts(parts, saved);
    throw new Error(`${who}: ${path} does not fit the ${stage} given (the model, optimizer, scheduler and early stopping were left unchanged): ${(e as Error).message}`, { cause: e });
  }
  return { epoch: meta.epoch as number, history: decoded.history, extra: decoded.extra };
}

/** Checks the parts a checkpoint restores into (model and optimizer required). */
export function checkParts(who: string, parts: unknown): asserts parts is CheckpointParts {
  if (!isPlainObject(parts)) fail(who, 'parts must be an object', parts, '{ model, optimizer, scheduler?, earlyStopping? }');
  // fit's options object may be passed as it is (its other entries are not restored); any other key is a typo.
  checkOptions(who, parts, FIT_KEYS);
  checkModel(who, parts.model);
  const m = parts.model as unknown as Record<string, unknown>;
  ensure(typeof m.stateDict === 'function' && typeof m.loadStateDict === 'function', who, 'model must have stateDict and loadStateDict (an nn Module)');
  checkOptimizer(who, parts.optimizer);
  const s = parts.scheduler as Record<string, unknown> | undefined | null;
  ensure(s === undefined || (s !== null && typeof s === 'object' && typeof s.stateDict === 'function' && typeof s.loadStateDict === 'function'), who,
    `scheduler must have stateDict and loadStateDict (got ${describeValue(s)})`);
  ensure(parts.earlyStopping === undefined || parts.earlyStopping instanceof EarlyStopping, who, `earlyStopping must be an EarlyStopping (got ${describeValue(parts.earlyStopping)})`);
}

interface PartsSnapshot {
  model: Record<string, Tensor>;
  optimizer: ReturnType<Optimizer['stateDict']>;
  scheduler: unknown;
  earlyStopping: { state: ReturnType<EarlyStopping['stateDict']>; bestWeights: EarlyStopping['bestWeights'] } | null;
  rng: GeneratorState;
}

function snapshotParts({ model, optimizer, scheduler, earlyStopping }: CheckpointParts): PartsSnapshot {
  const weights: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(model.stateDict())) weights[name] = noGrad(() => t.clone());
  return {
    model: weights,
    optimizer: optimizer.stateDict(),
    scheduler: scheduler ? structuredClone(scheduler.stateDict()) : null,
    earlyStopping: earlyStopping ? { state: structuredClone(earlyStopping.stateDict()), bestWeights: earlyStopping.bestWeights } : null,
    rng: defaultGenerator.getState(),
  };
}

function restoreParts({ model, optimizer, scheduler, earlyStopping }: CheckpointParts, s: PartsSnapshot): void {
  model.loadStateDict(s.model);
  optimizer.loadStateDict(s.optimizer);
  if (scheduler) scheduler.loadStateDict(s.scheduler);
  if (earlyStopping && s.earlyStopping) {
    earlyStopping.loadStateDict(s.earlyStopping.state);
    earlyStopping.bestWeights = s.earlyStopping.bestWeights;
  }
  defaultGenerator.setState(s.rng);
}
