// Learning-rate schedulers as closed-form functions of the epoch. Each group's rate is recomputed
// from its base rate on every step rather than updated multiplicatively, so a resumed run (or a
// scheduler inside SequentialLR) lands on exactly the same rates, with no accumulated rounding.
import { describeValue } from '@tapegrad/autograd';
import { checkFunction, checkOptionsOf, ensure } from './checks.js';
import { Optimizer } from './optimizer.js';

/** Throws `${owner}: optimizer must be an Optimizer (got …)` unless it is one (checked before its groups are read). */
export function checkOptimizer(owner: string, optimizer: unknown): asserts optimizer is Optimizer {
  if (!(optimizer instanceof Optimizer)) {
    throw new Error(`${owner}: optimizer must be an Optimizer (got ${describeValue(optimizer)}, expected an SGD, Adam, ... instance)`);
  }
}

/**
 * A schedule: the learning rate of parameter group `group`, whose base rate is `baseLr`, at
 * `epoch` (0 at construction, +1 per `step()`).
 *
 * @example
 * ```ts
 * const halveEveryTen: LrSchedule = (epoch, baseLr) => baseLr * 0.5 ** Math.floor(epoch / 10);
 * ```
 * @category Schedulers
 */
export type LrSchedule = (epoch: number, baseLr: number, group: number) => number;

/**
 * The state of an {@link LRScheduler} (JSON-safe).
 *
 * @example
 * ```ts
 * const saved: LRSchedulerStateDict = scheduler.stateDict(); // { lastEpoch, baseLrs, lastLr }
 * ```
 * @category Schedulers
 */
export interface LRSchedulerStateDict {
  /** Number of `step()` calls so far. */
  lastEpoch: number;
  /** Each group's base learning rate. */
  baseLrs: number[];
  /** Each group's current learning rate. */
  lastLr: number[];
}

/**
 * Sets each parameter group's learning rate from a closed-form schedule of the epoch. Call
 * `step()` once per epoch, after the epoch's optimizer steps (as in PyTorch). The constructor
 * already sets the epoch-0 rate.
 *
 * Base rates are the groups' `initialLr`, which the first scheduler on an optimizer records from
 * `lr`; later schedulers on the same optimizer (as inside {@link SequentialLR}) start from the
 * same base. Subclasses ({@link StepLR}, {@link CosineAnnealingLR}, ...) only supply a schedule.
 *
 * @example
 * ```ts
 * const scheduler = new LRScheduler(optimizer, (epoch, baseLr) => baseLr / Math.sqrt(epoch + 1));
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   trainOneEpoch();
 *   scheduler.step();
 * }
 * ```
 * @category Schedulers
 */
export class LRScheduler {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Each group's base learning rate. */
  readonly baseLrs: number[];
  /** Number of `step()` calls so far (0 after construction). */
  lastEpoch = 0;
  private readonly schedule: LrSchedule;
  private lastLr: number[];

  /**
   * Attaches to `optimizer` and sets the epoch-0 learning rates.
   *
   * @example
   * ```ts
   * new LRScheduler(optimizer, (epoch, baseLr) => baseLr * 0.9 ** epoch);
   * ```
   */
  constructor(optimizer: Optimizer, schedule: LrSchedule) {
    checkOptimizer(this.constructor.name, optimizer);
    checkFunction(this.constructor.name, 'schedule', schedule);
    this.optimizer = optimizer;
    this.schedule = schedule;
    for (const group of optimizer.paramGroups) group.initialLr ??= group.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
    this.lastLr = this.apply();
  }

  /**
   * The learning rate this schedule gives a group with base rate `baseLr` at `epoch`, without
   * changing anything.
   *
   * @example
   * ```ts
   * new StepLR(optimizer, { stepSize: 10 }).lrAt(25, 1); // 0.01
   * ```
   */
  lrAt(epoch: number, baseLr: number, group = 0): number {
    return this.schedule(epoch, baseLr, group);
  }

  /**
   * Advances one epoch and sets the groups' learning rates.
   *
   * @example
   * ```ts
   * scheduler.step();
   * ```
   */
  step(): void {
    this.lastEpoch += 1;
    this.lastLr = this.apply();
  }

  /**
   * The learning rate of each group as last set by this scheduler.
   *
   * @example
   * ```ts
   * scheduler.getLastLr(); // [0.1]
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
  stateDict(): LRSchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  /**
   * Restores progress from {@link LRScheduler.stateDict} and sets the groups' learning rates to
   * the restored ones, so the next optimizer step uses the same rate as the uninterrupted run.
   *
   * @example
   * ```ts
   * scheduler.loadStateDict(JSON.parse(saved));
   * ```
   */
  loadStateDict(stateDict: LRSchedulerStateDict): void {
    const n = this.optimizer.paramGroups.length;
    const { lastEpoch, baseLrs, lastLr } = stateDict ?? {};
    ensure(Number.isInteger(lastEpoch) && lastEpoch >= 0, this.constructor.name, `loaded lastEpoch ${lastEpoch} is not a non-negative integer`);
    ensure(Array.isArray(baseLrs) && baseLrs.length === n && Array.isArray(lastLr) && lastLr.length === n, this.constructor.name,
      `loaded state has ${baseLrs?.length} base rate(s), the optimizer has ${n} parameter group(s)`);
    // The optimizer refuses a negative or non-numeric rate; a loaded one must not slip past that rule.
    [...baseLrs, ...lastLr].forEach((lr: unknown) =>
      ensure(typeof lr === 'number' && Number.isFinite(lr) && lr >= 0, this.constructor.name, `loaded learning rate ${JSON.stringify(lr) ?? String(lr)} is not a finite number >= 0`));
    this.lastEpoch = lastEpoch;
    this.baseLrs.splice(0, n, ...baseLrs);
    this.lastLr = [...lastLr];
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lastLr[i]!));
  }

  private apply(): number[] {
    return this.optimizer.paramGroups.map((group, i) => (group.lr = this.lrAt(this.lastEpoch, this.baseLrs[i]!, i)));
  }
}

/**
 * Options of {@link LambdaLR}.
 *
 * @example
 * ```ts
 * const opts: LambdaLROptions = { lrLambda: (epoch) => 0.95 ** epoch };
 * ```
 * @category Schedulers
 */
export interface LambdaLROptions {
  /** The factor applied to the base rate at each epoch, or one function per parameter group. */
  lrLambda: ((epoch: number) => number) | readonly ((epoch: number) => number)[];
}

/**
 * Sets each group's rate to its base rate times a function of the epoch (PyTorch's `LambdaLR`).
 *
 * @example
 * ```ts
 * const scheduler = new LambdaLR(optimizer, { lrLambda: (epoch) => 1 / (1 + 0.1 * epoch) });
 * ```
 * @category Schedulers
 */
export class LambdaLR extends LRScheduler {
  /**
   * Attaches to `optimizer` and sets the epoch-0 rates.
   *
   * @example
   * ```ts
   * new LambdaLR(optimizer, { lrLambda: [(e) => 1, (e) => 0.9 ** e] }); // one per group
   * ```
   */
  constructor(optimizer: Optimizer, options: LambdaLROptions) {
    checkOptimizer('LambdaLR', optimizer);
    const { lrLambda } = checkOptionsOf<LambdaLROptions>('LambdaLR', options, ['lrLambda']);
    if (typeof lrLambda !== 'function' && !Array.isArray(lrLambda)) {
      throw new Error(`LambdaLR: invalid lrLambda (got ${describeValue(lrLambda)}, expected a function or one function per parameter group)`);
    }
    const lambdas: unknown[] = typeof lrLambda === 'function' ? optimizer.paramGroups.map(() => lrLambda) : [...lrLambda];
    ensure(lambdas.length === optimizer.paramGroups.length && lambdas.every((f) => typeof f === 'function'), 'LambdaLR',
      `expected one lrLambda function per parameter group (${optimizer.paramGroups.length}), got ${lambdas.length}`);
    super(optimizer, (epoch, baseLr, group) => baseLr * (lambdas[group] as (e: number) => number)(epoch));
  }
}
