// Transforms over records of parameters with functionalCall: grad of a parameter record, and
// per-example gradients with vmap(grad).
import { expect, it } from 'vitest';
import { grad, vmap, randn, manualSeed, type Tensor } from '@tapegrad/autograd';
import { Linear, Sequential, Tanh, functionalCall } from '@tapegrad/nn';

it('grad and vmap(grad) over namedParameters records through functionalCall', () => {
  manualSeed(1);
  const model = new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 1));
  const params = Object.fromEntries(model.namedParameters().map(([k, p]) => [k, p.detach()])) as Record<string, Tensor>;
  const loss = (p: Record<string, Tensor>, x: Tensor) => (functionalCall(model, p, x) as Tensor).square().sum();
  const x = randn([5, 3]);
  const g = grad(loss)(params, x);
  expect(Object.keys(g)).toEqual(Object.keys(params));
  const per = vmap(grad(loss), { inAxes: [null, 0] })(params, x);
  for (const k of Object.keys(params)) {
    expect(per[k]!.shape).toEqual([5, ...params[k]!.shape]);
    expect(per[k]!.sum(0).sub(g[k]!).abs().max().item()).toBeLessThan(1e-5);
  }
});
