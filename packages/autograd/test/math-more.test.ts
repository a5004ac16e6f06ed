// Issue 12 elementwise math: trig and hyperbolic functions, erfc/expm1/logaddexp, rounding, isNaN/isFinite.
import { describe, expect, it } from 'vitest';
import * as tg from '@tapegrad/autograd';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { broadcastShapesArb, shapeArb, tensorsArb, type ValueConstraints } from '@tapegrad/autograd/testing';
import { propertyGradcheck } from './helpers.js';
import { propertyJvpcheck } from './jvp-helpers.js';

// Shapes include size-0 and size-1 axes.
const shapes = shapeArb({ minDim: 0, maxDim: 3 });

const unaries: [string, (x: Tensor) => Tensor, ValueConstraints][] = [
  ['tan', tg.tan, { min: -1.2, max: 1.2 }],
  ['asin', tg.asin, { min: -0.9, max: 0.9 }],
  ['acos', tg.acos, { min: -0.9, max: 0.9 }],
  ['atan', tg.atan, { min: -3, max: 3 }],
  ['sinh', tg.sinh, { min: -3, max: 3 }],
  ['cosh', tg.cosh, { min: -3, max: 3 }],
  ['asinh', tg.asinh, { min: -3, max: 3 }],
  ['acosh', tg.acosh, { min: 1.1, max: 4 }],
  ['atanh', tg.atanh, { min: -0.9, max: 0.9 }],
  ['erfc', tg.erfc, { min: -3, max: 3 }],
  ['expm1', tg.expm1, { min: -3, max: 3 }],
  ['frac', tg.frac, { min: -3, max: 3, avoid: [-3, -2, -1, 0, 1, 2, 3] }],
];

describe('issue 12 unary math: gradients', () => {
  for (const [name, f, c] of unaries) {
    it(`${name} matches finite differences to second order, and its jvp rule too`, () => {
      propertyGradcheck(shapes.chain((s) => tensorsArb([s], c)), f, { second: true });
      propertyJvpcheck(shapes.chain((s) => tensorsArb([s], c)), f);
    });
  }
  for (const name of ['floor', 'ceil', 'trunc', 'round'] as const) {
    it(`${name} has a zero gradient (set, not missing) away from its jumps`, () => {
      const f = tg[name] as (x: Tensor) => Tensor;
      const arb = shapes.chain((s) => tensorsArb([s], { min: -3, max: 3, avoid: [-3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3] }));
      propertyGradcheck(arb, f);
      propertyJvpcheck(arb, f);
      const x = tensor([1.3, -2.7], { requiresGrad: true });
      f(x).mul(5).sum().backward();
      expect(x.grad!.toArray()).toEqual([0, 0]);
    });
  }
});

describe('issue 12 binary math: gradients with broadcasting', () => {
  it('atan2 matches finite differences to second order', () => {
    const arb = broadcastShapesArb(2, { minDim: 0, maxDim: 3 }).chain((s) => tensorsArb(s, { min: 0.2, max: 2 }));
    // Signs drawn separately so every quadrant is exercised (values stay away from the origin).
    propertyGradcheck(arb, (y, x) => tg.atan2(y!.mul(-1), x!), { second: true });
    propertyGradcheck(arb, (y, x) => tg.atan2(y!, x!.neg()), { second: true });
    propertyJvpcheck(arb, (y, x) => tg.atan2(y!.mul(-1), x!));
  });
  it('logaddexp matches finite differences to second order', () => {
    const arb = broadcastShapesArb(2, { minDim: 0, maxDim: 3 }).chain((s) => tensorsArb(s, { min: -4, max: 4 }));
    propertyGradcheck(arb, (a, b) => tg.logaddexp(a!, b!), { second: true });
    propertyJvpcheck(arb, (a, b) => tg.logaddexp(a!, b!));
  });
});

describe('issue 12 math: forward values as PyTorch', () => {
  const f64 = (v: number[]) => tensor(v, { dtype: 'float64' });
  const close = (vs: number[], digits = 14) => vs.map((v) => expect.closeTo(v, digits));

  it('trig and hyperbolic functions agree with Math', () => {
    const x = [-0.7, 0.1, 0.6];
    for (const [name, ref] of [['tan', Math.tan], ['asin', Math.asin], ['acos', Math.acos], ['atan', Math.atan], ['sinh', Math.sinh], ['cosh', Math.cosh], ['asinh', Math.asinh], ['atanh', Math.atanh]] as const) {
      expect((tg[name] as (t: Tensor) => Tensor)(f64(x)).toArray(), name).toEqual(x.map(ref));
    }
    expect(tg.acosh(f64([1, 2])).toArray()).toEqual([0, Math.acosh(2)]);
    expect(tg.asin(f64([2])).toArray()).toEqual([NaN]);
    expect(tg.atanh(f64([1, -1])).toArray()).toEqual([Infinity, -Infinity]);
  });

  it('atan2 follows C for signed zeros and broadcasts', () => {
    expect(tg.atan2(f64([0, -0, 0]), f64([0, 0, -0])).toArray()).toEqual([0, -0, Math.PI]);
    expect(tg.atan2(tensor([[1], [-1]], { dtype: 'float64' }), f64([1, -1])).toArray()).toEqual([[Math.PI / 4, (3 * Math.PI) / 4], [-Math.PI / 4, (-3 * Math.PI) / 4]]);
    expect(tensor([1]).atan2(tensor([0])).dtype).toBe('float32');
  });

  it('erfc is accurate in both tails (reference: Python math.erfc)', () => {
    const ref = [1.8427007929497148, 1, 0.4795001221869535, 0.15729920705028513, 0.004677734981047265, 2.2090496998585438e-5, 2.1519736712498916e-17, 2.088487583762545e-45, 5.663192408856143e-296];
    const got = tg.erfc(f64([-1, 0, 0.5, 1, 2, 3, 6, 10, 26])).toArray() as number[];
    got.forEach((v, i) => expect(Math.abs(v - ref[i]!) / ref[i]!).toBeLessThan(4e-15));
    expect(tg.erfc(f64([30, -30, Infinity, -Infinity])).toArray()).toEqual([0, 2, 0, 2]);
  });

  it('expm1 and logaddexp stay exact where the naive formulas fail', () => {
    expect(tg.expm1(f64([1e-12, 0])).toArray()).toEqual([Math.expm1(1e-12), 0]);
    expect(tg.logaddexp(f64([1000, -1000, 0]), f64([1000, -1000, 0])).toArray()).toEqual(close([1000 + Math.LN2, -1000 + Math.LN2, Math.LN2]));
    expect(tg.logaddexp(f64([-Infinity, Infinity, -Infinity]), f64([-Infinity, Infinity, 2])).toArray()).toEqual([-Infinity, Infinity, 2]);
    const a = tensor([1000, -1000], { dtype: 'float64', requiresGrad: true });
    tg.logaddexp(a, 0).sum().backward();
    expect(a.grad!.toArray()).toEqual([1, 0]);
  });

  it('round halves to even, with decimals as PyTorch', () => {
    const r = tg.round(f64([0.5, 1.5, 2.5, -0.5, -1.5, 2.3, -2.7])).toArray() as number[];
    expect(r).toEqual([0, 2, 2, -0, -2, 2, -3]);
    expect(Object.is(r[3], -0)).toBe(true);
    expect(tg.round(f64([5, 15, 25, 1234]), { decimals: -1 }).toArray()).toEqual([0, 20, 20, 1230]);
    expect(tg.round(f64([1.2345, -0.125]), { decimals: 2 }).toArray()).toEqual([1.23, -0.12]);
    expect(tensor([2.5]).round().toArray()).toEqual([2]);
  });

  it('floor, ceil, trunc and frac', () => {
    const x = f64([1.7, -1.7, -0.2, 3]);
    expect(tg.floor(x).toArray()).toEqual([1, -2, -1, 3]);
    expect(tg.ceil(x).toArray()).toEqual([2, -1, -0, 3]);
    expect(tg.trunc(x).toArray()).toEqual([1, -1, -0, 3]);
    expect(tg.frac(x).toArray()).toEqual(close([0.7, -0.7, -0.2, 0]));
    expect(x.floor().toArray()).toEqual(tg.floor(x).toArray());
  });

  it('isNaN and isFinite are masks without gradient', () => {
    const x = tensor([1, NaN, Infinity, -Infinity], { requiresGrad: true });
    expect(tg.isNaN(x).toArray()).toEqual([0, 1, 0, 0]);
    expect(x.isFinite().toArray()).toEqual([1, 0, 0, 0]);
    expect(x.isNaN().requiresGrad).toBe(false);
  });

  it('methods exist for every op PyTorch has as a Tensor method', () => {
    const x = f64([0.3]);
    for (const name of ['tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'atanh', 'erfc', 'expm1', 'trunc', 'frac', 'ceil'] as const) {
      expect(x[name]().toArray(), name).toEqual((tg[name] as (t: Tensor) => Tensor)(x).toArray());
    }
    expect(x.logaddexp(1).toArray()).toEqual(tg.logaddexp(x, 1).toArray());
  });

  it('bad options name the function', () => {
    expect(() => tg.round(tensor([1]), { decimals: 1.5 })).toThrow('round: decimals must be an integer (got 1.5, expected an integer)');
    expect(() => tg.round(tensor([1]), { digits: 2 } as never)).toThrow("round: unexpected option 'digits' (expected one of: decimals)");
    expect(() => tg.atan2(tensor([1, 2]), tensor([1, 2, 3]))).toThrow('atan2: shapes [2] and [3] cannot be broadcast together');
  });
});
