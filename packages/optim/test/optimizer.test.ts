// The Optimizer base: parameter groups, skipping parameters without gradients, staying off the
// tape, zeroGrad, and hyper-parameter validation.
import { describe, expect, it } from 'vitest';
import { isGradEnabled, noGrad, tensor, zeros, type Tensor } from '@tapegrad/autograd';
import { Adagrad, Adam, AdamW, Optimizer, RMSprop, SGD, type ParamGroup } from '@tapegrad/optim';
import { param } from './helpers.js';

describe('parameter groups', () => {
  it('merge per-group overrides over the defaults', () => {
    const [w, b, c] = [param([1, 2]), param([3]), param([4])];
    const sgd = new SGD([{ params: [w], lr: 0.5 }, { params: new Set([b, c]), momentum: 0.9 }], { lr: 0.1, weightDecay: 0.01 });
    expect(sgd.paramGroups.map(({ params, ...h }) => ({ n: params.length, ...h }))).toEqual([
      { n: 1, lr: 0.5, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.01, maximize: false },
      { n: 2, lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0.01, maximize: false },
    ]);
    for (const p of [w, b, c]) p.grad = tensor([1, 1].slice(0, p.size), { dtype: 'float64' });
    sgd.step();
    expect(w.toArray()).toEqual([1 - 0.5 * 1.01, 2 - 0.5 * 1.02]);
    expect(b.item()).toBeCloseTo(3 - 0.1 * 1.03, 14);
  });

  it('accepts generators (such as a module’s parameters()) and addParamGroup adds a group', () => {
    const w = param([1]);
    const b = param([2]);
    function* parameters(): Generator<Tensor> {
      yield w;
    }
    const adam = new Adam(parameters(), { lr: 0.1 });
    adam.addParamGroup({ params: [b], lr: 0.01, betas: [0.5, 0.5] });
    expect(adam.paramGroups[1]).toMatchObject({ lr: 0.01, betas: [0.5, 0.5], eps: 1e-8 });
    expect(() => adam.addParamGroup({ params: [w] })).toThrow('Adam: parameter group 2: params[0] (shape [1]) appears more than once across parameter groups');
    expect(() => adam.addParamGroup({ params: [b.mul(2)] })).toThrow("Adam: parameter group 2: params[0] is not a leaf (it was produced by 'mul')");
    expect(() => adam.addParamGroup({ params: [param([5])], lr: -1 })).toThrow('Adam: invalid lr (got -1, expected a finite number >= 0)');
    expect(adam.paramGroups).toHaveLength(2);
  });

  it('reject empty, mixed and duplicated parameter lists', () => {
    const w = param([1]);
    expect(() => new SGD([])).toThrow('SGD: got an empty parameter list');
    expect(() => new SGD([w, { params: [param([2])] }] as never)).toThrow('SGD: expected either tensors or parameter groups');
    expect(() => new SGD([w, w])).toThrow('SGD: parameter group 0: params[1] (shape [1]) appears more than once');
    expect(() => new RMSprop([{ params: [w] }, { params: [w] }])).toThrow('RMSprop: parameter group 1: params[0] (shape [1]) appears more than once');
    expect(() => new SGD([{ params: [1 as never] }])).toThrow('SGD: parameter group 0: params[0] is not a Tensor');
  });
});

describe('step', () => {
  it('skips parameters whose grad is null, creating no state for them', () => {
    const [w, frozen] = [param([1, 2]), param([3, 4])];
    const adam = new Adam([w, frozen], { lr: 0.1 });
    w.grad = tensor([1, -1], { dtype: 'float64' });
    adam.step();
    expect(frozen.toArray()).toEqual([3, 4]);
    expect(adam.state.has(frozen)).toBe(false);
    expect(adam.state.get(w)?.step).toBe(1);
    expect(w.toArray()).toEqual([1 - 0.1, 2 + 0.1].map((v) => expect.closeTo(v, 6)));
  });

  it('updates in place, outside the tape, while recording is on', () => {
    const w = param([1, 2, 3]);
    const storage = w.data.data;
    const sgd = new SGD([w], { lr: 0.5, momentum: 0.9 });
    w.mul(w).sum().backward();
    expect(isGradEnabled()).toBe(true);
    sgd.step();
    expect(w.data.data).toBe(storage);
    expect(w.toArray()).toEqual([0, 0, 0]);
    expect(w.isLeaf && w.requiresGrad).toBe(true);
    expect(sgd.state.get(w)?.momentumBuffer?.requiresGrad).toBe(false);
    // The updated parameter still trains: a fresh graph from it backpropagates.
    w.zeroGrad();
    w.add(1).square().sum().backward();
    expect(w.grad?.toArray()).toEqual([2, 2, 2]);
  });

  it('writes through to a strided parameter view', () => {
    const base = zeros([2, 3], { dtype: 'float64' });
    const w = base.transpose().requiresGrad_(); // a non-contiguous leaf
    w.grad = tensor([[1, 2], [3, 4], [5, 6]], { dtype: 'float64' });
    new SGD([w], { lr: 1 }).step();
    expect(base.toArray()).toEqual([[-1, -3, -5], [-2, -4, -6]]);
  });

  it('rejects a gradient of the wrong size', () => {
    const w = param([1, 2]);
    w.grad = tensor([1, 2, 3], { dtype: 'float64' });
    expect(() => new SGD([w]).step()).toThrow('SGD: paramGroups[0].params[0].grad does not match its parameter (got a float64 tensor of shape [3], expected a float64 tensor of shape [2])');
  });

  it('zeroGrad sets gradients to null, or zeroes them in place', () => {
    const w = param([1, 2]);
    const sgd = new SGD([w]);
    const g = tensor([3, 4], { dtype: 'float64' });
    w.grad = g;
    sgd.zeroGrad(false);
    expect(w.grad).toBe(g);
    expect(g.toArray()).toEqual([0, 0]);
    sgd.zeroGrad();
    expect(w.grad).toBeNull();
  });

  it('supports a custom optimizer written against the base class', () => {
    class SignSGD extends Optimizer<{ lr: number }, { flips: number }> {
      constructor(params: Iterable<Tensor>, lr = 0.1) {
        super(params, { lr });
      }
      protected override get label() {
        return 'SignSGD';
      }
      protected checkHyperParams(h: { lr: number }) {
        if (h.lr < 0) throw new Error(`SignSGD: invalid lr ${h.lr}`);
      }
      protected initState() {
        return { flips: 0 };
      }
      protected update(p: Tensor, g: Tensor, group: ParamGroup<{ lr: number }>, s: { flips: number }) {
        s.flips += 1;
        p.add_(g.sign(), -group.lr);
      }
    }
    const w = param([1, -1]);
    const opt = new SignSGD([w]);
    w.grad = tensor([5, -0.1], { dtype: 'float64' });
    opt.step();
    expect(w.toArray()).toEqual([0.9, -0.9]);
    expect(opt.stateDict().state[0]).toEqual({ flips: 1 });
    expect(() => new SignSGD([w], -1)).toThrow('SignSGD: invalid lr -1');
  });
});

describe('hyper-parameter validation names the optimizer and the value', () => {
  const w = () => [param([1])];
  const cases: [() => unknown, string][] = [
    [() => new SGD(w(), { lr: -0.1 }), 'SGD: invalid lr (got -0.1, expected a finite number >= 0)'],
    [() => new SGD(w(), { momentum: -1 }), 'SGD: invalid momentum (got -1'],
    [() => new SGD(w(), { nesterov: true }), 'SGD: invalid nesterov true with momentum 0 and dampening 0 (Nesterov momentum needs momentum > 0 and dampening 0)'],
    [() => new SGD(w(), { nesterov: true, momentum: 0.9, dampening: 0.1 }), 'SGD: invalid nesterov true with momentum 0.9 and dampening 0.1'],
    [() => new SGD(w(), { weightDecay: Number.NaN }), 'SGD: invalid weightDecay (got NaN'],
    [() => new Adam(w(), { lr: -1e-3 }), 'Adam: invalid lr (got -0.001'],
    [() => new Adam(w(), { betas: [1, 0.999] }), 'Adam: invalid betas[0] (got 1, expected a number in [0, 1))'],
    [() => new Adam(w(), { betas: [0.9, -0.1] }), 'Adam: invalid betas[1] (got -0.1, expected a number in [0, 1))'],
    [() => new Adam(w(), { betas: [0.9] as never }), 'Adam: invalid betas (got an array of length 1, expected a pair [beta1, beta2])'],
    [() => new Adam(w(), { eps: -1 }), 'Adam: invalid eps (got -1'],
    [() => new Adam(w(), { amsgrad: 'yes' as never }), 'Adam: invalid amsgrad (got a string "yes", expected true or false)'],
    [() => new AdamW(w(), { weightDecay: -0.01 }), 'AdamW: invalid weightDecay (got -0.01'],
    [() => new RMSprop(w(), { alpha: 1.5 }), 'RMSprop: invalid alpha (got 1.5, expected a number in [0, 1])'],
    [() => new RMSprop(w(), { momentum: -0.5 }), 'RMSprop: invalid momentum (got -0.5'],
    [() => new Adagrad(w(), { lrDecay: -1 }), 'Adagrad: invalid lrDecay (got -1'],
    [() => new Adagrad(w(), { initialAccumulatorValue: -0.1 }), 'Adagrad: invalid initialAccumulatorValue (got -0.1'],
  ];
  for (const [make, message] of cases) it(message, () => expect(make).toThrow(message));

  it('also checks overrides in parameter groups', () => {
    expect(() => new SGD([{ params: w() }, { params: w(), lr: -2 }], { lr: 0.1 })).toThrow('SGD: invalid lr (got -2');
  });

  it('noGrad is not required around step()', () => {
    const p = param([1]);
    p.grad = tensor([1], { dtype: 'float64' });
    noGrad(() => new SGD([p], { lr: 1 }).step());
    expect(p.item()).toBe(0);
  });
});
