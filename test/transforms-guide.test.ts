// The code of docs/transforms.md, run as tests so the guide stays true.
import { describe, expect, it } from 'vitest';
import { grad, hvp, vmap, randn, manualSeed, stack, type Tensor } from '@tapegrad/autograd';

type Params = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor };
const mlp = (p: Params, x: Tensor) => x.matmul(p.w1).add(p.b1).tanh().matmul(p.w2).add(p.b2);
const loss = (p: Params, x: Tensor, y: Tensor) => mlp(p, x).sub(y).square().mean();

function init(): Params {
  manualSeed(0);
  const o = { dtype: 'float64' as const };
  return { w1: randn([4, 16], o).mul(0.5), b1: randn([16], o).mul(0.1), w2: randn([16, 1], o).mul(0.5), b2: randn([1], o).mul(0.1) };
}

describe('docs/transforms.md', () => {
  const params = init();
  const xs = randn([64, 4], { dtype: 'float64' });
  const ys = xs.sum(1, true).sin();

  it('per-sample gradient norms, clipped DP-SGD style', () => {
    // One gradient per example: vmap over the batch, params shared (inAxes null).
    const perSample = vmap(grad(loss), { inAxes: [null, 0, 0] })(params, xs, ys) as Params;
    // Norm of each example's whole gradient, then clip each to at most C and average.
    const C = 1;
    const sq = Object.values(perSample).map((g) => g.square().reshape([64, -1]).sum(1));
    const norms = sq.reduce((a, b) => a.add(b)).sqrt(); // [64]
    const scale = norms.div(C).clamp(1, null).pow(-1); // min(1, C / norm)
    const clipped = Object.fromEntries(
      Object.entries(perSample).map(([k, g]) => [k, g.mul(scale.reshape([64, ...g.shape.slice(1).map(() => 1)])).mean(0)]),
    ) as Params;
    expect(norms.shape).toEqual([64]);
    // example 3's gradient is the gradient of its own loss
    const g3 = grad(loss)(params, xs.slice([3, 4]), ys.slice([3, 4]));
    expect(perSample.w1.slice(3).sub(g3.w1).abs().max().item()).toBeLessThan(1e-12);
    expect(clipped.w1.shape).toEqual([4, 16]);
  });

  it('Hessian top eigenvalue by power iteration on hvp', () => {
    const x0 = xs.slice([0, 8]);
    const y0 = ys.slice([0, 8]);
    const f = (w2: Tensor) => loss({ ...params, w2 }, x0, y0);
    let v = randn([16, 1], { dtype: 'float64' });
    let lambda = 0;
    for (let i = 0; i < 50; i++) {
      const [, [hv]] = hvp(f, [params.w2], [v.div(v.square().sum().sqrt())]);
      lambda = hv!.square().sum().sqrt().item();
      v = hv!;
    }
    // Compare with the Hessian built column by column from hvp.
    expect(lambda).toBeGreaterThan(0);
    const u = v.div(v.square().sum().sqrt());
    const [, [hu]] = hvp(f, [params.w2], [u]);
    expect(hu!.sub(u.mul(lambda)).abs().max().item()).toBeLessThan(1e-6 * lambda);
  });

  it('an ensemble evaluated with vmap over stacked parameters', () => {
    const members = [0, 1, 2].map((i) => { const p = init(); return { ...p, w2: p.w2.mul(i + 1) }; });
    const keys = ['w1', 'b1', 'w2', 'b2'] as const;
    const stackedParams = Object.fromEntries(keys.map((k) => [k, stack(members.map((m) => m[k]))])) as Params;
    const preds = vmap(mlp, { inAxes: [0, null] })(stackedParams, xs); // [3, 64, 1]
    expect(preds.shape).toEqual([3, 64, 1]);
    expect(preds.slice(1).sub(mlp(members[1]!, xs)).abs().max().item()).toBeLessThan(1e-12);
  });

  it('MAML: gradients through a functional inner SGD step', () => {
    const inner = (p: Params, x: Tensor, y: Tensor) => {
      const g = grad(loss)(p, x, y);
      return { w1: p.w1.sub(g.w1.mul(0.1)), b1: p.b1.sub(g.b1.mul(0.1)), w2: p.w2.sub(g.w2.mul(0.1)), b2: p.b2.sub(g.b2.mul(0.1)) };
    };
    const metaLoss = (p: Params) => loss(inner(p, xs.slice([0, 32]), ys.slice([0, 32])), xs.slice([32, 64]), ys.slice([32, 64]));
    const metaGrad = grad(metaLoss)(params);
    // check one coordinate against a central difference of the whole two-level computation
    const eps = 1e-6;
    const bump = (d: number) => ({ ...params, b2: params.b2.add(d) });
    const fd = (metaLoss(bump(eps)).item() - metaLoss(bump(-eps)).item()) / (2 * eps);
    expect(metaGrad.b2.item()).toBeCloseTo(fd, 7);
  });
});
