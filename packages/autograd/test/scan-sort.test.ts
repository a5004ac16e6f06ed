// cumsum/cumprod, sort/argsort/topk, take/takeAlongDim/oneHot: gradients (second order where
// smooth, forward mode), values as PyTorch (stable order, NaN largest), errors.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { gradcheck, gradgradcheck, shapeArb, tensorArb } from '@tapegrad/autograd/testing';
import { jvpcheck } from './jvp-helpers.js';

function withParam<P>(minRank: number, param: (shape: number[]) => fc.Arbitrary<P>, c: Parameters<typeof tensorArb>[1] = {}): fc.Arbitrary<[Tensor, P]> {
  return shapeArb({ minRank, maxRank: 3, minDim: 0, maxDim: 3 }).chain((s) => fc.tuple(tensorArb(s, c), param(s)));
}
const axisOf = (s: number[]) => fc.integer({ min: -Math.max(1, s.length), max: Math.max(1, s.length) - 1 });

function checkAll<P>(name: string, arb: fc.Arbitrary<[Tensor, P]>, f: (x: Tensor, p: P) => Tensor, second = true): void {
  it(`${name} matches finite differences${second ? ' to second order' : ''}, and in forward mode`, () => {
    fc.assert(
      fc.property(arb, ([x, p]) => {
        const g = (t: Tensor) => f(t, p);
        gradcheck(g, [x], { raiseException: true });
        if (second) gradgradcheck(g, [x]);
        jvpcheck(g, [x]);
      }),
    );
  });
}

describe('scans, sorts and takes: gradients', () => {
  checkAll('cumsum', withParam(0, axisOf), (x, d) => tg.cumsum(x, d));
  checkAll('cumprod (no zeros)', withParam(0, axisOf, { min: 0.5, max: 1.5 }), (x, d) => tg.cumprod(x, d));
  checkAll('cumprod with zeros in the input (first order)', withParam(1, axisOf, { min: -1, max: 1 }), (x, d) => {
    // Zero a drawn pattern of entries, as constants, so lines hold one or more exact zeros.
    const zeroed = tg.where(x.detach().abs().lt(0.4), 0, x);
    return tg.cumprod(zeroed, d);
  }, false);
  checkAll('sort values', withParam(0, (s) => fc.tuple(axisOf(s), fc.boolean()), { distinct: true }), (x, [d, desc]) => tg.sort(x, d, desc).values);
  checkAll('topk values', withParam(1, (s) => fc.tuple(axisOf(s), fc.boolean(), fc.boolean(), fc.nat()), { distinct: true }), (x, [d, largest, sorted, k]) => {
    const n = x.shape.at(d)!;
    return tg.topk(x, n === 0 ? 0 : k % (n + 1), d, largest, sorted).values;
  });
  checkAll('take', withParam(1, (s) => fc.array(fc.nat(), { maxLength: 5 }).map((ks) => ks.map((k) => (k % s.reduce((a, b) => a * b, 1)) - (k % 2 ? s.reduce((a, b) => a * b, 1) : 0)))), (x, ks) =>
    x.size === 0 ? x.mul(1) : tg.take(x, tensor(ks, { dtype: 'float64' })),
  );
  checkAll('takeAlongDim with argsort', withParam(1, axisOf, { distinct: true }), (x, d) => tg.takeAlongDim(x, tg.argsort(x, d, true), d));
});

describe('cumsum and cumprod: values', () => {
  it('as PyTorch', () => {
    expect(tg.cumsum(tensor([[1, 2], [3, 4]]), 1).toArray()).toEqual([[1, 3], [3, 7]]);
    expect(tg.cumsum(tensor([[1, 2], [3, 4]]), 0).toArray()).toEqual([[1, 2], [4, 6]]);
    expect(tg.cumprod(tensor([1, 2, 3, 4]), 0).toArray()).toEqual([1, 2, 6, 24]);
    expect(tg.cumsum(tensor(3), 0).toArray()).toEqual(3);
    expect(tensor([1, 2]).cumsum(-1).toArray()).toEqual([1, 3]);
  });
  it('cumprod’s gradient with zeros matches PyTorch (reference: torch 2.x)', () => {
    const x = tensor([2, 0, 3, 0, 5], { dtype: 'float64', requiresGrad: true });
    tg.cumprod(x, 0).backward(tensor([1, 2, 3, 4, 5], { dtype: 'float64' }));
    // By hand (and torch.cumprod): ∂/∂x1 = Σ_{j≥1} g_j·Π_{i≤j,i≠1} x_i = 2·2 + 3·2·3 = 22; past the first zero nothing flows.
    expect(x.grad!.toArray()).toEqual([1, 22, 0, 0, 0]);
  });
});

describe('sort, argsort, topk: values as PyTorch', () => {
  const a = tensor([3, 1, 3, NaN, 1, 2]);
  it('stable, NaN largest', () => {
    const s = tg.sort(a);
    expect(s.values.toArray()).toEqual([1, 1, 2, 3, 3, NaN]);
    expect(s.indices.toArray()).toEqual([1, 4, 5, 0, 2, 3]);
    const d = tg.sort(a, 0, true);
    expect(d.values.toArray()).toEqual([NaN, 3, 3, 2, 1, 1]);
    expect(d.indices.toArray()).toEqual([3, 0, 2, 5, 1, 4]);
    expect(tg.argsort(tensor([[3, 1, 2], [0, 5, 4]]), 1).toArray()).toEqual([[1, 2, 0], [0, 2, 1]]);
    expect(tg.argsort(tensor([[3, 1], [0, 5]]), 0).toArray()).toEqual([[1, 0], [0, 1]]);
  });
  it('topk: best first, earlier index wins ties, unsorted keeps input order', () => {
    expect(tg.topk(a, 3).values.toArray()).toEqual([NaN, 3, 3]);
    expect(tg.topk(a, 3).indices.toArray()).toEqual([3, 0, 2]);
    expect(tg.topk(a, 3, 0, false).indices.toArray()).toEqual([1, 4, 5]);
    const u = tg.topk(tensor([1, 5, 3, 4]), 2, -1, true, false);
    expect(u.values.toArray()).toEqual([5, 4]);
    expect(u.indices.toArray()).toEqual([1, 3]);
    const v = tg.topk(tensor([1, 4, 3, 5]), 2, -1, true, false);
    expect(v.indices.toArray()).toEqual([1, 3]);
    expect(tg.topk(tensor([[1, 9], [8, 2]]), 1, 0).values.toArray()).toEqual([[8, 9]]);
  });
  it('gradients go back to where the values came from', () => {
    const x = tensor([3, 1, 2], { requiresGrad: true });
    tg.sort(x).values.mul(tensor([1, 10, 100])).sum().backward();
    expect(x.grad!.toArray()).toEqual([100, 1, 10]);
  });
  it('reject bad arguments', () => {
    expect(() => tg.topk(tensor([1, 2]), 3)).toThrow('topk: k (3) is larger than axis 0 of size 2 (shape [2])');
    expect(() => tg.topk(tensor([1, 2]), -1)).toThrow('topk: k must be an integer >= 0 (got -1, expected an integer >= 0)');
    expect(() => tg.sort(tensor([1, 2]), 1)).toThrow('sort: axis 1 is out of range');
  });
});

describe('take, takeAlongDim, oneHot', () => {
  const x = tensor([[0, 1, 2], [3, 4, 5]]);
  it('as PyTorch', () => {
    expect(tg.take(x, tensor([[0, 5], [-1, 2]])).toArray()).toEqual([[0, 5], [5, 2]]);
    expect(tg.takeAlongDim(x, tensor([[0], [2]]), 1).toArray()).toEqual([[0], [5]]);
    expect(tg.takeAlongDim(x, tensor([5, 0])).toArray()).toEqual([5, 0]);
    expect(tg.takeAlongDim(x, tensor([[1, 0, 1]]), 0).toArray()).toEqual([[3, 1, 5]]);
    expect(tg.takeAlongDim(x, tensor([[1], [0]]), 0).toArray()).toEqual([[3, 4, 5], [0, 1, 2]]);
    expect(tg.oneHot(tensor([0, 2])).toArray()).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(tg.oneHot(tensor([[1]]), 3, { dtype: 'float64' }).dtype).toBe('float64');
    expect(tg.oneHot(tensor([[1]]), 3).shape).toEqual([1, 1, 3]);
  });
  it('reject bad indices naming the function', () => {
    expect(() => tg.take(x, tensor([6]))).toThrow('take: index 6 at [0] is out of range for an input of 6 elements (shape [2,3]); expected an integer in -6..5');
    expect(() => tg.takeAlongDim(x, tensor([[3]]), 1)).toThrow('takeAlongDim: index 3 at [0,0] is out of range for axis 1 of size 3');
    expect(() => tg.takeAlongDim(x, tensor([1]), 1)).toThrow("takeAlongDim: indices must have the input's rank");
    expect(() => tg.takeAlongDim(x, tensor([[0, 1]]), 0)).toThrow('takeAlongDim: shapes');
    expect(() => tg.oneHot(tensor([0, 3]), 3)).toThrow('oneHot: index 3 at [1] is out of range for 3 classes; expected an integer in 0..2');
    expect(() => tg.oneHot(tensor([0.5]))).toThrow('oneHot: index 0.5 at [0] is out of range');
    expect(() => tg.oneHot(tensor([0]), 2, { dtyp: 'float64' } as never)).toThrow("oneHot: unexpected option 'dtyp' (expected one of: dtype)");
  });
});
