// softmaxCrossEntropy is one op for what the composed tensor ops compute (logSoftmax, gather, the
// ignore mask, the reduction): its loss, gradient, second-order gradient, jvp and vmap results must
// be those ops' bit for bit, and it must pass the usual finite-difference checks.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gradients, jvp, softmaxCrossEntropy, tensor, vmap, grad, type Tensor, type SoftmaxCrossEntropyOptions } from '@tapegrad/autograd';
import { gradcheck, gradgradcheck } from '@tapegrad/autograd/testing';
import { jvpcheck } from './jvp-helpers.js';
import { expectSameBits } from './kernel-cases.js';

type Reduction = NonNullable<SoftmaxCrossEntropyOptions['reduction']>;

/** The composed ops: what nn's crossEntropy computed before the fused op (and still does with class weights). */
function composed(x: Tensor, targets: Tensor, ignoreIndex: number, reduction: Reduction): Tensor {
  const safe = targets.mul(targets.ne(ignoreIndex)).toDType('int32'); // ignored targets read class 0
  const keep = targets.ne(ignoreIndex).toDType(x.dtype);
  const picked = x.logSoftmax(1).gather(1, safe.unsqueeze(1)).squeeze(1);
  const per = picked.mul(keep).neg();
  return reduction === 'mean' ? per.sum().div(keep.sum()) : reduction === 'sum' ? per.sum() : per;
}

const fused = (x: Tensor, targets: Tensor, ignoreIndex: number, reduction: Reduction) => softmaxCrossEntropy(x, targets, { ignoreIndex, reduction });

const same = (a: Tensor, b: Tensor) => {
  expect(a.shape).toEqual(b.shape);
  expect(a.dtype).toBe(b.dtype);
  expectSameBits(a.contiguousData(), b.contiguousData());
};

interface Case {
  n: number;
  c: number;
  dtype: 'float32' | 'float64';
  values: number[];
  labels: number[];
  upstream: number[];
  probe: number[];
  intLabels: boolean;
  reduction: Reduction;
}

// Sizes 0 and 1 included; logits from a wide range (±1000 and exact ties too); about one target in
// four ignored (ignoreIndex −100, or 0 so that an ignored target is also a class).
const cases: fc.Arbitrary<Case> = fc
  .record({ n: fc.integer({ min: 0, max: 6 }), c: fc.integer({ min: 1, max: 6 }), ignoreZero: fc.boolean() })
  .chain(({ n, c }) => {
    const value = fc.oneof(fc.double({ min: -8, max: 8, noNaN: true }), fc.constantFrom(0, -0, 1000, -1000, 1, 0.5));
    const label = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: c - 1 }) }, { weight: 1, arbitrary: fc.constant(-100) });
    return fc.record({
      n: fc.constant(n),
      c: fc.constant(c),
      dtype: fc.constantFrom('float32' as const, 'float64' as const),
      values: fc.array(value, { minLength: n * c, maxLength: n * c }),
      labels: fc.array(label, { minLength: n, maxLength: n }),
      upstream: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n, maxLength: n }),
      probe: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n * c, maxLength: n * c }),
      intLabels: fc.boolean(),
      reduction: fc.constantFrom('mean' as const, 'sum' as const, 'none' as const),
    });
  });

const logitsOf = (k: Case) => tensor(k.values.length ? k.values : [], { dtype: k.dtype }).reshape([k.n, k.c]);
const targetsOf = (k: Case) => tensor(k.labels, { dtype: k.intLabels ? 'int32' : k.dtype });
/** A seed for the loss: a scalar for mean/sum, one value per row for 'none'. */
const seedOf = (k: Case) => (k.reduction === 'none' ? tensor(k.upstream, { dtype: k.dtype }) : tensor(k.upstream[0] ?? 1.5, { dtype: k.dtype }));

describe('softmaxCrossEntropy', () => {
  it('loss and gradient: the composed ops bit for bit (float32 and float64, sizes 0 and 1, ignored targets)', () => {
    fc.assert(
      fc.property(cases, (k) => {
        const results = [fused, composed].map((f) => {
          const x = logitsOf(k).requiresGrad_();
          const loss = f(x, targetsOf(k), -100, k.reduction);
          loss.backward(seedOf(k));
          return { loss, grad: x.grad! };
        });
        same(results[0]!.loss, results[1]!.loss);
        same(results[0]!.grad, results[1]!.grad);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('an ignored target that is also a class (ignoreIndex 0), and every target ignored', () => {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      for (const labels of [[0, 2, 0, 1], [0, 0, 0, 0]]) {
        const results = [fused, composed].map((f) => {
          const x = tensor([[1, 2, 3], [0, -1, 4], [2, 2, 2], [-3, 0, 5]]).requiresGrad_();
          const loss = f(x, tensor(labels, { dtype: 'int32' }), 0, reduction);
          loss.backward(reduction === 'none' ? tensor([1, -2, 0.5, 3]) : undefined);
          return { loss, grad: x.grad! };
        });
        same(results[0]!.loss, results[1]!.loss);
        same(results[0]!.grad, results[1]!.grad);
      }
    }
    expect(Number.isNaN(softmaxCrossEntropy(tensor([[1, 2]]), tensor([-100], { dtype: 'int32' })).item())).toBe(true);
  });

  it('second order (createGraph), jvp and per-example (vmap) results equal the composed ops bit for bit', () => {
    fc.assert(
      fc.property(cases, (k) => {
        const probe = tensor(k.probe, { dtype: k.dtype }).reshape([k.n, k.c]);
        const [a, b] = [fused, composed].map((f) => {
          const x = logitsOf(k).requiresGrad_();
          const [gx] = gradients([f(x, targetsOf(k), -100, k.reduction)], [x], { createGraph: true, gradOutputs: [seedOf(k)] });
          const [hx] = gradients([gx!.mul(probe).sum()], [x]);
          const [out, tangent] = jvp((y: Tensor) => f(y, targetsOf(k), -100, k.reduction), [logitsOf(k)], [probe]);
          return [gx!, hx!, out, tangent];
        });
        a!.forEach((t, i) => same(t, b![i]!));
      }),
      { numRuns: 120, seed: 12 },
    );
    // Per-example losses and gradients of a batch of 3 examples of [2, 3] logits, the targets batched too.
    const xs = tensor([[[1, 2, 3], [0, 5, -1]], [[2, 2, 2], [1000, -1000, 0]], [[0.5, -3, 1], [4, 4, -4]]]);
    const ts = tensor([[0, 2], [1, -100], [-100, -100]], { dtype: 'int32' });
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const loss = (f: typeof fused) => (x: Tensor, t: Tensor) => f(x, t, -100, reduction);
      same(vmap(loss(fused))(xs, ts), vmap(loss(composed))(xs, ts));
      if (reduction !== 'none') same(vmap(grad(loss(fused)))(xs, ts), vmap(grad(loss(composed)))(xs, ts));
    }
  });

  it('gradcheck, gradgradcheck and jvpcheck in float64 (fast-check over rows, classes and ignored targets)', () => {
    const f64 = fc.record({ n: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 1, max: 4 }) }).chain(({ n, c }) =>
      fc.record({
        x: fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: n * c, maxLength: n * c }).map((v) => tensor(v, { dtype: 'float64' }).reshape([n, c])),
        labels: fc.array(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: c - 1 }) }, { weight: 1, arbitrary: fc.constant(-100) }), { minLength: n, maxLength: n }),
        reduction: fc.constantFrom('mean' as const, 'sum' as const, 'none' as const),
      }),
    );
    fc.assert(
      fc.property(f64, ({ x, labels, reduction }) => {
        if (reduction === 'mean' && labels.every((l) => l === -100)) return; // 0/0: no derivative to check
        const f = (a: Tensor) => softmaxCrossEntropy(a, tensor(labels, { dtype: 'int32' }), { reduction });
        gradcheck(f, [x.requiresGrad_()]);
        gradgradcheck(f, [x]);
        jvpcheck(f, [x]);
      }),
      { numRuns: 25, seed: 13 },
    );
  });

  it('names bad arguments', () => {
    const x = tensor([[1, 2, 3], [0, 1, 0]]);
    const t = tensor([0, 2], { dtype: 'int32' });
    expect(() => softmaxCrossEntropy(x, tensor([0, 3], { dtype: 'int32' }))).toThrow('softmaxCrossEntropy: target 3 at [1] is not a class index for 3 classes; expected an integer in 0..2 (or ignoreIndex -100)');
    expect(() => softmaxCrossEntropy(x, tensor([0, 0.5]))).toThrow(/softmaxCrossEntropy: target 0.5 at \[1\]/);
    expect(() => softmaxCrossEntropy(x, tensor([0, 1, 2], { dtype: 'int32' }))).toThrow('softmaxCrossEntropy: expected logits [N, C] and targets [N], got [2,3] and [3]');
    expect(() => softmaxCrossEntropy(x.reshape([6]), t)).toThrow(/expected logits \[N, C\]/);
    expect(() => softmaxCrossEntropy(x.toDType('int32'), t)).toThrow('softmaxCrossEntropy: logits must be floating-point, got int32');
    expect(() => softmaxCrossEntropy(x, t.toDType('bool'))).toThrow(/targets must be class indices/);
    expect(() => softmaxCrossEntropy(tensor([[], []]), t)).toThrow('softmaxCrossEntropy: logits [2,0] have no classes');
    expect(() => softmaxCrossEntropy(x, t, { reduction: 'avg' as never })).toThrow(/reduction must be 'mean', 'sum' or 'none'/);
    expect(() => softmaxCrossEntropy(x, t, { ignoreIndex: 0.5 })).toThrow(/softmaxCrossEntropy: ignoreIndex/);
    expect(() => softmaxCrossEntropy(x, t, { weight: x } as never)).toThrow(/softmaxCrossEntropy/);
  });
});
