// Learning-rate sequences against hand-computed values, and ReduceLROnPlateau on scripted metrics.
import { describe, expect, it } from 'vitest';
import {
  CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, LRScheduler, MultiStepLR, ReduceLROnPlateau, SGD, SequentialLR, StepLR,
  type ReduceLROnPlateauOptions,
} from '@tapegrad/optim';
import { expectClose, param } from './helpers.js';

/** An optimizer with one group per base rate. */
const sgd = (...lrs: number[]) => new SGD(lrs.map((lr) => ({ params: [param([0])], lr })));

/** The rate of group 0 at construction and after each of `epochs` steps. */
function sequence(scheduler: LRScheduler, epochs: number): number[] {
  const lrs = [scheduler.getLastLr()[0]!];
  for (let e = 0; e < epochs; e++) {
    scheduler.step();
    lrs.push(scheduler.getLastLr()[0]!);
    expect(scheduler.optimizer.paramGroups[0]!.lr).toBe(lrs.at(-1));
  }
  return lrs;
}

describe('closed-form schedulers', () => {
  it('StepLR decays by gamma every stepSize epochs', () => {
    expectClose(sequence(new StepLR(sgd(1), { stepSize: 3, gamma: 0.5 }), 7), [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
  });

  it('MultiStepLR decays at each milestone (given in any order)', () => {
    expectClose(sequence(new MultiStepLR(sgd(0.1), { milestones: [4, 2] }), 5), [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]);
  });

  it('ExponentialLR decays every epoch', () => {
    expectClose(sequence(new ExponentialLR(sgd(2), { gamma: 0.5 }), 3), [2, 1, 0.5, 0.25]);
  });

  it('CosineAnnealingLR follows half a cosine down to etaMin, then back up', () => {
    // 0.1 + 0.9·(1 + cos(πe/4))/2 for e = 0..6
    const expected = [1, 0.8681980515339464, 0.55, 0.23180194846605367, 0.1, 0.23180194846605356, 0.55];
    expectClose(sequence(new CosineAnnealingLR(sgd(1), { tMax: 4, etaMin: 0.1 }), 6), expected, 1e-12);
  });

  it('LinearLR ramps the factor from startFactor to endFactor, then holds', () => {
    expectClose(sequence(new LinearLR(sgd(0.4), { startFactor: 0.25, totalIters: 3 }), 5), [0.1, 0.2, 0.3, 0.4, 0.4, 0.4]);
    expectClose(sequence(new LinearLR(sgd(1), { startFactor: 1, endFactor: 0, totalIters: 4 }), 5), [1, 0.75, 0.5, 0.25, 0, 0]);
    const defaults = new LinearLR(sgd(3));
    expectClose(sequence(defaults, 5), [1, 1.4, 1.8, 2.2, 2.6, 3]);
  });

  it('LambdaLR multiplies each group’s base rate by its own function', () => {
    const scheduler = new LambdaLR(sgd(1, 10), { lrLambda: [(e) => 1 / (e + 1), (e) => e] });
    expect(scheduler.getLastLr()).toEqual([1, 0]);
    scheduler.step();
    scheduler.step();
    expect(scheduler.getLastLr()).toEqual([1 / 3, 20]);
  });

  it('applies the schedule to every group from its own base rate', () => {
    const scheduler = new StepLR(sgd(1, 0.1), { stepSize: 1, gamma: 0.1 });
    scheduler.step();
    expectClose(scheduler.getLastLr(), [0.1, 0.01], 1e-15);
    expect(scheduler.baseLrs).toEqual([1, 0.1]);
  });

  it('lrAt reads the schedule without changing anything', () => {
    const optimizer = sgd(1);
    const scheduler = new StepLR(optimizer, { stepSize: 10 });
    expect(scheduler.lrAt(25, 1)).toBeCloseTo(0.01, 15);
    expect(optimizer.paramGroups[0]!.lr).toBe(1);
  });

  it('rejects bad options, naming the scheduler and value', () => {
    expect(() => new StepLR(sgd(1), { stepSize: 0 })).toThrow('StepLR: invalid stepSize (got 0, expected an integer >= 1)');
    expect(() => new StepLR(sgd(1), { stepSize: 2, gamma: -1 })).toThrow('StepLR: invalid gamma (got -1, expected a finite number > 0)');
    expect(() => new MultiStepLR(sgd(1), { milestones: [2, 1.5] })).toThrow('MultiStepLR: invalid milestones[1] (got 1.5, expected an integer >= 0)');
    expect(() => new ExponentialLR(sgd(1), { gamma: 0 })).toThrow('ExponentialLR: invalid gamma (got 0');
    expect(() => new CosineAnnealingLR(sgd(1), { tMax: 0 })).toThrow('CosineAnnealingLR: invalid tMax (got 0');
    expect(() => new CosineAnnealingLR(sgd(1), { tMax: 5, etaMin: -1 })).toThrow('CosineAnnealingLR: invalid etaMin (got -1');
    expect(() => new LinearLR(sgd(1), { startFactor: 0 })).toThrow('LinearLR: invalid startFactor (got 0, expected a number in (0, 1])');
    expect(() => new LinearLR(sgd(1), { endFactor: 2 })).toThrow('LinearLR: invalid endFactor (got 2, expected a number in [0, 1])');
    expect(() => new LambdaLR(sgd(1, 2), { lrLambda: [() => 1] })).toThrow('LambdaLR: expected one lrLambda function per parameter group (2), got 1');
  });
});

describe('SequentialLR', () => {
  it('runs a linear warm-up, then cosine annealing from its own epoch 0', () => {
    const optimizer = sgd(1);
    const warmup = new LinearLR(optimizer, { startFactor: 0.5, totalIters: 2 });
    const cosine = new CosineAnnealingLR(optimizer, { tMax: 2 });
    expect(optimizer.paramGroups[0]!.initialLr).toBe(1); // the cosine phase starts from 1, not from the warm-up's 0.5
    const scheduler = new SequentialLR(optimizer, { schedulers: [warmup, cosine], milestones: [2] });
    // warm-up 0.5, 0.75; cosine 1, 0.5, 0 and rising again
    expectClose(sequence(scheduler, 5), [0.5, 0.75, 1, 0.5, 0, 0.5], 1e-12, 1e-15);
  });

  it('supports several phases', () => {
    const optimizer = sgd(1);
    const phases = [new LinearLR(optimizer, { startFactor: 0.1, totalIters: 1 }), new StepLR(optimizer, { stepSize: 1, gamma: 0.5 }), new ExponentialLR(optimizer, { gamma: 1 })];
    const scheduler = new SequentialLR(optimizer, { schedulers: phases, milestones: [1, 3] });
    expectClose(sequence(scheduler, 4), [0.1, 1, 0.5, 1, 1]);
  });

  it('restores progress from its state dict, rates included', () => {
    const make = () => {
      const optimizer = sgd(1);
      const phases = [new LinearLR(optimizer, { startFactor: 0.1, totalIters: 3 }), new CosineAnnealingLR(optimizer, { tMax: 10 })];
      return new SequentialLR(optimizer, { schedulers: phases, milestones: [3] });
    };
    const straight = sequence(make(), 8);
    const first = make();
    const head = sequence(first, 4);
    const second = make();
    second.loadStateDict(JSON.parse(JSON.stringify(first.stateDict())));
    expect(second.optimizer.paramGroups[0]!.lr).toBe(head.at(-1));
    expect([...head, ...sequence(second, 4).slice(1)]).toEqual(straight);
  });

  it('rejects mismatched schedulers and milestones', () => {
    const optimizer = sgd(1);
    const a = new StepLR(optimizer, { stepSize: 1 });
    const b = new ExponentialLR(optimizer, { gamma: 0.9 });
    expect(() => new SequentialLR(optimizer, { schedulers: [a, b], milestones: [] })).toThrow('SequentialLR: expected one more scheduler than milestones, got 2 scheduler(s) and 0 milestone(s)');
    expect(() => new SequentialLR(optimizer, { schedulers: [a, b, a], milestones: [3, 2] })).toThrow('SequentialLR: invalid milestones (got [3,2], expected increasing integers)');
    expect(() => new SequentialLR(sgd(1), { schedulers: [a, b], milestones: [2] })).toThrow('SequentialLR: schedulers[0] is attached to a different optimizer');
    expect(() => new SequentialLR(optimizer, { schedulers: [a, new ReduceLROnPlateau(optimizer) as never], milestones: [2] })).toThrow('SequentialLR: schedulers[1] is not a closed-form LRScheduler');
  });
});

describe('ReduceLROnPlateau', () => {
  /** The epochs (1-based step counts) at which the rate of group 0 dropped, and the final rates. */
  function reductions(metrics: number[], options: ReduceLROnPlateauOptions, lrs = [1]) {
    const scheduler = new ReduceLROnPlateau(sgd(...lrs), options);
    const at: number[] = [];
    metrics.forEach((m, i) => {
      const before = scheduler.getLastLr()[0]!;
      scheduler.step(m);
      if (scheduler.getLastLr()[0]! < before) at.push(i + 1);
    });
    return { at, lrs: scheduler.getLastLr() };
  }

  it('reduces after more than `patience` epochs without a relative improvement', () => {
    // e1 10 best; e2 9 best; e3-e5 equal: bad 1, 2, 3 > 2 → reduce at 5; e6 8 best;
    // e7 7.9995 is not below 8·(1 − 1e-4) = 7.9992: bad 1; e8, e9 bad 2, 3 → reduce at 9.
    const { at, lrs } = reductions([10, 9, 9, 9, 9, 8, 7.9995, 8.5, 8.5, 7], { patience: 2, factor: 0.5 });
    expect(at).toEqual([5, 9]);
    expect(lrs).toEqual([0.25]);
  });

  it('waits `cooldown` epochs after a reduction before counting bad epochs', () => {
    // patience 0: every non-improving epoch outside cooldown reduces; cooldown 2 skips two epochs.
    expect(reductions([1, 1, 1, 1, 1, 1, 1, 1], { patience: 0, cooldown: 2 }).at).toEqual([2, 5, 8]);
  });

  it('in max mode with an absolute threshold, needs an increase above best + threshold', () => {
    // e1 0.5 best; e2 0.55, e3 0.58 not above 0.6: bad 1, 2 > 1 → reduce at 3; e4 0.7 best;
    // e5 0.75, e6 0.79 not above 0.8 → reduce at 6.
    const { at } = reductions([0.5, 0.55, 0.58, 0.7, 0.75, 0.79], { mode: 'max', thresholdMode: 'abs', threshold: 0.1, patience: 1 });
    expect(at).toEqual([3, 6]);
  });

  it('never goes below minLr (per group), skipping reductions smaller than eps', () => {
    const { lrs } = reductions([1, 1, 1, 1, 1, 1], { patience: 0, factor: 0.1, minLr: [0.05, 0] }, [1, 1]);
    expectClose(lrs, [0.05, 1e-5], 1e-12);
    expect(reductions([1, 1, 1], { patience: 0, factor: 0.5, eps: 0.6 }).lrs).toEqual([1]);
  });

  it('restores its progress from a JSON state dict, including an infinite best', () => {
    const optimizer = sgd(1);
    const scheduler = new ReduceLROnPlateau(optimizer, { patience: 1, factor: 0.5 });
    expect(JSON.parse(JSON.stringify(scheduler.stateDict())).best).toBe('Infinity');
    scheduler.step(3);
    scheduler.step(3);
    const saved = JSON.stringify(scheduler.stateDict());
    const resumed = new ReduceLROnPlateau(sgd(1), { patience: 1, factor: 0.5 });
    resumed.loadStateDict(JSON.parse(saved));
    expect(resumed.best).toBe(3);
    expect(resumed.numBadEpochs).toBe(1);
    resumed.step(3); // the third flat epoch reduces, as it would have without the interruption
    expect(resumed.getLastLr()).toEqual([0.5]);
    expect(resumed.optimizer.paramGroups[0]!.lr).toBe(0.5);
  });

  it('rejects bad options and metrics', () => {
    expect(() => new ReduceLROnPlateau(sgd(1), { factor: 1 })).toThrow('ReduceLROnPlateau: invalid factor (got 1, expected a number in [0, 1))');
    expect(() => new ReduceLROnPlateau(sgd(1), { mode: 'up' as never })).toThrow(`ReduceLROnPlateau: invalid mode (got a string "up", expected one of 'min', 'max')`);
    expect(() => new ReduceLROnPlateau(sgd(1), { patience: -1 })).toThrow('ReduceLROnPlateau: invalid patience (got -1, expected an integer >= 0)');
    expect(() => new ReduceLROnPlateau(sgd(1, 2), { minLr: [0] })).toThrow('ReduceLROnPlateau: got 1 minLr value(s) for 2 parameter group(s)');
    expect(() => new ReduceLROnPlateau(sgd(1)).step(undefined as never)).toThrow('ReduceLROnPlateau: step expects the epoch');
  });
});
