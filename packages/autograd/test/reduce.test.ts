import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { gradcheck, gradgradcheck, shapeArb, tensorArb, type ValueConstraints } from '@tapegrad/autograd/testing';
import { propertyGradcheck, type PropertyGradOptions } from './helpers.js';

type Axis = number | number[] | undefined;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sizeOver = (shape: readonly number[], axis: Axis) => {
  const axes = axis === undefined ? range(shape.length) : (typeof axis === 'number' ? [axis] : axis).map((a) => (a < 0 ? a + shape.length : a));
  return axes.reduce((n, a) => n * (shape[a] ?? 1), 1);
};

/** undefined, one axis (maybe negative) or a shuffled list of axes (maybe negative); 0-d tensors take 0 or -1. */
function axisArb(rank: number): fc.Arbitrary<Axis> {
  if (rank === 0) return fc.constantFrom<Axis>(undefined, 0, -1, [], [-1]);
  const list = fc
    .shuffledSubarray(range(rank))
    .chain((axes) => fc.array(fc.boolean(), { minLength: axes.length, maxLength: axes.length }).map((neg) => axes.map((a, i) => (neg[i] ? a - rank : a))));
  return fc.oneof(fc.constant(undefined), fc.integer({ min: -rank, max: rank - 1 }), list);
}

interface Case { x: Tensor; axis: Axis; keepDims: boolean; }
const caseArb = (c: ValueConstraints = {}, ok: (shape: number[], axis: Axis) => boolean = () => true) =>
  shapeArb()
    .chain((shape) => fc.record({ x: tensorArb(shape, c), axis: axisArb(shape.length), keepDims: fc.boolean() }))
    .filter(({ x, axis }) => ok([...x.shape], axis));

/** propertyGradcheck for ops that also take an axis: the axis and keepDims are drawn with the tensor. */
function reductionGradcheck(arb: fc.Arbitrary<Case>, f: (x: Tensor, axis: Axis, keepDims: boolean) => Tensor, opts: PropertyGradOptions = {}) {
  const { second = false, numRuns, ...tol } = opts;
  fc.assert(
    fc.property(arb, ({ x, axis, keepDims }) => {
      const g = (y: Tensor) => f(y, axis, keepDims);
      gradcheck(g, [x], { ...tol, raiseException: true });
      if (second) gradgradcheck(g, [x], tol);
    }),
    numRuns === undefined ? {} : { numRuns },
  );
}

describe('reductions: gradients over drawn axes', () => {
  const cases: [string, (x: Tensor, a: Axis, k: boolean) => Tensor, ValueConstraints, PropertyGradOptions][] = [
    ['sum', (x, a, k) => tg.sum(x, a, k), {}, { second: true }],
    ['mean', (x, a, k) => tg.mean(x, a, k), {}, { second: true }],
    // Distinct values keep max/min away from ties, where they are not differentiable.
    ['max', (x, a, k) => tg.max(x, a, k), { distinct: true }, { second: true }],
    ['min', (x, a, k) => tg.min(x, a, k), { distinct: true }, { second: true }],
    // |x| ≥ 0.5 keeps the products of up to 64 factors well inside float64 for finite differences.
    ['prod', (x, a, k) => tg.prod(x, a, k), { min: -1.5, max: 1.5, avoid: [0], margin: 0.5 }, { second: true, numRuns: 15 }],
    ['logSumExp', (x, a, k) => tg.logSumExp(x, a, k), { min: -5, max: 5 }, { second: true }],
  ];
  for (const [name, f, c, opts] of cases) {
    it(`${name} matches finite differences${opts.second ? ' to second order' : ''}`, () => reductionGradcheck(caseArb(c), f, opts));
  }

  it('variance with correction 0, 1, 2 matches finite differences to second order', () => {
    for (const correction of [0, 1, 2]) {
      reductionGradcheck(caseArb({}, (s, a) => sizeOver(s, a) > correction), (x, a, k) => tg.variance(x, a, k, correction), { second: true, numRuns: 10 });
    }
  });
  it('std matches finite differences to second order', () => {
    // Two or more distinct values keep the variance (and so the sqrt) away from 0.
    reductionGradcheck(caseArb({ distinct: true }, (s, a) => sizeOver(s, a) >= 2), (x, a, k) => tg.std(x, a, k), { second: true, numRuns: 15 });
  });

  it('prod has exact first-order gradients when some inputs are exactly zero', () => {
    // prod is linear in each input, so central differences are exact even at 0.
    const value = fc.oneof(fc.constant(0), fc.double({ min: -2, max: 2, noNaN: true }));
    const arb = shapeArb({ minRank: 1 }).chain((shape) =>
      fc.record({
        x: fc.array(value, { minLength: tg.zeros(shape).size, maxLength: tg.zeros(shape).size }).map((v) => tensor(v, { dtype: 'float64', shape, requiresGrad: true })),
        axis: axisArb(shape.length),
        keepDims: fc.boolean(),
      }),
    );
    reductionGradcheck(arb, (x, a, k) => tg.prod(x, a, k));
  });
});

describe('softmax family: gradients', () => {
  const axisOf = fc.tuple(shapeArb(), fc.nat()).chain(([shape, k]) => {
    const rank = shape.length;
    const axis = rank === 0 ? [0, -1][k % 2]! : (k % (2 * rank)) - rank;
    return tensorArb(shape, { min: -5, max: 5 }).map((x) => ({ x, axis, keepDims: false }));
  });
  it('softmax matches finite differences to second order', () => reductionGradcheck(axisOf, (x, a) => tg.softmax(x, a as number), { second: true }));
  it('logSoftmax matches finite differences to second order', () => reductionGradcheck(axisOf, (x, a) => tg.logSoftmax(x, a as number), { second: true }));
  it('the default axis is the last one', () => {
    propertyGradcheck(shapeArb({ minRank: 1 }).chain((s) => tensorArb(s).map((x) => [x])), (x) => tg.softmax(x!).mul(tg.logSoftmax(x!)), { second: true });
  });
});

describe('reductions: forward values', () => {
  const m = tensor([[1, 5, 2], [7, 0, 7]], { dtype: 'float64' });
  const close = (vs: number[]) => vs.map((v) => expect.closeTo(v, 12));

  it('max, min, argmax, argmin', () => {
    expect(m.max().item()).toBe(7);
    expect(m.max(0).toArray()).toEqual([7, 5, 7]);
    expect(m.min(1, true).toArray()).toEqual([[1], [0]]);
    expect(m.max([0, 1], true).shape).toEqual([1, 1]);
    expect(m.argmax().item()).toBe(3); // first of the two 7s in row-major order
    expect(m.argmax(1).toArray()).toEqual([1, 0]);
    expect(m.argmin(0, true).toArray()).toEqual([[0, 1, 0]]);
    expect(m.argmin().item()).toBe(4);
    expect(m.argmax(undefined, true).shape).toEqual([1, 1]);
    expect(m.argmax(-1).dtype).toBe('int32');
    expect(tensor(3).argmax().item()).toBe(0);
    expect(tensor([1, NaN, 2]).max().item()).toBeNaN();
    expect(tensor([1, NaN, 2]).argmax().item()).toBe(1);
  });

  it('max and min split the gradient evenly between ties, like torch.amax', () => {
    const x = tensor([[1, 5, 5], [7, 7, 7]], { requiresGrad: true });
    x.max(1).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 0.5, 0.5], Array(3).fill(Math.fround(1 / 3))]);
    const y = tensor([2, 1, 1], { requiresGrad: true });
    y.min().backward();
    expect(y.grad!.toArray()).toEqual([0, 0.5, 0.5]);
    expect(m.argmax(1).requiresGrad).toBe(false);
  });

  it('prod and its gradient with zeros', () => {
    expect(m.prod().item()).toBe(0);
    expect(m.prod(1).toArray()).toEqual([10, 0]);
    expect(tg.zeros([0]).prod().item()).toBe(1);
    const x = tensor([[2, 0, 3], [0, 0, 4], [1, 2, 3]], { dtype: 'float64', requiresGrad: true });
    x.prod(1).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 6, 0], [0, 0, 0], [6, 3, 2]]);
    // g · out would underflow for a subnormal out; out / x (the other factors) does not.
    const tiny = tensor([-5e-324, 3], { dtype: 'float64', requiresGrad: true });
    tiny.prod().mul(0.5).backward();
    expect(tiny.grad!.toArray()).toEqual([1.5, -0]);
  });

  it('variance and std with each correction', () => {
    const v = tensor([1, 2, 3, 4], { dtype: 'float64' });
    expect(tg.variance(v).item()).toBeCloseTo(5 / 3, 12);
    expect(tg.variance(v, 0, false, 0).item()).toBeCloseTo(1.25, 12);
    expect(v.std().item()).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(tg.std(tensor([[1, 3], [2, 6]], { dtype: 'float64' }), 1).toArray()).toEqual(close([Math.SQRT2, 2 * Math.SQRT2]));
    expect(tg.variance(m, [0, 1], true).shape).toEqual([1, 1]);
    // Like torch, too few elements for the correction is not an error but Inf/NaN.
    expect(tg.variance(tensor([1, 2]), 0, false, 2).item()).toBe(Infinity);
    // Large offsets must not cancel (a one-pass E[x²] − E[x]² would lose every digit here).
    expect(tg.variance(tensor([1e9 + 1, 1e9 + 2, 1e9 + 3], { dtype: 'float64' })).item()).toBe(1);
  });

  it('logSumExp, softmax and logSoftmax by hand', () => {
    expect(tg.logSumExp(tensor([0, Math.log(3)], { dtype: 'float64' })).item()).toBeCloseTo(Math.log(4), 12);
    expect(tg.logSumExp(m, 1).toArray()).toEqual(close([Math.log(Math.E + Math.exp(5) + Math.exp(2)), Math.log(2 * Math.exp(7) + 1)]));
    expect(tg.softmax(tensor([[0, Math.log(3)]], { dtype: 'float64' })).toArray()).toEqual([close([0.25, 0.75])]);
    expect(tg.softmax(tensor([[0, 1], [0, 1]], { dtype: 'float64' }), 0).toArray()).toEqual([close([0.5, 0.5]), close([0.5, 0.5])]);
    expect(tg.logSoftmax(tensor([0, Math.log(3)], { dtype: 'float64' })).toArray()).toEqual(close([Math.log(0.25), Math.log(0.75)]));
    expect(tg.softmax(tensor(5)).item()).toBe(1);
    expect(tg.logSoftmax(tensor(5), 0).item()).toBe(0);
    expect(tg.logSumExp(tg.zeros([0])).item()).toBe(-Infinity);
  });

  it('0-d tensors reduce over axis 0 or -1 to themselves (sum used to return 0 here)', () => {
    const s = tensor(3);
    for (const f of [tg.sum, tg.mean, tg.max, tg.min, tg.prod, tg.logSumExp]) {
      expect(f(s, 0).item()).toBe(3);
      expect(f(s, -1, true).shape).toEqual([]);
    }
  });
});

describe('reductions: numerical stability', () => {
  it('softmax family at ±1000 and -Infinity', () => {
    expect(tg.logSoftmax(tensor([1000, -1000], { dtype: 'float64' })).toArray()).toEqual([0, -2000]);
    expect(tg.logSoftmax(tensor([1000, -1000])).toArray()).toEqual([0, -2000]);
    expect(tg.softmax(tensor([1000, -1000])).toArray()).toEqual([1, 0]);
    expect(tg.softmax(tensor([1000, 1000])).toArray()).toEqual([0.5, 0.5]);
    expect(tg.logSumExp(tensor([1000, 1000], { dtype: 'float64' })).item()).toBeCloseTo(1000 + Math.LN2, 10);
    expect(tg.logSumExp(tensor([-1000, -1000], { dtype: 'float64' })).item()).toBeCloseTo(-1000 + Math.LN2, 10);
    expect(tg.softmax(tensor([-Infinity, 0, 0])).toArray()).toEqual([0, 0.5, 0.5]);
    expect(tg.logSoftmax(tensor([-Infinity, 0])).toArray()).toEqual([-Infinity, 0]);
    expect(tg.logSumExp(tensor([-Infinity, 0])).item()).toBe(0);
    expect(tg.logSumExp(tensor([-Infinity, -Infinity])).item()).toBe(-Infinity);
  });

  it('gradients stay finite at ±1000 and -Infinity', () => {
    const grad = (f: (x: Tensor) => Tensor, v: number[]) => {
      const x = tensor(v, { dtype: 'float64', requiresGrad: true });
      f(x).mul(tensor([1, 2, 3].slice(0, v.length), { dtype: 'float64' }).sum().div(3)).sum().backward();
      return x.grad!.toArray() as number[];
    };
    const w = (x: Tensor) => x.mul(tensor([1, 2], { dtype: 'float64' }));
    const xg = tensor([1000, -1000], { dtype: 'float64', requiresGrad: true });
    w(tg.logSoftmax(xg)).sum().backward();
    // g − softmax·Σg with g = [1, 2] and softmax = [1, 0].
    expect(xg.grad!.toArray()).toEqual([-2, 2]);
    for (const f of [tg.softmax, tg.logSoftmax, (x: Tensor) => tg.logSumExp(x)]) {
      for (const v of [[1000, -1000], [-Infinity, 0], [1000, 1000]]) expect(grad(f, v).every(Number.isFinite)).toBe(true);
    }
    const y = tensor([-Infinity, 0], { dtype: 'float64', requiresGrad: true });
    tg.logSumExp(y).backward();
    expect(y.grad!.toArray()).toEqual([0, 1]);
  });
});

describe('reductions: bad input', () => {
  const x = tg.zeros([2, 3]);
  it('out-of-range and repeated axes name the op', () => {
    for (const [name, f] of [['max', tg.max], ['min', tg.min], ['prod', tg.prod], ['variance', tg.variance], ['std', tg.std], ['logSumExp', tg.logSumExp]] as const) {
      expect(() => f(x, 5)).toThrow(`${name}: axis 5 is out of range for a tensor of rank 2 (got 5, expected an integer in [-2, 1])`);
      expect(() => f(x, [0, -2])).toThrow(`${name}: repeated axis in [0,0]`);
    }
    expect(() => tg.argmax(x, -3)).toThrow('argmax: axis -3 is out of range for a tensor of rank 2 (got -3, expected an integer in [-2, 1])');
    expect(() => tg.argmin(x, 2)).toThrow('argmin: axis 2 is out of range for a tensor of rank 2');
    expect(() => tg.softmax(x, 2)).toThrow('softmax: axis 2 is out of range for a tensor of rank 2');
    expect(() => tg.logSoftmax(x, 1.5)).toThrow('logSoftmax: axis 1.5 is out of range');
    expect(() => tg.sum(tensor(1), 1)).toThrow('sum: axis 1 is out of range for a tensor of rank 0');
    expect(() => tg.argmax(x, [0, 1] as unknown as number)).toThrow('argmax: axis must be a single number or undefined, got [0,1]');
    expect(() => tg.softmax(x, [1] as unknown as number)).toThrow('softmax: axis must be a single number, got [1]');
  });
  it('max, min, argmax and argmin refuse an empty axis', () => {
    const e = tg.zeros([2, 0]);
    expect(() => tg.max(e, 1)).toThrow('max: cannot reduce axis 1 of size 0 (input shape [2,0])');
    expect(() => tg.min(e)).toThrow('min: cannot reduce axis 1 of size 0 (input shape [2,0])');
    expect(() => tg.argmax(e)).toThrow('argmax: cannot reduce axis 1 of size 0');
    expect(() => tg.argmin(e, 1)).toThrow('argmin: cannot reduce axis 1 of size 0');
    expect(tg.max(e, 0).shape).toEqual([0]); // reducing a non-empty axis of an empty tensor is fine
  });
  it('variance and std reject a bad correction', () => {
    expect(() => tg.variance(x, 0, false, -1)).toThrow('variance: correction must be a non-negative finite number (1 = unbiased), got -1');
    expect(() => tg.std(x, 0, false, NaN)).toThrow('std: correction must be a non-negative finite number (1 = unbiased), got NaN');
  });
});
