import { describe, expect, it } from 'vitest';
import { tensor, grad, jvp, vmap, customVjp, customJvp, checkpoint, stopGradient, sigmoid, randn, manualSeed, gradients, type Tensor } from '@tapegrad/autograd';

const f64 = (v: number[]) => tensor(v, { dtype: 'float64' });

describe('customVjp, customJvp, checkpoint, stopGradient', () => {
  it('stopGradient blocks reverse and forward derivatives, keeps batching', () => {
    expect(grad((x: Tensor) => x.mul(stopGradient(x)).sum())(f64([3])).toArray()).toEqual([3]);
    expect(jvp((x: Tensor) => x.mul(stopGradient(x)), [f64([3])], [f64([1])])[1].toArray()).toEqual([3]);
    expect(vmap((x: Tensor) => stopGradient(x).mul(2))(f64([1, 2])).toArray()).toEqual([2, 4]);
  });

  it('customVjp: clipped gradient in the graph, f alone when nothing differentiates', () => {
    let fCalls = 0;
    const clip = customVjp((x: Tensor) => (fCalls++, x), (x: Tensor) => [x, null] as const, (_r, g) => [g.clamp(-1, 1)]);
    expect(grad((x: Tensor) => clip(x).mul(10).sum())(f64([1, 2])).toArray()).toEqual([1, 1]);
    expect(clip(f64([5])).toArray()).toEqual([5]);
    expect(fCalls).toBe(1);
    // forward mode goes through bwd twice (clamp of a zero cotangent is linear near 0)
    expect(jvp((x: Tensor) => clip(x).mul(3), [f64([1])], [f64([0.5])])[1].toArray()).toEqual([1.5]);
    const bad = customVjp((x: Tensor) => x, (x: Tensor) => [x, null] as const, () => []);
    expect(() => grad((x: Tensor) => bad(x).sum())(f64([1]))).toThrow('customVjp: bwd must return one gradient per argument (1), got 0');
  });

  it('customJvp: a stable log1pexp whose rule serves jvp, grad and second order', () => {
    const naive = (x: Tensor) => x.exp().log1p();
    const log1pexp = customJvp(naive, ([x], [t]) => [naive(x), t.mul(sigmoid(x))] as const);
    expect(grad((x: Tensor) => naive(x).sum())(f64([800])).item()).toBeNaN();
    expect(grad((x: Tensor) => log1pexp(x).sum())(f64([800])).toArray()).toEqual([1]);
    expect(jvp(log1pexp, [f64([0])], [f64([2])])[1].toArray()).toEqual([1]);
    // second derivative through the transposed rule: sigmoid'(0) = 1/4
    expect(grad((x: Tensor) => grad((y: Tensor) => log1pexp(y).sum())(x).sum())(f64([0])).toArray()).toEqual([0.25]);
    expect(vmap(log1pexp)(f64([0, 1])).sub(naive(f64([0, 1]))).abs().max().item()).toBe(0);
  });

  it('checkpoint: identical gradients, composes with jvp and vmap', () => {
    manualSeed(5);
    const ws = [0, 1, 2, 3].map(() => randn([8, 8], { dtype: 'float64' }).mul(0.3));
    const block = (w: Tensor) => (h: Tensor) => h.matmul(w).tanh().mul(1.5).sin();
    const x = randn([4, 8], { dtype: 'float64' });
    const seg = (h: Tensor, w: Tensor) => block(w)(h);
    const run = (segment: (h: Tensor, w: Tensor) => Tensor) => {
      const params = ws.map((w) => w.detach().requiresGrad_());
      const y = params.reduce((h, w) => segment(h, w), x).square().sum();
      return gradients([y], params);
    };
    const plain = run(seg);
    const ck = run(checkpoint(seg));
    plain.forEach((g, i) => expect(g.sub(ck[i]!).abs().max().item()).toBe(0));
    const f = checkpoint(block(ws[0]!));
    const t = randn([4, 8], { dtype: 'float64' });
    expect(jvp(f, [x], [t])[1].sub(jvp(block(ws[0]!), [x], [t])[1]).abs().max().item()).toBe(0);
    expect(vmap(f)(x).sub(block(ws[0]!)(x)).abs().max().item()).toBeLessThan(1e-15);
    // second order through the recomputation
    const g2 = grad((h: Tensor) => grad((z: Tensor) => f(z).sum())(h).sum())(x);
    const g2ref = grad((h: Tensor) => grad((z: Tensor) => block(ws[0]!)(z).sum())(h).sum())(x);
    expect(g2.sub(g2ref).abs().max().item()).toBeLessThan(1e-12);
  });
});
