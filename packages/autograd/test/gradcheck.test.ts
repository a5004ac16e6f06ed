import { describe, expect, it } from 'vitest';
import { defineOp, tensor, randn, type Tensor } from '@tapegrad/autograd';
import { gradcheck, gradgradcheck } from '@tapegrad/autograd/testing';

// An op with a deliberately wrong gradient at one element.
const faulty = defineOp({
  name: 'faulty',
  forward: (x: Tensor) => x.square(),
  vjp: (g, { args: [x] }) => [g.mul(x).mul(tensor([2, 2, 2.5], { dtype: 'float64' }))],
});
// Correct first derivative through a raw constant, so the vjp is not differentiable itself.
const notTwice = defineOp({
  name: 'notTwice',
  forward: (x: Tensor) => x.square(),
  vjp: (g, { args: [x] }) => [g.mul(x.detach().mul(2))],
});

describe('gradcheck', () => {
  it('passes a correct op and reports the input and index that disagree', () => {
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((x) => x.square(), [x])).toBe(true);
    expect(() => gradcheck((x) => faulty(x), [x])).toThrow(/gradcheck: 1 gradient entry disagrees .*\n  input 0 \(shape \[3\]\) at \[2\]: analytic/);
    const report = gradcheck((x) => faulty(x), [x], { raiseException: false });
    expect(report.ok).toBe(false);
    expect(report.mismatches.map((m) => m.index)).toEqual([[2]]);
  });
  it('gradgradcheck catches a vjp that is not differentiable', () => {
    const x = randn([3], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((x) => notTwice(x), [x])).toBe(true);
    expect(() => gradgradcheck((x) => notTwice(x), [x])).toThrow(/gradcheck: .* disagree/);
    expect(gradgradcheck((x) => x.square(), [x])).toBe(true);
  });
  it('requires float64 inputs and at least one input that requires grad', () => {
    expect(() => gradcheck((x) => x, [tensor([1], { requiresGrad: true })])).toThrow('gradcheck: input 0 (shape [1]) is float32; finite differences need float64 inputs');
    expect(() => gradcheck((x) => x, [tensor([1], { dtype: 'float64' })])).toThrow('gradcheck: no input requires grad');
  });
  it('does not perturb the caller\'s tensors', () => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    gradcheck((x) => x.exp(), [x]);
    expect(x.toArray()).toEqual([1, 2]);
    expect(x.grad).toBeNull();
  });
});
