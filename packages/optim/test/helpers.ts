// Shared fixtures: a separable quadratic whose gradient is easy to write in plain numbers, and
// comparisons of tensors against plain-number references.
import { expect } from 'vitest';
import { tensor, type DType, type Nested, type Tensor } from '@tapegrad/autograd';
import type { Optimizer } from '@tapegrad/optim';

/** f(w) = Σ aᵢ(wᵢ − bᵢ)², minimum at w = b. */
export const A = [1, 2, 0.5, 3];
export const B = [1, -2, 0.5, 4];
export const W0 = [0.3, 0.1, -0.7, 2];

/** ∇f(w) = 2a(w − b), in plain numbers. */
export const quadGrad = (w: readonly number[]) => w.map((wi, i) => 2 * A[i]! * (wi - B[i]!));

/** The same f on tensors. */
export function quadLoss(w: Tensor): Tensor {
  const a = tensor(A, { dtype: w.dtype });
  const b = tensor(B, { dtype: w.dtype });
  return w.sub(b).square().mul(a).sum();
}

/** A fresh leaf holding `values`. */
export const param = (values: Nested, dtype: DType = 'float64') => tensor(values, { dtype, requiresGrad: true });

/** Runs `steps` optimizer steps on `loss` (zeroGrad, backward, step). */
export function train(optimizer: Optimizer, loss: () => Tensor, steps: number): void {
  for (let i = 0; i < steps; i++) {
    optimizer.zeroGrad();
    loss().backward();
    optimizer.step();
  }
}

/** Element-wise |actual − expected| <= atol + rtol·|expected|, reporting the first mismatch. */
export function expectClose(actual: Tensor | ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-9, atol = 1e-12): void {
  const got = Array.from(actual instanceof Object && 'contiguousData' in actual ? actual.contiguousData() : actual);
  expect(got.length).toBe(expected.length);
  got.forEach((g, i) => {
    const e = expected[i]!;
    if (!(Math.abs(g - e) <= atol + rtol * Math.abs(e))) {
      expect.fail(`element ${i}: got ${g}, expected ${e} (rtol ${rtol}); got [${got.join(', ')}], expected [${Array.from(expected).join(', ')}]`);
    }
  });
}

/**
 * Steps an optimizer built by `make` on the quadratic from W0 and compares the parameter with
 * `reference(steps)` (plain-number equations) after each checkpoint.
 */
export function expectMatchesReference(make: (w: Tensor) => Optimizer, reference: (steps: number) => number[], checkpoints = [1, 2, 6]): void {
  const w = param(W0);
  const optimizer = make(w);
  let done = 0;
  for (const steps of checkpoints) {
    train(optimizer, () => quadLoss(w), steps - done);
    done = steps;
    expectClose(w, reference(steps));
  }
}
