// Bad input to optimizers and schedulers: a clear error naming the class, and nothing changed —
// no parameter moves, no state is created or advanced, no learning rate is touched.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randn, tensor, zeros, type DType, type Tensor } from '@tapegrad/autograd';
import {
  Adagrad, Adam, AdamW, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, MultiStepLR, RMSprop, ReduceLROnPlateau, SGD,
  SequentialLR, StepLR, clipGradNorm, decodeJson, encodeJson, flattenStateDict, unflattenStateDict, type Optimizer,
} from '@tapegrad/optim';

type Make = (params: Tensor[], options?: object) => Optimizer;
const optimizers: [string, Make, object][] = [
  ['SGD', (p, o) => new SGD(p, o as never), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }],
  ['Adam', (p, o) => new Adam(p, o as never), { lr: 0.1, amsgrad: true, weightDecay: 0.01 }],
  ['AdamW', (p, o) => new AdamW(p, o as never), { lr: 0.1 }],
  ['RMSprop', (p, o) => new RMSprop(p, o as never), { lr: 0.1, momentum: 0.5, centered: true }],
  ['Adagrad', (p, o) => new Adagrad(p, o as never), { lr: 0.1, lrDecay: 0.01 }],
];

/** Parameters large enough for the float32 SIMD kernels' vector loop and tail (37 elements). */
const makeParams = (dtype: DType): Tensor[] => [randn([37], { dtype }).requiresGrad_(), randn([3, 4], { dtype }).requiresGrad_(), randn([5], { dtype }).requiresGrad_()];

const snapshot = (o: Optimizer): string =>
  JSON.stringify({
    params: o.paramGroups.flatMap((g) => g.params.map((p) => p.toArray())),
    state: o.stateDict(),
    lr: o.paramGroups.map((g) => g.lr),
  }, (_k, v) => (v instanceof Object && 'toArray' in v ? (v as Tensor).toArray() : v));

const badGrads: [string, (p: Tensor) => unknown][] = [
  ['wrong shape', (p) => zeros([p.size + 1], { dtype: p.dtype })],
  ['wrong dtype', (p) => zeros(p.shape, { dtype: p.dtype === 'float32' ? 'float64' : 'float32' })],
  ['a plain array', (p) => Array(p.size).fill(0)],
  ['a number', () => 1],
  ['transposed shape', (p) => zeros([...p.shape].reverse().concat(p.ndim === 1 ? [1] : []), { dtype: p.dtype })],
];

describe.each(optimizers)('%s.step with one bad gradient', (name, make, options) => {
  it.each(['float32', 'float64'] as DType[])('changes no parameter and no state (%s, incl. the fused SIMD path)', (dtype) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: badGrads.length - 1 }), fc.integer({ min: 0, max: 2 }), (which, kind, warm) => {
        const params = makeParams(dtype);
        const opt = make(params, options);
        for (let i = 0; i < warm; i++) {
          for (const p of params) p.grad = randn(p.shape, { dtype });
          opt.step();
        }
        for (const p of params) p.grad = randn(p.shape, { dtype });
        const [label, bad] = badGrads[kind]!;
        if (label === 'transposed shape' && params[which]!.ndim === 1 && params[which]!.shape[0] === 1) return;
        (params[which] as { grad: unknown }).grad = bad(params[which]!);
        const before = snapshot(opt);
        expect(() => opt.step()).toThrow(new RegExp(`^${name}: paramGroups\\[0\\]\\.params\\[${which}\\]\\.grad`));
        expect(snapshot(opt)).toBe(before);
      }),
      { seed: 9, numRuns: 15 },
    );
  });
});

describe('optimizer options', () => {
  const w = (): Tensor[] => [tensor([1, 2], { requiresGrad: true })];
  it.each(optimizers)('%s refuses unknown keys, non-objects and out-of-range values', (name, make) => {
    expect(() => make(w(), { lr: 0.1, learningRate: 0.1 })).toThrow(`${name}: unexpected option 'learningRate'`);
    for (const bad of ['abc', 5, [1], true, null]) expect(() => make(w(), bad as never)).toThrow(new RegExp(`^${name}: `));
    for (const lr of [-1, NaN, Infinity, '0.1', null]) expect(() => make(w(), { lr } as never)).toThrow(`${name}: invalid lr (got `);
    expect(() => make(w(), { weightDecay: -0.1 })).toThrow(`${name}: invalid weightDecay (got -0.1, expected a finite number >= 0)`);
    expect(() => make(undefined as never)).toThrow(`${name}: params must be tensors or parameter groups (got undefined`);
    expect(() => make('abc' as never)).toThrow(`${name}: params must be tensors or parameter groups (got a string`);
    expect(() => make([{ params: w(), lr: 0.1, momentun: 0.9 }] as never)).toThrow(`${name}: parameter group 0: unexpected option 'momentun'`);
    expect(() => make([{ params: 3 }] as never)).toThrow(`${name}: parameter group 0: params must be tensors (got 3`);
  });

  it('checks betas and momentum ranges as PyTorch does', () => {
    for (const betas of [[1, 0.9], [0.9, -0.1], [0.9], 'ab', [NaN, 0.9]]) expect(() => new Adam(w(), { betas } as never)).toThrow(/^Adam: invalid betas/);
    expect(() => new SGD(w(), { momentum: -0.5 })).toThrow('SGD: invalid momentum (got -0.5');
    expect(() => new RMSprop(w(), { alpha: 1.5 })).toThrow('RMSprop: invalid alpha (got 1.5');
    expect(() => new SGD(w(), { nesterov: 'yes' } as never)).toThrow('SGD: invalid nesterov (got a string "yes", expected true or false)');
  });
});

describe('loadStateDict from a different optimizer', () => {
  it('refuses SGD state in Adam (and Adam state in RMSprop), changing nothing', () => {
    const params = makeParams('float64');
    const sgd = new SGD(params, { lr: 0.1, momentum: 0.9 });
    const adam = new Adam(makeParams('float64'), { lr: 0.01 });
    const rms = new RMSprop(makeParams('float64'), { lr: 0.01 });
    for (const o of [sgd, adam, rms]) {
      for (const g of o.paramGroups) for (const p of g.params) p.grad = randn(p.shape, { dtype: 'float64' });
      o.step();
    }
    const before = snapshot(adam);
    expect(() => adam.loadStateDict(sgd.stateDict())).toThrow(/^Adam: loaded parameter group 0 has hyper-parameter '(momentum|dampening|nesterov)', which Adam does not have \(was it saved from a different optimizer\?\)/);
    expect(snapshot(adam)).toBe(before);
    // Same hyper-parameter names but other state: the state keys give it away.
    const adamState = adam.stateDict();
    const rmsBefore = snapshot(rms);
    const { betas: _b, amsgrad: _a, ...hyper } = adamState.paramGroups[0]!;
    expect(() => rms.loadStateDict({ state: adamState.state, paramGroups: [{ ...hyper, params: hyper.params as number[] }] })).toThrow(/^RMSprop: loaded state of parameter 0 has 'expAvg', which RMSprop does not keep/);
    expect(snapshot(rms)).toBe(rmsBefore);
  });

  it('refuses a state dict that is not one, a non-integer step and a NaN hyper-parameter', () => {
    const adam = new Adam(makeParams('float64'), { lr: 0.01 });
    for (const g of adam.paramGroups) for (const p of g.params) p.grad = randn(p.shape, { dtype: 'float64' });
    adam.step();
    const before = snapshot(adam);
    const good = adam.stateDict();
    for (const bad of [null, 'abc', 3, [], { state: {} }, { paramGroups: [] }]) expect(() => adam.loadStateDict(bad as never)).toThrow(/^Adam: loadStateDict expects \{ state, paramGroups \}/);
    expect(() => adam.loadStateDict({ ...good, state: { ...good.state, 0: { ...good.state[0]!, step: 1.5 } } })).toThrow("Adam: invalid loaded state 'step' of parameter 0 (got 1.5");
    expect(() => adam.loadStateDict({ ...good, paramGroups: [{ ...good.paramGroups[0]!, eps: NaN }] })).toThrow('Adam: invalid eps (got NaN');
    expect(() => adam.loadStateDict({ ...good, state: { 7: good.state[0]! } })).toThrow('Adam: loaded state for parameter 7, but the optimizer has 3 parameter(s)');
    expect(snapshot(adam)).toBe(before);
  });
});

describe('schedulers', () => {
  const sgd = (): SGD => new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
  const cases: [string, (o: SGD, opts: unknown) => unknown, object][] = [
    ['StepLR', (o, x) => new StepLR(o, x as never), { stepSize: 2, gamma: 0.5 }],
    ['MultiStepLR', (o, x) => new MultiStepLR(o, x as never), { milestones: [2], gamma: 0.5 }],
    ['ExponentialLR', (o, x) => new ExponentialLR(o, x as never), { gamma: 0.9 }],
    ['CosineAnnealingLR', (o, x) => new CosineAnnealingLR(o, x as never), { tMax: 5, etaMin: 0 }],
    ['LinearLR', (o, x) => new LinearLR(o, x as never), { startFactor: 0.5, endFactor: 1, totalIters: 3 }],
    ['LambdaLR', (o, x) => new LambdaLR(o, x as never), { lrLambda: () => 1 }],
    ['ReduceLROnPlateau', (o, x) => new ReduceLROnPlateau(o, x as never), { factor: 0.5, patience: 1 }],
  ];
  it.each(cases)('%s refuses a non-optimizer, unknown keys, wrong types and NaN, leaving the lr alone', (name, make, valid) => {
    const o = sgd();
    expect(() => make(undefined as never, valid)).toThrow(`${name}: optimizer must be an Optimizer (got undefined`);
    expect(() => make({ paramGroups: [] } as never, valid)).toThrow(`${name}: optimizer must be an Optimizer (got an object`);
    expect(() => make(o, { ...valid, verbose: true })).toThrow(`${name}: unexpected option 'verbose'`);
    for (const bad of ['abc', 5, [1], true]) expect(() => make(o, bad)).toThrow(new RegExp(`^${name}: `));
    for (const [key, v] of Object.entries(valid)) {
      for (const bad of typeof v === 'number' ? [NaN, 'x', {}, -1] : ['x', 3, null]) {
        if (key === 'etaMin' && bad === -1) continue;
        expect(() => make(o, { ...valid, [key]: bad }), `${key}: ${String(bad)}`).toThrow(new RegExp(`^${name}: `));
      }
    }
    expect(o.paramGroups[0]!.lr).toBe(0.1);
    expect(o.paramGroups[0]!.initialLr).toBeUndefined();
  });

  it('SequentialLR checks its lists', () => {
    const o = sgd();
    const a = new StepLR(o, { stepSize: 2 });
    expect(() => new SequentialLR(o, { schedulers: 'ab', milestones: [] } as never)).toThrow('SequentialLR: invalid schedulers (got a string "ab"');
    expect(() => new SequentialLR(o, { schedulers: [a], milestones: 3 } as never)).toThrow('SequentialLR: invalid milestones (got 3');
    expect(() => new SequentialLR(o, { schedulers: [a], milestones: [], extra: 1 } as never)).toThrow("SequentialLR: unexpected option 'extra'");
  });

  it('loadStateDict refuses a negative, NaN or non-numeric rate, changing nothing', () => {
    const o = sgd();
    const s = new StepLR(o, { stepSize: 1, gamma: 0.5 });
    s.step();
    const good = s.stateDict();
    for (const lr of [-0.1, NaN, Infinity, '0.1', null]) {
      expect(() => s.loadStateDict({ ...good, lastLr: [lr as number] })).toThrow(/^StepLR: loaded learning rate .* is not a finite number >= 0/);
      expect(() => s.loadStateDict({ ...good, baseLrs: [lr as number] })).toThrow(/^StepLR: loaded learning rate/);
    }
    expect(s.stateDict()).toEqual(good);
    expect(o.paramGroups[0]!.lr).toBe(0.05);
    const p = new ReduceLROnPlateau(o);
    const pGood = p.stateDict();
    expect(() => p.loadStateDict({ ...pGood, lastLr: [-1] })).toThrow(/^ReduceLROnPlateau: loaded learning rate -1/);
    expect(() => p.loadStateDict({ ...pGood, best: 'big' })).toThrow(/^ReduceLROnPlateau: loaded best/);
    expect(p.stateDict()).toEqual(pGood);
  });
});

describe('clipping and state-dict helpers', () => {
  it('clipGradNorm refuses non-tensor parameters and unknown options; Infinity means no limit', () => {
    const p = tensor([3, 4], { requiresGrad: true });
    p.grad = tensor([3, 4]);
    expect(() => clipGradNorm(3 as never, 1)).toThrow('clipGradNorm: parameters must be a Tensor or an iterable of Tensors (got 3');
    expect(() => clipGradNorm([p, 'x'] as never, 1)).toThrow('clipGradNorm: parameters[1] must be a Tensor');
    expect(() => clipGradNorm([p], 1, 2, { errorIfNonFinite: true } as never)).toThrow("clipGradNorm: unexpected option 'errorIfNonFinite'");
    expect(clipGradNorm([p], Infinity)).toBeCloseTo(5);
    expect(p.grad.toArray()).toEqual([3, 4]);
  });

  it('encodeJson/decodeJson refuse what JSON cannot hold instead of dropping it', () => {
    expect(() => encodeJson({ f: () => 1 })).toThrow('encodeJson: value.f is not JSON data (got a function');
    expect(() => encodeJson(10n)).toThrow('encodeJson: value is not JSON data (got a bigint 10n');
    expect(() => encodeJson(tensor([1]))).toThrow('encodeJson: value is not JSON data (got a float32 tensor of shape [1]');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeJson(cyclic)).toThrow('encodeJson: value.self refers back to itself');
    expect(() => decodeJson({ $number: 'lots' })).toThrow("decodeJson: value is not an encoded number (got a string \"lots\"");
    expect(decodeJson(encodeJson({ a: [Infinity, -Infinity, 1] }))).toEqual({ a: [Infinity, -Infinity, 1] });
  });

  it('flattenStateDict/unflattenStateDict name themselves for malformed input', () => {
    expect(() => flattenStateDict('abc' as never)).toThrow('flattenStateDict: stateDict must be an optimizer state dict (got a string');
    expect(() => flattenStateDict({ state: {}, paramGroups: [] }, 3 as never)).toThrow('flattenStateDict: prefix must be a string (got 3');
    expect(() => flattenStateDict({ state: { 0: { step: 'x' } }, paramGroups: [] } as never)).toThrow('flattenStateDict: state[0].step must be a Tensor or a number');
    const { meta } = flattenStateDict({ state: { 0: { step: 1 } }, paramGroups: [] });
    expect(() => unflattenStateDict(null as never, meta)).toThrow('unflattenStateDict: tensors must be an object of tensors by name (got null');
    expect(() => unflattenStateDict({}, { ...meta, state: { 0: { numbers: { step: 'x' }, tensors: [] } } })).toThrow('unflattenStateDict: metadata state.0.numbers.step is not a number');
  });
});
