// int32 and bool inputs to the issue-12 ops: result dtypes against torch (fixture), values against
// the float computation, int32 indices for sort/take/oneHot, and int inputs under vmap and jvp.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { jvp, stack, tensor, vmap, type DType, type Tensor } from '@tapegrad/autograd';
// torch 2.13's result dtype per op and input dtype (int64 written as int32), from scripts/int-op-dtypes.py.
import fixture from './int-op-dtypes.json' with { type: 'json' };

const IDX = tensor([[0, 2], [1, 1]], { dtype: 'int32' });
const MASK = tensor([[1, 0, 1], [0, 1, 0]], { dtype: 'bool' });
const ops: Record<string, (x: Tensor) => Tensor> = {
  flip: (x) => tg.flip(x, [0]),
  roll: (x) => tg.roll(x, 1, 1),
  tril: (x) => tg.tril(x),
  triu: (x) => tg.triu(x, 1),
  cumsum: (x) => tg.cumsum(x, 1),
  cumprod: (x) => tg.cumprod(x, 1),
  narrow: (x) => tg.narrow(x, 1, 1, 2),
  chunk: (x) => tg.chunk(x, 2, 1)[0]!,
  unbind: (x) => tg.unbind(x, 0)[0]!,
  repeat: (x) => tg.repeat(x, [2, 1]),
  tile: (x) => tg.tile(x, [2]),
  reshape: (x) => x.reshape([3, 2]),
  permute: (x) => x.permute([1, 0]),
  expand: (x) => x.unsqueeze(0).expand([2, 2, 3]),
  pad: (x) => tg.pad(x, [1, 1]),
  concat: (x) => tg.concat([x, x]),
  stack: (x) => tg.stack([x, x]),
  floor: (x) => tg.floor(x),
  ceil: (x) => tg.ceil(x),
  trunc: (x) => tg.trunc(x),
  round: (x) => tg.round(x),
  frac: (x) => tg.frac(x),
  'clamp(int bounds)': (x) => tg.clamp(x, 0, 1),
  'clamp(fractional bound)': (x) => tg.clamp(x, 0.5),
  isNaN: (x) => tg.isNaN(x),
  isFinite: (x) => tg.isFinite(x),
  isInf: (x) => tg.isInf(x),
  'sort.values': (x) => tg.sort(x, 1).values,
  'sort.indices': (x) => tg.sort(x, 1).indices,
  argsort: (x) => tg.argsort(x, 1),
  'topk.values': (x) => tg.topk(x, 2, 1).values,
  'topk.indices': (x) => tg.topk(x, 2, 1).indices,
  argmax: (x) => tg.argmax(x),
  take: (x) => tg.take(x, IDX),
  takeAlongDim: (x) => tg.takeAlongDim(x, IDX, 1),
  gather: (x) => tg.gather(x, 1, IDX),
  indexSelect: (x) => tg.indexSelect(x, 1, tensor([2, 0], { dtype: 'int32' })),
  'maskedFill(int value)': (x) => tg.maskedFill(x, MASK, 1),
  where: (x) => tg.where(MASK, x, x),
  eq: (x) => tg.eq(x, x),
  sum: (x) => x.sum(),
};
/** Where tapegrad deliberately accepts what torch refuses (never the other way round). */
const moreLenient: Record<string, string> = {
  'topk.values:bool': 'topk orders bool as 0 < 1, like sort (torch refuses bool topk on CPU only)',
  'topk.indices:bool': 'as topk.values',
};
const INPUTS: Record<string, Tensor> = {
  bool: tensor([[1, 0, 1], [0, 1, 1]], { dtype: 'bool' }),
  int32: tensor([[3, -1, 2], [0, 5, 4]], { dtype: 'int32' }),
  float32: tensor([[3.5, -1, 2], [0, 5.25, 4]]),
};

describe('result dtypes on int32 and bool inputs follow torch', () => {
  const table = fixture.ops as Record<string, Record<string, string>>;
  it('the fixture and the op list cover the same ops', () => {
    expect(Object.keys(ops).sort()).toEqual(Object.keys(table).sort());
  });
  for (const [name, f] of Object.entries(ops)) {
    it(name, () => {
      for (const [dtype, x] of Object.entries(INPUTS)) {
        const want = table[name]![dtype]!;
        let got: string;
        try {
          got = f(x).dtype;
        } catch (e) {
          // a refusal must name the op and say what it got, never be a TypeError from deep inside
          expect((e as Error).constructor).toBe(Error);
          expect((e as Error).message).toMatch(new RegExp(`^${name.split(/[.(]/)[0]}: .*(bool|int32)`));
          got = 'error';
        }
        if (got !== want && moreLenient[`${name}:${dtype}`]) continue;
        expect(got, `${name} on ${dtype}`).toBe(want);
      }
    });
  }
});

// Integer data as int32, the same values as float64: every op must give the same numbers.
const intArb = (n: number) => fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n, maxLength: n });
// +0 for −0: int32 has no negative zero, the float computation may produce one (0 · −1).
const values = (t: Tensor) => Array.from(t.toDType('float64').contiguousData(), (v) => v + 0);

describe('values on int32 and bool inputs equal the float computation', () => {
  const sameAsFloat: [string, (x: Tensor) => Tensor][] = [
    ['flip', (x) => tg.flip(x, [0, 2])],
    ['roll', (x) => tg.roll(x, [1, -2], [1, 2])],
    ['tril/triu', (x) => tg.concat([tg.tril(x, -1), tg.triu(x, 1)])],
    ['cumsum', (x) => tg.cumsum(x, 2)],
    ['cumprod', (x) => tg.cumprod(x, 1)],
    ['narrow/chunk/unbind', (x) => tg.stack([tg.narrow(x, 2, 1, 2), tg.chunk(x, 2, 2)[1]!, tg.unbind(x, 2)[0]!.unsqueeze(2).expand([2, 3, 2])])],
    ['repeat/tile', (x) => tg.concat([tg.repeat(x, [1, 2, 1]), tg.tile(x, [2, 1])], 0)],
    ['sort values', (x) => tg.sort(x, 2, true).values],
    ['topk values', (x) => tg.topk(x, 2, 1).values],
    ['take/takeAlongDim', (x) => tg.take(x, tensor([0, -1, 5], { dtype: 'int32' })).add(tg.takeAlongDim(x, tg.argsort(x, 2), 2).sum())],
    ['clamp', (x) => tg.clamp(x, -2, 3)],
    ['floor/round', (x) => tg.floor(x).add(tg.round(x))],
    ['maskedFill', (x) => tg.maskedFill(x, x.gt(0), -7)],
  ];
  for (const [name, f] of sameAsFloat) {
    it(name, () => {
      fc.assert(
        fc.property(intArb(24), (vs) => {
          const i = tensor(vs, { dtype: 'int32', shape: [2, 3, 4] });
          const y = f(i);
          expect(y.dtype).toBe('int32');
          expect(values(y)).toEqual(values(f(i.toDType('float64'))));
          const b = i.gt(0);
          if (!['cumsum', 'cumprod', 'clamp', 'floor/round', 'take/takeAlongDim', 'maskedFill'].includes(name)) {
            // bool through the same ops keeps bool and agrees with the 0/1 float computation
            expect(f(b).dtype).toBe('bool');
            expect(values(f(b))).toEqual(values(f(b.toDType('float64'))));
          }
        }),
        { seed: 31, numRuns: 15 },
      );
    });
  }

  it('sort/argsort/topk indices are int32, stable, and index the values back', () => {
    fc.assert(
      fc.property(intArb(12), fc.boolean(), (vs, desc) => {
        const x = tensor(vs, { dtype: 'int32', shape: [3, 4] });
        const { values, indices } = tg.sort(x, 1, desc);
        expect(indices.dtype).toBe('int32');
        expect(tg.takeAlongDim(x, indices, 1).toArray()).toEqual(values.toArray());
        // stable: equal values keep their input order
        (indices.toArray() as number[][]).forEach((row, r) => row.forEach((j, k) => {
          if (k > 0 && vs[r * 4 + row[k - 1]!] === vs[r * 4 + j]) expect(j).toBeGreaterThan(row[k - 1]!);
        }));
        expect(tg.argsort(x, 1, desc).toArray()).toEqual(indices.toArray());
        const top = tg.topk(x.toDType('float32'), 2, 1);
        expect(top.indices.dtype).toBe('int32');
        expect(x.gather(1, top.indices).toArray()).toEqual(top.values.toDType('int32').toArray());
      }),
      { seed: 32, numRuns: 25 },
    );
  });

  it('cumsum/cumprod wrap like int32 arithmetic; bool counts', () => {
    expect(tg.cumsum(tensor([2 ** 31 - 1, 1, 1], { dtype: 'int32' }), 0).toArray()).toEqual([2 ** 31 - 1, -(2 ** 31), -(2 ** 31) + 1]);
    expect(tg.cumprod(tensor([65536, 65536, 3], { dtype: 'int32' }), 0).toArray()).toEqual([65536, 0, 0]);
    expect(tg.cumprod(tensor([46341, 46341], { dtype: 'int32' }), 0).toArray()).toEqual([46341, Math.imul(46341, 46341)]);
    const b = tensor([1, 0, 1, 1], { dtype: 'bool' });
    expect(tg.cumsum(b, 0).toArray()).toEqual([1, 1, 2, 3]);
    expect(tg.cumsum(b, 0).dtype).toBe('int32');
  });

  it('isNaN/isFinite/isInf are bool masks on every dtype', () => {
    const x = tensor([1, NaN, Infinity, -Infinity], { requiresGrad: true });
    expect([tg.isNaN(x), tg.isFinite(x), tg.isInf(x)].map((m) => [m.dtype, m.toArray()])).toEqual([
      ['bool', [0, 1, 0, 0]],
      ['bool', [1, 0, 0, 0]],
      ['bool', [0, 0, 1, 1]],
    ]);
    expect(x.isNaN().requiresGrad).toBe(false);
    const i = tensor([1, -2], { dtype: 'int32' });
    expect([i.isNaN().toArray(), i.isFinite().toArray(), i.isInf().toArray()]).toEqual([[0, 0], [1, 1], [0, 0]]);
  });

  it('clamp, rounding and maskedFill keep integer dtypes without a silent float → int', () => {
    const i = tensor([-3, 0, 4], { dtype: 'int32' });
    expect(tg.clamp(i, -1, 2).toArray()).toEqual([-1, 0, 2]);
    expect(tg.clamp(i, -0.5).toArray()).toEqual([-0.5, 0, 4]);
    expect(tg.clamp(i, -0.5).dtype).toBe('float32');
    expect(tg.round(i).toArray()).toEqual([-3, 0, 4]);
    expect(() => tg.round(i, { decimals: 1 })).toThrow(/^round: decimals needs a floating-point tensor, got dtype int32/);
    expect(() => tg.floor(i.gt(0))).toThrow(/^floor: not defined for bool tensors/);
    expect(tg.maskedFill(i, i.lt(0), 9).toArray()).toEqual([9, 0, 4]);
    expect(tg.maskedFill(i.gt(0), tensor([1, 1, 0], { dtype: 'bool' }), 1).toArray()).toEqual([1, 1, 1]);
    expect(() => tg.maskedFill(i, i.lt(0), 0.5)).toThrow(/^maskedFill: value 0.5 is not an integer but x is int32/);
  });

  it('take, takeAlongDim and oneHot take int32 indices, float indices alike (deprecated), never bool', () => {
    const x = tensor([[10, 20, 30], [40, 50, 60]]);
    const fi = tensor([[0, 5], [-1, 2]]);
    expect(tg.take(x, fi.toDType('int32')).toArray()).toEqual([[10, 60], [60, 30]]);
    expect(tg.take(x, fi).toArray()).toEqual([[10, 60], [60, 30]]);
    expect(tg.take(x.gt(25), fi.toDType('int32')).toArray()).toEqual([[0, 1], [1, 1]]);
    expect(tg.takeAlongDim(x, tensor([[2], [0]], { dtype: 'int32' }), 1).toArray()).toEqual([[30], [40]]);
    expect(tg.oneHot(tensor([2, 0], { dtype: 'int32' }), 3).toArray()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(tg.oneHot(tensor([2, 0]), 3).toArray()).toEqual([[0, 0, 1], [1, 0, 0]]);
    for (const f of [() => tg.take(x, MASK), () => tg.takeAlongDim(x, MASK, 1), () => tg.oneHot(MASK)]) {
      expect(f).toThrow(/indices must be an int32 tensor, got a bool tensor/);
    }
  });
});

describe('int32 indices and int inputs under vmap', () => {
  const X = tg.randn([3, 4, 5], { dtype: 'float64', generator: new tg.Generator(3) });
  const I = tg.randint(0, 4, [3, 2, 5], { dtype: 'int32', generator: new tg.Generator(4) });
  const loop = (f: (x: Tensor, i: Tensor) => Tensor) => stack([0, 1, 2].map((b) => f(X.unbind(0)[b]!, I.unbind(0)[b]!)));
  const perExample: [string, (x: Tensor, i: Tensor) => Tensor][] = [
    ['gather', (x, i) => tg.gather(x, 0, i)],
    ['indexSelect', (x, i) => tg.indexSelect(x, 0, i.unbind(0)[0]!)],
    ['take', (x, i) => tg.take(x, i.sub(3))],
    ['takeAlongDim', (x, i) => tg.takeAlongDim(x, i, 0)],
    ['scatterAdd', (x, i) => tg.scatterAdd(x, 0, i, x.slice([0, 2]))],
    ['indexAdd', (x, i) => tg.indexAdd(x, 0, i.unbind(0)[1]!, tg.concat([x, x.slice([0, 1])]))],
    ['oneHot (classes given)', (x, i) => tg.oneHot(i, 4, { dtype: 'float64' }).sum(-1).mul(x.sum())],
    ['sort of int data', (_x, i) => tg.sort(i, 1).values.toDType('float64')],
    ['cumsum of int data', (_x, i) => tg.cumsum(i, 1).toDType('float64')],
    ['argsort indices into x', (x, i) => tg.takeAlongDim(x.slice([0, 2]), tg.argsort(i, 0), 0)],
  ];
  for (const [name, f] of perExample) {
    it(`${name}: vmap equals the loop, for any per-example int32 indices`, () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 30, maxLength: 30 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (iv, seed) => {
          const x = tg.randn([3, 4, 5], { dtype: 'float64', generator: new tg.Generator(seed) });
          const i = tensor(iv, { dtype: 'int32', shape: [3, 2, 5] });
          const got = vmap(f)(x, i);
          const want = stack([0, 1, 2].map((b) => f(x.unbind(0)[b]!, i.unbind(0)[b]!)));
          expect(got.dtype).toBe(want.dtype);
          expect(got.toArray()).toEqual(want.toArray());
        }),
        { seed: 33, numRuns: 10 },
      );
    });
  }
  it('oneHot infers the class count over the whole batch', () => {
    const ids = tensor([[0, 1], [3, 0]], { dtype: 'int32' });
    expect(vmap((i: Tensor) => tg.oneHot(i))(ids).shape).toEqual([2, 2, 4]);
    expect(() => vmap((i: Tensor) => tg.oneHot(i, 3))(ids)).toThrow(/^oneHot: index 3 .* out of range for 3 classes/);
  });
  it('per-example gradients through int32 gathers (vmap of grad)', () => {
    const g = vmap(tg.grad((x: Tensor, i: Tensor) => tg.gather(x, 0, i).square().sum()))(X, I);
    expect(g.toArray()).toEqual(loop((x, i) => tg.grad((xx: Tensor) => tg.gather(xx, 0, i).square().sum())(x)).toArray());
  });
});

describe('jvp with integer arguments and outputs', () => {
  const x = tensor([0.5, -1, 2, 3], { dtype: 'float64' });
  const t = tensor([1, 2, -1, 0.5], { dtype: 'float64' });
  const idx = tensor([3, 0, 0], { dtype: 'int32' });
  const f = (xv: Tensor, i: Tensor) => tg.gather(xv, 0, i).mul(xv.sum());
  it('an int32 primal takes a zero tangent and the result equals the closure over it', () => {
    const [y, ty] = jvp(f, [x, idx], [t, tg.zerosLike(idx)]);
    const [y2, ty2] = jvp((xv: Tensor) => f(xv, idx), [x], [t]);
    expect(y.toArray()).toEqual(y2.toArray());
    expect(ty.toArray()).toEqual(ty2.toArray());
  });
  it('a non-zero tangent for an int32 primal is an error', () => {
    expect(() => jvp(f, [x, idx], [t, tg.onesLike(idx)])).toThrow(/^jvp: tangent 1 of a int32 primal must be zero/);
  });
  it('integer outputs get zero tangents of their dtype, even when computed from tangent-carrying floats', () => {
    const [[am, c, cast], [tam, tc, tcast]] = jvp((xv: Tensor) => [xv.argmax(), xv.gt(0), xv.mul(10).toDType('int32')], [x], [t]);
    expect([am.dtype, c.dtype, cast.dtype]).toEqual(['int32', 'bool', 'int32']);
    expect([tam.dtype, tc.dtype, tcast.dtype]).toEqual(['int32', 'bool', 'int32']);
    expect([tam.toArray(), tc.toArray(), tcast.toArray()]).toEqual([0, [0, 0, 0, 0], [0, 0, 0, 0]]);
  });
  it('jvp of vmap and vmap of jvp with per-example int32 indices agree with the loop', () => {
    const xs = stack([x, x.mul(2), x.neg()]);
    const ts = stack([t, t.mul(-1), t.add(1)]);
    const is = stack([idx, tensor([1, 2, 3], { dtype: 'int32' }), tensor([0, 0, 1], { dtype: 'int32' })]);
    const want = stack([0, 1, 2].map((b) => jvp((xv: Tensor) => f(xv, is.unbind(0)[b]!), [xs.unbind(0)[b]!], [ts.unbind(0)[b]!])[1]));
    const [, a] = jvp((xv: Tensor) => vmap(f)(xv, is), [xs], [ts]);
    const b = vmap((xv: Tensor, tv: Tensor, iv: Tensor) => jvp((u: Tensor) => f(u, iv), [xv], [tv])[1])(xs, ts, is);
    expect(a.toArray()).toEqual(want.toArray());
    expect(b.toArray()).toEqual(want.toArray());
  });
});

// satisfy the DType import for readers: the inputs cover every non-float dtype
const covered: DType[] = ['bool', 'int32'];
void covered;
