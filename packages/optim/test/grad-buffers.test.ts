// With zeroGrad(false), gradients accumulate into the same buffers step after step (no new
// allocation per step), as PyTorch's zero_grad(set_to_none=False).
import { describe, expect, it } from 'vitest';
import { randn } from '@tapegrad/autograd';
import { SGD } from '@tapegrad/optim';

describe('gradient buffers', () => {
  it('are reused in place across steps when zeroGrad keeps them', () => {
    const w = randn([4, 3], { requiresGrad: true });
    const x = randn([8, 4]);
    const opt = new SGD([w], { lr: 0.1 });
    x.matmul(w).square().mean().backward();
    const grad = w.grad!;
    const buffer = grad.data.data;
    for (let step = 0; step < 5; step++) {
      opt.zeroGrad(false);
      expect(Array.from(grad.contiguousData()).every((v) => v === 0)).toBe(true);
      x.matmul(w).square().mean().backward();
      opt.step();
      expect(w.grad).toBe(grad);
      expect(w.grad!.data.data).toBe(buffer);
    }
    // The default (set to none) drops the buffer, like PyTorch.
    opt.zeroGrad();
    expect(w.grad).toBeNull();
  });
});
