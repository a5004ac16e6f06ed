// The training loop: epochs of per-batch steps, validation, history, early stopping, schedulers,
// checkpoints and progress. Each piece is also usable alone (trainStep, evaluate, EarlyStopping,
// serializeCheckpoint), so a researcher who outgrows fit keeps the same parts in a loop of their own.
// Checkpoints are bytes handed to a writer: files in Node (checkpointDir), anything in a browser.
import { Tensor, noGrad } from '@tapegrad/autograd';
import { ReduceLROnPlateau, type Optimizer } from '@tapegrad/optim';
import { checkBatch, checkStepContext, checkedLoss, describeValue, ensure, isPlainObject } from './checks.js';
import { checkFitOptions } from './fit-checks.js';
import { restoreCheckpoint, serializeCheckpoint, type Resumable } from './checkpoint.js';
import { EarlyStopping, inferMode, type EarlyStoppingOptions } from './early-stopping.js';
import { MeanTracker, accuracy, batchMetrics, batchSize, evaluate } from './metrics.js';
import { openProgress, type FitProgressOption } from './fit-progress.js';
import type { BatchSource, EpochRecord, LossFn, MetricFn, StepContext, StepFn, StepResult, TrainableModel } from './types.js';

/**
 * A learning-rate scheduler as {@link fit} drives it: `ReduceLROnPlateau` is stepped with the
 * monitored metric after each epoch, any other scheduler with `step()`.
 *
 * @example
 * ```ts
 * const scheduler: EpochScheduler = new StepLR(optimizer, { stepSize: 10 });
 * ```
 * @category Training
 */
export type EpochScheduler = ReduceLROnPlateau | (Resumable & { step(): void });

/**
 * Receives the bytes of each checkpoint {@link fit} writes: `name` is `'last'` (after every
 * epoch) or `'best'` (on a new best of the monitored metric). In Node, `checkpointDir(dir)` of
 * `@tapegrad/train/node` writes them to `<dir>/last.tg` and `<dir>/best.tg` atomically.
 *
 * @example
 * ```ts
 * const saved = new Map<string, Uint8Array>();
 * const write: CheckpointWriter = (name, bytes) => saved.set(name, bytes);
 * ```
 * @category Training
 */
export type CheckpointWriter = (name: 'last' | 'best', bytes: Uint8Array) => void;

/**
 * Where and when {@link fit} writes checkpoints: the `last` one after every epoch (unless
 * `last: false`) and the `best` one whenever the monitored metric reaches a new best (with
 * `best: true`). Either can be passed back as `resume`.
 *
 * @example
 * ```ts
 * import { checkpointDir } from '@tapegrad/train/node';
 * const checkpoint: CheckpointOptions = { write: checkpointDir('out/checkpoints'), best: true };
 * ```
 * @category Training
 */
export interface CheckpointOptions {
  /** Receives each checkpoint's bytes. */
  write: CheckpointWriter;
  /** Write `last.tg` after every epoch (default true). */
  last?: boolean;
  /** Write `best.tg` on every new best of the monitored metric (default false). */
  best?: boolean;
}

/**
 * Options of {@link fit}. Only `model`, `optimizer`, `trainData`, `epochs` and `loss` are needed.
 *
 * @example
 * ```ts
 * const options: FitOptions = {
 *   model, optimizer, trainData: trainLoader, valData: valLoader, epochs: 20, loss: crossEntropy,
 *   earlyStopping: { monitor: 'valLoss', patience: 3, restoreBestWeights: true },
 *   checkpoint: { write: checkpointDir('out/checkpoints') },
 * };
 * ```
 * @category Training
 */
export interface FitOptions<M extends TrainableModel = TrainableModel> {
  /** The model; `fit` calls `train()` before each epoch and validates in `eval()` mode. */
  model: M;
  /** The optimizer, built over the model's parameters. */
  optimizer: Optimizer;
  /** Training batches, iterated once per epoch. */
  trainData: BatchSource;
  /** Validation batches, evaluated after each epoch without the tape. */
  valData?: BatchSource | undefined;
  /** Total number of epochs, counting those done before a resume. */
  epochs: number;
  /** The loss, a scalar mean over the batch. */
  loss: LossFn;
  /** Metrics by name, recorded as `train<Name>` and `val<Name>` (default `{ accuracy }`). */
  metrics?: Readonly<Record<string, MetricFn>>;
  /** The per-batch step (default {@link trainStep}: zeroGrad, forward, loss, backward, step). */
  step?: StepFn<M>;
  /** Stop when the monitored metric levels off: an {@link EarlyStopping} or its options. */
  earlyStopping?: EarlyStopping | EarlyStoppingOptions | undefined;
  /** Stepped after every epoch; `ReduceLROnPlateau` receives the monitored metric. */
  scheduler?: EpochScheduler | undefined;
  /**
   * The history field that drives `ReduceLROnPlateau` and the best checkpoint (default: the early
   * stopper's monitor, else `'valLoss'` with validation data, else `'trainLoss'`).
   */
  monitor?: string;
  /** Write checkpoints (see {@link CheckpointOptions}). */
  checkpoint?: CheckpointOptions | undefined;
  /**
   * The bytes of a checkpoint to continue from (in Node, `readCheckpoint(path)` of
   * `@tapegrad/train/node`). The parts passed to `fit` must be built as for the saved
   * run; model, optimizer, scheduler, early stopping and history are restored, and each data
   * source is iterated (without reading batches) once per completed epoch, so a loader shuffled by
   * its own seeded generator continues with the permutation the interrupted run would have drawn.
   */
  resume?: Uint8Array | undefined;
  /** Progress output (default true); see {@link FitProgressOption}. */
  progress?: FitProgressOption;
  /** Called after each epoch (after checkpointing) with its record; return `'stop'` to end training. */
  onEpochEnd?: (record: EpochRecord, history: readonly EpochRecord[]) => void | 'stop';
}

/**
 * What {@link fit} returns.
 *
 * @example
 * ```ts
 * const { history, stoppedEarly, bestEpoch } = fit(options);
 * console.log(history.at(-1)?.valAccuracy, stoppedEarly, bestEpoch);
 * ```
 * @category Training
 */
export interface FitResult {
  /** One record per epoch, including epochs restored from a checkpoint. */
  history: EpochRecord[];
  /** Whether early stopping (or `onEpochEnd`) ended training before `epochs`. */
  stoppedEarly: boolean;
  /**
   * The epoch with the best monitored value, or `null` when it was never defined. Like every epoch
   * number in data (`EpochRecord.epoch`, `history[bestEpoch]`) it counts from 0; text for people
   * (the progress lines, the early-stopping notice) counts from 1, so `bestEpoch` 48 prints as
   * `best epoch 49`.
   */
  bestEpoch: number | null;
  /** Whether the best epoch's weights were loaded back into the model at the end. */
  restoredBestWeights: boolean;
}

/**
 * The default training step: clears the gradients, runs the model, computes the loss,
 * backpropagates and updates. Custom steps can call it after changing the context, or replace it.
 *
 * @example
 * ```ts
 * fit({ ...options, step: (ctx) => trainStep({ ...ctx, loss: (out, y) => ctx.loss(out, y).add(l2(ctx.model).mul(1e-4)) }) });
 * ```
 * @category Training
 */
export function trainStep<M extends TrainableModel>(ctx: StepContext<M>): StepResult {
  checkStepContext('trainStep', ctx);
  const { model, optimizer, inputs, targets, loss } = ctx;
  optimizer.zeroGrad();
  const outputs = model.forward(inputs);
  const value = checkedLoss('trainStep', loss, outputs, targets);
  // A NaN or infinite loss would put NaN into every gradient and, through the step, every weight.
  const v = value.item();
  if (!Number.isFinite(v)) {
    throw new Error(`trainStep: the loss is ${v} (got ${v}, expected a finite number); backward and the optimizer step were skipped, so the parameters are unchanged`);
  }
  value.backward();
  optimizer.step();
  return { loss: value, outputs };
}

/**
 * Trains `model` for up to `epochs` epochs and returns the history. Each epoch runs `step` on
 * every training batch, then evaluates the validation data in `eval()` mode under `noGrad`, steps
 * the scheduler, consults early stopping, writes checkpoints and reports progress. Losses and
 * metrics are averaged over samples. A non-finite training loss stops with an error naming the
 * epoch and batch.
 *
 * @example
 * ```ts
 * const { history } = fit({
 *   model, optimizer: new Adam(model.parameters(), { lr: 2e-3 }),
 *   trainData: trainLoader, valData: valLoader, epochs: 30, loss: crossEntropy,
 *   earlyStopping: { monitor: 'valLoss', patience: 3, restoreBestWeights: true },
 *   scheduler: new ReduceLROnPlateau(optimizer, { patience: 1 }),
 *   checkpoint: { write: checkpointDir('out/checkpoints'), best: true },
 *   step: ({ model, optimizer, inputs, targets, loss }) => {
 *     optimizer.zeroGrad();
 *     const outputs = model.forward(inputs);
 *     const value = loss(outputs, targets);
 *     value.backward();
 *     clipGradNorm(model.parameters(), 1.0);
 *     optimizer.step();
 *     return { loss: value, outputs };
 *   },
 * });
 * saveHistorySvg('out/history.svg', history);
 * ```
 * @category Training
 */
export function fit<M extends TrainableModel>(options: FitOptions<M>): FitResult {
  const stopper = checkFitOptions(options);
  const { model, optimizer, trainData, valData, epochs, loss, metrics = { accuracy }, scheduler } = options;
  const step: StepFn<M> = options.step ?? trainStep;
  const monitor = options.monitor ?? stopper?.monitor ?? (valData ? 'valLoss' : 'trainLoss');
  const ckpt = options.checkpoint;
  const parts = { model, optimizer, scheduler, earlyStopping: stopper };

  let history: EpochRecord[] = [];
  if (options.resume !== undefined) {
    const loaded = restoreCheckpoint(options.resume, parts, 'resume');
    history = loaded.history.slice(0, loaded.epoch);
    // Iterating a data source starts an epoch; for a seeded shuffling loader that draws the
    // epoch's permutation, so replaying the starts puts its generator where the first run left it.
    for (let e = 0; e < loaded.epoch; e++) {
      trainData[Symbol.iterator]();
      if (valData) valData[Symbol.iterator]();
    }
  }
  const better = inferMode(monitor) === 'min' ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;
  let best = bestOf(history, monitor, better);
  let stoppedEarly = stopper?.stoppedEpoch != null;

  const progress = openProgress(options.progress, epochs);
  try {
    for (let epoch = history.length; epoch < epochs && !stoppedEarly; epoch++) {
      const record = runEpoch(epoch, { ...options, step, metrics, progress });
      if (scheduler instanceof ReduceLROnPlateau) scheduler.step(monitored(record, monitor));
      else scheduler?.step();
      if (stopper?.update(record, model)) stoppedEarly = true;
      history.push(record);
      const value = record[monitor];
      const improved = typeof value === 'number' && !Number.isNaN(value) && (best === null || better(value, best));
      if (improved) best = value;
      if (ckpt && (ckpt.last !== false || (ckpt.best && improved))) {
        const bytes = serializeCheckpoint(parts, { epoch: epoch + 1, history });
        if (ckpt.last !== false) ckpt.write('last', bytes);
        if (ckpt.best && improved) ckpt.write('best', bytes);
      }
      progress.epochEnd(record, history);
      if (stopper && stoppedEarly) progress.log?.(stopNotice(stopper));
      if (options.onEpochEnd?.(record, history) === 'stop') stoppedEarly = true;
    }
  } finally {
    progress.close();
  }
  const restoredBestWeights = stopper?.restore(model) ?? false;
  // Stopping on the very last epoch cut nothing short.
  stoppedEarly &&= history.length < epochs;
  const bestEpoch = stopper ? stopper.bestEpoch : best === null ? null : history.find((r) => r[monitor] === best)!.epoch;
  return { history, stoppedEarly, bestEpoch, restoredBestWeights };
}

type EpochOptions<M extends TrainableModel> = FitOptions<M> & {
  step: StepFn<M>;
  metrics: Readonly<Record<string, MetricFn>>;
  progress: ReturnType<typeof openProgress>;
};


/** One epoch: the training steps, then validation; returns its record. */
function runEpoch<M extends TrainableModel>(epoch: number, o: EpochOptions<M>): EpochRecord {
  const { model, optimizer, trainData, valData, loss, metrics, step, progress } = o;
  const start = performance.now();
  const lr = optimizer.paramGroups[0]!.lr;
  const tracker = new MeanTracker();
  model.train(true);
  progress.epochStart(epoch, trainData.length);
  let batch = 0;
  for (const item of trainData) {
    checkBatch('fit', 'trainData', item, batch);
    const [inputs, targets] = item;
    // The loss is checked as soon as the step computes it, before its backward and optimizer step,
    // so a NaN or infinite loss stops training with the weights of the last good step.
    const at = `epoch ${epoch}, batch ${batch}`;
    const guarded: LossFn = (outputs, t) => {
      const value = checkedLoss('fit', loss, outputs, t);
      const v = value.item();
      if (!Number.isFinite(v)) {
        throw new Error(`fit: the training loss is ${v} at ${at} (counting from 0); training stopped before its backward and optimizer step, so the model keeps the weights of the last good step; lower the learning rate, clip gradients or check the data for NaN`);
      }
      return value;
    };
    const result = step({ model, optimizer, inputs, targets, loss: guarded, epoch, batch });
    ensure(isPlainObject(result) && (typeof result.loss === 'number' || result.loss instanceof Tensor), 'fit',
      `the step function must return { loss, outputs? } with loss a scalar tensor or a number (got ${describeValue(result)})`);
    const value = typeof result.loss === 'number' ? result.loss : result.loss.item();
    ensure(Number.isFinite(value), 'fit', `the training loss is ${value} at ${at} (counting from 0), reported by the custom step after it ran (its update may already be applied); lower the learning rate, clip gradients or check the data for NaN`);
    const n = batchSize(targets);
    tracker.add(noGrad(() => batchMetrics(value, result.outputs, targets, metrics)), n);
    batch += 1;
    progress.batchEnd(batch, { loss: tracker.mean('loss')!, samples: tracker.samples, seconds: (performance.now() - start) / 1000 });
  }
  ensure(batch > 0, 'fit', `trainData yielded no batches in epoch ${epoch}; it must be iterable once per epoch (a DataLoader or an array, not a one-shot generator)`);
  const trainSeconds = (performance.now() - start) / 1000;
  const val = valData ? evaluate(model, valData, { loss, metrics }) : null;
  model.train(true);
  const record: EpochRecord = {
    epoch, trainLoss: tracker.mean('loss')!, trainAccuracy: null, valLoss: val ? val.loss ?? null : null, valAccuracy: null,
    lr, seconds: 0, samplesPerSecond: tracker.samples / Math.max(trainSeconds, 1e-9),
  };
  for (const name of Object.keys(metrics)) {
    const key = name[0]!.toUpperCase() + name.slice(1);
    record[`train${key}`] = tracker.mean(name);
    record[`val${key}`] = val ? val[name] ?? null : null;
  }
  record.seconds = (performance.now() - start) / 1000;
  return record;
}

/** Why training stopped, for the progress output (epochs printed from 1, like the epoch lines). */
function stopNotice({ monitor, minDelta, patience, bestEpoch }: EarlyStopping): string {
  const by = minDelta > 0 ? ` by more than ${minDelta}` : '';
  return `early stopping: ${monitor} has not improved${by} for ${patience} epoch(s); best epoch ${bestEpoch === null ? 'none' : bestEpoch + 1}`;
}

/** The monitored value of a record, for ReduceLROnPlateau (which needs a number). */
function monitored(record: EpochRecord, monitor: string): number {
  const value = record[monitor];
  ensure(typeof value === 'number', 'fit', `ReduceLROnPlateau needs the monitored metric '${monitor}' every epoch, but it is ${value} (fields: ${Object.keys(record).join(', ')})`);
  return value;
}

/** The best monitored value in a (restored) history. */
function bestOf(history: readonly EpochRecord[], monitor: string, better: (a: number, b: number) => boolean): number | null {
  let best: number | null = null;
  for (const r of history) {
    const v = r[monitor];
    if (typeof v === 'number' && !Number.isNaN(v) && (best === null || better(v, best))) best = v;
  }
  return best;
}
