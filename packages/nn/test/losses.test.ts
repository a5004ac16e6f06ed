import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stack, tensor, vmap, type Tensor } from '@tapegrad/autograd';
import { jvpcheck } from '../../autograd/test/jvp-helpers.js';
import { gradcheck, tensorArb } from '@tapegrad/autograd/testing';
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, huberLoss, l1Loss, mseLoss, nllLoss,
} from '@tapegrad/nn';
import { flat } from './helpers.js';

const f64 = { dtype: 'float64' as const };
const t64 = (v: Parameters<typeof tensor>[0], requiresGrad = false) => tensor(v, { ...f64, requiresGrad });
const close = (actual: number[], expected: number[], digits = 10) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, digits));
};
const lse = (row: number[]) => {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
};
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const allFinite = (t: Tensor) => flat(t).every(Number.isFinite);

describe('regression losses', () => {
  const input = () => t64([1, 2, 3], true);
  const target = () => t64([1, 4, 0]);

  it('mseLoss: squared error under every reduction', () => {
    expect(mseLoss(input(), target()).item()).toBeCloseTo(13 / 3, 12);
    expect(mseLoss(input(), target(), { reduction: 'sum' }).item()).toBe(13);
    expect(flat(mseLoss(input(), target(), { reduction: 'none' }))).toEqual([0, 4, 9]);
  });

  it('l1Loss: absolute error under every reduction', () => {
    expect(l1Loss(input(), target()).item()).toBeCloseTo(5 / 3, 12);
    expect(l1Loss(input(), target(), { reduction: 'sum' }).item()).toBe(5);
    expect(flat(l1Loss(input(), target(), { reduction: 'none' }))).toEqual([0, 2, 3]);
  });

  it('huberLoss: quadratic inside delta, linear outside', () => {
    const x = t64([0, 0, 0, 0], true);
    const y = t64([0.5, -0.2, 3, -2]);
    close(flat(huberLoss(x, y, { reduction: 'none' })), [0.125, 0.02, 2.5, 1.5]);
    expect(huberLoss(x, y).item()).toBeCloseTo(4.145 / 4, 12);
    expect(huberLoss(x, y, { delta: 2, reduction: 'sum' }).item()).toBeCloseTo(0.125 + 0.02 + 4 + 2, 12);
    expect(() => huberLoss(x, y, { delta: 0 })).toThrow('huberLoss: delta must be a positive finite number (got 0, expected a finite number > 0)');
  });

  it('finite at ±1000, gradcheck away from kinks', () => {
    const big = t64([1000, -1000], true);
    for (const loss of [mseLoss, l1Loss, huberLoss]) {
      const value = loss(big, t64([-1000, 1000]));
      expect(Number.isFinite(value.item())).toBe(true);
      value.backward();
      expect(allFinite(big.grad!)).toBe(true);
      big.zeroGrad();
    }
    fc.assert(
      // d = x − y stays away from 0 (l1's kink) and from ±delta (huber's seam).
      fc.property(tensorArb([2, 3]), tensorArb([2, 3], { avoid: [-1, 0, 1], margin: 0.01, requiresGrad: false }), (x, d) => {
        const yy = x.detach().sub(d);
        for (const reduction of ['mean', 'sum', 'none'] as const) {
          gradcheck((a, b) => mseLoss(a, b, { reduction }), [x, yy.requiresGrad_()]);
          gradcheck((a) => l1Loss(a, yy, { reduction }), [x]);
          gradcheck((a) => huberLoss(a, yy, { reduction, delta: 1 }), [x]);
        }
      }),
      { numRuns: 10 },
    );
  });

  it('require matching shapes and known reductions', () => {
    expect(() => mseLoss(t64([[1], [2]]), t64([1, 2]))).toThrow('mseLoss: input shape [2,1] and target shape [2] differ; reshape one so they match');
    expect(() => l1Loss(t64([1]), tensor([1]))).toThrow(/input is float64 but target is float32/);
    expect(() => mseLoss(t64([1]), t64([1]), { reduction: 'avg' as never })).toThrow(`mseLoss: reduction must be 'mean', 'sum' or 'none' (got a string "avg", expected 'mean', 'sum' or 'none')`);
  });
});

describe('crossEntropy and nllLoss', () => {
  const rows = [[2, 0, -1], [0, 3, 0]];
  const logits = () => t64(rows, true);
  const perSample = [lse(rows[0]!) - 2, lse(rows[1]!) - 3];

  it('match −log softmax of the target class under every reduction', () => {
    expect(crossEntropy(logits(), t64([0, 1])).item()).toBeCloseTo((perSample[0]! + perSample[1]!) / 2, 12);
    expect(crossEntropy(logits(), t64([0, 1]), { reduction: 'sum' }).item()).toBeCloseTo(perSample[0]! + perSample[1]!, 12);
    close(flat(crossEntropy(logits(), t64([0, 1]), { reduction: 'none' })), perSample);
    const logp = t64(rows).logSoftmax(1);
    expect(nllLoss(logp, t64([0, 1])).item()).toBeCloseTo((perSample[0]! + perSample[1]!) / 2, 12);
    expect(nllLoss(t64([[0.2, 0.8], [0.6, 0.4]]).log(), tensor([1, 0])).item()).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 12);
  });

  it('class weights give a weighted mean; ignoreIndex drops targets from sum and count', () => {
    const weight = t64([1, 2, 3]);
    expect(crossEntropy(logits(), t64([0, 1]), { weight }).item()).toBeCloseTo((perSample[0]! + 2 * perSample[1]!) / 3, 12);
    close(flat(crossEntropy(logits(), t64([0, 1]), { weight, reduction: 'none' })), [perSample[0]!, 2 * perSample[1]!]);
    expect(crossEntropy(logits(), t64([0, -100])).item()).toBeCloseTo(perSample[0]!, 12);
    expect(crossEntropy(logits(), t64([0, 1]), { ignoreIndex: 1, reduction: 'sum' }).item()).toBeCloseTo(perSample[0]!, 12);
    close(flat(nllLoss(t64(rows).logSoftmax(1), t64([0, 1]), { ignoreIndex: 0, reduction: 'none' })), [0, perSample[1]!]);
  });

  it('label smoothing equals cross-entropy against smoothed one-hot targets', () => {
    const eps = 0.1;
    const smoothed = t64([[1 - eps + eps / 3, eps / 3, eps / 3], [eps / 3, 1 - eps + eps / 3, eps / 3]]);
    expect(crossEntropy(logits(), t64([0, 1]), { labelSmoothing: eps }).item()).toBeCloseTo(crossEntropy(logits(), smoothed).item(), 12);
    // With class weights, PyTorch normalizes the smoothing term by the targets' weights too.
    const w = [1, 2, 3];
    const logp = rows.map((r) => r.map((v) => v - lse(r)));
    const nll = (1 * -logp[0]![0]! + 2 * -logp[1]![1]!) / 3;
    const smooth = logp.reduce((s, r) => s - r.reduce((a, v, c) => a + w[c]! * v, 0), 0) / 3;
    expect(crossEntropy(logits(), t64([0, 1]), { weight: t64(w), labelSmoothing: eps }).item()).toBeCloseTo((1 - eps) * nll + (eps / 3) * smooth, 12);
  });

  it('accept probability targets, spatial [N, C, d] inputs and unbatched [C] inputs', () => {
    const probs = t64([[0.5, 0.5, 0], [0, 0.25, 0.75]]);
    const logp = rows.map((r) => r.map((v) => v - lse(r)));
    const expected = -(0.5 * logp[0]![0]! + 0.5 * logp[0]![1]! + 0.25 * logp[1]![1]! + 0.75 * logp[1]![2]!) / 2;
    expect(crossEntropy(logits(), probs).item()).toBeCloseTo(expected, 12);
    const spatial = t64([[[1, 2], [0, -1], [3, 0]], [[0, 0], [1, 1], [-2, 4]]]); // [N=2, C=3, d=2]
    const targets = t64([[2, 0], [1, 2]]);
    const asRows = spatial.permute([0, 2, 1]).reshape([4, 3]);
    expect(crossEntropy(spatial, targets).item()).toBeCloseTo(crossEntropy(asRows, targets.reshape([4])).item(), 12);
    expect(crossEntropy(spatial, targets, { reduction: 'none' }).shape).toEqual([2, 2]);
    expect(crossEntropy(t64([2, 0, -1]), t64(0)).item()).toBeCloseTo(perSample[0]!, 12);
    expect(crossEntropy(t64([2, 0, -1]), t64(0), { reduction: 'none' }).shape).toEqual([]);
  });

  it('finite loss and gradient at logits ±1000', () => {
    const x = t64([[1000, -1000, 0], [-1000, 1000, 0]], true);
    const loss = crossEntropy(x, t64([1, 0]), { labelSmoothing: 0.1 });
    expect(Number.isFinite(loss.item())).toBe(true);
    loss.backward();
    expect(allFinite(x.grad!)).toBe(true);
    expect(crossEntropy(x, t64([1, 0])).item()).toBeCloseTo(2000, 9);
    expect(crossEntropy(x, t64([0, 1])).item()).toBeCloseTo(0, 12);
  });

  it('gradcheck (fast-check over batch size, classes, weights and smoothing)', () => {
    const cases = fc.record({ n: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 2, max: 4 }) }).chain(({ n, c }) => fc.record({
      x: tensorArb([n, c], { min: -4, max: 4 }),
      targets: fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: n, maxLength: n }),
      weight: tensorArb([c], { min: 0.5, max: 2, requiresGrad: false }),
      smoothing: fc.constantFrom(0, 0.2),
      weighted: fc.boolean(),
    }));
    fc.assert(
      fc.property(cases, ({ x, targets, weight, smoothing, weighted }) => {
        const options = { weight: weighted ? weight : undefined, labelSmoothing: smoothing };
        for (const reduction of ['mean', 'sum', 'none'] as const) {
          gradcheck((a) => crossEntropy(a, t64(targets), { ...options, reduction }), [x]);
          gradcheck((a) => nllLoss(a.logSoftmax(1), t64(targets), { weight: options.weight, reduction }), [x]);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('without class weights or smoothing (one fused op): nllLoss of logSoftmax bit for bit, loss and gradient', () => {
    const x = tensor([[2, 0, -1], [0, 3, 0], [1000, -1000, 0.5], [0.25, 0.25, 0.25]]);
    const targets = [tensor([0, 1, 2, -100], { dtype: 'int32' }), tensor([2, 2, 0, 1])];
    for (const t of targets) {
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        const [a, b] = [(l: Tensor) => crossEntropy(l, t, { reduction }), (l: Tensor) => nllLoss(l.logSoftmax(1), t, { reduction })].map((f) => {
          const l = x.detach().requiresGrad_();
          const loss = f(l);
          loss.sum().backward();
          return [...flat(loss), ...flat(l.grad!)];
        });
        expect(a!.map((v) => Object.is(v, -0) ? '-0' : v)).toEqual(b!.map((v) => Object.is(v, -0) ? '-0' : v));
      }
    }
  });

  it('name out-of-range targets, bad shapes and bad weights', () => {
    expect(() => crossEntropy(logits(), t64([0, 3]))).toThrow('crossEntropy: target 3 at [1] is not a class index for 3 classes; expected an integer in 0..2 (or ignoreIndex -100)');
    expect(() => nllLoss(logits(), t64([0.5, 1]))).toThrow(/nllLoss: target 0.5 at \[0\] is not a class index/);
    expect(() => crossEntropy(logits(), t64([-1, 1]))).toThrow(/target -1 at \[0\]/);
    expect(() => crossEntropy(logits(), t64([[0], [1]]))).toThrow(/got input \[2,3\] and targets \[2,1\] \(targets should be \[2\]\)/);
    expect(() => crossEntropy(logits(), t64([0, 1]), { weight: t64([1, 2]) })).toThrow('crossEntropy: weight must have shape [3] (one per class), got [2]');
    expect(() => crossEntropy(logits(), t64([0, 1]), { labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be in \[0, 1\]/);
    // A bool tensor is a mask, not class indices (PyTorch refuses it too).
    const mask = tensor([1, 0], { dtype: 'bool' });
    expect(() => crossEntropy(logits(), mask)).toThrow("crossEntropy: targets are bool; expected int32 class indices, e.g. targets.toDType('int32')");
    expect(() => nllLoss(logits(), mask)).toThrow(/^nllLoss: targets are bool/);
    expect(crossEntropy(logits(), mask.toDType('int32')).item()).toBeCloseTo(crossEntropy(logits(), t64([1, 0])).item(), 12);
  });
});

describe('binary cross-entropy', () => {
  it('on probabilities: closed form, reductions, weights', () => {
    const p = t64([0.9, 0.2], true);
    const y = t64([1, 0]);
    expect(binaryCrossEntropy(p, y).item()).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
    close(flat(binaryCrossEntropy(p, y, { reduction: 'none' })), [-Math.log(0.9), -Math.log(0.8)]);
    expect(binaryCrossEntropy(p, y, { reduction: 'sum', weight: t64([2, 1]) }).item()).toBeCloseTo(-2 * Math.log(0.9) - Math.log(0.8), 12);
    expect(binaryCrossEntropy(t64([0.3]), t64([0.6])).item()).toBeCloseTo(-(0.6 * Math.log(0.3) + 0.4 * Math.log(0.7)), 12);
  });

  it('on probabilities: clamps the log at −100 so p = 0 or 1 stays finite, gradient included', () => {
    const p = t64([0, 1, 0, 1], true);
    const loss = binaryCrossEntropy(p, t64([1, 0, 0, 1]), { reduction: 'none' });
    close(flat(loss), [100, 100, 0, 0]);
    loss.sum().backward();
    expect(allFinite(p.grad!)).toBe(true);
  });

  it('on probabilities: gradcheck for input and target; refuses values outside [0, 1]', () => {
    fc.assert(
      // Targets away from 0 and 1: finite differences step outside [0, 1], which is refused (as PyTorch).
      fc.property(tensorArb([3, 2], { min: 0.05, max: 0.95 }), tensorArb([3, 2], { min: 0.01, max: 0.99 }), (p, y) => {
        gradcheck((a, b) => binaryCrossEntropy(a, b), [p, y]);
        gradcheck((a, b) => binaryCrossEntropy(a, b, { reduction: 'none', weight: t64([0.5, 2]) }), [p, y]);
      }),
      { numRuns: 10 },
    );
    expect(() => binaryCrossEntropy(t64([0.5, 1.3]), t64([1, 0]))).toThrow(/input must hold probabilities in \[0, 1\], got 1.3 at flat position 1; apply sigmoid first/);
    expect(() => binaryCrossEntropy(t64([0.5]), t64([1]), { weight: t64([1, 2]) })).toThrow(/weight of shape \[2\] does not broadcast to the input shape \[1\]/);
    // Targets too, as torch.nn.functional.binary_cross_entropy ("all elements of target should be between 0 and 1").
    for (const bad of [2, -0.5, NaN]) {
      expect(() => binaryCrossEntropy(t64([0.5, 0.5]), t64([1, bad]))).toThrow(`binaryCrossEntropy: target must hold values in [0, 1], got ${bad} at flat position 1`);
    }
    expect(() => vmap((b: Tensor) => binaryCrossEntropy(t64([0.5, 0.5]), b))(t64([[1, 0], [0, 2]]))).toThrow(/^binaryCrossEntropy: target must hold values in \[0, 1\], got 2/);
    // The logits form accepts any target, as PyTorch's binary_cross_entropy_with_logits does.
    expect(binaryCrossEntropyWithLogits(t64([0.5]), t64([2])).item()).toBeCloseTo(-0.0259, 4);
  });

  it('on probabilities: forward mode against finite differences, vmap against a loop (batched or shared targets)', () => {
    fc.assert(
      fc.property(tensorArb([3, 2], { min: 0.05, max: 0.95 }), tensorArb([3, 2], { min: 0.01, max: 0.99 }), (p, y) => {
        jvpcheck((a, b) => binaryCrossEntropy(a, b, { reduction: 'none' }), [p, y]);
        jvpcheck((a, b) => binaryCrossEntropy(a, b), [p, y]);
        const loop = stack(p.unbind(0).map((pi, i) => binaryCrossEntropy(pi, y.unbind(0)[i]!)));
        expect(vmap((a: Tensor, b: Tensor) => binaryCrossEntropy(a, b))(p, y).sub(loop).abs().max().item()).toBeLessThan(1e-12);
        const shared = stack(p.unbind(1).map((pi) => binaryCrossEntropy(pi, y.slice(null, 0))));
        expect(vmap((a: Tensor) => binaryCrossEntropy(a, y.slice(null, 0)), { inAxes: 1 })(p).sub(shared).abs().max().item()).toBeLessThan(1e-12);
      }),
      { numRuns: 8, seed: 21 },
    );
    // the range check sees every example, not only the first
    expect(() => vmap((a: Tensor) => binaryCrossEntropy(a, t64([1, 0])))(t64([[0.5, 0.5], [0.5, 1.5]]))).toThrow(/input must hold probabilities in \[0, 1\], got 1.5/);
  });

  it('on logits: matches max(x, 0) − x·y + log1p(e^−|x|) and the probability form', () => {
    const xs = [-3, -0.5, 0, 0.7, 4];
    const ys = [0, 1, 0.5, 1, 0.2];
    close(flat(binaryCrossEntropyWithLogits(t64(xs), t64(ys), { reduction: 'none' })), xs.map((x, i) => Math.max(x, 0) - x * ys[i]! + Math.log1p(Math.exp(-Math.abs(x)))), 12);
    expect(binaryCrossEntropyWithLogits(t64(xs), t64(ys)).item()).toBeCloseTo(binaryCrossEntropy(t64(xs).sigmoid(), t64(ys)).item(), 10);
    // Tiny losses keep full precision (no cancellation): log1p(e^-30) ≈ 9.36e-14.
    expect(binaryCrossEntropyWithLogits(t64([-30]), t64([0])).item()).toBeCloseTo(Math.log1p(Math.exp(-30)), 25);
  });

  it('on logits: posWeight scales the positive term (PyTorch formula) and broadcasts per class', () => {
    const x = t64([[0.5, -1], [2, 0]]);
    const y = t64([[1, 0], [0.3, 1]]);
    const pw = [3, 0.5];
    const expected = [[0.5, -1], [2, 0]].flatMap((row, i) => row.map((v, j) => {
      const yy = [[1, 0], [0.3, 1]][i]![j]!;
      return (1 - yy) * v + ((pw[j]! - 1) * yy + 1) * (Math.log1p(Math.exp(-Math.abs(v))) + Math.max(-v, 0));
    }));
    close(flat(binaryCrossEntropyWithLogits(x, y, { posWeight: t64(pw), reduction: 'none' })), expected, 12);
    close(flat(binaryCrossEntropyWithLogits(x, y, { posWeight: t64(pw), reduction: 'none' })), [0.5, -1, 2, 0].map((v, k) => {
      const yy = [1, 0, 0.3, 1][k]!;
      return pw[k % 2]! * yy * softplus(-v) + (1 - yy) * softplus(v);
    }), 12);
  });

  it('on logits: finite loss and gradient at ±1000, and gradcheck', () => {
    const x = t64([1000, -1000, 1000, -1000], true);
    const loss = binaryCrossEntropyWithLogits(x, t64([0, 1, 1, 0]), { reduction: 'none', posWeight: t64([2]) });
    close(flat(loss), [1000, 2000, 0, 0]);
    loss.sum().backward();
    close(flat(x.grad!), [1, -2, 0, 0]);
    fc.assert(
      fc.property(tensorArb([2, 3], { min: -6, max: 6 }), tensorArb([2, 3], { min: 0, max: 1 }), (logits, y) => {
        for (const reduction of ['mean', 'sum', 'none'] as const) {
          gradcheck((a, b) => binaryCrossEntropyWithLogits(a, b, { reduction, posWeight: t64([1, 2, 0.5]), weight: t64([[2], [1]]) }), [logits, y]);
        }
      }),
      { numRuns: 10 },
    );
  });
});
