// Adam's and SGD's float32 state lives in WebAssembly memory (autograd's optimizerState), where the
// fused kernels update it in place. Training must be bit-identical to plain-array state, and state
// dicts must round-trip: snapshots are plain copies, loaded state is resident again.
import { afterEach, describe, expect, it } from 'vitest';
import { fromTyped, manualSeed, randn, type Tensor } from '@tapegrad/autograd';
import { Adam, AdamW, SGD, type Optimizer } from '@tapegrad/optim';
import { residentRegion, residentState } from '../../autograd/src/kernels/optim-state.js';

afterEach(() => { residentState.enabled = true; });

// Sizes 0, 1, below and above the SIMD threshold (64), not multiples of 4, several chunks.
const SHAPES = [[0, 3], [1], [7, 9], [65], [130, 141]];

function params(dtype: 'float32' | 'float64'): Tensor[] {
  manualSeed(3);
  return SHAPES.map((s) => randn(s, { dtype }).requiresGrad_());
}

/** `steps` steps of the optimizer `make` builds, with seeded gradients; returns params and state values. */
function run(make: (ps: Tensor[]) => Optimizer, dtype: 'float32' | 'float64', resident: boolean, steps = 6): { values: number[][]; opt: Optimizer; ps: Tensor[] } {
  residentState.enabled = resident;
  const ps = params(dtype);
  const opt = make(ps);
  manualSeed(4);
  for (let t = 0; t < steps; t++) {
    for (const p of ps) p.grad = randn(p.shape, { dtype });
    opt.step();
  }
  residentState.enabled = true;
  const values = ps.map((p) => Array.from(p.contiguousData()));
  for (const p of ps) for (const v of Object.values(opt.state.get(p) as object)) if (typeof v !== 'number') values.push(Array.from((v as Tensor).contiguousData()));
  return { values, opt, ps };
}

const OPTIMIZERS: [string, (ps: Tensor[]) => Optimizer][] = [
  ['Adam', (ps) => new Adam(ps, { lr: 0.01, weightDecay: 0.01 })],
  ['AdamW amsgrad maximize', (ps) => new AdamW(ps, { lr: 0.01, amsgrad: true, maximize: true })],
  ['SGD Nesterov', (ps) => new SGD(ps, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ['SGD dampened', (ps) => new SGD(ps, { lr: 0.01, momentum: 0.5, dampening: 0.3 })],
];

describe('optimizer state resident in WebAssembly memory', () => {
  for (const [name, make] of OPTIMIZERS) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${name}, ${dtype}: bit-identical to plain-array state`, () => {
        const resident = run(make, dtype, true), plain = run(make, dtype, false);
        expect(resident.values).toEqual(plain.values);
        for (const p of resident.ps) {
          for (const v of Object.values(resident.opt.state.get(p) as object)) {
            if (typeof v !== 'number') expect(residentRegion((v as Tensor).contiguousData()) !== undefined).toBe(dtype === 'float32' && p.size > 0);
          }
        }
      });
    }
  }

  it('stateDict snapshots are plain copies; loadStateDict makes state resident again and training continues identically', () => {
    const a = run(OPTIMIZERS[1]![1], 'float32', true, 3);
    const saved = a.opt.stateDict();
    const expAvg = saved.state[4]!.expAvg as Tensor;
    expect(residentRegion(expAvg.contiguousData())).toBeUndefined();
    const before = Array.from(expAvg.contiguousData());
    a.opt.step(); // gradients still set: the live state moves, the snapshot does not
    expect(Array.from(expAvg.contiguousData())).toEqual(before);

    residentState.enabled = true;
    const ps = params('float32');
    const b = OPTIMIZERS[1]![1](ps);
    const c = OPTIMIZERS[1]![1](params('float32'));
    b.loadStateDict(saved);
    c.loadStateDict(saved);
    const s = b.state.get(ps[4]!) as { expAvg: Tensor; expAvgSq: Tensor; maxExpAvgSq: Tensor };
    for (const t of [s.expAvg, s.expAvgSq, s.maxExpAvgSq]) expect(residentRegion(t.contiguousData())).toBeDefined();
    expect(Array.from(s.expAvg.contiguousData())).toEqual(before);
    // The same steps from the same loaded state, once resident and once with plain copies.
    for (const st of c.state.values()) for (const [k, v] of Object.entries(st)) if (typeof v !== 'number') (st as Record<string, Tensor>)[k] = fromTyped((v as Tensor).contiguousData().slice(), (v as Tensor).shape);
    const cps = c.paramGroups[0]!.params;
    manualSeed(5);
    const grads = ps.map((p) => randn(p.shape));
    ps.forEach((p, i) => { p.grad = grads[i]!; cps[i]!.grad = grads[i]!; });
    b.step();
    c.step();
    expect(ps.map((p) => Array.from(p.contiguousData()))).toEqual(cps.map((p) => Array.from(p.contiguousData())));
  });
});
