import { describe, expect, it } from 'vitest';
import { tensor, grad, jvp, vjp, vmap, hvp, jacfwd, jacrev, jacobian, hessian, linearize, randn, manualSeed, type Tensor } from '@tapegrad/autograd';

const f64 = (v: unknown) => tensor(v as number[], { dtype: 'float64' });
const maxDiff = (a: Tensor, b: Tensor) => (a.size === 0 ? 0 : a.sub(b).abs().max().item());

/** Central finite-difference Jacobian [...out, ...in] of a tensor function. */
function fdJacobian(f: (x: Tensor) => Tensor, x: Tensor, eps = 1e-6): Tensor {
  const flat = x.contiguousData();
  const cols: Tensor[] = [];
  for (let i = 0; i < flat.length; i++) {
    const plus = Float64Array.from(flat);
    const minus = Float64Array.from(flat);
    plus[i]! += eps;
    minus[i]! -= eps;
    cols.push(f(f64(Array.from(plus)).reshape([...x.shape])).sub(f(f64(Array.from(minus)).reshape([...x.shape]))).div(2 * eps));
  }
  const y = f(x);
  const stacked = tensor(cols.map((c) => c.toArray()) as number[][], { dtype: 'float64' }); // [n, ...out]
  return stacked.reshape([flat.length, ...y.shape]).permute([...y.shape.map((_, i) => i + 1), 0]).reshape([...y.shape, ...x.shape]);
}

describe('jacfwd, jacrev, jacobian, hessian', () => {
  manualSeed(3);
  const w = randn([3, 4], { dtype: 'float64' });
  const f = (x: Tensor) => x.matmul(w).tanh().mul(x.sum());
  const x = randn([2, 3], { dtype: 'float64' });

  it('forward, reverse and auto Jacobians agree with finite differences', () => {
    const fd = fdJacobian(f, x);
    expect(jacfwd(f)(x).shape).toEqual([2, 4, 2, 3]);
    expect(maxDiff(jacfwd(f)(x), fd)).toBeLessThan(1e-7);
    expect(maxDiff(jacrev(f)(x), fd)).toBeLessThan(1e-7);
    expect(maxDiff(jacobian(f)(x), fd)).toBeLessThan(1e-7);
    expect(maxDiff(jacobian(f, { mode: 'forward' })(x), fd)).toBeLessThan(1e-7);
  });

  it('hessian (forward over reverse) agrees with finite differences of the gradient and with hvp', () => {
    const s = (x: Tensor) => x.matmul(w).tanh().sum().mul(x.square().sum());
    const h = hessian(s)(x) as Tensor;
    expect(h.shape).toEqual([2, 3, 2, 3]);
    expect(maxDiff(h, fdJacobian((y: Tensor) => grad(s)(y), x))).toBeLessThan(1e-6);
    const v = randn([2, 3], { dtype: 'float64' });
    const [, [hv]] = hvp(s, [x], [v]);
    expect(maxDiff(h.reshape([6, 6]).matmul(v.reshape([6])).reshape([2, 3]), hv)).toBeLessThan(1e-10);
  });

  it('argnums (several), hasAux and trees', () => {
    const g = (a: Tensor, p: { u: Tensor; v: Tensor[] }, scale: number) => [a.mul(p.u).add(p.v[0]!.sum()).mul(scale), { note: a.sum() }] as const;
    const a = f64([1, 2]);
    const p = { u: f64([3, 4]), v: [f64([5, 6, 7])] };
    const [[ja, jp], aux] = jacrev(g, { argnums: [0, 1], hasAux: true })(a, p, 2) as [[Tensor, { u: Tensor; v: Tensor[] }], { note: Tensor }];
    expect(aux.note.item()).toBe(3);
    expect(ja.toArray()).toEqual([[6, 0], [0, 8]]);
    expect(jp.u.toArray()).toEqual([[2, 0], [0, 4]]);
    expect(jp.v[0]!.toArray()).toEqual([[2, 2, 2], [2, 2, 2]]);
    const [[fa, fp]] = jacfwd(g, { argnums: [0, 1], hasAux: true })(a, p, 2) as [[Tensor, { u: Tensor; v: Tensor[] }]];
    expect(fa.toArray()).toEqual(ja.toArray());
    expect(fp.v[0]!.toArray()).toEqual(jp.v[0]!.toArray());
    const [gv, gaux] = grad((q: { u: Tensor }) => [q.u.square().sum(), 7] as const, { hasAux: true })({ u: f64([1, 2]) }) as unknown as [{ u: Tensor }, number];
    expect(gv.u.toArray()).toEqual([2, 4]);
    expect(gaux).toBe(7);
  });

  it('linearize evaluates f once and then maps tangents linearly', () => {
    let calls = 0;
    const [y, fJvp] = linearize((x: Tensor) => (calls++, x.sin().mul(x)), x);
    const t = randn([2, 3], { dtype: 'float64' });
    const want = jvp((x: Tensor) => x.sin().mul(x), [x], [t])[1];
    expect(maxDiff(fJvp(t), want)).toBeLessThan(1e-12);
    expect(maxDiff(fJvp(t.mul(2)), want.mul(2))).toBeLessThan(1e-12);
    expect(calls).toBe(1);
    expect(maxDiff(y, x.sin().mul(x))).toBe(0);
  });

  it('transforms nest three deep in several orders', () => {
    const cube = (x: Tensor) => x.pow(3).sum(); // d3/dx3 = 6 per element
    const v = f64([1, 1]);
    const at = f64([0.5, -2]);
    // grad(grad(grad)) on a scalar
    const g3 = grad((y: Tensor) => grad((z: Tensor) => grad(cube)(z).sum())(y).sum())(at);
    expect(g3.toArray()).toEqual([6, 6]);
    // jvp(jvp(grad))
    const jjg = jvp((y: Tensor) => jvp(grad(cube), [y], [v])[1], [at], [v])[1];
    expect(jjg.toArray()).toEqual([6, 6]);
    // grad(jvp(grad)) = 6
    const gjg = grad((y: Tensor) => jvp(grad(cube), [y], [v])[1].sum())(at);
    expect(gjg.toArray()).toEqual([6, 6]);
    // vmap(jvp(grad)) and vmap(grad(grad)) over a batch
    const xs = f64([[0.5, -2], [1, 3]]);
    const vjg = vmap((y: Tensor) => jvp(grad(cube), [y], [v])[1])(xs);
    expect(vjg.toArray()).toEqual([[3, -12], [6, 18]]);
    const vgg = vmap((y: Tensor) => grad((z: Tensor) => grad(cube)(z).sum())(y))(xs);
    expect(vgg.toArray()).toEqual([[3, -12], [6, 18]]);
    // jacrev(vmap) and vmap(jacfwd)
    const sq = (y: Tensor) => y.square();
    expect(maxDiff(jacrev((b: Tensor) => vmap(sq)(b).sum(1))(xs) as Tensor, f64([[[1, -4], [0, 0]], [[0, 0], [2, 6]]]))).toBe(0);
    expect(maxDiff(vmap(jacfwd(sq))(xs) as Tensor, f64([[[1, 0], [0, -4]], [[2, 0], [0, 6]]]))).toBe(0);
    // vjp of a jvp of a vmap
    const [, pull] = vjp((b: Tensor) => jvp((c: Tensor) => vmap(sq)(c), [b], [xs])[1], xs);
    expect(maxDiff(pull(f64([[1, 1], [1, 1]]))[0]!, f64([[1, -4], [2, 6]]))).toBe(0);
  });

  it('grad and vjp over closures: values of an outer transform and parameters stay differentiable', () => {
    const w = f64([1, 2]);
    // the inner grad differentiates w; x (closed over) carries the outer vjp's dependence on x0
    const f = (x0: Tensor) => {
      const x = x0.mul(0.1).add(f64([3, 4]));
      return grad((y: Tensor) => y.square().sum())(x).add(grad((v: Tensor) => x.mul(v).square().sum())(w));
    };
    const [, pull] = vjp(f, f64([1, 1]));
    // f = 2x + 2x²w, df/dx0 = (2 + 4xw)·0.1 at x = [3.1, 4.1]
    expect(maxDiff(pull(f64([1, 1]))[0]!, f64([0.2 + 0.4 * 3.1, 0.2 + 0.4 * 4.1 * 2]))).toBeLessThan(1e-12);
    expect(maxDiff(grad((x0: Tensor) => f(x0).sum())(f64([1, 1])), f64([0.2 + 0.4 * 3.1, 0.2 + 0.4 * 4.1 * 2]))).toBeLessThan(1e-12);
    // a gradient penalty: the input gradient of a function of parameters, then backward to them
    const p = tensor([0.5, -1], { dtype: 'float64', requiresGrad: true });
    const xin = f64([2, 3]);
    const gx = grad((x: Tensor) => x.mul(p).sum().square())(xin); // 2(x·p)p
    gx.square().sum().backward(); // Σ (2(x·p)p_i)² = 4(x·p)²|p|², x·p = −2, |p|² = 1.25
    expect(maxDiff(p.grad!, f64([2 * 4 * -2 * 2 * 1.25 + 4 * 4 * 2 * 0.5, 2 * 4 * -2 * 3 * 1.25 + 4 * 4 * 2 * -1]))).toBeLessThan(1e-12);
    // a closure over constants only: the result is detached, as before
    expect(grad((x: Tensor) => x.mul(xin).sum())(f64([1, 1])).requiresGrad).toBe(false);
  });

  it('errors name the transform', () => {
    expect(() => jacfwd((x: Tensor) => x, 3)(f64([1]))).toThrow('jacfwd: argnums 3 is out of range for 1 arguments');
    expect(() => jacobian((x: Tensor) => x, { mode: 'sideways' as never })).toThrow("jacobian: unknown mode (got a string \"sideways\", expected 'auto', 'forward' or 'reverse')");
    expect(() => grad((x: Tensor) => x.sum(), { argnum: 0 } as never)).toThrow("grad: unexpected option 'argnum'");
    expect(() => vmap((x: Tensor) => x, { inAxis: 0 } as never)).toThrow("vmap: unexpected option 'inAxis'");
  });
});
