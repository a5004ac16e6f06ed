// relu6, hardtanh, selu, mish, prelu: gradients, PyTorch's values and kinks, stability, errors.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { shapeArb, tensorArb, tensorsArb, type ValueConstraints } from '@tapegrad/autograd/testing';
import { propertyGradcheck } from './helpers.js';
import { propertyJvpcheck } from './jvp-helpers.js';

const shapes = shapeArb({ minDim: 0, maxDim: 3 });

const cases: [string, (x: Tensor) => Tensor, ValueConstraints, boolean][] = [
  ['relu6', tg.relu6, { min: -2, max: 8, avoid: [0, 6] }, true],
  ['hardtanh', (x) => tg.hardtanh(x), { avoid: [-1, 1] }, true],
  ['hardtanh(-0.5, 2)', (x) => tg.hardtanh(x, -0.5, 2), { min: -3, max: 3, avoid: [-0.5, 2] }, true],
  ['selu', tg.selu, { min: -4, max: 4, avoid: [0] }, true],
  ['mish', tg.mish, { min: -6, max: 6 }, true],
];

describe('more activations: gradients', () => {
  for (const [name, f, c, second] of cases) {
    it(`${name} matches finite differences${second ? ' to second order' : ''}`, () => {
      propertyGradcheck(shapes.chain((s) => tensorsArb([s], c)), f, { second });
      propertyJvpcheck(shapes.chain((s) => tensorsArb([s], c)), f);
    });
  }

  it('prelu matches finite differences in x and weight (one slope and one per channel), to second order', () => {
    const arb = fc
      .tuple(shapeArb({ minRank: 2, maxRank: 4, minDim: 0, maxDim: 3 }), fc.boolean())
      .chain(([shape, perChannel]) =>
        fc.tuple(tensorArb(shape, { avoid: [0] }), tensorArb(perChannel ? [shape[1]!] : [1], { min: -1, max: 1 })),
      );
    propertyGradcheck(arb, (x, w) => tg.prelu(x!, w!), { second: true });
    propertyJvpcheck(arb, (x, w) => tg.prelu(x!, w!));
    propertyGradcheck(shapeArb({ maxRank: 1 }).chain((s) => fc.tuple(tensorArb(s, { avoid: [0] }), tensorArb([], { min: -1, max: 1 }))), (x, w) => tg.prelu(x!, w!), { second: true });
  });
});

describe('more activations: values and kinks as PyTorch', () => {
  const f64 = (v: number[]) => tensor(v, { dtype: 'float64' });
  const close = (vs: number[]) => vs.map((v) => expect.closeTo(v, 13));

  it('forward values (reference: torch 2.x)', () => {
    expect(tg.relu6(f64([-1, 3, 8])).toArray()).toEqual([0, 3, 6]);
    expect(tg.hardtanh(f64([-2, 0.5, 3])).toArray()).toEqual([-1, 0.5, 1]);
    expect(tg.selu(f64([-1, 1, 0])).toArray()).toEqual(close([-1.1113307378125628, 1.0507009873554805, 0]));
    expect(tg.mish(f64([-1, 1, 0])).toArray()).toEqual(close([-0.30340146137410895, 0.8650983882673103, 0]));
    expect(tg.prelu(f64([-2, 3]), f64([0.25])).toArray()).toEqual([-0.5, 3]);
    expect(tg.prelu(tensor([[-2, 3], [-4, -5]], { dtype: 'float64' }), f64([0.1, 0.5])).toArray()).toEqual([close([-0.2, 3]), close([-0.4, -2.5])]);
  });

  it('clipped activations have zero gradient at the corners (strict inequalities, as hardtanh_backward)', () => {
    const x = tensor([-1, 0, 6, 7, 3], { requiresGrad: true });
    tg.relu6(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 0, 0, 1]);
    const y = tensor([-1, -3, 1, 3, 0.5], { requiresGrad: true });
    tg.hardtanh(y).sum().backward();
    expect(y.grad!.toArray()).toEqual([0, 0, 0, 0, 1]);
  });

  it('prelu gives the slope at 0 and sums the weight gradient over a channel', () => {
    const x = tensor([[[0, -1]], [[2, -3]]], { dtype: 'float64', requiresGrad: true }); // [2, 1, 2]
    const w = tensor([0.5], { dtype: 'float64', requiresGrad: true });
    tg.prelu(x, w).sum().backward();
    expect(x.grad!.toArray()).toEqual([[[0.5, 0.5]], [[1, 0.5]]]);
    expect(w.grad!.toArray()).toEqual([-4]);
    expect(x.prelu(w).toArray()).toEqual(tg.prelu(x, w).toArray());
  });

  it('stay finite with finite gradients at ±1000 and ±1e300', () => {
    for (const [name, f] of cases) {
      const x = tensor([1000, -1000, 1e300, -1e300], { dtype: 'float64', requiresGrad: true });
      const y = tg.detectAnomaly(() => f(x));
      expect(y.contiguousData().every(Number.isFinite), name).toBe(true);
      tg.detectAnomaly(() => y.sum().backward());
      expect(x.grad!.contiguousData().every(Number.isFinite), name).toBe(true);
    }
    expect(tg.mish(tensor([1000, -1000], { dtype: 'float64' })).toArray()).toEqual([1000, -0]);
  });

  it('keep float32 float32', () => {
    for (const [name, f] of cases) expect(f(tensor([0.5])).dtype, name).toBe('float32');
  });

  it('reject bad arguments naming the function', () => {
    const x = tg.zeros([2, 3]);
    expect(() => tg.hardtanh(x, 1, -1)).toThrow('hardtanh: minVal (1) is greater than maxVal (-1)');
    expect(() => tg.hardtanh(x, NaN)).toThrow('hardtanh: minVal must be a finite number (got NaN, expected a finite number)');
    expect(() => tg.prelu(x, tg.zeros([2]))).toThrow('prelu: weight has 2 elements but the input (shape [2,3]) has 3 channels on axis 1; pass 1 or 3');
    expect(() => tg.prelu(x, tg.zeros([3, 1]))).toThrow('prelu: weight must be 0-d or 1-D, got shape [3,1]');
    expect(() => tg.prelu(x, tg.zeros([3], { dtype: 'float64' }))).toThrow('prelu: weight is float64 but input is float32');
  });
});
