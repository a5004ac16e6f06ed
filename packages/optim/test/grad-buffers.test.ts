// With zeroGrad(false), gradients accumulate into the same buffers step after step (no new
// allocation per step), as PyTorch's zero_grad(set_to_none=False). With the default zeroGrad,
// a gradient that only the built-in optimizer read has its buffer reused by the next backward;
// one that user code read (or an optimizer subclass was handed) is left alone.
import { describe, expect, it } from 'vitest';
import { manualSeed, peekGrad, randn, type Tensor } from '@tapegrad/autograd';
import { Adam, SGD, clipGradNorm, type ParamGroup } from '@tapegrad/optim';

// A Linear layer's weight (128×64 float32, 32 KiB): its gradient is the matmul's own buffer.
const linearLoss = (w: Tensor, x: Tensor) => x.matmul(w.transpose(0, 1)).relu().square().mean();

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

  it('are reused after the default zeroGrad when only the optimizer read them, with the same results', () => {
    const train = (reuse: boolean) => {
      manualSeed(3);
      const w = randn([128, 64], { requiresGrad: true });
      const x = randn([16, 64]);
      const opt = new Adam([w], { lr: 1e-2 });
      const buffers = new Set<unknown>();
      for (let step = 0; step < 6; step++) {
        opt.zeroGrad();
        linearLoss(w, x).backward();
        buffers.add(peekGrad(w)!.data.data);
        if (!reuse) void w.grad; // reading .grad gives the gradient away
        clipGradNorm([w], 1e6); // reads and scales in place, keeps nothing
        opt.step();
      }
      return { values: Array.from(w.contiguousData()), buffers: buffers.size };
    };
    const reused = train(true), fresh = train(false);
    expect(reused.buffers).toBe(1);
    expect(fresh.buffers).toBe(6);
    expect(reused.values).toEqual(fresh.values);
  });

  it('are left alone when an optimizer subclass may keep them', () => {
    class KeepingSGD extends SGD {
      kept: Tensor[] = [];
      protected override update(p: Tensor, grad: Tensor, group: ParamGroup<never>, s: object): void {
        this.kept.push(grad);
        super.update(p, grad, group as never, s as never);
      }
    }
    const w = randn([128, 64], { requiresGrad: true });
    const x = randn([16, 64]);
    const opt = new KeepingSGD([w], { lr: 0.1 });
    const snapshots: number[][] = [];
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      linearLoss(w, x.mul(step + 1)).backward();
      snapshots.push(Array.from(peekGrad(w)!.data.data));
      opt.step();
    }
    expect(opt.kept.map((g) => Array.from(g.data.data))).toEqual(snapshots);
  });
});
