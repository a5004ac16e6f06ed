// Every op family's jvp and batching rules, as properties: forward mode agrees with reverse mode
// (⟨u, J v⟩ = ⟨Jᵀ u, v⟩ for random u, v) and vmap(f) equals stacking f over the examples.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { jvp, vjp, vmap, stack, tensor, type Tensor } from '@tapegrad/autograd';

const f64 = (v: number[], shape: number[]) => tensor(v, { dtype: 'float64' }).reshape(shape);
const arr = (n: number, lo = -2, hi = 2) => fc.array(fc.double({ min: lo, max: hi, noNaN: true }), { minLength: n, maxLength: n });
const dot = (a: Tensor, b: Tensor) => a.mul(b).sum().item();

interface Family {
  name: string;
  shape: number[];
  f: (x: Tensor) => Tensor;
  lo?: number;
  hi?: number;
}

const w = f64([0.3, -0.2, 0.5, 0.1, -0.4, 0.7], [3, 2]);
const ramp16 = f64([3, 9, 1, 14, 7, 12, 0, 5, 10, 2, 15, 8, 6, 13, 4, 11], [1, 4, 4]);
const convW = f64([0.2, -0.1, 0.3, 0.4, 0.5, -0.6, 0.7, 0.8], [2, 1, 2, 2]);
const families: Family[] = [
  { name: 'unary math', shape: [2, 3], f: (x) => x.exp().add(x.sin()).add(x.tanh()).add(x.square()).add(x.abs().add(1).log()).add(x.erf()).add(x.clamp(-1, 1)) },
  { name: 'binary with broadcasting', shape: [2, 3], f: (x) => x.mul(x.slice(0)).div(x.square().add(1)).sub(x.pow(2)).add(tg.maximum(x, x.slice(1))).add(tg.minimum(x, 0.5)) },
  { name: 'pow, where, sqrt', shape: [4], lo: 0.5, hi: 2, f: (x) => x.pow(x).add(tg.where(x.gt(1), x.sqrt(), x.rsqrt())) },
  { name: 'activations', shape: [2, 3], f: (x) => tg.sigmoid(x).add(tg.logSigmoid(x)).add(tg.relu(x)).add(tg.leakyRelu(x, 0.1)).add(tg.elu(x)).add(tg.gelu(x)).add(tg.gelu(x, 'tanh')).add(tg.softplus(x)).add(tg.silu(x)) },
  { name: 'reductions', shape: [2, 3], f: (x) => tg.stack([x.sum(), x.mean(), x.max(), x.min(), x.prod(), x.sum(0).sum(), tg.variance(x, 1).sum(), tg.std(x.mul(0.1).add(f64([0, 1, 2, 3, 4, 5], [2, 3])))]) },
  { name: 'softmax family', shape: [2, 3], f: (x) => tg.softmax(x, 1).add(tg.logSoftmax(x, 0)).sum(1).add(tg.logSumExp(x, 1)) },
  { name: 'matmul, dot, outer', shape: [2, 3], f: (x) => x.matmul(w).matmul(x.slice(0).unsqueeze(0).matmul(w).transpose()).sum(1).add(tg.dot(x.slice(0), x.slice(1))).add(tg.outer(x.slice(0), x.slice(1)).sum()) },
  { name: 'shape ops', shape: [2, 3], f: (x) => x.reshape([3, 2]).transpose().permute([1, 0]).flatten().unsqueeze(0).expand([2, 6]).squeeze().clone().reshape([2, 2, 3]).sum(0) },
  { name: 'slice, concat, stack, split, pad', shape: [2, 3], f: (x) => tg.concat([x.slice(null, [0, 2]), tg.pad(x, [1, 0]).slice(null, [null, null, -2])], 1).add(tg.pad(tg.stack(tg.split(x, 1, 1).map((t) => t.squeeze(1)), 1).slice(null, [1, 3]), [0, 2])) },
  { name: 'gather, scatterAdd, indexSelect, indexAdd', shape: [2, 3], f: (x) => tg.gather(x, 1, tensor([[2, 0], [1, 1]])).add(tg.indexSelect(x, 1, [0, 2])).sum().add(tg.scatterAdd(x, 1, tensor([[0, 0], [2, 1]]), x.slice(null, [0, 2])).sum()).add(tg.indexAdd(x, 0, [1, 1], x).square().sum()) },
  { name: 'conv2d and pooling', shape: [1, 4, 4], f: (x) => tg.conv2d(x, f64([0.2, -0.1, 0.3, 0.4, 0.5, -0.6, 0.7, 0.8], [2, 1, 2, 2]), f64([0.1, -0.1], [2]), { padding: 1 }).add(0).sum(0).add(tg.maxPool2d(x, { kernelSize: 2 }).sum()).add(tg.avgPool2d(x, { kernelSize: 2 }).sum()) },
  { name: 'rounding (zero tangent) beside a smooth term', shape: [2, 3], f: (x) => tg.round(x.mul(3)).add(tg.round(x, { decimals: 1 })).add(tg.floor(x)).add(tg.frac(x)).add(x.square()) },
  { name: 'more unary math', shape: [2, 3], lo: -0.9, hi: 0.9, f: (x) => x.cos().add(tg.asin(x)).add(tg.acos(x)).add(tg.atan(x)).add(tg.sinh(x)).add(tg.cosh(x)).add(tg.asinh(x)).add(tg.acosh(x.square().add(1.5))).add(tg.atanh(x.mul(0.9))).add(tg.erfc(x)).add(tg.expm1(x)).add(tg.log1p(x.abs())).add(tg.sign(x).mul(x)).add(tg.ceil(x)).add(tg.trunc(x.mul(3))) },
  // Masks and integer results carry no tangent; under vmap their batching rules must still pick per example.
  { name: 'masks and arg-reductions', shape: [2, 3], f: (x) => x.mul(tg.ne(x, x.slice(0)).toDType('float64')).add(tg.le(x, 0).toDType('float64')).add(tg.eq(x.round(), 0).toDType('float64')).add(tg.oneHot(x.argmin(1), 3, { dtype: 'float64' })).add(tg.isNaN(x.log()).toDType('float64')).add(tg.isFinite(x.log()).toDType('float64')).add(tg.isInf(x.abs().log()).toDType('float64')) },
  // Gradients as functions: their jvp (forward over reverse) and batching run the adjoint ops
  // (pooling and conv backward, pad's and slice's backward, prod's helper).
  // (x is spread by a ramp so no pooling window holds a tie, where max pooling is not differentiable)
  { name: 'gradients of pooling and conv (adjoint ops)', shape: [1, 4, 4], f: (x0) => ((x) => tg.grad((y: Tensor) => tg.maxPool2d(y, { kernelSize: 2 }).square().sum().add(tg.avgPool2d(y, { kernelSize: 2 }).square().sum()).add(tg.conv2d(y, convW, null, { padding: 1 }).square().sum()))(x).add(tg.grad((v: Tensor) => tg.conv2d(x, v).square().sum())(convW).sum()))(x0.mul(0.1).add(ramp16)) },
  { name: 'gradients of pad modes, slice and prod (adjoint ops)', shape: [2, 3], lo: 0.5, hi: 2, f: (x) => tg.grad((y: Tensor) => tg.pad(y, [1, 2], 'reflect').square().sum().add(y.slice(null, [1, 3]).square().sum()).add(y.prod()).add(tg.pad(y, [1, 1], 'replicate').pow(3).sum()))(x) },
  { name: 'unfold and fold', shape: [1, 3, 3], f: (x) => tg.fold(tg.unfold(x, { kernelSize: 2 }).mul(2), { kernelSize: 2, outputSize: 3 }) },
];

describe('jvp rules agree with the vjps: <u, J v> = <J^T u, v>', () => {
  for (const fam of families) {
    it(fam.name, () => {
      const n = fam.shape.reduce((a, b) => a * b, 1);
      fc.assert(
        fc.property(arr(n, fam.lo, fam.hi), arr(n), (xv, vv) => {
          const x = f64(xv, fam.shape);
          const v = f64(vv, fam.shape);
          const [y, jv] = jvp(fam.f, [x], [v]);
          const u = f64(Array.from({ length: y.size }, (_, i) => Math.cos(3 * i + 1)), [...y.shape]);
          const [, pull] = vjp(fam.f, x);
          const lhs = dot(u, jv);
          const rhs = dot(pull(u)[0]!, v);
          expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * (1 + Math.abs(lhs)));
        }),
        { seed: 11, numRuns: 12 },
      );
    });
  }
});

describe('vmap(f) equals stacking f over the examples', () => {
  for (const fam of families) {
    it(fam.name, () => {
      const n = fam.shape.reduce((a, b) => a * b, 1);
      fc.assert(
        fc.property(arr(3 * n, fam.lo, fam.hi), (xv) => {
          const xs = f64(xv, [3, ...fam.shape]);
          const got = vmap(fam.f)(xs);
          const want = stack([0, 1, 2].map((i) => fam.f(xs.slice(i))));
          expect(got.shape).toEqual(want.shape);
          expect(got.sub(want).abs().max().item()).toBeLessThan(1e-12);
          // batch axis elsewhere, and out axis elsewhere
          const moved = vmap(fam.f, { inAxes: 1, outAxes: -1 })(xs.transpose(0, 1));
          expect(moved.sub(want.permute([...want.shape.slice(1).map((_, i) => i + 1), 0])).abs().max().item()).toBeLessThan(1e-12);
        }),
        { seed: 12, numRuns: 6 },
      );
    });
  }
  it('per-example indices (gather and indexSelect with a batched index)', () => {
    const x = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    const idx = tensor([[2, 0], [1, 1]]);
    const got = vmap((xi: Tensor, ii: Tensor) => tg.indexSelect(xi, 0, ii))(x, idx);
    expect(got.toArray()).toEqual([[3, 1], [5, 5]]);
    const g = vmap((xi: Tensor, ii: Tensor) => tg.gather(xi, 0, ii))(x, idx);
    expect(g.toArray()).toEqual([[3, 1], [5, 5]]);
  });
  it('argmax over every axis indexes the flattened example', () => {
    const x = f64([1, 9, 3, 4, 8, 2, 7, 6], [2, 2, 2]);
    expect(vmap((xi: Tensor) => xi.argmax())(x).toArray()).toEqual([1, 0]);
  });
});
