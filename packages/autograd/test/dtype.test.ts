// int32 and bool dtypes: creation, PyTorch's promotion table, comparisons, indexing, no grad.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { tensor, type DType, type Tensor } from '@tapegrad/autograd';
// torch.result_type for every pair of operand kinds, from torch 2.13 (int64 written as int32).
import table from './dtype-promotion.json' with { type: 'json' };

const DTYPES: DType[] = ['bool', 'int32', 'float32', 'float64'];

function operand(kind: string): Tensor | number {
  if (kind === 's:int') return 2;
  if (kind === 's:float') return 0.5;
  const [rank, dtype] = kind.split(':') as ['dim' | 'zero', DType];
  return tg.ones(rank === 'dim' ? [2] : [], { dtype });
}

describe('dtype creation', () => {
  it('every creation function makes int32 and bool tensors', () => {
    expect(tg.zeros([2], { dtype: 'int32' }).contiguousData()).toBeInstanceOf(Int32Array);
    expect(tg.ones([2], { dtype: 'bool' }).contiguousData()).toEqual(new Uint8Array([1, 1]));
    expect(tg.full([3], 7, { dtype: 'bool' }).toArray()).toEqual([1, 1, 1]);
    expect(tg.full([2], -2.7, { dtype: 'int32' }).toArray()).toEqual([-2, -2]);
    expect(tg.arange(0, 4, 1, { dtype: 'int32' }).toArray()).toEqual([0, 1, 2, 3]);
    expect(tg.eye(2, 2, { dtype: 'bool' }).toArray()).toEqual([[1, 0], [0, 1]]);
    expect(tg.linspace(0, 3, 4, { dtype: 'int32' }).dtype).toBe('int32');
    expect(tensor([[1.9, -1.9]], { dtype: 'int32' }).toArray()).toEqual([[1, -1]]); // truncates toward zero
    expect(tensor([0, 0.5, -3, NaN, 256], { dtype: 'bool' }).toArray()).toEqual([0, 1, 1, 1, 1]);
    expect(tensor(new Int32Array([4, 5])).dtype).toBe('int32');
    expect(tg.fromTyped(new Uint8Array([1, 0]), [2]).dtype).toBe('bool');
    expect(tg.zerosLike(tg.ones([2], { dtype: 'int32' })).dtype).toBe('int32');
    expect(tg.randint(0, 5, [50], { dtype: 'int32' }).contiguousData().every((v) => v >= 0 && v < 5)).toBe(true);
  });

  it('prints int32 and bool like PyTorch', () => {
    expect(String(tensor([1, -2], { dtype: 'int32' }))).toBe('tensor([ 1, -2], dtype=int32)');
    expect(String(tensor([1, 0], { dtype: 'bool' }))).toBe('tensor([ True, False])');
  });

  it('integer and bool tensors never require grad', () => {
    expect(() => tg.zeros([2], { dtype: 'int32', requiresGrad: true })).toThrow('zeros: only floating-point tensors can require grad, got dtype int32');
    expect(() => tensor([1], { dtype: 'bool', requiresGrad: true })).toThrow('tensor: only floating-point tensors can require grad, got dtype bool');
    expect(() => tg.arange(0, 3, 1, { dtype: 'int32', requiresGrad: true })).toThrow('arange: only floating-point');
    expect(() => tg.ones([2], { dtype: 'int32' }).requiresGrad_()).toThrow('requiresGrad_: only floating-point tensors can require grad');
    expect(() => tg.randn([2], { dtype: 'int32' })).toThrow("randn: dtype 'int32' is not supported");
    expect(() => tg.arange(3, undefined, 1, { dtype: 'bool' })).toThrow("arange: dtype 'bool' is not supported");
  });

  it('casts: float → int32 truncates, anything → bool is non-zero, bool → float is 0/1', () => {
    const x = tensor([-1.5, 0, 0.25, 300]);
    expect(x.toDType('int32').toArray()).toEqual([-1, 0, 0, 300]);
    expect(x.toDType('bool').toArray()).toEqual([1, 0, 1, 1]);
    expect(x.transpose().toDType('bool').toDType('float64').toArray()).toEqual([1, 0, 1, 1]);
  });

  it('serialize round-trips int32 and bool', () => {
    const bytes = tg.serializeTensors({ i: tensor([-3, 7], { dtype: 'int32' }), b: tensor([1, 0], { dtype: 'bool' }) });
    const { tensors } = tg.deserializeTensors(bytes);
    expect([tensors.i!.dtype, tensors.i!.toArray()]).toEqual(['int32', [-3, 7]]);
    expect([tensors.b!.dtype, tensors.b!.toArray()]).toEqual(['bool', [1, 0]]);
  });
});

describe('type promotion', () => {
  it('resultType equals torch.result_type on every pair of operand kinds', () => {
    for (const [pair, want] of Object.entries(table as Record<string, string>)) {
      const [a, b] = pair.split('|') as [string, string];
      expect([pair, tg.resultType([operand(a), operand(b)])]).toEqual([pair, want]);
      expect([pair, tg.add(operand(a), operand(b)).dtype]).toEqual([pair, want]);
    }
  });

  it('promoteTypes is symmetric, idempotent and never narrows', () => {
    fc.assert(fc.property(fc.constantFrom(...DTYPES), fc.constantFrom(...DTYPES), (a, b) => {
      const p = tg.promoteTypes(a, b);
      expect(tg.promoteTypes(b, a)).toBe(p);
      expect(tg.promoteTypes(p, a)).toBe(p);
      expect([a, b]).toContain(p);
    }));
  });

  it('int32 arithmetic equals integer arithmetic, wrapping like int32; mixed with floats it is float', () => {
    const ints = fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(ints, ints, (u, v) => {
      const n = Math.min(u.length, v.length);
      const a = tensor(u.slice(0, n), { dtype: 'int32' }), b = tensor(v.slice(0, n), { dtype: 'int32' });
      const at = (i: number) => [u[i]!, v[i]!] as const;
      expect(a.add(b).toArray()).toEqual(Array.from({ length: n }, (_, i) => at(i)[0] + at(i)[1]));
      expect(a.sub(b).dtype).toBe('int32');
      expect(a.mul(b).toArray()).toEqual(Array.from({ length: n }, (_, i) => at(i)[0] * at(i)[1]));
      expect(a.maximum(b).toArray()).toEqual(Array.from({ length: n }, (_, i) => Math.max(...at(i))));
      const q = a.div(b.abs().add(1));
      expect(q.dtype).toBe('float32'); // true division
      expect(q.toArray()).toEqual(Array.from({ length: n }, (_, i) => Math.fround(at(i)[0] / (Math.abs(at(i)[1]) + 1))));
      expect(a.mul(0.5).toArray()).toEqual(u.slice(0, n).map((x) => x * 0.5));
      expect(a.add(tensor(v.slice(0, n), { dtype: 'float64' })).dtype).toBe('float64');
    }));
    expect(tensor([2 ** 31 - 1], { dtype: 'int32' }).add(1).toArray()).toEqual([-(2 ** 31)]);
  });

  it('bool arithmetic follows PyTorch: add is or, mul is and, sub/neg/pow are errors', () => {
    const b = tensor([1, 1, 0, 0], { dtype: 'bool' }), c = tensor([1, 0, 1, 0], { dtype: 'bool' });
    expect([b.add(c).dtype, b.add(c).toArray()]).toEqual(['bool', [1, 1, 1, 0]]);
    expect(b.mul(c).toArray()).toEqual([1, 0, 0, 0]);
    expect([b.add(1).dtype, b.add(1).toArray()]).toEqual(['int32', [2, 2, 1, 1]]);
    expect(b.sum().dtype).toBe('int32');
    expect(b.sum().item()).toBe(2);
    expect(b.mean().item()).toBe(0.5);
    expect(() => b.sub(c)).toThrow('sub: not defined for two bool operands');
    expect(() => b.neg()).toThrow('neg: not defined for bool tensors');
    expect(() => tensor([2], { dtype: 'int32' }).pow(-1)).toThrow('pow: integers to negative integer powers are not allowed');
    expect(tensor([2, 3], { dtype: 'int32' }).pow(2).toArray()).toEqual([4, 9]);
  });

  it('float unary math on integers computes in float32; neg/abs/sign/square stay int32', () => {
    const i = tensor([3, -2], { dtype: 'int32' });
    expect(i.exp().dtype).toBe('float32');
    expect(i.sqrt().toArray()).toEqual([Math.fround(Math.sqrt(3)), NaN]);
    for (const y of [i.neg(), i.abs(), i.sign(), i.square()]) expect(y.dtype).toBe('int32');
    expect(i.abs().toArray()).toEqual([3, 2]);
  });

  it('float-only kernels reject integer tensors by name instead of misreading their storage', () => {
    const i = tg.ones([2, 2], { dtype: 'int32' });
    expect(() => i.matmul(i)).toThrow('matmul: expected floating-point tensors, got dtype int32');
    expect(() => i.relu()).toThrow('relu: expected floating-point tensors, got dtype int32');
    expect(() => i.softmax(0)).toThrow('expected floating-point tensors, got dtype int32');
    expect(() => tg.conv2d(tg.ones([1, 1, 2, 2], { dtype: 'int32' }), tg.ones([1, 1, 1, 1], { dtype: 'int32' }))).toThrow('expected floating-point tensors, got dtype int32');
  });

  it('gradients flow through promotion back in each operand\'s own dtype', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    const k = tensor([5, 6], { dtype: 'int32' });
    a.mul(b).add(k).sum().backward();
    expect([a.grad!.dtype, a.grad!.toArray()]).toEqual(['float32', [3, 4]]);
    expect([b.grad!.dtype, b.grad!.toArray()]).toEqual(['float64', [1, 2]]);
  });
});

describe('comparisons, masks and integer indices', () => {
  it('comparisons return bool masks equal to the JS comparison, after promotion', () => {
    const vals = fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 8 });
    fc.assert(fc.property(vals, fc.double({ min: -3, max: 3, noNaN: true }), (vs, s0) => {
      const s = Math.fround(s0); // a float scalar with an int32 tensor compares in float32, as in PyTorch
      const x = tensor(vs, { dtype: 'int32' });
      for (const [name, f] of [['lt', (u: number) => u < s], ['ge', (u: number) => u >= s], ['eq', (u: number) => u === s]] as const) {
        const m = (x[name] as (o: number) => Tensor)(s0);
        expect(m.dtype).toBe('bool');
        expect(m.toArray()).toEqual(vs.map((u) => +f(u)));
      }
    }));
  });

  it('where and a bool mask select; a float mask still counts non-zero as true', () => {
    const x = tensor([-1, 2, -3, 4]);
    expect(tg.where(x.gt(0), x, 0).toArray()).toEqual([0, 2, 0, 4]);
    expect(tg.where(tensor([1, 0, 0.5, 0]), x, -9).toArray()).toEqual([-1, -9, -3, -9]);
    expect(tg.where(x.gt(0), tensor([1, 2, 3, 4], { dtype: 'int32' }), 0).dtype).toBe('int32');
    const w = tensor([1, 2, 3, 4], { dtype: 'float64', requiresGrad: true });
    tg.where(x.gt(0), w, 0).sum().backward();
    expect(w.grad!.toArray()).toEqual([0, 1, 0, 1]);
  });

  it('gather, indexSelect, scatterAdd and indexAdd give the same results with int32 as with float indices', () => {
    const arb = fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 });
    fc.assert(fc.property(arb, (ix) => {
      const x = tg.arange(9, undefined, 1, { dtype: 'float64' }).reshape([3, 3]);
      const fi = tensor(ix, { shape: [2, 3] }), ii = tensor(ix, { dtype: 'int32', shape: [2, 3] });
      expect(x.gather(1, ii).toArray()).toEqual(x.gather(1, fi).toArray());
      expect(x.indexSelect(0, ii.reshape([6])).toArray()).toEqual(x.indexSelect(0, fi.reshape([6])).toArray());
      const src = tg.ones([2, 3], { dtype: 'float64' });
      expect(tg.scatterAdd(x, 0, ii, src).toArray()).toEqual(tg.scatterAdd(x, 0, fi, src).toArray());
      const rows = tg.ones([6, 3], { dtype: 'float64' });
      expect(tg.indexAdd(x, 0, ii.reshape([6]), rows).toArray()).toEqual(tg.indexAdd(x, 0, fi.reshape([6]), rows).toArray());
    }));
    expect(() => tg.indexSelect(tg.ones([2]), 0, tensor([1], { dtype: 'bool' }))).toThrow('indexSelect: index must be an int32 tensor');
  });

  it('argmax/argmin return int32 usable directly as indices', () => {
    const x = tensor([[1, 9, 3], [7, 2, 8]]);
    const i = x.argmax(1, true);
    expect(i.dtype).toBe('int32');
    expect(x.gather(1, i).toArray()).toEqual([[9], [8]]);
    expect(x.argmin().dtype).toBe('int32');
    expect(() => tensor([1, 0], { dtype: 'bool' }).argmax()).toThrow('argmax: bool input is not supported');
  });

  it('integer-valued movement ops keep the dtype', () => {
    const i = tg.arange(0, 6, 1, { dtype: 'int32' }).reshape([2, 3]);
    for (const y of [i.transpose(), i.slice([0, 1]), i.expand([2, 2, 3]), tg.concat([i, i]), i.pad([1, 1]), i.flatten(), i.clone(), i.max(1), i.sum(0)]) {
      expect(y.dtype).toBe('int32');
    }
    expect(tg.concat([i, i], 1).toArray()).toEqual([[0, 1, 2, 0, 1, 2], [3, 4, 5, 3, 4, 5]]);
  });
});
