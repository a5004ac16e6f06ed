// Training progress for people and for logs: on a terminal, one line redrawn in place (a bar of
// the epoch's batches, running loss, throughput, ETA); elsewhere (CI, a file), exactly one line
// per epoch, because a log full of carriage returns is unreadable.
import { checkOptionsArg, describeValue, ensure, isPlainObject } from './checks.js';
import { epochLabel, fmtDuration, fmtValue, formatEpochLine, type EpochSummary } from './progress-format.js';

/**
 * Where progress goes: `process.stderr`, `process.stdout`, or any object with `write` (tests pass
 * a fake). `isTTY` chooses the live bar; `columns` keeps the bar on one line.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const stream: ProgressStream = { write: (s) => lines.push(s), isTTY: false };
 * ```
 * @category Training
 */
export interface ProgressStream {
  /** Writes text as is (no newline added). */
  write(chunk: string): unknown;
  /** True for a terminal: draw the live bar. */
  isTTY?: boolean;
  /** Terminal width in characters (default 80). */
  columns?: number;
}

/**
 * Options of {@link ProgressReporter}.
 *
 * @example
 * ```ts
 * const options: ProgressReporterOptions = { epochs: 10, stream: process.stdout, mode: 'lines' };
 * ```
 * @category Training
 */
export interface ProgressReporterOptions {
  /** Number of epochs in the run, shown as `epoch 3/10` (just `epoch 3` without it). */
  epochs?: number;
  /** Where to write (default `process.stderr`, so progress never mixes with a program's output; the console without Node). */
  stream?: ProgressStream;
  /** Milliseconds from some fixed origin (default `performance.now`); tests pass a fake clock. */
  now?: () => number;
  /** `auto` (default): a bar on a TTY, lines otherwise; `bar` or `lines` forces one. */
  mode?: 'auto' | 'bar' | 'lines';
  /** Least time between two redraws of the bar, in milliseconds (default 100: at most 10 per second). */
  minInterval?: number;
}

/**
 * The running numbers of an epoch after some batches: mean loss so far, samples so far and,
 * optionally, seconds since the epoch began (measured with the reporter's clock when left out).
 *
 * @example
 * ```ts
 * reporter.batchEnd(12, { loss: 0.42, samples: 384 });
 * ```
 * @category Training
 */
export interface BatchProgress {
  /** Mean training loss over the epoch's batches so far. */
  loss: number;
  /** Training samples seen so far in the epoch. */
  samples: number;
  /** Seconds since the epoch began. */
  seconds?: number;
}

/**
 * Reports training progress: on a TTY a single line redrawn in place with `\r` (batches done of
 * the epoch's total with a bar, running loss, samples/s, ETA), at most 10 redraws a second; when
 * not a TTY, nothing during the epoch and exactly one line per epoch ({@link formatEpochLine}).
 * Its methods match what `fit` calls on its `progress` option, so it can be passed there as is.
 *
 * @example
 * ```ts
 * const progress = new ProgressReporter({ epochs: 10 });
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   progress.epochStart(epoch, loader.length);
 *   let seen = 0, total = 0, batch = 0;
 *   for (const [x, y] of loader) {
 *     const loss = trainStep(x, y);
 *     seen += x.shape[0]!; total += loss * x.shape[0]!;
 *     progress.batchEnd(++batch, { loss: total / seen, samples: seen });
 *   }
 *   progress.epochEnd({ epoch, trainLoss: total / seen, valLoss: validate() });
 * }
 * progress.close();
 * ```
 * @category Training
 */
export class ProgressReporter {
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly bar: boolean;
  private readonly epochs: number | undefined;
  private readonly minInterval: number;
  private epochStarted = 0;
  private epochLabel = '';
  private total: number | undefined;
  private last: (BatchProgress & { batch: number }) | undefined;
  private lastDraw = -Infinity;
  // Characters of the bar currently on screen: the next line is padded to cover them.
  private shown = 0;

  /**
   * A reporter writing to `options.stream` (default `process.stderr` in Node, the console, one
   * line per epoch, where there is no `process`, as in a browser).
   *
   * @example
   * ```ts
   * const progress = new ProgressReporter({ epochs: 20, stream: process.stdout });
   * ```
   */
  constructor(options: ProgressReporterOptions = {}) {
    const who = 'ProgressReporter';
    const o = checkOptionsArg<ProgressReporterOptions>(who, options, ['epochs', 'stream', 'now', 'mode', 'minInterval']);
    const { stream, now, mode = 'auto', epochs, minInterval = 100 } = o;
    ensure(stream === undefined || (typeof stream === 'object' && stream !== null && typeof (stream as { write?: unknown }).write === 'function'), who,
      `stream must have a write(text) method, such as process.stdout (got ${describeValue(stream)})`);
    ensure(now === undefined || typeof now === 'function', who, `now must be a function returning milliseconds (got ${describeValue(now)})`);
    ensure(['auto', 'bar', 'lines'].includes(mode), who, `mode must be 'auto', 'bar' or 'lines' (got ${describeValue(mode)})`);
    ensure(epochs === undefined || (Number.isSafeInteger(epochs) && epochs >= 0), who, `epochs must be a non-negative integer (got ${describeValue(epochs)})`);
    ensure(typeof minInterval === 'number' && minInterval >= 0, who, `minInterval must be a number of milliseconds >= 0 (got ${describeValue(minInterval)})`);
    this.stream = stream ?? defaultStream();
    this.now = now ?? (() => performance.now());
    this.bar = mode === 'bar' || (mode === 'auto' && this.stream.isTTY === true);
    this.epochs = epochs;
    this.minInterval = minInterval;
  }

  /**
   * An epoch begins (`epoch` from 0); `batches` is its number of batches when known (for the bar and ETA).
   *
   * @example
   * ```ts
   * progress.epochStart(0, loader.length);
   * ```
   */
  epochStart(epoch: number, batches?: number): void {
    ensure(Number.isSafeInteger(epoch) && epoch >= 0, 'ProgressReporter', `epochStart's epoch must be a non-negative integer (got ${describeValue(epoch)})`);
    ensure(batches === undefined || (Number.isSafeInteger(batches) && batches >= 0), 'ProgressReporter', `epochStart's batches must be a non-negative integer (got ${describeValue(batches)})`);
    this.epochStarted = this.now();
    this.total = batches;
    this.last = { batch: 0, loss: Number.NaN, samples: 0 };
    this.epochLabel = epochLabel(epoch, this.epochs);
  }

  /**
   * `batch` batches of the epoch are done, with the running numbers; redraws the bar when due.
   *
   * @example
   * ```ts
   * progress.batchEnd(5, { loss: 0.61, samples: 160 });
   * ```
   */
  batchEnd(batch: number, running: BatchProgress): void {
    ensure(Number.isSafeInteger(batch) && batch >= 0, 'ProgressReporter', `batchEnd's batch must be a non-negative integer (got ${describeValue(batch)})`);
    ensure(isPlainObject(running) && typeof running.loss === 'number' && typeof running.samples === 'number', 'ProgressReporter',
      `batchEnd's running numbers must be { loss, samples, seconds? } (got ${describeValue(running)})`);
    const seconds = running.seconds ?? (this.now() - this.epochStarted) / 1000;
    this.last = { ...running, seconds, batch };
    if (!this.bar) return;
    const now = this.now();
    if (now - this.lastDraw < this.minInterval) return;
    this.lastDraw = now;
    this.draw(this.barLine(batch, running.loss, running.samples, seconds));
  }

  /**
   * The epoch is over: prints its summary line (replacing the bar on a TTY). Throughput, time
   * and loss missing from `record` come from the last `batchEnd` and the clock.
   *
   * @example
   * ```ts
   * progress.epochEnd({ epoch: 0, trainLoss: 0.52, valLoss: 0.48, valAccuracy: 0.86 });
   * ```
   */
  epochEnd(record: EpochSummary): void {
    ensure(isPlainObject(record), 'ProgressReporter', `epochEnd expects the epoch's record (got ${describeValue(record)})`);
    const last = this.last;
    const filled: EpochSummary = {
      ...record,
      trainLoss: record.trainLoss !== undefined ? record.trainLoss : last && last.batch > 0 ? last.loss : undefined,
      samplesPerSecond: record.samplesPerSecond ?? (last?.seconds ? last.samples / last.seconds : undefined),
      seconds: record.seconds ?? (this.now() - this.epochStarted) / 1000,
    };
    this.line(formatEpochLine(filled, this.epochs));
    this.last = undefined;
  }

  /**
   * Prints a message on its own line (above the bar on a TTY), such as an early-stopping notice.
   *
   * @example
   * ```ts
   * progress.log('early stopping: val_loss has not improved for 3 epochs');
   * ```
   */
  log(message: string): void {
    this.line(message);
    this.lastDraw = -Infinity; // bring the bar back at the next batch, not 100 ms later
  }

  /**
   * Ends the output: a bar left mid-epoch (training stopped by an error) keeps its last state and
   * gets its newline, so what comes next starts on a fresh line.
   *
   * @example
   * ```ts
   * try { train(); } finally { progress.close(); }
   * ```
   */
  close(): void {
    if (this.shown > 0) this.stream.write('\n');
    this.shown = 0;
  }

  private line(text: string): void {
    this.stream.write(this.bar ? `\r${text.padEnd(this.shown)}\n` : `${text}\n`);
    this.shown = 0;
  }

  private draw(text: string): void {
    this.stream.write(`\r${text.padEnd(this.shown)}`);
    this.shown = text.length;
  }

  /** `epoch 3/10 [=====>     ] 120/469  loss 0.2314  1234 samples/s  ETA 4.2s`, fitted to the terminal. */
  private barLine(batch: number, loss: number, samples: number, seconds: number): string {
    const max = (this.stream.columns ?? 80) - 1; // the last column would wrap on some terminals
    const total = this.total;
    const count = total === undefined ? `batch ${batch}` : `${batch}/${total}`;
    const stats = [`loss ${fmtValue(loss)}`];
    if (seconds > 0) stats.push(`${Math.round(samples / seconds)} samples/s`);
    if (total !== undefined && batch > 0 && batch < total) stats.push(`ETA ${fmtDuration((seconds / batch) * (total - batch))}`);
    const tail = ` ${count}  ${stats.join('  ')}`;
    const room = Math.min(30, max - this.epochLabel.length - tail.length - 3);
    let bar = '';
    if (total !== undefined && total > 0 && room >= 5) {
      const filled = Math.min(room, Math.floor((batch / total) * room));
      bar = ` [${'='.repeat(filled)}${filled < room ? '>' + ' '.repeat(room - filled - 1) : ''}]`;
    }
    return `${this.epochLabel}${bar}${tail}`.slice(0, max);
  }
}

/** Node's standard error when there is one; else the console, a line at a time. */
function defaultStream(): ProgressStream {
  const stderr = (globalThis as { process?: { stderr?: ProgressStream } }).process?.stderr;
  if (stderr) return stderr;
  let pending = '';
  return {
    write(chunk: string) {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) console.log(line);
    },
    isTTY: false,
  };
}
