// Early stopping in Keras's sense: stop once the monitored metric has failed to improve by more
// than minDelta for `patience` epochs in a row, optionally putting back the best epoch's weights.
import { noGrad, type Tensor } from '@tapegrad/autograd';
import { checkOptionsArg, describeValue, ensure, isPlainObject } from './checks.js';
import type { EpochRecord, TrainableModel } from './types.js';

/**
 * Options of {@link EarlyStopping}.
 *
 * @example
 * ```ts
 * const opts: EarlyStoppingOptions = { monitor: 'valAccuracy', patience: 3, minDelta: 0.001, restoreBestWeights: true };
 * ```
 * @category Training
 */
export interface EarlyStoppingOptions {
  /** The history field to watch (default `'valLoss'`). */
  monitor?: string;
  /**
   * `'min'` when lower is better, `'max'` when higher is. By default `'max'` for names containing
   * `accuracy`, `acc`, `auc`, `f1`, `precision` or `recall`, `'min'` otherwise.
   */
  mode?: 'min' | 'max';
  /** Epochs without improvement after which training stops (default 5). */
  patience?: number;
  /** How much better than the best a value must be to count as an improvement (default 0). */
  minDelta?: number;
  /** At the end of training, load the weights of the best epoch back into the model (default false). */
  restoreBestWeights?: boolean;
}

/**
 * The progress of an {@link EarlyStopping} (JSON-safe), saved in checkpoints.
 *
 * @example
 * ```ts
 * const saved: EarlyStoppingState = stopper.stateDict(); // { best: 0.21, bestEpoch: 4, wait: 1, stoppedEpoch: null }
 * ```
 * @category Training
 */
export interface EarlyStoppingState {
  /** The best value seen, or `null` before the first epoch. */
  best: number | null;
  /** The epoch of the best value (from 0, as `EpochRecord.epoch`), or `null`. */
  bestEpoch: number | null;
  /** Consecutive epochs without improvement. */
  wait: number;
  /** The epoch training stopped after, or `null` while it goes on. */
  stoppedEpoch: number | null;
}

/** Infers the direction of a metric from its name, as documented on {@link EarlyStoppingOptions}. */
export function inferMode(monitor: string): 'min' | 'max' {
  return /acc|auc|f1|precision|recall/i.test(monitor) ? 'max' : 'min';
}

/**
 * Decides, epoch by epoch, when learning has levelled off: {@link EarlyStopping.update} returns
 * `true` once the monitored metric has not improved by more than `minDelta` for `patience`
 * consecutive epochs. With `restoreBestWeights` it keeps a copy of the best epoch's weights, and
 * {@link EarlyStopping.restore} puts them back. Pass it (or its options) to {@link fit}, or use it
 * in a loop of your own.
 *
 * @example
 * ```ts
 * const stopper = new EarlyStopping({ monitor: 'valLoss', patience: 3, restoreBestWeights: true });
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   const record = trainAndValidate(epoch); // an EpochRecord
 *   if (stopper.update(record, model)) break;
 * }
 * stopper.restore(model);
 * ```
 * @category Training
 */
export class EarlyStopping {
  /** The history field watched. */
  readonly monitor: string;
  /** `'min'` or `'max'`. */
  readonly mode: 'min' | 'max';
  /** Epochs without improvement tolerated. */
  readonly patience: number;
  /** Minimum improvement. */
  readonly minDelta: number;
  /** Whether the best weights are kept and restored. */
  readonly restoreBestWeights: boolean;
  /** The best value seen so far, or `null`. */
  best: number | null = null;
  /** The epoch of the best value (from 0, as `EpochRecord.epoch`; printed from 1), or `null`. */
  bestEpoch: number | null = null;
  /** Consecutive epochs without improvement. */
  wait = 0;
  /** The epoch after which {@link EarlyStopping.update} asked to stop, or `null`. */
  stoppedEpoch: number | null = null;
  /** Copies of the best epoch's weights (with `restoreBestWeights`), by state-dict name. */
  bestWeights: Record<string, Tensor> | null = null;

  /**
   * Checks the options; see {@link EarlyStoppingOptions} for the defaults.
   *
   * @example
   * ```ts
   * new EarlyStopping({ monitor: 'valAccuracy', patience: 2 }); // mode 'max' inferred
   * ```
   */
  constructor(options: EarlyStoppingOptions = {}) {
    const who = 'EarlyStopping';
    const o = checkOptionsArg<EarlyStoppingOptions>(who, options, ['monitor', 'mode', 'patience', 'minDelta', 'restoreBestWeights']);
    const { monitor = 'valLoss', patience = 5, minDelta = 0, restoreBestWeights = false } = o;
    ensure(typeof monitor === 'string' && monitor.length > 0, who, `monitor must be a history field name, got ${describeValue(monitor)}`);
    const mode = o.mode ?? inferMode(monitor);
    ensure(mode === 'min' || mode === 'max', who, `mode must be 'min' or 'max', got ${describeValue(mode)}`);
    ensure(Number.isInteger(patience) && patience >= 1, who, `patience must be an integer >= 1, got ${describeValue(patience)}`);
    ensure(Number.isFinite(minDelta) && minDelta >= 0, who, `minDelta must be a finite number >= 0, got ${describeValue(minDelta)}`);
    ensure(typeof restoreBestWeights === 'boolean', who, `restoreBestWeights must be true or false, got ${describeValue(restoreBestWeights)}`);
    this.monitor = monitor;
    this.mode = mode;
    this.patience = patience;
    this.minDelta = minDelta;
    this.restoreBestWeights = restoreBestWeights;
  }

  /**
   * Records one epoch (a history record, or the monitored value itself) and returns `true` when
   * training should stop. Pass the model to snapshot its weights on improvement when
   * `restoreBestWeights` is set. A missing or NaN value counts as no improvement.
   *
   * @example
   * ```ts
   * if (stopper.update(record, model)) console.log(`stopping after epoch ${record.epoch}`);
   * ```
   */
  update(recordOrValue: EpochRecord | number, model?: TrainableModel): boolean {
    ensure(typeof recordOrValue === 'number' || isPlainObject(recordOrValue), 'EarlyStopping',
      `update expects an epoch record or the monitored value (got ${describeValue(recordOrValue)}, expected an EpochRecord or a number)`);
    ensure(!this.restoreBestWeights || model === undefined || (typeof model === 'object' && model !== null && typeof (model as { stateDict?: unknown }).stateDict === 'function'), 'EarlyStopping',
      `update's model must have stateDict() to keep the best weights (got ${describeValue(model)})`);
    const epoch = typeof recordOrValue === 'number' ? (this.bestEpoch ?? -1) + this.wait + 1 : recordOrValue.epoch;
    const value = typeof recordOrValue === 'number' ? recordOrValue : recordOrValue[this.monitor];
    ensure(value !== undefined, 'EarlyStopping', `monitor '${this.monitor}' is not a field of the epoch record (fields: ${typeof recordOrValue === 'number' ? '' : Object.keys(recordOrValue).join(', ')})`);
    ensure(value === null || typeof value === 'number', 'EarlyStopping', `monitor '${this.monitor}' must be a number or null (got ${describeValue(value)})`);
    if (this.improves(value)) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights && model !== undefined) this.bestWeights = snapshot(model);
      return false;
    }
    this.wait += 1;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      return true;
    }
    return false;
  }

  /**
   * Loads the best epoch's weights into `model` when `restoreBestWeights` is set and a snapshot
   * exists; returns whether it did.
   *
   * @example
   * ```ts
   * stopper.restore(model); // true: the model now holds the weights of stopper.bestEpoch
   * ```
   */
  restore(model: TrainableModel): boolean {
    if (!this.restoreBestWeights || this.bestWeights === null) return false;
    model.loadStateDict(this.bestWeights);
    return true;
  }

  /**
   * The stopper's progress (JSON-safe; the best weights travel separately, as tensors).
   *
   * @example
   * ```ts
   * const saved = JSON.stringify(stopper.stateDict());
   * ```
   */
  stateDict(): EarlyStoppingState {
    return { best: this.best, bestEpoch: this.bestEpoch, wait: this.wait, stoppedEpoch: this.stoppedEpoch };
  }

  /**
   * Restores progress saved by {@link EarlyStopping.stateDict}.
   *
   * @example
   * ```ts
   * stopper.loadStateDict(JSON.parse(saved));
   * ```
   */
  loadStateDict(state: EarlyStoppingState): void {
    const { best, bestEpoch, wait, stoppedEpoch } = state ?? ({} as EarlyStoppingState);
    ensure(best === null || typeof best === 'number', 'EarlyStopping', `loaded best ${JSON.stringify(best)} is not a number or null`);
    ensure(Number.isInteger(wait) && wait >= 0, 'EarlyStopping', `loaded wait ${JSON.stringify(wait)} is not a non-negative integer`);
    Object.assign(this, { best, bestEpoch: bestEpoch ?? null, wait, stoppedEpoch: stoppedEpoch ?? null });
  }

  private improves(value: number | null): value is number {
    if (value === null || Number.isNaN(value)) return false;
    if (this.best === null) return true;
    return this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
  }
}

/** Copies of every tensor of the model's state dict (the state dict shares storage with the model). */
function snapshot(model: TrainableModel): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(model.stateDict())) out[name] = noGrad(() => t.clone());
  return out;
}
