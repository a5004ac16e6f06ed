import type { Tensor } from './tensor.js';

/**
 * Clears `.grad` of every tensor (sets it to `null`), e.g. a model's parameters before a step.
 *
 * @example
 * ```ts
 * zeroGrad([w, b]);
 * ```
 * @category Autograd
 */
export function zeroGrad(tensors: Iterable<Tensor>): void {
  for (const t of tensors) t.grad = null;
}
