import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { broadcastShapesArb, tensorsArb } from '@tapegrad/autograd/testing';
import { propertyGradcheck } from './helpers.js';

const dim = fc.integer({ min: 1, max: 3 });
const prod = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** Operand shapes for matmul: each side 1-D or a (batched) matrix, batch axes broadcasting. */
const matmulShapesArb = fc
  .record({ m: dim, k: dim, n: dim, aVec: fc.boolean(), bVec: fc.boolean(), batches: broadcastShapesArb(2, { maxRank: 2, maxDim: 3 }) })
  .map(({ m, k, n, aVec, bVec, batches: [ba, bb] }) => [aVec ? [k] : [...ba!, m, k], bVec ? [k] : [...bb!, k, n]]);

/** Batch index into an operand whose batch axes broadcast against `batch`. */
function operandIndex(shape: readonly number[], batch: readonly number[], idx: readonly number[]): number[] {
  const lead = batch.length - (shape.length - 2);
  return shape.slice(0, -2).map((d, i) => (d === 1 ? 0 : idx[i + lead]!));
}

/** The textbook triple loop over every broadcast batch index, reading views element by element. */
function referenceMatmul(a: Tensor, b: Tensor): number[] {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.ndim - 1]!;
  const [sa, sb] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
  const rank = Math.max(sa.length, sb.length);
  const at = (s: readonly number[], i: number) => s[i - rank + s.length] ?? 1;
  const batch = Array.from({ length: rank }, (_, i) => Math.max(at(sa, i), at(sb, i)));
  const out: number[] = [];
  for (let t = 0; t < prod(batch); t++) {
    const idx = batch.map((_, i) => Math.floor(t / prod(batch.slice(i + 1))) % batch[i]!);
    const ia = operandIndex(a.shape, batch, idx);
    const ib = operandIndex(b.shape, batch, idx);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.data.get(...ia, i, p) * b.data.get(...ib, p, j);
        out.push(s);
      }
    }
  }
  return out;
}

/** A tensor of `shape` laid out as a transposed view, a strided (step 2) view, or contiguous. */
function laidOut(shape: readonly number[], layout: 'plain' | 'transposed' | 'strided', values: number[]): Tensor {
  const r = shape.length;
  if (layout === 'plain') return tensor(values, { dtype: 'float64', shape });
  if (layout === 'transposed') {
    const swapped = [...shape.slice(0, -2), shape[r - 1]!, shape[r - 2]!];
    return tensor(values, { dtype: 'float64', shape: swapped }).transpose(-2, -1);
  }
  const wide = [...shape.slice(0, -1), 2 * shape[r - 1]!];
  const buf = values.flatMap((v) => [v, -99]);
  return tensor(buf, { dtype: 'float64', shape: wide }).slice(...shape.slice(0, -1).map(() => null), [null, null, 2]);
}

describe('matmul, dot, outer: gradients to second order', () => {
  it('matmul over 1-D/2-D combinations and broadcast batches', () => {
    propertyGradcheck(matmulShapesArb.chain((shapes) => tensorsArb(shapes)), tg.matmul, { second: true });
  });
  it('matmul with a transposed-view right operand (a linear layer)', () => {
    const arb = fc.tuple(dim, dim, dim).chain(([m, k, n]) => tensorsArb([[m, k], [n, k]]));
    propertyGradcheck(arb, (x, w) => x!.matmul(w!.transpose()), { second: true });
  });
  it('dot and outer', () => {
    propertyGradcheck(dim.chain((k) => tensorsArb([[k], [k]])), tg.dot, { second: true });
    propertyGradcheck(fc.tuple(dim, dim).chain(([m, n]) => tensorsArb([[m], [n]])), tg.outer, { second: true });
  });
});

describe('matmul gradients of transposed operands', () => {
  const bits = (t: Tensor) => {
    const d = t.contiguousData();
    return Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  };
  it('are bit-identical to the plain products and come in the operand\'s layout', () => {
    // Sizes up to 48 so both the plain-JS gemm (under 1024 multiply-adds) and WebAssembly run.
    const size = fc.integer({ min: 0, max: 48 });
    const arb = fc.record({
      m: size, k: size, n: size, aT: fc.boolean(), bT: fc.boolean(), dtype: fc.constantFrom('float32', 'float64') as fc.Arbitrary<tg.DType>, seed: fc.nat(),
    });
    fc.assert(
      fc.property(arb, ({ m, k, n, aT, bT, dtype, seed }) => {
        tg.manualSeed(seed);
        // Leaves stored as the operand or as its transpose; the operand is then a transposed view.
        const a0 = tg.randn(aT ? [k, m] : [m, k], { dtype, requiresGrad: true });
        const b0 = tg.randn(bT ? [n, k] : [k, n], { dtype, requiresGrad: true });
        const g = tg.randn([m, n], { dtype });
        const a = aT ? a0.transpose() : a0;
        const b = bT ? b0.transpose() : b0;
        a.matmul(b).backward(g);
        const [ga, gb] = tg.noGrad(() => [g.matmul(b.transpose()), a.transpose().matmul(g)]);
        expect(bits(a0.grad!)).toEqual(bits(aT ? ga!.transpose() : ga!));
        expect(bits(b0.grad!)).toEqual(bits(bT ? gb!.transpose() : gb!));
        // With one operand transposed (x @ wᵀ, xᵀ @ w), it gets its gradient in its own layout.
        if (m > 1 && k > 1 && n > 1 && aT !== bT) {
          const [av, bv] = [aT ? a0.transpose() : a0, bT ? b0.transpose() : b0];
          const [gav, gbv] = tg.gradients([av.matmul(bv)], [av, bv], { gradOutputs: [g] });
          expect([gav!.data.stride, gbv!.data.stride]).toEqual([aT ? a.data.stride : [k, 1], bT ? b.data.stride : [n, 1]]);
        }
      }),
      { seed: 10, numRuns: 60 },
    );
  });
});

describe('matmul forward values', () => {
  it('matches hand-computed products for every rank combination', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[1, 0], [0, 1], [2, 3]]);
    expect(a.matmul(b).toArray()).toEqual([[7, 11], [16, 23]]);
    expect(a.matmul(tensor([1, 0, -1])).toArray()).toEqual([-2, -2]);
    expect(tensor([1, -1]).matmul(a).toArray()).toEqual([-3, -3, -3]);
    const d = tensor([1, 2, 3]).matmul(tensor([4, 5, 6]));
    expect(d.shape).toEqual([]);
    expect(d.item()).toBe(32);
    expect(tg.dot(tensor([1, 2]), tensor([3, 4])).item()).toBe(11);
    expect(tg.outer(tensor([1, 2]), tensor([3, 4, 5])).toArray()).toEqual([[3, 4, 5], [6, 8, 10]]);
    expect(a.matmul(b).dtype).toBe('float32');
  });
  it('reads a transposed weight in place', () => {
    const x = tensor([[1, 2], [3, 4]]);
    const w = tensor([[1, 0], [1, 1], [0, 2]]); // [out=3, in=2], used as x @ wᵀ
    expect(x.matmul(w.transpose()).toArray()).toEqual([[1, 3, 4], [3, 7, 8]]);
    expect(x.transpose().matmul(x).toArray()).toEqual([[10, 14], [14, 20]]);
  });
  it('broadcasts batch axes like a naive loop', () => {
    const a = tg.arange(12, undefined, 1, { dtype: 'float64' }).reshape([2, 1, 2, 3]);
    const b = tg.arange(18, undefined, 1, { dtype: 'float64' }).reshape([3, 3, 2]).sub(5);
    const out = a.matmul(b);
    expect(out.shape).toEqual([2, 3, 2, 2]);
    expect(Array.from(out.contiguousData())).toEqual(referenceMatmul(a, b));
    // 1-D on the left of a batch: a row vector per batch, removed again.
    expect(tensor([1, 1]).matmul(tg.ones([4, 2, 3])).toArray()).toEqual(Array(4).fill([2, 2, 2]));
  });
  it('agrees with a reference loop over random shapes, transposes and strides', () => {
    const layout = fc.constantFrom('plain', 'transposed', 'strided') as fc.Arbitrary<'plain' | 'transposed' | 'strided'>;
    const arb = fc
      .record({ m: dim, k: dim, n: dim, la: layout, lb: layout, batches: broadcastShapesArb(2, { maxRank: 2, maxDim: 3 }) })
      .chain(({ m, k, n, la, lb, batches: [ba, bb] }) => {
        const sa = [...ba!, m, k];
        const sb = [...bb!, k, n];
        const vals = (s: number[]) => fc.array(fc.integer({ min: -9, max: 9 }), { minLength: prod(s), maxLength: prod(s) });
        return fc.tuple(vals(sa), vals(sb)).map(([va, vb]) => [laidOut(sa, la, va), laidOut(sb, lb, vb)] as const);
      });
    fc.assert(
      fc.property(arb, ([a, b]) => {
        expect(Array.from(a.matmul(b).contiguousData())).toEqual(referenceMatmul(a, b));
      }),
    );
  });
  it('skips the gradient of a side that does not require grad', () => {
    const x = tensor([[1, 2]], { requiresGrad: true });
    const w = tensor([[3], [4]]);
    x.matmul(w).sum().backward();
    expect(x.grad!.toArray()).toEqual([[3, 4]]);
    expect(w.grad).toBeNull();
  });
});

describe('matmul bad input', () => {
  it('names both shapes on an inner-dimension mismatch', () => {
    expect(() => tg.matmul(tg.zeros([2, 3]), tg.zeros([4, 5]))).toThrowError(/^matmul: inner dimensions differ: \[2,3\] @ \[4,5\]$/);
    expect(() => tg.matmul(tg.zeros([3]), tg.zeros([4]))).toThrowError(/^matmul: inner dimensions differ: \[3\] @ \[4\]$/);
  });
  it('rejects batch axes that do not broadcast', () => {
    expect(() => tg.matmul(tg.zeros([2, 3, 4]), tg.zeros([3, 4, 5]))).toThrow(
      'matmul: batch dimensions [2] and [3] cannot be broadcast together: [2,3,4] @ [3,4,5]',
    );
  });
  it('refuses to mix dtypes and 0-d operands', () => {
    expect(() => tg.matmul(tg.zeros([2, 2]), tg.zeros([2, 2], { dtype: 'float64' }))).toThrow('matmul: dtype mismatch: float32 vs float64');
    expect(() => tg.matmul(tensor(2), tg.zeros([2]))).toThrow('matmul: both operands need at least 1 dimension, got shapes [] @ [2]');
  });
  it('dot and outer take only vectors', () => {
    expect(() => tg.dot(tg.zeros([2, 2]), tg.zeros([2]))).toThrow('dot: expected two 1-D tensors, got shapes [2,2] and [2]');
    expect(() => tg.dot(tg.zeros([2]), tg.zeros([3]))).toThrow('dot: sizes differ: [2] and [3]');
    expect(() => tg.outer(tg.zeros([2]), tg.zeros([1, 3]))).toThrow('outer: expected two 1-D tensors, got shapes [2] and [1,3]');
  });
});
