// One schedule after another, e.g. a linear warm-up then cosine annealing. Each phase's schedule
// restarts its epoch count at its milestone, as PyTorch's SequentialLR does.
import { checkArray, checkInteger, checkOptionsOf, ensure } from './checks.js';
import { LRScheduler, checkOptimizer } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';

/**
 * Options of {@link SequentialLR}.
 *
 * @example
 * ```ts
 * const opts: SequentialLROptions = { schedulers: [warmup, cosine], milestones: [5] };
 * ```
 * @category Schedulers
 */
export interface SequentialLROptions {
  /** The phases' schedulers, built on the same optimizer. */
  schedulers: readonly LRScheduler[];
  /** Epochs at which each phase after the first begins (increasing, one fewer than schedulers). */
  milestones: readonly number[];
}

/**
 * Runs schedulers one after another: before `milestones[0]` the first, then the second from its
 * own epoch 0, and so on. Step only the SequentialLR (the phases are consulted, never stepped).
 *
 * @example
 * ```ts
 * const optimizer = new AdamW(model.parameters(), { lr: 1e-3 });
 * const warmup = new LinearLR(optimizer, { startFactor: 0.01, totalIters: 5 });
 * const cosine = new CosineAnnealingLR(optimizer, { tMax: 95, etaMin: 1e-5 });
 * const scheduler = new SequentialLR(optimizer, { schedulers: [warmup, cosine], milestones: [5] });
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   trainOneEpoch();
 *   scheduler.step();
 * }
 * ```
 * @category Schedulers
 */
export class SequentialLR extends LRScheduler {
  /**
   * Attaches to `optimizer` and sets the first phase's epoch-0 rates.
   *
   * @example
   * ```ts
   * new SequentialLR(optimizer, { schedulers: [warmup, cosine], milestones: [5] });
   * ```
   */
  constructor(optimizer: Optimizer, options: SequentialLROptions) {
    checkOptimizer('SequentialLR', optimizer);
    const o = checkOptionsOf<SequentialLROptions>('SequentialLR', options, ['schedulers', 'milestones']);
    checkArray('SequentialLR', 'schedulers', o.schedulers, 'an array of LRSchedulers');
    checkArray('SequentialLR', 'milestones', o.milestones, 'an array of increasing positive integers');
    const schedulers = [...o.schedulers];
    const milestones = [...o.milestones];
    ensure(schedulers.length > 0 && schedulers.length === milestones.length + 1, 'SequentialLR',
      `expected one more scheduler than milestones, got ${schedulers.length} scheduler(s) and ${milestones.length} milestone(s)`);
    schedulers.forEach((s, i) => {
      ensure(s instanceof LRScheduler, 'SequentialLR', `schedulers[${i}] is not a closed-form LRScheduler (ReduceLROnPlateau cannot be sequenced)`);
      ensure(s.optimizer === optimizer, 'SequentialLR', `schedulers[${i}] is attached to a different optimizer`);
    });
    milestones.forEach((m, i) => {
      checkInteger('SequentialLR', `milestones[${i}]`, m, 1);
      ensure(i === 0 || m > milestones[i - 1]!, 'SequentialLR', `invalid milestones (got ${JSON.stringify(milestones)}, expected increasing integers)`);
    });
    super(optimizer, (epoch, baseLr, group) => {
      const phase = milestones.filter((m) => m <= epoch).length;
      const start = phase === 0 ? 0 : milestones[phase - 1]!;
      return schedulers[phase]!.lrAt(epoch - start, baseLr, group);
    });
  }
}
