import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { broadcastShapesArb, shapeArb, tensorArb, tensorsArb } from '@tapegrad/autograd/testing';
import { propertyGradcheck } from './helpers.js';

const binaries: [string, (a: Tensor, b: Tensor) => Tensor, { min?: number; max?: number; avoidTies?: boolean }][] = [
  ['add', tg.add, {}],
  ['sub', tg.sub, {}],
  ['mul', tg.mul, {}],
  ['div', tg.div, { min: 0.5, max: 2 }],
  ['pow', tg.pow, { min: 0.5, max: 2 }],
  ['maximum', tg.maximum, { avoidTies: true }],
  ['minimum', tg.minimum, { avoidTies: true }],
];

describe('binary elementwise ops: gradients with broadcasting', () => {
  for (const [name, f, c] of binaries) {
    it(`${name} matches finite differences to second order`, () => {
      const arb = broadcastShapesArb(2).chain((shapes) =>
        tensorsArb(shapes, { min: c.min, max: c.max }).filter(
          // maximum/minimum have a kink where a == b; keep the sides apart.
          ([a, b]) => !c.avoidTies || noNearTies(a!, b!),
        ),
      );
      propertyGradcheck(arb, f, { second: !c.avoidTies });
    });
  }
  it('pow with a scalar exponent', () => {
    propertyGradcheck(shapeArb().chain((s) => tensorsArb([s], { min: 0.2, max: 2 })), (x) => x.pow(2.5), { second: true });
  });
});

function noNearTies(a: Tensor, b: Tensor): boolean {
  return tg.noGrad(() => (tg.sub(a, b).abs().toArray() as unknown as number[]).toString().split(',').every((v) => Number(v) > 1e-3));
}

const unaries: [string, (x: Tensor) => Tensor, { min?: number; max?: number; avoid?: number[]; second?: boolean }][] = [
  ['neg', tg.neg, {}],
  ['exp', tg.exp, {}],
  ['log', tg.log, { min: 0.1, max: 3 }],
  ['log1p', tg.log1p, { min: -0.8, max: 3 }],
  ['sqrt', tg.sqrt, { min: 0.1, max: 3 }],
  ['rsqrt', tg.rsqrt, { min: 0.2, max: 3 }],
  ['square', tg.square, {}],
  ['abs', tg.abs, { avoid: [0] }],
  ['sign', tg.sign, { avoid: [0] }],
  ['sin', tg.sin, {}],
  ['cos', tg.cos, {}],
  ['tanh', tg.tanh, {}],
  ['erf', tg.erf, {}],
  ['clamp', (x) => tg.clamp(x, -0.5, 1), { avoid: [-0.5, 1] }],
];

describe('unary elementwise ops', () => {
  for (const [name, f, c] of unaries) {
    it(`${name} matches finite differences to second order`, () => {
      propertyGradcheck(shapeArb().chain((s) => tensorsArb([s], c)), f, { second: true });
    });
  }
  it('where routes gradients by the mask and broadcasts', () => {
    const arb = broadcastShapesArb(3).chain(([sc, sa, sb]) =>
      fc.tuple(tensorArb(sc!, { requiresGrad: false }), tensorArb(sa!), tensorArb(sb!)),
    );
    propertyGradcheck(arb, (c, a, b) => tg.where(c!.gt(0), a!, b!), { second: true });
  });
});

describe('forward values', () => {
  it('computes by hand-checked values', () => {
    expect(tensor([1, 2]).add(tensor([[10], [20]])).toArray()).toEqual([[11, 12], [21, 22]]);
    expect(tensor([6, 8]).div(2).toArray()).toEqual([3, 4]);
    expect(tensor([2, 3]).pow(2).toArray()).toEqual([4, 9]);
    expect(tensor([-1, 0, 2]).sign().toArray()).toEqual([-1, 0, 1]);
    expect(tg.clamp(tensor([-2, 0.5, 3]), 0, 1).toArray()).toEqual([0, 0.5, 1]);
    expect(tg.maximum(tensor([1, 5]), 3).toArray()).toEqual([3, 5]);
    expect(tg.erf(tensor([0, 0.5, 4], { dtype: 'float64' })).toArray()).toEqual([0, expect.closeTo(0.5204998778130465, 14), expect.closeTo(0.9999999845827421, 14)]);
    expect(tg.where(tensor([1, 0]), tensor([1, 2]), -1).toArray()).toEqual([1, -1]);
  });
  it('comparison masks have no grad', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const m = x.gt(1.5);
    expect(m.toArray()).toEqual([0, 1, 1]);
    expect(m.requiresGrad).toBe(false);
    expect(x.le(2).toArray()).toEqual([1, 1, 0]);
    expect(x.eq(2).toArray()).toEqual([0, 1, 0]);
    expect(x.ne(2).toArray()).toEqual([1, 0, 1]);
    expect(x.lt(2).toArray()).toEqual([1, 0, 0]);
    expect(x.ge(2).toArray()).toEqual([0, 1, 1]);
  });
  it('maximum splits the gradient evenly on ties, like PyTorch', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    tg.maximum(a, b).sum().backward();
    expect(a.grad!.toArray()).toEqual([0.5]);
    expect(b.grad!.toArray()).toEqual([0.5]);
  });
});

describe('bad input', () => {
  const ops: [string, (a: Tensor, b: Tensor) => Tensor][] = binaries.map(([n, f]) => [n, f]);
  for (const [name, f] of ops) {
    it(`${name} names itself and both shapes on a broadcast mismatch`, () => {
      expect(() => f(tg.zeros([2, 3]), tg.zeros([4, 3]))).toThrow(`${name}: shapes [2,3] and [4,3] cannot be broadcast together`);
    });
    it(`${name} promotes float32 with float64 to float64, as PyTorch`, () => {
      expect(f(tg.ones([2]), tg.ones([2], { dtype: 'float64' })).dtype).toBe('float64');
    });
  }
  it('clamp with min > max', () => {
    expect(() => tg.clamp(tg.zeros([2]), 1, 0)).toThrow('clamp: min (1) is greater than max (0)');
  });
});
