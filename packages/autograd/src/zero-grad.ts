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
