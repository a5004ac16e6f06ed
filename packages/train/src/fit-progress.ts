// How fit reports progress: a small interface (FitProgress) that any object can implement, and
// the default one, which hands the numbers to the package's ProgressReporter.
import { ProgressReporter } from './progress-reporter.js';
import type { EpochRecord } from './types.js';

/**
 * Receives {@link fit}'s progress: implement it to send progress elsewhere (a web page, a logger).
 *
 * @example
 * ```ts
 * const log: FitProgress = {
 *   epochStart: () => {},
 *   batchEnd: () => {},
 *   epochEnd: (record) => console.log(JSON.stringify(record)),
 *   close: () => {},
 * };
 * fit({ ...options, progress: log });
 * ```
 * @category Training
 */
export interface FitProgress {
  /** An epoch begins; `batches` is the training data's `length` when it has one. */
  epochStart(epoch: number, batches: number | undefined): void;
  /** `batch` batches of the epoch are done: running mean loss, samples and seconds so far. */
  batchEnd(batch: number, running: { loss: number; samples: number; seconds: number }): void;
  /** The epoch's record, after validation. */
  epochEnd(record: EpochRecord, history: readonly EpochRecord[]): void;
  /** Training ended (normally or by an error). */
  close(): void;
  /** A notice on its own line, such as why training stopped (optional). */
  log?(message: string): void;
}

/**
 * The `progress` option of {@link fit}: `true` (default) for a {@link ProgressReporter} on
 * standard error (a live bar on a terminal, one line per epoch otherwise), `false` for silence, or
 * a {@link FitProgress} of your own, such as a `ProgressReporter` writing elsewhere.
 *
 * @example
 * ```ts
 * const quiet: FitProgressOption = false;
 * ```
 * @category Training
 */
export type FitProgressOption = boolean | FitProgress | undefined;

const silent: FitProgress = { epochStart() {}, batchEnd() {}, epochEnd() {}, close() {} };

/** The progress sink for a run of `epochs` epochs. */
export function openProgress(option: FitProgressOption, epochs: number): FitProgress {
  if (option === false) return silent;
  if (option === true || option === undefined) return defaultProgress(epochs);
  return option;
}

function defaultProgress(epochs: number): FitProgress {
  return new ProgressReporter({ epochs });
}
