import { describe, expect, it } from 'vitest';
import { tensor, zeros } from '@tapegrad/autograd';
import { clipGradNorm, clipGradValue } from '@tapegrad/optim';
import { expectClose, param } from './helpers.js';

/** Parameters whose gradients are [3, 4] and [[12]], plus one without a gradient. */
function withGrads() {
  const a = param([0, 0]);
  const b = param([[0]]);
  const none = param([5]);
  a.grad = tensor([3, 4], { dtype: 'float64' });
  b.grad = tensor([[12]], { dtype: 'float64' });
  return { a, b, none, all: [a, b, none] };
}

describe('clipGradNorm', () => {
  it('returns the total 2-norm and rescales the gradients to maxNorm', () => {
    const { a, b, none, all } = withGrads();
    expect(clipGradNorm(all, 6.5)).toBe(13); // √(9 + 16 + 144)
    const scale = 6.5 / (13 + 1e-6);
    expectClose(a.grad!, [3 * scale, 4 * scale], 1e-15);
    expectClose(b.grad!, [12 * scale], 1e-15);
    expect(none.grad).toBeNull();
  });

  it('handles the 1-norm, a fractional p, and the infinity norm', () => {
    expect(clipGradNorm(withGrads().all, 100, 1)).toBe(19);
    expect(clipGradNorm(withGrads().all, 100, 3)).toBeCloseTo(Math.cbrt(27 + 64 + 1728), 12);
    expect(clipGradNorm(withGrads().all, 100, 0.5)).toBeCloseTo((Math.sqrt(3) + 2 + Math.sqrt(12)) ** 2, 12);
    const { a, b, all } = withGrads();
    expect(clipGradNorm(all, 6, Infinity)).toBe(12);
    const scale = 6 / (12 + 1e-6);
    expectClose(a.grad!, [3 * scale, 4 * scale], 1e-15);
    expectClose(b.grad!, [12 * scale], 1e-15);
  });

  it('leaves gradients untouched when the norm is within maxNorm', () => {
    const { a, all } = withGrads();
    const before = a.grad!;
    expect(clipGradNorm(all, 14)).toBe(13);
    expect(a.grad).toBe(before);
    expect(a.grad!.toArray()).toEqual([3, 4]);
  });

  it('scales in place, and clips a strided gradient view correctly', () => {
    const p = param([[0, 0], [0, 0]]);
    const storage = zeros([2, 2], { dtype: 'float64' }).add(tensor([[3, 0], [4, 0]], { dtype: 'float64' }));
    p.grad = storage.transpose(); // [[3, 4], [0, 0]] as a non-contiguous view
    expect(clipGradNorm(p, 1)).toBe(5);
    expectClose(p.grad.contiguousData(), [3 / (5 + 1e-6), 4 / (5 + 1e-6), 0, 0], 1e-15);
    expectClose(storage.contiguousData(), [3 / (5 + 1e-6), 0, 4 / (5 + 1e-6), 0], 1e-15);
  });

  it('returns 0 when no parameter has a gradient, and accepts a single tensor', () => {
    expect(clipGradNorm([param([1])], 1)).toBe(0);
    const { a } = withGrads();
    expect(clipGradNorm(a, 1)).toBe(5);
  });

  it('propagates non-finite norms as PyTorch does, or throws when asked', () => {
    const { a, b, all } = withGrads();
    b.grad = tensor([[Infinity]], { dtype: 'float64' });
    expect(() => clipGradNorm(all, 1, 2, { errorIfNonfinite: true })).toThrow(
      'clipGradNorm: the total norm of order 2 of the gradients is Infinity; pass { errorIfNonfinite: false } to clip anyway',
    );
    expect(a.grad!.toArray()).toEqual([3, 4]);
    expect(clipGradNorm(all, 1)).toBe(Infinity);
    expect(a.grad!.toArray()).toEqual([0, 0]); // scaled by 1/∞
    const n = withGrads();
    n.a.grad = tensor([Number.NaN, 1], { dtype: 'float64' });
    expect(clipGradNorm(n.all, 1)).toBeNaN();
    expect(n.b.grad!.item()).toBeNaN();
  });

  it('rejects a negative maxNorm and a non-positive normType', () => {
    const { all } = withGrads();
    expect(() => clipGradNorm(all, -1)).toThrow('clipGradNorm: invalid maxNorm (got -1, expected a number >= 0 (Infinity for no limit))');
    expect(() => clipGradNorm(all, Number.NaN)).toThrow('clipGradNorm: invalid maxNorm (got NaN');
    expect(() => clipGradNorm(all, 1, 0)).toThrow('clipGradNorm: invalid normType (got 0, expected a number > 0 or Infinity)');
    expect(() => clipGradNorm(all, 1, -2)).toThrow('clipGradNorm: invalid normType (got -2');
  });
});

describe('clipGradValue', () => {
  it('clamps every entry to [-clipValue, clipValue] in place', () => {
    const p = param([0, 0, 0, 0]);
    const g = tensor([-3, 0.5, 2, -0.25], { dtype: 'float64' });
    p.grad = g;
    clipGradValue([p, param([1])], 1);
    expect(p.grad).toBe(g);
    expect(g.toArray()).toEqual([-1, 0.5, 1, -0.25]);
    clipGradValue(p, 0);
    expect((g.toArray() as number[]).map(Math.abs)).toEqual([0, 0, 0, 0]);
  });

  it('rejects a negative or NaN clipValue', () => {
    expect(() => clipGradValue([param([1])], -0.5)).toThrow('clipGradValue: invalid clipValue (got -0.5, expected a number >= 0 (Infinity for no limit))');
    expect(() => clipGradValue([param([1])], Number.NaN)).toThrow('clipGradValue: invalid clipValue (got NaN');
  });
});
