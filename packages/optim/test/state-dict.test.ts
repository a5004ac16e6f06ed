// Resuming from a state dict continues bit-for-bit like an uninterrupted run: directly, through
// JSON + flat tensors, through autograd's byte format, and through a file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deserializeTensors, serializeTensors, tensor, type DType, type Tensor } from '@tapegrad/autograd';
import { loadTensors, saveTensors } from '@tapegrad/autograd/node';
import {
  Adagrad, Adam, AdamW, CosineAnnealingLR, LinearLR, ReduceLROnPlateau, RMSprop, SGD, SequentialLR,
  flattenStateDict, unflattenStateDict, type Optimizer, type OptimizerStateDict, type ParamGroupInput,
} from '@tapegrad/optim';

const INIT = { w: [[0.5, -1, 2], [1.5, 0, -0.5]], b: [0.1, -0.2, 0.3], frozen: [7, 8] };
const TARGET = tensor([[1, 2, 3], [-1, -2, -3]], { dtype: 'float64' });

/** Fresh parameters from `values` (or INIT) in `dtype`. */
function makeParams(dtype: DType, values: Record<string, Tensor> | null = null) {
  const from = (name: keyof typeof INIT) =>
    values ? tensor(values[name]!.contiguousData(), { dtype, shape: values[name]!.shape, requiresGrad: true }) : tensor(INIT[name], { dtype, requiresGrad: true });
  return { w: from('w'), b: from('b'), frozen: from('frozen') };
}
type Params = ReturnType<typeof makeParams>;

const lossOf = ({ w, b }: Params) => w.sub(TARGET.toDType(w.dtype)).square().sum().add(b.sin().mul(b).sum());
const groupsOf = (p: Params): ParamGroupInput[] => [{ params: [p.w] }, { params: [p.frozen, p.b], lr: 0.02 }];

function steps(optimizer: Optimizer, p: Params, n: number): void {
  for (let i = 0; i < n; i++) {
    optimizer.zeroGrad();
    lossOf(p).backward(); // frozen gets no gradient: it must keep no state and stay put
    optimizer.step();
  }
}

/** Copies of the parameter values (a checkpoint must not alias the live parameters). */
const copyOf = (p: Params): Record<string, Tensor> => Object.fromEntries(Object.entries(p).map(([k, t]) => [k, t.detach().clone()]));

const bits = (p: Params) => Object.values(p).map((t) => Array.from(t.contiguousData()));

const cases: [string, (groups: ParamGroupInput[]) => Optimizer][] = [
  ['SGD momentum', (g) => new SGD(g, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 })],
  ['SGD nesterov', (g) => new SGD(g, { lr: 0.05, momentum: 0.8, nesterov: true })],
  ['Adam amsgrad', (g) => new Adam(g, { lr: 0.05, amsgrad: true, weightDecay: 0.01 })],
  ['AdamW', (g) => new AdamW(g, { lr: 0.05 })],
  ['RMSprop centered momentum', (g) => new RMSprop(g, { lr: 0.01, centered: true, momentum: 0.5 })],
  ['Adagrad', (g) => new Adagrad(g, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
];

const dir = mkdtempSync(join(tmpdir(), 'tapegrad-optim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Ways a checkpoint (parameter values + optimizer state) travels from one run to the next. */
const transports: Record<string, (p: Params, sd: OptimizerStateDict) => { values: Record<string, Tensor>; sd: OptimizerStateDict }> = {
  'the state dict object': (p, sd) => ({ values: copyOf(p), sd }),
  'flat tensors + JSON metadata': (p, sd) => {
    const { tensors, meta } = flattenStateDict(sd);
    return { values: copyOf(p), sd: unflattenStateDict(tensors, JSON.parse(JSON.stringify(meta))) };
  },
  'serializeTensors bytes': (p, sd) => {
    const { tensors, meta } = flattenStateDict(sd, 'optim.');
    const file = deserializeTensors(serializeTensors({ ...p, ...tensors }, { optim: meta }));
    return { values: file.tensors, sd: unflattenStateDict(file.tensors, (file.meta as { optim: unknown }).optim, 'optim.') };
  },
  'saveTensors / loadTensors': (p, sd) => {
    const { tensors, meta } = flattenStateDict(sd, 'optim.');
    const path = join(dir, 'checkpoint.tg');
    saveTensors(path, { ...p, ...tensors }, { optim: meta });
    const file = loadTensors(path);
    return { values: file.tensors, sd: unflattenStateDict(file.tensors, (file.meta as { optim: unknown }).optim, 'optim.') };
  },
};

describe('resuming from a state dict is bit-identical to an uninterrupted run', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const [name, make] of cases) {
      for (const [via, transport] of Object.entries(transports)) {
        if (dtype === 'float32' && via !== 'saveTensors / loadTensors') continue;
        it(`${name} (${dtype}) via ${via}`, () => {
          const straight = makeParams(dtype);
          steps(make(groupsOf(straight)), straight, 7);

          const first = makeParams(dtype);
          const before = make(groupsOf(first));
          steps(before, first, 3);
          const { values, sd } = transport(first, before.stateDict());
          steps(before, first, 1); // training on must not leak into the snapshot
          const resumed = makeParams(dtype, values);
          const after = make(groupsOf(resumed));
          after.loadStateDict(sd);
          expect(after.state.has(resumed.frozen)).toBe(false);
          steps(after, resumed, 4);
          expect(bits(resumed)).toEqual(bits(straight));
        });
      }
    }
  }
});

describe('state dict contents and errors', () => {
  it('lists groups with parameter indices and per-parameter state by index', () => {
    const p = makeParams('float64');
    const adam = new Adam(groupsOf(p), { lr: 0.05 });
    steps(adam, p, 2);
    const sd = adam.stateDict();
    expect(sd.paramGroups).toEqual([
      { params: [0], lr: 0.05, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
      { params: [1, 2], lr: 0.02, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
    ]);
    expect(Object.keys(sd.state)).toEqual(['0', '2']); // index 1 (frozen) has no gradient, so no state
    expect(sd.state[2]!.step).toBe(2);
    expect(Object.keys(flattenStateDict(sd).tensors).sort()).toEqual(['state.0.expAvg', 'state.0.expAvgSq', 'state.2.expAvg', 'state.2.expAvgSq']);
  });

  it('restores hyper-parameters changed since construction and casts state to the parameter dtype', () => {
    const p64 = makeParams('float64');
    const sgd = new SGD(groupsOf(p64), { lr: 0.05, momentum: 0.9 });
    steps(sgd, p64, 2);
    sgd.paramGroups[0]!.lr = 0.001;
    const p32 = makeParams('float32');
    const other = new SGD(groupsOf(p32), { lr: 0.05, momentum: 0.9 });
    other.loadStateDict(sgd.stateDict());
    expect(other.paramGroups.map((g) => g.lr)).toEqual([0.001, 0.02]);
    expect(other.state.get(p32.w)?.momentumBuffer?.dtype).toBe('float32');
  });

  it('rejects a state dict of another layout, changing nothing', () => {
    const p = makeParams('float64');
    const adam = new Adam(groupsOf(p));
    steps(adam, p, 1);
    const sd = adam.stateDict();
    const one = makeParams('float64');
    const single = new Adam([one.w, one.b, one.frozen]);
    expect(() => single.loadStateDict(sd)).toThrow('Adam: loaded state dict has 2 parameter group(s), the optimizer has 1');
    const swapped = makeParams('float64');
    const wrongSizes = new Adam([{ params: [swapped.w, swapped.frozen] }, { params: [swapped.b] }]);
    expect(() => wrongSizes.loadStateDict(sd)).toThrow("Adam: loaded parameter group 0 has 1 parameter(s), the optimizer's has 2");
    const shapes = makeParams('float64');
    const wrongShape = new Adam([{ params: [shapes.b] }, { params: [shapes.frozen, shapes.w] }]);
    expect(() => wrongShape.loadStateDict(sd)).toThrow("Adam: loaded state 'expAvg' of parameter 0 has shape [2,3], the parameter has shape [3]");
    const bad = { ...sd, paramGroups: sd.paramGroups.map((g) => ({ ...g, lr: -1 })) };
    const fresh = makeParams('float64');
    const target = new Adam(groupsOf(fresh), { lr: 0.3 });
    expect(() => target.loadStateDict(bad)).toThrow('Adam: invalid lr (got -1');
    expect(target.paramGroups[0]!.lr).toBe(0.3);
    expect(target.state.size).toBe(0);
  });

  it('unflattenStateDict checks the metadata and that every tensor is present', () => {
    const p = makeParams('float64');
    const adam = new Adam([p.w]);
    steps(adam, p, 1);
    const { tensors, meta } = flattenStateDict(adam.stateDict());
    expect(() => unflattenStateDict(tensors, { epoch: 3 })).toThrow("unflattenStateDict: metadata is not an optimizer state (expected format 'tapegrad-optimizer-state')");
    expect(() => unflattenStateDict({}, meta)).toThrow("unflattenStateDict: tensor 'state.0.expAvg' is missing");
  });
});

describe('resuming with a scheduler', () => {
  function run(p: Params, epochs: number[], resumeFrom?: { optim: OptimizerStateDict; sched: string; plateau: string }) {
    const optimizer = new SGD(groupsOf(p), { lr: 0.05, momentum: 0.9 });
    const warmup = new LinearLR(optimizer, { startFactor: 0.2, totalIters: 3 });
    const cosine = new CosineAnnealingLR(optimizer, { tMax: 6, etaMin: 0.001 });
    const scheduler = new SequentialLR(optimizer, { schedulers: [warmup, cosine], milestones: [3] });
    const plateau = new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.5, threshold: 0.5 });
    if (resumeFrom) {
      optimizer.loadStateDict(resumeFrom.optim);
      scheduler.loadStateDict(JSON.parse(resumeFrom.sched));
      plateau.loadStateDict(JSON.parse(resumeFrom.plateau));
    }
    const lrs: number[][] = [];
    for (const _ of epochs) {
      steps(optimizer, p, 2);
      lrs.push(optimizer.paramGroups.map((g) => g.lr));
      // Both kinds of scheduler on one optimizer: SequentialLR recomputes from the epoch, and the
      // plateau scheduler sees the loss (an odd pairing, but it exercises both state dicts).
      scheduler.step();
      plateau.step(lossOf(p).item());
    }
    return { lrs, save: { optim: optimizer.stateDict(), sched: JSON.stringify(scheduler.stateDict()), plateau: JSON.stringify(plateau.stateDict()) } };
  }

  it('continues with the same learning rates and parameters', () => {
    const straight = makeParams('float64');
    const all = run(straight, [0, 1, 2, 3, 4, 5, 6, 7]);
    const first = makeParams('float64');
    const head = run(first, [0, 1, 2, 3]);
    const resumed = makeParams('float64', { ...first });
    const tail = run(resumed, [4, 5, 6, 7], head.save);
    expect([...head.lrs, ...tail.lrs]).toEqual(all.lrs);
    expect(bits(resumed)).toEqual(bits(straight));
  });
});
