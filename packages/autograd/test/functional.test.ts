import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tensor, grad, valueAndGrad, vjp, jvp, hvp, type Tensor } from '@tapegrad/autograd';
import { shapeArb, tensorArb } from '@tapegrad/autograd/testing';

const f64 = (v: number[]) => tensor(v, { dtype: 'float64' });
const close = (t: Tensor, expected: number[]) => (t.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 10));

describe('grad and valueAndGrad', () => {
  it('grad(x => sin(x*x).sum()) = 2x cos(x^2)', () => {
    const x = f64([0.5, -1.2]);
    close(grad((x: Tensor) => x.mul(x).sin().sum())(x), [0.5, -1.2].map((v) => 2 * v * Math.cos(v * v)));
    expect(x.requiresGrad).toBe(false); // the caller's tensor is untouched
  });
  it('grad of grad is the second derivative; third order works too', () => {
    const f = (x: Tensor) => x.pow(4).sum();
    const df = (x: Tensor) => grad(f)(x).sum();
    const d2f = (x: Tensor) => grad(df)(x).sum();
    close(grad(df)(f64([2])), [12 * 4]);
    close(grad(d2f)(f64([2])), [24 * 2]);
  });
  it('argnums picks arguments; non-tensor arguments pass through', () => {
    const f = (a: Tensor, b: Tensor, scale: number) => a.mul(b).sum().mul(scale);
    const [ga, gb] = grad(f, [0, 1])(f64([1, 2]), f64([3, 4]), 2);
    close(ga!, [6, 8]);
    close(gb!, [2, 4]);
    close(grad(f, 1)(f64([1, 2]), f64([3, 4]), 1), [1, 2]);
    const [value, g] = valueAndGrad((x: Tensor) => x.square().sum())(f64([1, 2]));
    expect(value.item()).toBe(5);
    expect(value.requiresGrad).toBe(false);
    close(g, [2, 4]);
  });
  it('errors: non-scalar output, non-tensor argument', () => {
    expect(() => grad((x: Tensor) => x.mul(2))(f64([1, 2]))).toThrow('grad: the function must return a one-element Tensor, got shape [2]');
    expect(() => grad((x: number) => tensor([x]).sum())(3 as never)).toThrow('grad: argument 0 must be a Tensor to differentiate with respect to it, got number');
  });
  it('a function that ignores its input has zero gradient', () => {
    close(grad((_x: Tensor) => f64([3]).sum())(f64([1, 2])), [0, 0]);
  });
});

describe('vjp, jvp, hvp', () => {
  it('vjp pulls back a cotangent; the pullback can be called twice', () => {
    const [y, pullback] = vjp((a, b) => a.mul(b), f64([1, 2]), f64([3, 4]));
    close(y, [3, 8]);
    const [ga, gb] = pullback(f64([1, 10]));
    close(ga!, [3, 40]);
    close(gb!, [1, 20]);
    close(pullback(f64([1, 1]))[0]!, [3, 4]);
  });
  it('jvp equals the finite-difference directional derivative', () => {
    fc.assert(
      fc.property(shapeArb({ maxRank: 2 }).chain((s) => fc.tuple(tensorArb(s, { requiresGrad: false }), tensorArb(s, { requiresGrad: false }))), ([x, t]) => {
        const f = (x: Tensor) => x.sin().mul(x.exp()).add(x.square().sum());
        const [, jt] = jvp(f, [x], [t]);
        const eps = 1e-6;
        const fd = f(x.add(t.mul(eps))).sub(f(x.sub(t.mul(eps)))).div(2 * eps);
        const a = jt.toArray();
        const b = fd.toArray();
        expect(JSON.stringify(a).length).toBeGreaterThan(0);
        (Array.isArray(a) ? (a.flat(3) as number[]) : [a]).forEach((v, i) => {
          const w = Array.isArray(b) ? (b.flat(3) as number[])[i]! : (b as number);
          expect(Math.abs(v - w)).toBeLessThan(1e-5 + 1e-4 * Math.abs(w));
        });
      }),
    );
  });
  it('jvp by hand and with shape errors', () => {
    const [y, dy] = jvp((x) => x.square(), [f64([3])], [f64([1])]);
    close(y, [9]);
    close(dy, [6]);
    expect(() => jvp((x) => x, [f64([1])], [f64([1, 2])])).toThrow('jvp: tangent 0 has shape [2] but primal 0 has shape [1]');
  });
  it('hvp matches the analytic Hessian of a quadratic form', () => {
    // f(x) = x0^2 x1 + x1^3: H = [[2x1, 2x0], [2x0, 6x1]]
    const f = (x: Tensor) => x.slice(0).square().mul(x.slice(1)).add(x.slice(1).pow(3));
    const [value, [hv]] = hvp(f, [f64([1, 2])], [f64([1, -1])]);
    expect(value.item()).toBe(1 * 2 + 8);
    close(hv!, [2 * 2 - 2 * 1, 2 * 1 - 6 * 2]);
  });
  it('transforms compose: grad of a jvp', () => {
    // d/dx [d/dt (x+t)^3 at t=0] = d/dx 3x^2 = 6x
    const g = grad((x: Tensor) => jvp((y) => y.pow(3), [x], [f64([1])])[1].sum())(f64([2]));
    close(g, [12]);
  });
});
