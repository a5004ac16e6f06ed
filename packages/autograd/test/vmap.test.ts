import { it, expect } from 'vitest';
import { tensor, grad, jvp, vmap, randn, manualSeed, stack, type Tensor } from '@tapegrad/autograd';
const f64 = (v: number[] | number[][]) => tensor(v, { dtype: 'float64' });
const close = (a: Tensor, b: Tensor) => expect(a.sub(b).abs().max().item()).toBeLessThan(1e-10);
it('vmap: matches stacking, per-sample grads, grad of vmap, nesting, jvp both ways, per-example random draws', () => {
  manualSeed(0);
  const x = randn([5, 3], { dtype: 'float64' });
  const w = randn([3, 4], { dtype: 'float64' });
  const f = (xi: Tensor) => xi.matmul(w).tanh().sum();
  const got = vmap(f)(x);
  const want = stack([0, 1, 2, 3, 4].map((i) => f(x.slice(i))));
  close(got, want);
  // per-sample grads wrt w
  const loss = (w: Tensor, xi: Tensor) => xi.matmul(w).tanh().sum();
  const ps = vmap(grad(loss), { inAxes: [null, 0] })(w, x);
  expect(ps.shape).toEqual([5, 3, 4]);
  close(ps, stack([0, 1, 2, 3, 4].map((i) => grad(loss)(w, x.slice(i)))));
  // grad of vmap
  const gw = grad((w: Tensor) => vmap((xi: Tensor) => loss(w, xi))(x).sum())(w);
  close(gw, ps.sum(0));
  // nested vmap
  const y = randn([2, 5, 3], { dtype: 'float64' });
  close(vmap(vmap(f))(y), stack([0, 1].map((i) => vmap(f)(y.slice(i)))));
  // jvp of vmap and vmap of jvp
  const t = randn([5, 3], { dtype: 'float64' });
  const [, a] = jvp((x: Tensor) => vmap(f)(x), [x], [t]);
  const b = vmap((xi: Tensor, ti: Tensor) => jvp(f, [xi], [ti])[1])(x, t);
  close(a, b);
  // random per example
  const r = vmap((xi: Tensor) => randn([2], { dtype: 'float64' }).add(xi.sum().mul(0)))(x);
  expect(r.shape).toEqual([5, 2]);
  expect(r.slice(0).sub(r.slice(1)).abs().sum().item()).toBeGreaterThan(0);
});
