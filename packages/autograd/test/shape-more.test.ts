// flip, roll, repeat/tile, tril/triu, maskedFill, chunk/narrow/unbind: gradients (first and second
// order, jvp) on drawn shapes with size-0 and size-1 axes, values as PyTorch, errors.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { arange, ones, tensor, type Tensor } from '@tapegrad/autograd';
import { gradcheck, gradgradcheck, shapeArb, tensorArb } from '@tapegrad/autograd/testing';
import { propertyGradcheck } from './helpers.js';
import { jvpcheck } from './jvp-helpers.js';

/** A tensor of a drawn shape (rank ≥ minRank, dims 0..3) plus a parameter drawn from that shape. */
function withParam<P>(minRank: number, param: (shape: number[]) => fc.Arbitrary<P>): fc.Arbitrary<[Tensor, P]> {
  return shapeArb({ minRank, maxRank: 3, minDim: 0, maxDim: 3 }).chain((s) => fc.tuple(tensorArb(s), param(s)));
}
const axisOf = (s: number[]) => fc.integer({ min: -s.length, max: s.length - 1 });
function checkAll<P>(name: string, arb: fc.Arbitrary<[Tensor, P]>, f: (x: Tensor, p: P) => Tensor): void {
  it(`${name} matches finite differences to second order, and in forward mode`, () => {
    fc.assert(
      fc.property(arb, ([x, p]) => {
        const g = (t: Tensor) => f(t, p);
        gradcheck(g, [x], { raiseException: true });
        gradgradcheck(g, [x]);
        jvpcheck(g, [x]);
      }),
    );
  });
}

describe('issue 12 shape ops: gradients', () => {
  checkAll('flip', withParam(0, (s) => fc.subarray(s.map((_, i) => i))), (x, dims) => tg.flip(x, dims));
  checkAll('roll along dims', withParam(1, (s) => fc.tuple(axisOf(s), fc.integer({ min: -5, max: 5 }))), (x, [d, k]) => tg.roll(x, k, d));
  checkAll('roll flattened', withParam(0, () => fc.integer({ min: -5, max: 5 })), (x, k) => tg.roll(x, k));
  checkAll('repeat', withParam(0, (s) => fc.array(fc.integer({ min: 0, max: 3 }), { minLength: s.length, maxLength: s.length + 1 })), (x, r) => tg.repeat(x, r));
  checkAll('tile', withParam(0, () => fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 3 })), (x, r) => tg.tile(x, r));
  checkAll('tril', withParam(2, () => fc.integer({ min: -3, max: 3 })), (x, k) => tg.tril(x, k));
  checkAll('triu', withParam(2, () => fc.integer({ min: -3, max: 3 })), (x, k) => tg.triu(x, k));
  checkAll('maskedFill with a number', withParam(0, (s) => fc.array(fc.boolean(), { minLength: s.reduce((a, b) => a * b, 1), maxLength: s.reduce((a, b) => a * b, 1) }).map((m) => tensor(m.map(Number), { dtype: 'float64', shape: s }))), (x, m) => tg.maskedFill(x, m, 0.5));
  checkAll('chunk', withParam(1, (s) => fc.tuple(axisOf(s), fc.integer({ min: 1, max: 4 }))), (x, [d, c]) => tg.concat(tg.chunk(x, c, d).map((t, i) => t.mul(i + 1)), d));
  checkAll('narrow', withParam(1, (s) => axisOf(s)), (x, d) => tg.narrow(x, d, 0, Math.min(2, x.shape.at(d)!)));
  checkAll('unbind', withParam(1, (s) => axisOf(s)), (x, d) => (x.shape.at(d) === 0 ? x.mul(2) : tg.stack(tg.unbind(x, d).map((t, i) => t.mul(i + 1)))));

  it('maskedFill with a 0-d tensor value: the value gets the gradient summed over the filled positions', () => {
    const arb = fc.tuple(tensorArb([2, 3]), tensorArb([]));
    const mask = tensor([[1], [0]], { dtype: 'float64' });
    propertyGradcheck(arb, (x, v) => tg.maskedFill(x!, mask, v!), { second: true });
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const v = tensor(0, { requiresGrad: true });
    tg.maskedFill(x, tensor([1, 0, 1]), v).sum().backward();
    expect(v.grad!.item()).toBe(4);
    expect(x.grad!.toArray()).toEqual([[0, 1, 0], [0, 1, 0]]);
  });
});

describe('issue 12 shape ops: values as PyTorch', () => {
  const m = arange(6).reshape([2, 3]);
  it('flip and roll', () => {
    expect(tg.flip(m, 1).toArray()).toEqual([[2, 1, 0], [5, 4, 3]]);
    expect(m.flip([0, 1]).toArray()).toEqual([[5, 4, 3], [2, 1, 0]]);
    expect(tg.flip(tensor(3), []).toArray()).toEqual(3);
    expect(tg.roll(m, 1).toArray()).toEqual([[5, 0, 1], [2, 3, 4]]);
    expect(tg.roll(m, [1, -1], [0, 1]).toArray()).toEqual([[4, 5, 3], [1, 2, 0]]);
    expect(m.roll(7, 1).toArray()).toEqual([[2, 0, 1], [5, 3, 4]]);
  });
  it('repeat and tile', () => {
    expect(tg.repeat(m, [2, 1, 2]).shape).toEqual([2, 2, 6]);
    expect(tg.repeat(tensor([1, 2]), [2, 2]).toArray()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    expect(tg.tile(m, [2]).toArray()).toEqual([[0, 1, 2, 0, 1, 2], [3, 4, 5, 3, 4, 5]]);
    expect(m.repeat([0, 1]).shape).toEqual([0, 3]);
    const x = tensor([1, 2], { requiresGrad: true });
    x.repeat([3]).mul(arange(6)).sum().backward();
    expect(x.grad!.toArray()).toEqual([0 + 2 + 4, 1 + 3 + 5]);
  });
  it('tril and triu (batched, rectangular, any diagonal)', () => {
    expect(tg.tril(m, -1).toArray()).toEqual([[0, 0, 0], [3, 0, 0]]);
    expect(tg.triu(m, 1).toArray()).toEqual([[0, 1, 2], [0, 0, 5]]);
    expect(ones([2, 2, 3]).tril().toArray()).toEqual([[[1, 0, 0], [1, 1, 0]], [[1, 0, 0], [1, 1, 0]]]);
    expect(tg.triu(m, -5).toArray()).toEqual(m.toArray());
    const nan = tensor([[NaN, Infinity], [1, 2]]);
    expect(tg.triu(nan, 1).toArray()).toEqual([[0, Infinity], [0, 0]]);
  });
  it('maskedFill broadcasts the mask to x (a causal mask) and keeps x’s shape', () => {
    const scores = tensor([[1, 2], [3, 4]]);
    expect(tg.maskedFill(scores, tg.triu(ones([2, 2]), 1), -Infinity).toArray()).toEqual([[1, -Infinity], [3, 4]]);
    expect(scores.maskedFill(tensor([1, 0]), 9).toArray()).toEqual([[9, 2], [9, 4]]);
  });
  it('chunk, narrow and unbind', () => {
    const shapes = (ts: Tensor[]) => ts.map((t) => t.toArray());
    expect(shapes(tg.chunk(arange(5), 3))).toEqual([[0, 1], [2, 3], [4]]);
    expect(shapes(tg.chunk(arange(6), 4))).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(tg.chunk(arange(0), 2).map((t) => t.shape)).toEqual([[0], [0]]);
    expect(tg.narrow(m, 1, -2, 2).toArray()).toEqual([[1, 2], [4, 5]]);
    expect(shapes(m.unbind(1))).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(m.chunk(2, -1).map((t) => t.shape)).toEqual([[2, 2], [2, 1]]);
  });
});

describe('issue 12 shape ops: bad input', () => {
  const m = arange(6).reshape([2, 3]);
  it('names the function and the problem', () => {
    expect(() => tg.flip(m, [0, -2])).toThrow('flip: repeated axis in [0,-2]');
    expect(() => tg.flip(m, 2)).toThrow('flip: axis 2 is out of range');
    expect(() => tg.roll(m, [1, 2])).toThrow('roll: without dims, shifts must be a single number, got [1,2]');
    expect(() => tg.roll(m, [1, 2], [0])).toThrow('roll: shifts [1,2] and dims [0] must have the same length');
    expect(() => tg.roll(m, 1.5, 0)).toThrow('roll: shift must be an integer (got 1.5, expected an integer)');
    expect(() => tg.repeat(m, [2])).toThrow('repeat: repeats [2] has fewer entries than the tensor has dimensions (shape [2,3])');
    expect(() => tg.repeat(m, [1, -1])).toThrow('repeat: each repeat must be an integer >= 0 (got -1');
    expect(() => tg.tril(arange(3))).toThrow('tril: expected a tensor with at least 2 dimensions');
    expect(() => tg.triu(m, 0.5)).toThrow('triu: diagonal must be an integer (got 0.5');
    expect(() => tg.maskedFill(tensor([1, 2]), ones([2, 2]), 0)).toThrow('maskedFill: mask of shape [2,2] does not broadcast to the input\'s shape [2]');
    expect(() => tg.maskedFill(m, ones([3]), tensor([1, 2]))).toThrow('maskedFill: value must be a number or a 0-d tensor, got shape [2]');
    expect(() => tg.chunk(m, 0)).toThrow('chunk: chunks must be an integer >= 1 (got 0');
    expect(() => tg.narrow(m, 1, 2, 2)).toThrow('narrow: start 2 and length 2 exceed axis 1 of size 3 (shape [2,3])');
    expect(() => tg.unbind(tensor(1))).toThrow('unbind: cannot unbind a 0-d tensor');
  });
});
