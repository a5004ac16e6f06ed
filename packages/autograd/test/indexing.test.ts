import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { shapeArb, tensorArb, tensorsArb } from '@tapegrad/autograd/testing';
import { propertyGradcheck } from './helpers.js';

const size = (min = 1) => fc.integer({ min, max: 3 });

/** Float64 index tensors of `shape` with integer values in [0, bound), holding no grad. */
function indexArb(shape: readonly number[], bound: number): fc.Arbitrary<Tensor> {
  const n = shape.reduce((p, d) => p * d, 1);
  return fc
    .array(fc.integer({ min: 0, max: bound - 1 }), { minLength: n, maxLength: n })
    .map((vs) => tensor(vs, { dtype: 'float64', shape }));
}

/** Input shapes with at least `axis + 1` axes (or 1 for negative axes). */
const inputShape = (axis: number) => shapeArb({ minRank: Math.max(1, axis + 1), maxRank: 3, maxDim: 3 });
const norm = (axis: number, ndim: number) => (axis < 0 ? axis + ndim : axis);

/** [x, index] for gather-like ops: index of x's rank, at most x's size off the axis, any size on it. */
function alongArb(axis: number): fc.Arbitrary<[number[], Tensor, Tensor]> {
  return inputShape(axis).chain((shape) => {
    const a = norm(axis, shape.length);
    const ishape = fc.tuple(...shape.map((d, i) => (i === a ? fc.integer({ min: 1, max: 4 }) : fc.integer({ min: 1, max: d }))));
    return ishape.chain((is) => fc.tuple(fc.constant(is), tensorArb(shape), indexArb(is, shape[a]!)));
  });
}

/** [x, index] for slab ops: a 1-D index of length 1..4 into x's axis. */
function slabArb(axis: number): fc.Arbitrary<[number, Tensor, Tensor]> {
  return inputShape(axis).chain((shape) => {
    const a = norm(axis, shape.length);
    return fc.integer({ min: 1, max: 4 }).chain((len) => fc.tuple(fc.constant(a), tensorArb(shape), indexArb([len], shape[a]!)));
  });
}

// Axis 0, a middle axis and a negative one; every op here is linear, so second order must pass.
for (const axis of [0, 1, -1]) {
  describe(`gradients to second order along axis ${axis}`, () => {
    it('gather', () => {
      propertyGradcheck(alongArb(axis).map(([, x, i]) => [x, i]), (x, i) => tg.gather(x!, axis, i!), { second: true });
    });
    it('scatterAdd', () => {
      const arb = alongArb(axis).chain(([is, x, i]) => tensorArb(is).map((src) => [x, i, src]));
      propertyGradcheck(arb, (x, i, src) => tg.scatterAdd(x!, axis, i!, src!), { second: true });
    });
    it('indexSelect', () => {
      propertyGradcheck(slabArb(axis).map(([, x, i]) => [x, i]), (x, i) => tg.indexSelect(x!, axis, i!), { second: true });
    });
    it('indexAdd', () => {
      const arb = slabArb(axis).chain(([a, x, i]) => tensorArb(x.shape.map((d, j) => (j === a ? i.size : d))).map((src) => [x, i, src]));
      propertyGradcheck(arb, (x, i, src) => tg.indexAdd(x!, axis, i!, src!), { second: true });
    });
    it('concat', () => {
      const arb = inputShape(axis).chain((shape) =>
        fc.array(size(), { minLength: 1, maxLength: 3 }).chain((ns) =>
          tensorsArb(ns.map((n) => shape.map((d, j) => (j === norm(axis, shape.length) ? n : d)))),
        ),
      );
      propertyGradcheck(arb, (...xs) => tg.concat(xs, axis), { second: true });
    });
    it('stack', () => {
      const arb = shapeArb({ minRank: axis === 1 ? 1 : 0, maxRank: 2, maxDim: 3 }).chain((shape) =>
        size().chain((count) => tensorsArb(Array.from({ length: count }, () => shape))),
      );
      propertyGradcheck(arb, (...xs) => tg.stack(xs, axis), { second: true });
    });
    it('split by chunk size and by sections', () => {
      const arb = inputShape(axis).chain((shape) => tensorsArb([shape]));
      propertyGradcheck(arb, (x) => tg.split(x!, 2, axis), { second: true });
      // Sections [1, n-1] include an empty one when the axis has size 1.
      propertyGradcheck(arb, (x) => tg.split(x!, [1, x!.shape.at(norm(axis, x!.ndim))! - 1], axis), { second: true });
    });
  });
}

describe('pad: gradients to second order', () => {
  const arb = (minRank: number) => shapeArb({ minRank, maxRank: 3, maxDim: 3 }).chain((s) => tensorsArb([s]));
  it('flat PyTorch pads, padding and cropping', () => {
    propertyGradcheck(arb(1), (x) => tg.pad(x!, [1, 2], 5), { second: true });
    propertyGradcheck(arb(2), (x) => tg.pad(x!, [2, -1, -1, 1]), { second: true });
  });
  it('per-axis NumPy pairs with crops', () => {
    propertyGradcheck(arb(0), (x) => tg.pad(x!, x!.shape.map((_, d) => (d % 2 ? [-1, 1] : [2, 0]) as [number, number]), -1), { second: true });
  });
});

describe('forward values', () => {
  const m = tensor([[1, 2, 3], [4, 5, 6]]);
  it('gather and scatterAdd', () => {
    expect(m.gather(1, tensor([[2, 0], [1, 1]])).toArray()).toEqual([[3, 1], [5, 5]]);
    expect(m.gather(0, tensor([[1, 0, 1]])).toArray()).toEqual([[4, 2, 6]]);
    expect(m.gather(-1, tensor([[0], [2]])).toArray()).toEqual([[1], [6]]);
    // Strided input (a transposed view) is read in place.
    expect(m.transpose().gather(1, tensor([[1], [0], [1]])).toArray()).toEqual([[4], [2], [6]]);
    expect(tg.scatterAdd(tg.ones([2, 3]), 1, tensor([[0, 0], [2, 1]]), tensor([[1, 2], [3, 4]])).toArray()).toEqual([[4, 1, 1], [1, 5, 4]]);
  });
  it('gather accumulates gradients of repeated indices and ignores an index that requires grad', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const idx = tensor([0, 0, 2], { requiresGrad: true });
    x.gather(0, idx).sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 0, 1]);
    expect(idx.grad).toBeNull();
  });
  it('indexSelect and indexAdd', () => {
    expect(m.indexSelect(1, [2, 0, 2]).toArray()).toEqual([[3, 1, 3], [6, 4, 6]]);
    expect(m.indexSelect(0, tensor([1])).toArray()).toEqual([[4, 5, 6]]);
    expect(m.transpose().indexSelect(0, [1]).toArray()).toEqual([[2, 5]]);
    expect(tg.indexAdd(tg.zeros([2, 3]), 1, [2, 2, 0], m).toArray()).toEqual([[3, 0, 3], [6, 0, 9]]);
  });
  it('concat and stack', () => {
    expect(tg.concat([m, tensor([[7, 8, 9]])]).toArray()).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(tg.concat([m.transpose(), tg.zeros([0, 2]), tensor([[0, 0]])], -2).toArray()).toEqual([[1, 4], [2, 5], [3, 6], [0, 0]]);
    expect(tg.concat([tensor([[1], [2]]), tensor([[3, 4], [5, 6]])], 1).toArray()).toEqual([[1, 3, 4], [2, 5, 6]]);
    expect(tg.stack([tensor([1, 2]), tensor([3, 4])], -1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(tg.stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
  });
  it('split returns views', () => {
    const x = tg.arange(10).reshape([5, 2]);
    const parts = x.split(2);
    expect(parts.map((p) => p.toArray())).toEqual([[[0, 1], [2, 3]], [[4, 5], [6, 7]], [[8, 9]]]);
    expect(parts[1]!.data.data).toBe(x.data.data);
    expect(x.split([1, 0, 1], 1).map((p) => p.shape)).toEqual([[5, 1], [5, 0], [5, 1]]);
  });
  it('pad in both layouts, with crops', () => {
    expect(tensor([1, 2]).pad([1, 2]).toArray()).toEqual([0, 1, 2, 0, 0]);
    expect(tensor([[1, 2], [3, 4]]).pad([0, 1, 1, 0], 9).toArray()).toEqual([[9, 9, 9], [1, 2, 9], [3, 4, 9]]);
    expect(tensor([[1, 2], [3, 4]]).pad([[1, 0], [0, 1]], 9).toArray()).toEqual([[9, 9, 9], [1, 2, 9], [3, 4, 9]]);
    expect(tensor([1, 2, 3]).pad([-1, 1]).toArray()).toEqual([2, 3, 0]);
    expect(() => tensor([1, 2]).pad([3, -3], 7)).toThrow('pad: padding [3,-3] crops more than the 2 element(s) of axis 0'); // as torch: narrow() fails
    expect(tensor(5).pad([]).toArray()).toBe(5);
  });
});

describe('bad input', () => {
  const m = tg.zeros([2, 3]);
  it('gather validates indices and shapes', () => {
    expect(() => m.gather(1, tensor([[0, 3]]))).toThrow('gather: index 3 at [0,1] is out of range for axis 1 of size 3 (input shape [2,3])');
    expect(() => m.gather(1, tensor([[-1]]))).toThrow('gather: index -1 at [0,0] is out of range for axis 1');
    expect(() => m.gather(0, tensor([[0.5]]))).toThrow('gather: index 0.5 at [0,0] is not an integer for axis 0 of size 2');
    expect(() => m.gather(0, tensor([0]))).toThrow('gather: index must have the same rank as the input, got index shape [1] for input shape [2,3]');
    expect(() => m.gather(0, tg.zeros([1, 4]))).toThrow('gather: index shape [1,4] is larger than input shape [2,3] on axis 1');
    expect(() => m.gather(2, tg.zeros([1, 1]))).toThrow('gather: axis 2 is out of range');
    expect(() => tensor(1).gather(0, tensor(0))).toThrow('gather: expected an input with at least 1 dimension, got shape []');
  });
  it('scatterAdd and indexAdd check src', () => {
    expect(() => tg.scatterAdd(m, 0, tg.zeros([1, 2]), tg.zeros([1, 3]))).toThrow('scatterAdd: src shape [1,3] must equal index shape [1,2]');
    expect(() => tg.scatterAdd(m, 0, tg.zeros([1, 2]), tg.zeros([1, 2], { dtype: 'float64' }))).toThrow('scatterAdd: dtype mismatch');
    expect(() => tg.indexAdd(m, 0, [1], tg.zeros([2, 3]))).toThrow('indexAdd: src shape [2,3] must be [1,3]');
  });
  it('indexSelect rejects negative and 2-D indices, as PyTorch', () => {
    expect(() => m.indexSelect(0, [-1])).toThrow('indexSelect: index -1 at 0 is out of range for axis 0 of size 2');
    expect(() => m.indexSelect(0, tg.zeros([1, 1]))).toThrow('indexSelect: index must be 1-D, got shape [1,1]');
  });
  it('concat and stack name the offending tensor', () => {
    expect(() => tg.concat([m, tg.zeros([2, 4])])).toThrow('concat: tensor 1 has shape [2,4] but tensor 0 has shape [2,3]; sizes must match except on axis 0');
    expect(() => tg.concat([m, tg.zeros([3])], 0)).toThrow('concat: tensor 1 has shape [3] but tensor 0 has shape [2,3]');
    expect(() => tg.concat([m, tg.zeros([2, 3], { dtype: 'float64' })])).toThrow('concat: tensor 1 is float64 but tensor 0 is float32');
    expect(() => tg.concat([])).toThrow('concat: tensors must not be empty');
    expect(() => tg.concat([tensor(1)])).toThrow('concat: tensor 0 is 0-d');
    expect(() => tg.stack([m, tg.zeros([3, 2])])).toThrow('stack: tensor 1 has shape [3,2] but tensor 0 has shape [2,3]; stack needs equal shapes');
  });
  it('split checks sizes', () => {
    expect(() => m.split([1, 1], 1)).toThrow(/^split: section sizes \[1,1\] sum to 2 but axis 1 has size 3/);
    expect(() => m.split([1, 2])).toThrow('split: section sizes [1,2] sum to 3 but axis 0 has size 2 (shape [2,3])');
    expect(() => m.split(0)).toThrow('split: chunk size must be a positive integer, got 0');
  });
  it('pad checks the spec', () => {
    expect(() => m.pad([1])).toThrow('pad: padding [1] must have an even length of at most 4');
    expect(() => m.pad([[1, 1]])).toThrow('pad: per-axis padding [[1,1]] must have one [before, after] pair for each of the 2 axes of [2,3]');
    expect(() => m.pad([-2, -2])).toThrow('pad: padding [-2,-2] crops more than the 3 element(s) of axis 1 of [2,3]');
  });
});
