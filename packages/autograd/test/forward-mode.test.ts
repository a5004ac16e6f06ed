import { it, expect } from 'vitest';
import { tensor, grad, jvp, type Tensor } from '@tapegrad/autograd';
const f64 = (v: number[]) => tensor(v, { dtype: 'float64' });
it('forward mode nests with grad and itself without perturbation confusion', () => {
  // jvp of grad: hessian-vector: f = sum x^3 -> H = 6x
  const [, hv] = jvp((x: Tensor) => grad((y: Tensor) => y.pow(3).sum())(x), [f64([2, 3])], [f64([1, 1])]);
  expect(hv.toArray()).toEqual([12, 18]);
  // jvp of jvp: d2/dx2 sin(x) = -sin(x)
  const inner = (x: Tensor) => jvp((y: Tensor) => y.sin(), [x], [f64([1])])[1];
  const [, d2] = jvp(inner, [f64([0.5])], [f64([1])]);
  expect((d2.toArray() as number[])[0]).toBeCloseTo(-Math.sin(0.5), 12);
  // perturbation confusion: d/dx [x * d/dy (x + y)] = 1
  const g = jvp((x: Tensor) => x.mul(jvp((y: Tensor) => x.add(y), [f64([1])], [f64([1])])[1]), [f64([3])], [f64([1])])[1];
  expect(g.toArray()).toEqual([1]);
  // grad of jvp of grad
  const h = grad((x: Tensor) => jvp((z: Tensor) => grad((y: Tensor) => y.pow(4).sum())(z), [x], [f64([1])])[1].sum())(f64([2]));
  expect(h.toArray()).toEqual([24 * 2]);
});
