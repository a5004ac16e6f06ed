// Converting a module tree's tensors to another dtype. Tensors fix their dtype at creation, so
// each parameter and buffer is replaced by a converted copy in the field that held it.
import { noGrad, type DType, type Tensor } from '@tapegrad/autograd';
import { BufferTensor, Parameter } from './parameter.js';
import type { Slot } from './slots.js';

/**
 * Replaces every floating-point tensor slot not already of `dtype`; integer and bool buffers (such
 * as `num_batches_tracked`) keep their dtype, as in PyTorch's `module.to(dtype)`. A tensor held in
 * several slots (tied) gets one copy.
 */
export function convertSlots(slots: readonly Slot[], dtype: DType): void {
  const converted = new Map<Tensor, Tensor>();
  for (const s of slots) {
    const old = s.value;
    if (!(old instanceof Parameter || old instanceof BufferTensor) || old.dtype === dtype || old.dtype === 'int32' || old.dtype === 'bool') continue;
    let next = converted.get(old);
    if (!next) {
      const data = noGrad(() => old.toDType(dtype));
      next = old instanceof Parameter ? new Parameter(data, old.requiresGrad) : new BufferTensor(data);
      converted.set(old, next);
    }
    s.replace(next);
  }
}
