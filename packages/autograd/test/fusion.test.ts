// Fusion (kernels/fused/lazy.ts): large elementwise results are computed on first read and chains
// of them run as one kernel. Fused results, their gradients (first and second order) and the tape
// must be exactly those of the same ops run one by one; storage written in place after a deferred
// result was defined must not change it. fusion.minSize is lowered so that drawn shapes defer.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { flushPending, grad, noGrad, randn, tensor, type Tensor } from '@tapegrad/autograd';
import { broadcastShapesArb, tensorArb } from '@tapegrad/autograd/testing';
import { SGD } from '@tapegrad/optim';
import { fusion, isPending } from '../src/kernels/fused/lazy.js';

const saved = { ...fusion };
afterEach(() => Object.assign(fusion, saved));

const same = (a: Tensor, b: Tensor) => {
  expect(a.shape).toEqual(b.shape);
  expect(a.dtype).toBe(b.dtype);
  const x = a.contiguousData(), y = b.contiguousData();
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) expect([i, x[i]]).toEqual([i, y[i]]);
};

/** Runs `f` with fusion on (every size deferred) and off. */
function both<T>(f: () => T): [T, T] {
  fusion.minSize = 0;
  const fused = f();
  fusion.enabled = false;
  try { return [fused, f()]; } finally { fusion.enabled = true; }
}

/** Chains of table ops over three broadcast operands, as a model writes them. */
const CHAINS: ((a: Tensor, b: Tensor, c: Tensor) => Tensor)[] = [
  (a, b) => a.mul(b).add(a.exp()),
  (a, b, c) => a.add(b).relu().mul(c),
  (a, b, c) => a.sub(b).square().div(c.abs().add(1)).neg(),
  (a, b, c) => a.maximum(b).minimum(c).sqrt().tanh(),
  (a, b, c) => a.mul(a.gt(b)).add(c.mul(a.le(c))),
  (a, b, c) => a.sin().mul(b.cos()).add(c.sign()).log1p().exp(),
  (a, b) => a.mul(2).add(b.mul(-0.5)).relu().mul(a.relu()),
];

describe('fusion', () => {
  it('defers x*y + exp(x), computes it in one pass on first read, bit-identical to the ops one by one', () => {
    const x = randn([5000]), y = randn([5000]);
    const [fused, eager] = both(() => noGrad(() => x.mul(y).add(x.exp())));
    expect(isPending(fused.data)).toBe(true);
    same(fused, eager);
    expect(isPending(fused.data)).toBe(false);
    // Above the default threshold, with the SIMD kernel.
    Object.assign(fusion, saved);
    const big = randn([20000]), r = noGrad(() => big.mul(big).add(big.exp()));
    expect(isPending(r.data)).toBe(true);
    fusion.enabled = false;
    same(r, noGrad(() => big.mul(big).add(big.exp())));
  });

  it('gives the same values, first- and second-order gradients as the unfused ops, on drawn broadcast shapes (float64 and float32)', () => {
    fc.assert(fc.property(
      broadcastShapesArb(3, { maxRank: 3, maxDim: 4 }).chain((shapes) => fc.tuple(
        fc.constant(shapes), fc.constantFrom<'float32' | 'float64'>('float32', 'float64'), fc.nat(CHAINS.length - 1),
      ).chain(([s, dt, k]) => fc.tuple(fc.tuple(...s.map((sh) => tensorArb(sh, { min: 0.2, max: 2 }).map((t) => t.toDType(dt)))), fc.constant(k)))),
      ([xs, k]) => {
        const f = CHAINS[k]!;
        const run = () => {
          const ins = xs.map((t) => t.detach().requiresGrad_());
          const out = f(ins[0]!, ins[1]!, ins[2]!);
          out.sum().backward();
          const g1 = grad((a: Tensor) => grad((u: Tensor) => f(u, ins[1]!.detach(), ins[2]!.detach()).sum())(a).sum())(ins[0]!.detach());
          return [out.detach(), ...ins.map((t) => t.grad), g1];
        };
        const [fused, eager] = both(run);
        fused.forEach((t, i) => (t === null || eager[i] === null ? expect(t).toBe(eager[i]) : same(t, eager[i]!)));
      },
    ), { numRuns: 60 });
  });

  it('a deferred result keeps the values its operands had: in-place ops, optimizers and flushPending', () => {
    fusion.minSize = 0;
    const x = tensor([1, 2, 3]), y = x.mul(2).add(1);
    expect(isPending(y.data)).toBe(true);
    noGrad(() => x.add_(10));
    expect(y.toArray()).toEqual([3, 5, 7]);
    // Written directly after flushPending: the deferred result took a copy, and stays deferred.
    const z = x.mul(3), other = tensor([1, 1, 1]), w = other.neg();
    flushPending(x);
    expect(isPending(z.data)).toBe(true);
    x.data.data[0] = 0;
    expect(z.toArray()).toEqual([33, 36, 39]);
    expect(w.toArray()).toEqual([-1, -1, -1]);
    // A deferred result holding a deferred operand: once that operand is computed and then written.
    const u = x.add(1), v = u.mul(2);
    expect(u.toArray()).toEqual([1, 13, 14]);
    noGrad(() => u.copy_(tensor([0, 0, 0])));
    expect(v.toArray()).toEqual([2, 26, 28]);
    // An optimizer step writes parameters through flushPending.
    const p = tensor([1, 2], { requiresGrad: true });
    p.grad = tensor([1, 1]);
    const q = noGrad(() => p.mul(10));
    new SGD([p], { lr: 0.5 }).step();
    expect(p.toArray()).toEqual([0.5, 1.5]);
    expect(q.toArray()).toEqual([10, 20]);
    expect(() => flushPending('x' as unknown as Tensor)).toThrow(/^flushPending: /);
  });

  it('a bool mask read as a float stays deferred and fuses into its consumer (relu\'s gradient)', () => {
    fusion.minSize = 0;
    const x = tensor([-1, 0, 2, 3]), g = tensor([5, 6, 7, 8]);
    const m = x.gt(0).toDType('float32');
    expect(isPending(m.data)).toBe(true);
    const r = g.mul(m);
    expect(r.toArray()).toEqual([0, 0, 7, 8]);
    expect(isPending(m.data)).toBe(true); // inlined, never computed on its own
  });
});
