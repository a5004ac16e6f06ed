// The standard closed-form schedules (PyTorch's closed forms): decay in steps, exponentially,
// along a cosine, or linearly between two factors (warm-up).
import { checkArray, checkClosedUnitInterval, checkInteger, checkNonNegative, checkOptionsOf, checkPositive, ensure } from './checks.js';
import { LRScheduler, checkOptimizer } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';

/** How many of the sorted `milestones` are <= `epoch`. */
const passed = (milestones: readonly number[], epoch: number) => milestones.filter((m) => m <= epoch).length;

/**
 * Options of {@link StepLR}.
 *
 * @example
 * ```ts
 * const opts: StepLROptions = { stepSize: 30, gamma: 0.1 };
 * ```
 * @category Schedulers
 */
export interface StepLROptions {
  /** Epochs between decays (a positive integer). */
  stepSize: number;
  /** Factor applied at each decay (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies the rate by `gamma` every `stepSize` epochs: `lr = base · γ^⌊epoch / stepSize⌋`.
 *
 * @example
 * ```ts
 * const scheduler = new StepLR(optimizer, { stepSize: 30, gamma: 0.1 }); // 0.1 → 0.01 at epoch 30
 * ```
 * @category Schedulers
 */
export class StepLR extends LRScheduler {
  /**
   * Attaches to `optimizer` and sets the epoch-0 rates.
   *
   * @example
   * ```ts
   * new StepLR(optimizer, { stepSize: 10 });
   * ```
   */
  constructor(optimizer: Optimizer, options: StepLROptions) {
    checkOptimizer('StepLR', optimizer);
    const { stepSize, gamma = 0.1 } = checkOptionsOf<StepLROptions>('StepLR', options, ['stepSize', 'gamma']);
    checkInteger('StepLR', 'stepSize', stepSize, 1);
    checkPositive('StepLR', 'gamma', gamma);
    super(optimizer, (epoch, baseLr) => baseLr * gamma ** Math.floor(epoch / stepSize));
  }
}

/**
 * Options of {@link MultiStepLR}.
 *
 * @example
 * ```ts
 * const opts: MultiStepLROptions = { milestones: [30, 80], gamma: 0.1 };
 * ```
 * @category Schedulers
 */
export interface MultiStepLROptions {
  /** Epochs at which to decay (non-negative integers). */
  milestones: readonly number[];
  /** Factor applied at each milestone (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies the rate by `gamma` at each milestone epoch: `lr = base · γ^(milestones passed)`.
 *
 * @example
 * ```ts
 * const scheduler = new MultiStepLR(optimizer, { milestones: [30, 80] });
 * ```
 * @category Schedulers
 */
export class MultiStepLR extends LRScheduler {
  /**
   * Attaches to `optimizer` and sets the epoch-0 rates.
   *
   * @example
   * ```ts
   * new MultiStepLR(optimizer, { milestones: [5, 10], gamma: 0.5 });
   * ```
   */
  constructor(optimizer: Optimizer, options: MultiStepLROptions) {
    checkOptimizer('MultiStepLR', optimizer);
    const { gamma = 0.1, milestones: given } = checkOptionsOf<MultiStepLROptions>('MultiStepLR', options, ['milestones', 'gamma']);
    checkArray('MultiStepLR', 'milestones', given, 'an array of non-negative integers');
    given.forEach((m, i) => checkInteger('MultiStepLR', `milestones[${i}]`, m, 0));
    const milestones = [...(given as number[])].sort((a, b) => a - b);
    checkPositive('MultiStepLR', 'gamma', gamma);
    super(optimizer, (epoch, baseLr) => baseLr * gamma ** passed(milestones, epoch));
  }
}

/**
 * Options of {@link ExponentialLR}.
 *
 * @example
 * ```ts
 * const opts: ExponentialLROptions = { gamma: 0.95 };
 * ```
 * @category Schedulers
 */
export interface ExponentialLROptions {
  /** Factor applied every epoch. */
  gamma: number;
}

/**
 * Multiplies the rate by `gamma` every epoch: `lr = base · γ^epoch`.
 *
 * @example
 * ```ts
 * const scheduler = new ExponentialLR(optimizer, { gamma: 0.95 });
 * ```
 * @category Schedulers
 */
export class ExponentialLR extends LRScheduler {
  /**
   * Attaches to `optimizer` and sets the epoch-0 rates.
   *
   * @example
   * ```ts
   * new ExponentialLR(optimizer, { gamma: 0.9 });
   * ```
   */
  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    checkOptimizer('ExponentialLR', optimizer);
    const { gamma } = checkOptionsOf<ExponentialLROptions>('ExponentialLR', options, ['gamma']);
    checkPositive('ExponentialLR', 'gamma', gamma);
    super(optimizer, (epoch, baseLr) => baseLr * gamma ** epoch);
  }
}

/**
 * Options of {@link CosineAnnealingLR}.
 *
 * @example
 * ```ts
 * const opts: CosineAnnealingLROptions = { tMax: 100, etaMin: 1e-5 };
 * ```
 * @category Schedulers
 */
export interface CosineAnnealingLROptions {
  /** Epochs from the base rate down to `etaMin` (half a cosine period). */
  tMax: number;
  /** The lowest rate (default 0). */
  etaMin?: number;
}

/**
 * Anneals the rate along a cosine from the base rate to `etaMin` over `tMax` epochs:
 * `lr = ηmin + (base − ηmin)·(1 + cos(π·epoch/tMax))/2` (rising again after `tMax`, as in PyTorch).
 *
 * @example
 * ```ts
 * const scheduler = new CosineAnnealingLR(optimizer, { tMax: 50, etaMin: 1e-4 });
 * ```
 * @category Schedulers
 */
export class CosineAnnealingLR extends LRScheduler {
  /**
   * Attaches to `optimizer` and sets the epoch-0 rates.
   *
   * @example
   * ```ts
   * new CosineAnnealingLR(optimizer, { tMax: 100 });
   * ```
   */
  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    checkOptimizer('CosineAnnealingLR', optimizer);
    const { tMax, etaMin = 0 } = checkOptionsOf<CosineAnnealingLROptions>('CosineAnnealingLR', options, ['tMax', 'etaMin']);
    checkPositive('CosineAnnealingLR', 'tMax', tMax);
    checkNonNegative('CosineAnnealingLR', 'etaMin', etaMin);
    super(optimizer, (epoch, baseLr) => etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * epoch) / tMax))) / 2);
  }
}

/**
 * Options of {@link LinearLR}.
 *
 * @example
 * ```ts
 * const opts: LinearLROptions = { startFactor: 0.01, totalIters: 5 };
 * ```
 * @category Schedulers
 */
export interface LinearLROptions {
  /** Factor of the base rate at epoch 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Factor reached at `totalIters` and kept afterwards, in [0, 1] (default 1). */
  endFactor?: number;
  /** Epochs of the linear ramp (default 5). */
  totalIters?: number;
}

/**
 * Moves the rate's factor linearly from `startFactor` to `endFactor` over `totalIters` epochs,
 * then holds it: the usual linear warm-up (chain it with another schedule via {@link SequentialLR}).
 *
 * @example
 * ```ts
 * const warmup = new LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 }); // 10% → 100% over 5 epochs
 * ```
 * @category Schedulers
 */
export class LinearLR extends LRScheduler {
  /**
   * Attaches to `optimizer` and sets the epoch-0 rates.
   *
   * @example
   * ```ts
   * new LinearLR(optimizer, { startFactor: 1, endFactor: 0, totalIters: 100 }); // linear decay to 0
   * ```
   */
  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    checkOptimizer('LinearLR', optimizer);
    const { startFactor = 1 / 3, endFactor = 1, totalIters = 5 } = checkOptionsOf<LinearLROptions>('LinearLR', options, ['startFactor', 'endFactor', 'totalIters']);
    checkClosedUnitInterval('LinearLR', 'startFactor', startFactor);
    ensure(startFactor > 0, 'LinearLR', `invalid startFactor (got ${startFactor}, expected a number in (0, 1])`);
    checkClosedUnitInterval('LinearLR', 'endFactor', endFactor);
    checkInteger('LinearLR', 'totalIters', totalIters, 1);
    super(optimizer, (epoch, baseLr) => baseLr * (startFactor + ((endFactor - startFactor) * Math.min(epoch, totalIters)) / totalIters));
  }
}
