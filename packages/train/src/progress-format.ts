// The text of progress output: the per-epoch summary line and the number formats the live bar
// shares with it, kept apart from the drawing so both are tested as plain functions.
import { describeValue, isPlainObject } from './checks.js';

/**
 * An epoch's results as the summary line reads them (`fit`'s `EpochRecord` is one). `epoch`
 * counts from 0 and is printed from 1. Missing (`null`/`undefined`) values are left out; other
 * numeric fields appear as metrics (`trainTop3` as `top3`, `valTop3` as `val_top3`).
 *
 * @example
 * ```ts
 * const summary: EpochSummary = { epoch: 2, trainLoss: 0.23, valLoss: 0.25, valAccuracy: 0.93 };
 * ```
 * @category Training
 */
export interface EpochSummary {
  /** Epoch number, from 0. */
  epoch: number;
  /** Mean training loss (default: the last running loss given to `batchEnd`). */
  trainLoss?: number | null;
  /** Training accuracy. */
  trainAccuracy?: number | null;
  /** Validation loss. */
  valLoss?: number | null;
  /** Validation accuracy. */
  valAccuracy?: number | null;
  /** Training throughput (default: from the last `batchEnd`). */
  samplesPerSecond?: number | null;
  /** Wall time of the epoch (default: measured since `epochStart`). */
  seconds?: number | null;
  /** Further metrics. */
  readonly [metric: string]: number | null | undefined;
}

/** An epoch record: a plain object with an integer `epoch` and numbers (or null) in every other field. */
export function checkEpochSummary(who: string, record: unknown, where = 'record'): asserts record is EpochSummary {
  if (!isPlainObject(record)) throw new Error(`${who}: ${where} must be an epoch record (got ${describeValue(record)}, expected { epoch, trainLoss, ... })`);
  if (!Number.isSafeInteger(record.epoch) || (record.epoch as number) < 0) {
    throw new Error(`${who}: ${where}.epoch must be a non-negative integer (got ${describeValue(record.epoch)}, expected the epoch from 0)`);
  }
  for (const [k, v] of Object.entries(record)) {
    if (v !== null && v !== undefined && typeof v !== 'number') throw new Error(`${who}: ${where}.${k} must be a number or null (got ${describeValue(v)}, expected a number)`);
  }
}

// Fields with a fixed place in the line, or not shown in it (lr: the line keeps to its format).
const FIXED = new Set(['epoch', 'trainLoss', 'trainAccuracy', 'valLoss', 'valAccuracy', 'samplesPerSecond', 'seconds', 'lr']);

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/^_/, '');

/** A metric with four decimals; tiny values in exponent form so that 2e-5 does not read 0.0000. */
export function fmtValue(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(4);
}

/** `12.3s`, `2m05s`, `1h02m`: short enough for the line, exact enough to compare epochs. */
export function fmtDuration(seconds: number): string {
  if (seconds < 59.95) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export const epochLabel = (epoch: number, epochs: number | undefined) => `epoch ${epoch + 1}${epochs === undefined ? '' : `/${epochs}`}`;

/**
 * The one-line summary of an epoch: `epoch 3/10  loss 0.2314  acc 0.9312  val_loss 0.2510
 * val_acc 0.9250  1234 samples/s  12.3s` (fields separated by two spaces; missing ones left out).
 *
 * @example
 * ```ts
 * formatEpochLine({ epoch: 2, trainLoss: 0.2314, valLoss: 0.251, samplesPerSecond: 1234, seconds: 12.3 }, 10);
 * // 'epoch 3/10  loss 0.2314  val_loss 0.2510  1234 samples/s  12.3s'
 * ```
 * @category Training
 */
export function formatEpochLine(record: EpochSummary, epochs?: number): string {
  checkEpochSummary('formatEpochLine', record);
  if (epochs !== undefined && !(Number.isSafeInteger(epochs) && epochs >= 0)) {
    throw new Error(`formatEpochLine: epochs must be a non-negative integer (got ${describeValue(epochs)}, expected the run's number of epochs)`);
  }
  const parts = [epochLabel(record.epoch, epochs)];
  const put = (name: string, v: number | null | undefined) => {
    if (typeof v === 'number') parts.push(`${name} ${fmtValue(v)}`);
  };
  const extra = Object.keys(record).filter((k) => !FIXED.has(k));
  put('loss', record.trainLoss);
  put('acc', record.trainAccuracy);
  for (const k of extra.filter((k) => /^train[A-Z]/.test(k))) put(snake(k.slice(5)), record[k]);
  put('val_loss', record.valLoss);
  put('val_acc', record.valAccuracy);
  for (const k of extra.filter((k) => /^val[A-Z]/.test(k))) put(`val_${snake(k.slice(3))}`, record[k]);
  for (const k of extra.filter((k) => !/^(train|val)[A-Z]/.test(k))) put(snake(k), record[k]);
  if (typeof record.samplesPerSecond === 'number' && Number.isFinite(record.samplesPerSecond)) {
    parts.push(`${Math.round(record.samplesPerSecond)} samples/s`);
  }
  if (typeof record.seconds === 'number') parts.push(fmtDuration(record.seconds));
  return parts.join('  ');
}
