// Running a module with some of its tensors swapped for others, as torch.func.functional_call:
// the way to differentiate a model with respect to tensors it does not own (gradcheck, meta-learning).
import { Tensor, fail } from '@tapegrad/autograd';
import { Module } from './module.js';
import { tensorSlots } from './slots.js';

/**
 * Calls `module.forward(...inputs)` with the parameters and buffers named in `tensors` temporarily
 * replaced, then restores the originals (also when forward throws). Gradients flow to the given
 * tensors, not to the module's own.
 *
 * @example
 * ```ts
 * const layer = new Linear(4, 3, { dtype: 'float64' });
 * const x = randn([2, 4], { dtype: 'float64', requiresGrad: true });
 * const [w, b] = layer.parameters();
 * gradcheck((x, w, b) => functionalCall(layer, { weight: w, bias: b }, x), [x, w!, b!]);
 * ```
 * @category Module
 */
export function functionalCall<In extends unknown[], Out>(
  module: Module<In, Out>,
  tensors: Readonly<Record<string, Tensor>>,
  ...inputs: In
): Out {
  if (!(module instanceof Module)) fail('functionalCall', 'module must be a Module', module, 'a Module');
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors) || tensors instanceof Tensor) {
    fail('functionalCall', 'tensors must be an object of tensors by name', tensors, "{ 'weight': Tensor, … }");
  }
  const slots = tensorSlots(module);
  const swaps = Object.entries(tensors).map(([name, t]) => {
    const slot = slots.get(name);
    if (!slot) throw new Error(`functionalCall: ${module.constructor.name} has no parameter or buffer named ${JSON.stringify(name)}; it has ${[...slots.keys()].map((k) => JSON.stringify(k)).join(', ') || 'none'}`);
    if (!(t instanceof Tensor)) throw new Error(`functionalCall: the value for ${JSON.stringify(name)} is not a Tensor`);
    return { slot, t };
  });
  swaps.forEach(({ slot, t }) => slot.replace(t));
  try {
    return module.forward(...inputs);
  } finally {
    swaps.forEach(({ slot }) => slot.replace(slot.value));
  }
}
