// Shared helpers for nn tests: gradient checks of whole modules through the public gradcheck.
import type { Tensor } from '@tapegrad/autograd';
import { gradcheck, type GradcheckOptions } from '@tapegrad/autograd/testing';
import { functionalCall, type Module } from '@tapegrad/nn';

/**
 * Checks the gradients of `module.forward(...inputs)` with respect to the inputs that require grad
 * and every trainable parameter, by running the module with gradcheck's perturbed copies swapped in.
 * `before` runs ahead of every forward (e.g. to reseed a Dropout generator).
 */
export function moduleGradcheck(module: Module, inputs: Tensor[], options: Omit<GradcheckOptions, 'raiseException'> & { before?: () => void } = {}): void {
  const { before, ...tolerances } = options;
  const named = module.namedParameters().filter(([, p]) => p.requiresGrad);
  const names = named.map(([n]) => n);
  const f = (...xs: Tensor[]) => {
    before?.();
    const params = Object.fromEntries(names.map((n, i) => [n, xs[inputs.length + i]!]));
    return functionalCall(module, params, ...xs.slice(0, inputs.length)) as Tensor;
  };
  gradcheck(f, [...inputs, ...named.map(([, p]) => p)], tolerances);
}

/** Values of a tensor as a flat array of numbers. */
export const flat = (t: Tensor): number[] => Array.from(t.contiguousData());
