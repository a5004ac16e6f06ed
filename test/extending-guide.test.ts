// The code of docs/extending.md and docs/getting-started.md, run as tests so the guides stay true.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arange, defineOp, flushPending, fromTyped, grad, noGrad, hvp, jvp, onesLike, randn, tensor, valueAndGrad, where, zeros, type Tensor } from '@tapegrad/autograd';
import { gradcheck, gradgradcheck, shapeArb, tensorArb } from '@tapegrad/autograd/testing';

const softsign = defineOp({
  name: 'softsign',
  forward: (x: Tensor) => x.div(x.abs().add(1)),
  vjp: (g, { args: [x] }) => [g.div(x.abs().add(1).square())],
});

const logCosh = defineOp({
  name: 'logCosh',
  forward: (x: Tensor) => {
    const t = x.tanh();
    return { output: x.abs().add(x.mul(-2).abs().neg().exp().log1p()).sub(Math.LN2), saved: t };
  },
  vjp: (g, { saved: tanhX }) => [g.mul(tanhX)],
});

const softsignFast = defineOp({
  name: 'softsign',
  forward: (x: Tensor) => {
    const src = x.contiguousData();
    const out = new (src.constructor as Float64ArrayConstructor)(src.length);
    for (let i = 0; i < src.length; i++) out[i] = src[i]! / (1 + Math.abs(src[i]!));
    return fromTyped(out, x.shape);
  },
  vjp: (g, { args: [x] }) => [g.div(x.abs().add(1).square())],
});

describe('docs/extending.md', () => {
  it('fast kernels: flushPending before writing storage directly keeps a deferred result', () => {
    const x = randn([100000]);
    const old = x.contiguousData()[0]!;
    const y = noGrad(() => x.mul(2));
    flushPending(x);
    x.data.data[0] = 0;
    expect(y.contiguousData()[0]).toBe(Math.fround(old * 2));
  });
  it('softsign: forward, second derivative', () => {
    expect(softsign(tensor([1, -3])).toArray()).toEqual([0.5, -0.75]);
    const d2 = grad((x: Tensor) => grad((y: Tensor) => softsign(y).sum())(x).sum());
    expect(d2(tensor([0.5], { dtype: 'float64' })).item()).toBeCloseTo(-2 / 1.5 ** 3, 12);
  });
  it('softsign passes gradcheck and gradgradcheck on drawn shapes and values', () => {
    fc.assert(
      fc.property(shapeArb({ maxRank: 3, maxDim: 4 }).chain((shape) => tensorArb(shape, { min: -3, max: 3, avoid: [0] })), (x) => {
        gradcheck((x) => softsign(x), [x]);
        gradgradcheck((x) => softsign(x), [x]);
        gradcheck((x) => softsignFast(x), [x]);
        gradgradcheck((x) => softsignFast(x), [x]);
      }),
    );
  });
  it('logCosh saves tanh(x) for its first-order vjp', () => {
    const x = randn([5], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((x) => logCosh(x), [x])).toBe(true);
    const v = tensor([0.3, 30], { dtype: 'float64' });
    expect(logCosh(v).toArray()).toEqual([expect.closeTo(Math.log(Math.cosh(0.3)), 12), expect.closeTo(30 - Math.LN2, 10)]);
  });
  it('the error message shown in the guide is what the tape says', () => {
    const wrong = defineOp({ name: 'softsign', forward: (x: Tensor) => x.clone(), vjp: (g) => [g.sum(1)] });
    expect(() => wrong(randn([3, 4], { requiresGrad: true })).sum().backward()).toThrow(
      'softsign: vjp returned a gradient of the wrong shape or dtype for argument 0 (got a float32 tensor of shape [3], expected a float32 tensor of shape [3,4])',
    );
  });
});

describe('docs/getting-started.md', () => {
  it('the dtypes section', () => {
    const labels = tensor([2, 0, 1], { dtype: 'int32' });
    const idx = arange(0, 3, 1, { dtype: 'int32' });
    const x = tensor([[0.5, -1, 2], [3, 0, -4]]);
    expect([x.argmax(1).dtype, x.argmax(1).toArray()]).toEqual(['int32', [2, 0]]);
    const mask = x.gt(0);
    expect(String(mask)).toBe('tensor([[ True, False,  True],\n        [ True, False, False]])');
    expect(where(mask, x, 0).toArray()).toEqual([[0.5, 0, 2], [3, 0, 0]]);
    expect(x.gather(1, labels.slice([0, 2]).unsqueeze(1)).toArray()).toEqual([[2], [3]]);
    expect(labels.add(1).dtype).toBe('int32');
    expect(labels.mul(0.5).dtype).toBe('float32');
    expect(labels.div(2).dtype).toBe('float32');
    expect([mask.sum().dtype, mask.sum().item()]).toEqual(['int32', 3]);
    expect(idx.toDType('float32').dtype).toBe('float32');
    expect(x.mul(tensor(2, { dtype: 'float64' })).dtype).toBe('float32');
    expect(() => zeros([2], { dtype: 'int32', requiresGrad: true })).toThrow('zeros: only floating-point tensors can require grad');
  });

  it('backward, grad, valueAndGrad, jvp and hvp examples', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(x.grad?.toArray()).toEqual([2, 4, 6]);
    const w = tensor([1, 2], { requiresGrad: true });
    const z = w.mul(w);
    z.backward({ gradient: onesLike(z), retainGraph: true });
    expect(w.grad?.toArray()).toEqual([2, 4]);
    z.backward(onesLike(z));
    expect(w.grad?.toArray()).toEqual([4, 8]);
    const s = tensor(3, { requiresGrad: true });
    s.mul(s).mul(s).backward({ createGraph: true });
    expect(s.grad?.item()).toBe(27);
    expect(s.grad?.requiresGrad).toBe(true);
    const f = (x: Tensor) => x.mul(x).sin().sum();
    const x0 = tensor([0.5], { dtype: 'float64' });
    expect(grad(f)(x0).item()).toBeCloseTo(2 * 0.5 * Math.cos(0.25), 12);
    expect(grad((x: Tensor) => grad(f)(x).sum())(x0).item()).toBeCloseTo(2 * Math.cos(0.25) - 4 * 0.25 * Math.sin(0.25), 12);
    const [value] = valueAndGrad(f)(x0);
    expect(value.item()).toBeCloseTo(Math.sin(0.25), 12);
    expect(jvp((x) => x.exp(), [tensor([0])], [tensor([1])])[1].item()).toBe(1);
    expect(hvp(f, [x0], [tensor([1], { dtype: 'float64' })])[1][0]!.item()).toBeCloseTo(2 * Math.cos(0.25) - Math.sin(0.25), 12);
  });
});
