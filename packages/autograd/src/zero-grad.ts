import { Tensor } from './tensor.js';

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
  if (tensors === null || typeof (tensors as Partial<Iterable<Tensor>>)?.[Symbol.iterator] !== 'function') {
    throw new Error(`zeroGrad: tensors must be an iterable of Tensors (got ${tensors === null ? 'null' : typeof tensors}, expected an array or iterable of Tensors)`);
  }
  const list = [...tensors];
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`zeroGrad: tensors[${i}] must be a Tensor (got ${t === null ? 'null' : typeof t}, expected a Tensor)`);
  });
  for (const t of list) t.grad = null;
}

/**
 * Reads `t.grad` for a caller that keeps no reference to the gradient (nor to its values) once it
 * returns, as the built-in optimizers and gradient clipping do. Reading `t.grad` itself counts as
 * keeping it; a gradient only ever read this way has its buffer reused by a later backward once
 * `.grad` is cleared (`zeroGrad`), instead of a fresh large allocation every step.
 *
 * @example
 * ```ts
 * const w = tensor([1, 2], { requiresGrad: true });
 * w.mul(w).sum().backward();
 * peekGrad(w)?.toArray(); // [2, 4]; keep nothing from it
 * ```
 * @category Autograd
 */
export function peekGrad(t: Tensor): Tensor | null {
  if (!(t instanceof Tensor)) throw new Error(`peekGrad: t must be a Tensor (got ${t === null ? 'null' : typeof t}, expected a Tensor)`);
  return t._grad;
}
