// ReduceLROnPlateau, following torch.optim.lr_scheduler.ReduceLROnPlateau: it reacts to a metric,
// so unlike the closed-form schedulers its state is the history of that metric.
import { describeValue } from '@tapegrad/autograd';
import { checkInteger, checkNonNegative, checkOneOf, checkOptionsOf, checkUnitInterval, ensure } from './checks.js';
import { checkOptimizer } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';

/**
 * Options of {@link ReduceLROnPlateau}.
 *
 * @example
 * ```ts
 * const opts: ReduceLROnPlateauOptions = { mode: 'min', factor: 0.5, patience: 3, cooldown: 1, minLr: 1e-6 };
 * ```
 * @category Schedulers
 */
export interface ReduceLROnPlateauOptions {
  /** `'min'`: lower metric is better (a loss); `'max'`: higher is better (an accuracy). Default `'min'`. */
  mode?: 'min' | 'max';
  /** Factor applied to the rate on a plateau, in [0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing; the reduction comes on the next one (default 10). */
  patience?: number;
  /** How much better than the best a metric must be to count as an improvement (default 1e-4). */
  threshold?: number;
  /** `'rel'`: better than `best·(1 ∓ threshold)`; `'abs'`: better than `best ∓ threshold` (default `'rel'`). */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** Lower bound on the rate: one for all groups or one per group (default 0). */
  minLr?: number | readonly number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/**
 * The state of a {@link ReduceLROnPlateau} (JSON-safe: a non-finite `best` is stored as a string).
 *
 * @example
 * ```ts
 * const saved: ReduceLROnPlateauStateDict = scheduler.stateDict();
 * ```
 * @category Schedulers
 */
export interface ReduceLROnPlateauStateDict {
  /** Number of `step(metric)` calls so far. */
  lastEpoch: number;
  /** The best metric seen (`'Infinity'`/`'-Infinity'` before any). */
  best: number | string;
  /** Consecutive epochs without improvement. */
  numBadEpochs: number;
  /** Epochs of cooldown left. */
  cooldownCounter: number;
  /** Each group's current learning rate. */
  lastLr: number[];
}

/**
 * Reduces the learning rate by `factor` when a metric (usually the validation loss) has not
 * improved for more than `patience` epochs. Call `step(metric)` once per epoch.
 *
 * @example
 * ```ts
 * const scheduler = new ReduceLROnPlateau(optimizer, { mode: 'min', factor: 0.5, patience: 5 });
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   trainOneEpoch();
 *   scheduler.step(validationLoss());
 * }
 * ```
 * @category Schedulers
 */
export class ReduceLROnPlateau {
  /** The optimizer whose groups' `lr` this scheduler reduces. */
  readonly optimizer: Optimizer;
  /** Number of `step(metric)` calls so far. */
  lastEpoch = 0;
  /** The best metric seen so far. */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  private readonly mode: 'min' | 'max';
  private readonly factor: number;
  private readonly patience: number;
  private readonly threshold: number;
  private readonly thresholdMode: 'rel' | 'abs';
  private readonly cooldown: number;
  private readonly minLrs: number[];
  private readonly eps: number;
  private lastLr: number[];

  /**
   * Attaches to `optimizer` (leaving its rates as they are).
   *
   * @example
   * ```ts
   * new ReduceLROnPlateau(optimizer, { mode: 'max', patience: 2 }); // on validation accuracy
   * ```
   */
  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const who = 'ReduceLROnPlateau';
    checkOptimizer(who, optimizer);
    const keys = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'];
    const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel', cooldown = 0, minLr = 0, eps = 1e-8 } =
      checkOptionsOf<ReduceLROnPlateauOptions>(who, options, keys);
    checkOneOf(who, 'mode', mode, ['min', 'max']);
    checkOneOf(who, 'thresholdMode', thresholdMode, ['rel', 'abs']);
    checkUnitInterval(who, 'factor', factor);
    checkInteger(who, 'patience', patience, 0);
    checkNonNegative(who, 'threshold', threshold);
    checkInteger(who, 'cooldown', cooldown, 0);
    checkNonNegative(who, 'eps', eps);
    const groups = optimizer.paramGroups.length;
    if (typeof minLr !== 'number' && !Array.isArray(minLr)) {
      throw new Error(`${who}: invalid minLr (got ${describeValue(minLr)}, expected a number >= 0 or one per parameter group)`);
    }
    const minLrs = typeof minLr === 'number' ? Array<number>(groups).fill(minLr) : [...(minLr as number[])];
    ensure(minLrs.length === groups, who, `got ${minLrs.length} minLr value(s) for ${groups} parameter group(s)`);
    minLrs.forEach((m, i) => checkNonNegative(who, `minLr[${i}]`, m));
    this.optimizer = optimizer;
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.minLrs = minLrs;
    this.eps = eps;
    this.best = this.worst();
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * Records one epoch's metric and reduces the rates if it has plateaued.
   *
   * @example
   * ```ts
   * scheduler.step(validationLoss);
   * ```
   */
  step(metric: number): void {
    ensure(typeof metric === 'number', 'ReduceLROnPlateau', `step expects the epoch's metric as a number (got ${describeValue(metric)}, expected a number)`);
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.cooldownCounter > 0) {
      // Epochs right after a reduction do not count against the new rate.
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduce();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * The learning rate of each group after the last `step`.
   *
   * @example
   * ```ts
   * scheduler.getLastLr(); // [0.05]
   * ```
   */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * The scheduler's progress (JSON-safe); hyper-parameters come from the constructor.
   *
   * @example
   * ```ts
   * const saved = JSON.stringify(scheduler.stateDict());
   * ```
   */
  stateDict(): ReduceLROnPlateauStateDict {
    const best = Number.isFinite(this.best) ? this.best : String(this.best);
    return { lastEpoch: this.lastEpoch, best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastLr: [...this.lastLr] };
  }

  /**
   * Restores progress from {@link ReduceLROnPlateau.stateDict} and sets the groups' rates to the
   * restored ones.
   *
   * @example
   * ```ts
   * scheduler.loadStateDict(JSON.parse(saved));
   * ```
   */
  loadStateDict(stateDict: ReduceLROnPlateauStateDict): void {
    const who = 'ReduceLROnPlateau';
    const { lastEpoch, best, numBadEpochs, cooldownCounter, lastLr } = stateDict ?? {};
    checkInteger(who, 'lastEpoch', lastEpoch, 0);
    checkInteger(who, 'numBadEpochs', numBadEpochs, 0);
    checkInteger(who, 'cooldownCounter', cooldownCounter, 0);
    const n = this.optimizer.paramGroups.length;
    ensure(Array.isArray(lastLr) && lastLr.length === n, who, `loaded state has ${lastLr?.length} rate(s), the optimizer has ${n} parameter group(s)`);
    (lastLr as unknown[]).forEach((lr) =>
      ensure(typeof lr === 'number' && Number.isFinite(lr) && lr >= 0, who, `loaded learning rate ${JSON.stringify(lr) ?? String(lr)} is not a finite number >= 0`));
    ensure(typeof best === 'number' || ['Infinity', '-Infinity', 'NaN'].includes(best), who, `loaded best ${JSON.stringify(best)} is not a number`);
    this.lastEpoch = lastEpoch;
    this.best = Number(best);
    this.numBadEpochs = numBadEpochs;
    this.cooldownCounter = cooldownCounter;
    this.lastLr = [...lastLr];
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lastLr[i]!));
  }

  private worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === 'rel' ? a > best * (1 + threshold) : a > best + threshold;
  }

  private reduce(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const next = Math.max(group.lr * this.factor, this.minLrs[i]!);
      if (group.lr - next > this.eps) group.lr = next;
    });
  }
}
