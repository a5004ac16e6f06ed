import { describe, expect, it } from 'vitest';
import * as tg from '@tapegrad/autograd';
import { tensor, zeros, noGrad, detectAnomaly, gradients, type Tensor } from '@tapegrad/autograd';

const arr = (t: Tensor | null) => t!.toArray();

describe('backward', () => {
  it('accumulates into leaf .grad across two backward calls', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    x.mul(x).sum().backward();
    expect(arr(x.grad)).toEqual([3 + 2, 3 + 4]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });
  it('sums gradients over fan-out and over broadcast axes', () => {
    const x = tensor([[1], [2]], { requiresGrad: true });
    const b = tensor([10, 20, 30], { requiresGrad: true });
    const y = x.add(b);
    y.mul(y).sum().backward();
    // d/dx = sum_j 2(x+b_j), d/db_j = sum_i 2(x_i+b_j)
    expect(arr(x.grad)).toEqual([[2 * (11 + 21 + 31)], [2 * (12 + 22 + 32)]]);
    expect(arr(b.grad)).toEqual([2 * (11 + 12), 2 * (21 + 22), 2 * (31 + 32)]);
  });
  it('leaves and non-leaves: only leaves keep .grad unless retainGrad()', () => {
    const x = tensor([2], { requiresGrad: true });
    const h = x.mul(3);
    const k = x.mul(4).retainGrad();
    expect(x.isLeaf).toBe(true);
    expect(h.isLeaf).toBe(false);
    h.add(k).square().sum().backward();
    expect(h.grad).toBeNull();
    expect(arr(k.grad)).toEqual([2 * 14]);
  });
  it('a non-scalar output needs a gradient of its shape', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow('backward: gradient can be implicit only for a one-element output; got shape [2]');
    expect(() => x.mul(2).backward(zeros([3]))).toThrow('backward: gradient has shape [3] but the output has shape [2]');
    expect(() => x.mul(2).backward({ gradient: zeros([3]) })).toThrow('backward: gradient has shape [3] but the output has shape [2]');
    x.mul(2).backward(tensor([1, 10]));
    expect(arr(x.grad)).toEqual([2, 20]);
  });
  it('takes one options object { gradient, retainGraph, createGraph } as well as (gradient, options)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x);
    y.backward({ gradient: tensor([1, 10]), retainGraph: true });
    expect(arr(x.grad)).toEqual([2, 40]);
    y.backward(tensor([1, 1])); // the graph was retained
    expect(arr(x.grad)).toEqual([4, 44]);
    // createGraph alone, as the guides write it: the gradient can be differentiated again.
    const z = tensor(3, { requiresGrad: true });
    z.mul(z).mul(z).backward({ createGraph: true });
    const dz = z.grad!;
    expect(dz.item()).toBe(27);
    z.zeroGrad();
    dz.backward();
    expect(z.grad!.item()).toBe(18);
    const w = tensor(2, { requiresGrad: true });
    w.square().backward({});
    expect(w.grad!.item()).toBe(4);
  });
  it('rejects unknown options, options given twice and a gradient that is not a tensor, before running', () => {
    const x = tensor(2, { requiresGrad: true });
    const y = x.square();
    expect(() => y.backward({ retain_graph: true } as never)).toThrow("backward: unknown option 'retain_graph'; expected gradient, retainGraph, createGraph");
    expect(() => y.backward(undefined, { gradient: tensor(1) } as never)).toThrow("backward: unknown option 'gradient'; expected retainGraph, createGraph");
    expect(() => (y.backward as (...args: unknown[]) => void).call(y, { retainGraph: true }, {})).toThrow('backward: options were given twice');
    expect(() => y.backward({ gradient: [1] as never })).toThrow('backward: gradient must be a Tensor, got 1');
    expect(() => y.backward(5 as never)).toThrow('backward: expected a gradient Tensor or an options object { gradient, retainGraph, createGraph }, got 5');
    expect(x.grad).toBeNull();
    y.backward();
    expect(x.grad!.item()).toBe(4);
  });
  it('console.log(t) in Node prints what String(t) does', async () => {
    const { inspect } = await import('node:util');
    const t = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    expect(inspect(t)).toBe(String(t));
    expect(inspect({ t })).toContain(String(t).split('\n')[0]!);
  });
  it('backward on a tensor that does not require grad throws', () => {
    expect(() => tensor([1]).sum().backward()).toThrow('backward: the tensor (shape []) does not require grad and has no grad_fn');
  });
  it('frees the graph after backward unless retainGraph', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward: the graph through 'sum' .* was already freed by an earlier backward\(\); pass \{ retainGraph: true \}/);
    const z = x.exp().sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect((arr(x.grad) as number[])[0]).toBeCloseTo(3 * Math.E, 4); // once from y, twice from z
  });
  it('frees saved tensors so the graph does not keep them alive', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    expect(y.gradFn!.args).toBeNull();
  });
  it('handles a chain of 20,000 ops without overflowing the stack', () => {
    const x = tensor([1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20_000; i++) y = y.add(1e-4);
    y.sum().backward();
    expect(arr(x.grad)).toEqual([1]);
  });
});

describe('recording switches', () => {
  it('noGrad records nothing; detach cuts history; requiresGrad_ toggles leaves', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => w.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(tg.isGradEnabled()).toBe(true);
    const d = w.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.data.data).toBe(d.data.data);
    const leaf = zeros([2]).requiresGrad_();
    expect(leaf.requiresGrad).toBe(true);
    expect(() => w.mul(2).requiresGrad_(false)).toThrow("requiresGrad_: cannot turn off requiresGrad on a non-leaf tensor produced by 'mul'");
    expect(tg.enableGrad(() => tg.isGradEnabled())).toBe(true);
    expect(noGrad(() => tg.enableGrad(() => w.mul(2))).requiresGrad).toBe(true);
  });
});

describe('hooks', () => {
  it('can inspect and replace gradients, and be removed', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const seen: number[][] = [];
    const h = x.mul(3);
    h.registerHook((g) => void seen.push(g.toArray() as number[]));
    const handle = x.registerHook((g) => g.mul(10));
    h.sum().backward();
    expect(seen).toEqual([[1, 1]]);
    expect(arr(x.grad)).toEqual([30, 30]);
    handle.remove();
    x.zeroGrad();
    x.mul(3).sum().backward();
    expect(arr(x.grad)).toEqual([3, 3]);
    expect(() => tensor([1]).registerHook((g) => g)).toThrow('registerHook: cannot register a hook on a tensor that does not require grad');
  });
});

describe('higher order', () => {
  it('createGraph records the backward pass: gradient penalty style', () => {
    const x = tensor([1.5, -0.5], { dtype: 'float64', requiresGrad: true });
    const y = x.pow(3).sum();
    const [g] = gradients([y], [x], { createGraph: true });
    expect(g!.requiresGrad).toBe(true);
    g!.square().sum().backward(); // d/dx sum (3x^2)^2 = 36 x^3
    expect(arr(x.grad)).toEqual([36 * 1.5 ** 3, 36 * -0.125]);
  });
  it('backward with createGraph leaves a differentiable .grad', () => {
    const x = tensor([2], { dtype: 'float64', requiresGrad: true });
    x.pow(3).sum().backward(undefined, { createGraph: true });
    const g = x.grad!;
    x.zeroGrad();
    g.sum().backward();
    expect(arr(x.grad)).toEqual([12]);
  });
  it('gradients() names an unused input unless allowUnused', () => {
    const x = tensor([1], { requiresGrad: true });
    const z = tensor([1], { requiresGrad: true });
    expect(() => gradients([x.sum()], [z])).toThrow('gradients: input 0 (shape [1]) was not used to compute the outputs');
    expect(arr(gradients([x.mul(2).sum()], [z], { allowUnused: true })[0]!)).toEqual([0]);
  });
});

describe('anomaly mode', () => {
  it('names the first op whose output is NaN, with its input shapes', () => {
    const x = tensor([-1, 1], { requiresGrad: true });
    expect(() => detectAnomaly(() => x.log())).toThrow(/detectAnomaly: the output of 'log' \(input shapes \[2\]\) holds NaN or Inf/);
    expect(tg.isAnomalyEnabled()).toBe(false);
  });
  it('names the op whose backward produces NaN and where it was created', () => {
    const x = tensor([0], { requiresGrad: true });
    // sqrt(0) is fine forward but its gradient is Inf.
    let err: Error | undefined;
    try {
      detectAnomaly(() => x.sqrt().sum().backward());
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toMatch(/detectAnomaly: the gradient for input 0 of 'sqrt' \(input shapes \[1\]\) holds NaN or Inf/);
    expect(err?.message).toContain('the op was created at:');
    expect(err?.message).toContain('tape.test.ts');
  });
  it('is off by default: NaN flows through silently', () => {
    expect(Number.isNaN(tensor([-1]).log().item())).toBe(true);
  });
});

describe('defineOp', () => {
  const softsign = tg.defineOp({
    name: 'softsign',
    forward: (x: Tensor) => x.div(x.abs().add(1)),
    vjp: (g, { args: [x] }) => [g.div(x.abs().add(1).square())],
  });
  it('makes a recorded op whose vjp is checked', () => {
    const x = tg.randn([3, 2], { dtype: 'float64', requiresGrad: true });
    expect(softsign(x).gradFn!.op.name).toBe('softsign');
    expect(tg.gradcheck((x) => softsign(x), [x])).toBe(true);
  });
  it('a vjp returning the wrong shape is caught, naming the op', () => {
    const bad = tg.defineOp({ name: 'bad', forward: (x: Tensor) => x.sum(), vjp: (g) => [g] });
    expect(() => bad(tensor([1, 2], { requiresGrad: true })).backward()).toThrow('bad: vjp returned a gradient of the wrong shape or dtype for argument 0 (got a float32 tensor of shape [], expected a float32 tensor of shape [2])');
  });
  it('a vjp with the wrong number of entries is caught', () => {
    const bad = tg.defineOp({ name: 'bad2', forward: (x: Tensor, _y: Tensor) => x.clone(), vjp: (g) => [g] as never });
    expect(() => bad(tensor([1], { requiresGrad: true }), tensor([1])).sum().backward()).toThrow('bad2: vjp must return one entry per argument (2), got 1');
  });
  it('tensor-list arguments get one gradient each, non-tensor arguments none', () => {
    const weightedSum = tg.defineOp({
      name: 'weightedSum',
      forward: (xs: readonly Tensor[], w: number) => xs.reduce((a, b) => a.add(b)).mul(w),
      vjp: (g, { args: [xs, w] }) => [xs.map(() => g.mul(w)), null],
    });
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    weightedSum([a, b], 3).sum().backward();
    expect(arr(a.grad)).toEqual([3]);
    expect(arr(b.grad)).toEqual([3]);
  });
  it('an op returning its input gets a fresh tensor, so the input keeps its history', () => {
    const identity = tg.defineOp({ name: 'identity', forward: (x: Tensor) => x, vjp: (g) => [g] });
    const x = tensor([1], { requiresGrad: true });
    const y = identity(x);
    expect(y).not.toBe(x);
    expect(x.isLeaf).toBe(true);
  });
});

// A Linear weight adopts the gradient buffer matmul's vjp allocated for it instead of copying it
// (grad-ownership.ts). Whatever else sees that gradient must keep its own values when the weight's
// .grad is later accumulated into in place.
describe('gradient buffers adopted as .grad', () => {
  const setup = () => {
    tg.manualSeed(3);
    const x = tg.randn([5, 4]);
    const w = tg.randn([3, 4], { requiresGrad: true });
    return { x, w, loss: () => x.matmul(w.transpose()).square().sum() };
  };
  it('accumulate across backward calls like copied ones', () => {
    const { w, loss } = setup();
    loss().backward();
    const once = w.grad!.toArray();
    loss().backward();
    expect(w.grad!.toArray()).toEqual(tg.tensor(once).mul(2).toArray());
  });
  it('are not adopted when a hook has seen them', () => {
    const { w, loss } = setup();
    let seen: Tensor | null = null;
    w.registerHook((g) => void (seen ??= g)); // the first backward's gradient
    loss().backward();
    const first = seen!.toArray();
    loss().backward();
    expect(seen!.toArray()).toEqual(first);
  });
  it('are not adopted from a retained intermediate gradient, and both accumulate', () => {
    const { x, w } = setup();
    const run = () => {
      const wt = w.transpose();
      wt.retainGrad();
      x.matmul(wt).square().sum().backward();
      return wt;
    };
    const wt = run();
    expect(wt.grad!.transpose().toArray()).toEqual(w.grad!.toArray());
    const before = wt.grad!.toArray();
    run();
    expect(wt.grad!.toArray()).toEqual(before);
  });
  it('are not adopted when they are returned by gradients() or passed in as a seed', () => {
    const { x, w } = setup();
    const wt = w.transpose();
    const [g] = gradients([x.matmul(wt).square().sum()], [wt]);
    const values = g!.toArray();
    const w2 = tg.zeros([3, 4], { requiresGrad: true });
    w2.transpose().backward(g);
    w2.transpose().backward(g);
    expect(g!.toArray()).toEqual(values);
    expect(w2.grad!.toArray()).toEqual(tg.tensor(values).transpose().mul(2).toArray());
  });
});
