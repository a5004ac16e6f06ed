import { describe, expect, it } from 'vitest';
import * as tg from '@tapegrad/autograd';
import { tensor, zeros, ones, full, arange, linspace, eye, rand, randn, manualSeed, Generator } from '@tapegrad/autograd';

describe('creation', () => {
  it('infers shape and dtype from nested arrays and typed arrays', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.size).toBe(6);
    expect(t.ndim).toBe(2);
    expect(tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] }).dtype).toBe('float64');
    expect(tensor(3.5).shape).toEqual([]);
    expect(tensor(3.5).item()).toBe(3.5);
    expect(tensor([]).shape).toEqual([0]);
  });
  it('fills, ranges and identities', () => {
    expect(zeros([2]).toArray()).toEqual([0, 0]);
    expect(ones([1, 2], { dtype: 'float64' }).toArray()).toEqual([[1, 1]]);
    expect(full([2], 7).toArray()).toEqual([7, 7]);
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(tg.zerosLike(tensor([[1.5]], { dtype: 'float64' })).dtype).toBe('float64');
    expect(tg.onesLike(zeros([2])).toArray()).toEqual([1, 1]);
  });
  it('random draws are reproducible with manualSeed and generators', () => {
    manualSeed(3);
    const a = randn([4]).toArray();
    manualSeed(3);
    expect(randn([4]).toArray()).toEqual(a);
    expect(rand([3], { generator: new Generator(1) }).toArray()).toEqual(rand([3], { generator: new Generator(1) }).toArray());
    const u = rand([1000]).toArray() as number[];
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const n = randn([4000], { dtype: 'float64' });
    expect(n.mean().item()).toBeCloseTo(0, 1);
    expect(n.square().mean().item()).toBeCloseTo(1, 1);
    const ints = tg.randint(0, 3, [200]).toArray() as number[];
    expect(new Set(ints)).toEqual(new Set([0, 1, 2]));
  });
  it('rejects bad input with the op name', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow('tensor: ragged nested array at [1] (got an array of length 1, expected an array of length 2)');
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow('tensor: shape [2,2] holds 4 elements but the data has 3');
    expect(() => zeros([2, -1])).toThrow('zeros: shape[1] must be a non-negative integer (got -1,');
    expect(() => zeros([2], { dtype: 'int8' as never })).toThrow(`zeros: unknown dtype (got a string "int8", expected 'float32' or`);
    expect(() => arange(0, 1, 0)).toThrow('arange: step must be non-zero (got 0, expected a finite non-zero number)');
  });
});

describe('reading values', () => {
  it('item() on a non-scalar names the shape', () => {
    expect(() => zeros([2, 3]).item()).toThrow('item: only one-element tensors can be converted to a number, got shape [2,3] (6 elements)');
  });
  it('toString prints like PyTorch', () => {
    expect(String(tensor([1, 2]))).toBe('tensor([1., 2.])');
    expect(String(tensor([[1.5, -2], [3, 4]]))).toBe('tensor([[ 1.5000, -2.0000],\n        [ 3.0000,  4.0000]])');
    expect(String(tensor([1], { requiresGrad: true }))).toBe('tensor([1.], requires_grad=True)');
    expect(String(tensor([1], { requiresGrad: true }).mul(2))).toBe('tensor([2.], grad_fn=<mulBackward>)');
    expect(String(tensor(2, { dtype: 'float64' }))).toBe('tensor(2., dtype=float64)');
    expect(String(tensor([1e-6, 1], { dtype: 'float64' }))).toBe('tensor([1.0000e-06, 1.0000e+00], dtype=float64)');
    expect(String(zeros([2000]))).toContain('...');
  });
});

describe('views share storage', () => {
  const shares = (a: tg.Tensor, b: tg.Tensor) => a.data.data === b.data.data;
  it('reshape of a contiguous tensor, transpose, permute, slice, expand, squeeze, unsqueeze, flatten are views', () => {
    const x = arange(24).reshape([2, 3, 4]);
    for (const v of [x.reshape([6, 4]), x.transpose(0, 2), x.permute([1, 2, 0]), x.slice(1, [0, 2]), x.slice(null, null, [null, null, 2]),
      x.unsqueeze(0), x.unsqueeze(0).squeeze(0), x.flatten(1), x.slice([0, 1]).expand([5, 3, 4])]) {
      expect(shares(v, x)).toBe(true);
    }
    const col = tensor([[1], [2]]);
    expect(shares(col.expand([2, 3]), col)).toBe(true);
    expect(col.expand([2, 3]).toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
  });
  it('writes through a view are visible in the base', () => {
    const x = zeros([2, 3]);
    const v = x.transpose().slice(1);
    v.data.set(0, 5);
    expect(x.toArray()).toEqual([[0, 5, 0], [0, 0, 0]]);
  });
  it('reshape of a non-contiguous tensor copies', () => {
    const x = arange(6).reshape([2, 3]);
    const r = x.transpose().reshape([6]);
    expect(r.data.data).not.toBe(x.data.data);
    expect(r.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
  });
  it('slice follows Python semantics, including negative steps and indices', () => {
    const m = arange(12).reshape([3, 4]);
    expect(m.slice([0, 2]).toArray()).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(m.slice(null, [null, null, -1]).slice(0).toArray()).toEqual([3, 2, 1, 0]);
    expect(m.slice(-1).toArray()).toEqual([8, 9, 10, 11]);
    expect(m.slice([-2, null], [1, -1]).toArray()).toEqual([[5, 6], [9, 10]]);
    expect(m.slice([5, 10]).shape).toEqual([0, 4]);
    expect(m.slice(null, [3, 0, -2]).toArray()).toEqual([[3, 1], [7, 5], [11, 9]]);
  });
  it('shape errors name the op and shapes', () => {
    const x = zeros([2, 3]);
    expect(() => x.reshape([4, 2])).toThrow('reshape: cannot reshape [2,3] (6 elements) into [4,2] (8 elements)');
    expect(() => x.reshape([-1, -1])).toThrow('reshape: only one dimension can be -1');
    expect(() => x.transpose(0, 2)).toThrow('transpose: axis 2 is out of range for a tensor of rank 2');
    expect(() => x.permute([0, 0])).toThrow('permute: dims [0,0] must be a permutation of the 2 axes of [2,3]');
    expect(() => x.expand([4, 3])).toThrow('expand: cannot expand [2,3] to [4,3]: axis 0 has size 2, expected 1 or 4');
    expect(() => x.slice(2)).toThrow('slice: index 2 is out of range for axis 0 of size 2 (shape [2,3])');
    expect(() => x.slice(null, [0, 3, 0])).toThrow('slice: step must be a non-zero integer, got 0 on axis 1');
    expect(() => x.unsqueeze(3)).toThrow('unsqueeze: axis 3 is out of range');
    expect(() => x.sum(2)).toThrow('sum: axis 2 is out of range for a tensor of rank 2');
  });
  it('broadcastTo, squeeze keeps non-1 axes, flatten ranges', () => {
    expect(tensor([1, 2, 3]).broadcastTo([2, 3]).toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(zeros([1, 3, 1]).squeeze().shape).toEqual([3]);
    expect(zeros([1, 3, 1]).squeeze(1).shape).toEqual([1, 3, 1]);
    expect(zeros([2, 3, 4]).flatten(0, 1).shape).toEqual([6, 4]);
    expect(tensor(5).flatten().shape).toEqual([1]);
    expect(tg.toDType(tensor([1.5]), 'float64').dtype).toBe('float64');
  });
});

describe('generator state', () => {
  it('getState/setState resume the exact stream, including a cached normal sample', () => {
    const gen = new Generator(5);
    gen.normal(); // leaves the second Box–Muller sample cached
    const saved = JSON.parse(JSON.stringify(gen.getState()));
    const expected = [gen.normal(), gen.uniform(), gen.normal()];
    const other = new Generator(99).setState(saved);
    expect([other.normal(), other.uniform(), other.normal()]).toEqual(expected);
    expect(() => other.setState({ words: [1, 2], spare: null })).toThrow('Generator.setState: expected { words: four 32-bit unsigned integers, spare: number | null }');
  });
});
