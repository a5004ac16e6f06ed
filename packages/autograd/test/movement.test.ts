import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { broadcastTo, sumTo, tensor, unravelIndex, type Tensor } from '@tapegrad/autograd';
import { shapeArb, tensorArb } from '@tapegrad/autograd/testing';
import { propertyGradcheck } from './helpers.js';

// Draws a tensor together with random (valid) arguments for a shape op.
function withArgs<A>(args: (shape: number[]) => fc.Arbitrary<A>, c = {}): fc.Arbitrary<[Tensor, A]> {
  return shapeArb(c).chain((s) => fc.tuple(tensorArb(s), args(s)));
}
const axisOf = (s: number[]) => fc.integer({ min: -s.length, max: Math.max(s.length - 1, 0) });
const perm = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });

function check<A>(name: string, arb: fc.Arbitrary<[Tensor, A]>, f: (x: Tensor, a: A) => Tensor) {
  it(`${name} matches finite differences to second order`, () => {
    fc.assert(
      fc.property(arb, ([x, a]) => {
        propertyGradcheckOnce(x, (t) => f(t, a));
      }),
    );
  });
}
function propertyGradcheckOnce(x: Tensor, f: (x: Tensor) => Tensor) {
  propertyGradcheck(fc.constant([x]), (t) => f(t!), { second: true, numRuns: 1 });
}

describe('shape ops: gradients', () => {
  check('reshape', withArgs((s) => fc.constant(s.length ? [...s].reverse() : [1])), (x, s) => x.reshape([...s].length === x.ndim ? s : [1]));
  check('reshape with -1 after transpose (copy path)', withArgs(() => fc.constant(0), { minRank: 2 }), (x) => x.transpose().reshape([-1]));
  check('transpose', withArgs((s) => fc.tuple(axisOf(s), axisOf(s)), { minRank: 1 }), (x, [a, b]) => x.transpose(a, b));
  check('permute', withArgs((s) => perm(s.length)), (x, p) => x.permute(p));
  check('expand', withArgs((s) => fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }).map((lead) => [...lead, ...s.map((d) => (d === 1 ? 3 : d))])), (x, s) => x.expand(s));
  check('squeeze', withArgs(() => fc.constant(0), { minDim: 1, maxDim: 2 }), (x) => x.squeeze());
  check('unsqueeze', withArgs((s) => fc.integer({ min: -s.length - 1, max: s.length })), (x, a) => x.unsqueeze(a));
  check('flatten', withArgs(() => fc.constant(0), { minRank: 1 }), (x) => x.flatten(x.ndim > 1 ? 1 : 0));
  check(
    'slice with steps',
    withArgs((s) => fc.tuple(...s.map((d) => fc.tuple(fc.integer({ min: -d, max: d }), fc.integer({ min: -d, max: d }), fc.constantFrom(1, 2, -1, -2)))), { minRank: 1 }),
    (x, specs) => x.slice(...specs),
  );
  check('slice with an index', withArgs((s) => fc.integer({ min: -s[0]!, max: s[0]! - 1 }), { minRank: 1 }), (x, i) => x.slice(i));
  check('clone', withArgs(() => fc.constant(0)), (x) => x.clone().mul(x));
  check('contiguous of a transposed view', withArgs(() => fc.constant(0), { minRank: 2 }), (x) => x.transpose().contiguous());
  check('broadcastTo', withArgs((s) => fc.integer({ min: 1, max: 3 }).map((lead) => [lead, ...s])), (x, s) => broadcastTo(x, s));
  // sumTo undoes a broadcast: draw the target, broadcast it up, and check sumTo's own gradient.
  check(
    'sumTo',
    withArgs((s) => fc.tuple(fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }), fc.integer({ min: 0, max: s.length }))),
    (x, [ones, drop]) => sumTo(x, x.shape.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d))),
  );
});

describe('unravelIndex', () => {
  it('inverts row-major flattening', () => {
    expect(unravelIndex(5, [2, 3])).toEqual([1, 2]);
    expect(unravelIndex(0, [])).toEqual([]);
    fc.assert(
      fc.property(shapeArb({ minRank: 1 }).chain((s) => fc.tuple(fc.constant(s), fc.nat({ max: s.reduce((a, b) => a * b, 1) - 1 }))), ([s, i]) => {
        const idx = unravelIndex(i, s);
        expect(idx.reduce((acc, v, d) => acc * s[d]! + v, 0)).toBe(i);
      }),
    );
  });
});

describe('toDType', () => {
  it('casts the gradient back to the input dtype', () => {
    const x = tensor([1.5, 2], { dtype: 'float64', requiresGrad: true });
    const y = x.toDType('float32');
    expect(y.dtype).toBe('float32');
    y.mul(2).sum().backward();
    expect(x.grad!.dtype).toBe('float64');
    expect(x.grad!.toArray()).toEqual([2, 2]);
  });
});
