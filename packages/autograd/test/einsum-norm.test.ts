// einsum (vs a plain-loop reference on drawn equations) and norm (PyTorch's gradient at zero).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tg from '@tapegrad/autograd';
import { eye, randn, tensor, Generator, type Tensor } from '@tapegrad/autograd';
import { gradcheck, gradgradcheck, shapeArb, tensorArb } from '@tapegrad/autograd/testing';
import { jvpcheck } from './jvp-helpers.js';

/** einsum by brute force over every assignment of every label (the definition). */
function reference(inputs: string[], output: string, xs: Tensor[], sizes: Record<string, number>): number[] {
  const labels = [...new Set(inputs.join(''))];
  const outSize = output.split('').reduce((n, l) => n * sizes[l]!, 1);
  const out = new Array<number>(outSize).fill(0);
  const vals = xs.map((x) => Array.from(x.contiguousData()));
  const flatIndex = (term: string, at: Record<string, number>) => term.split('').reduce((i, l) => i * sizes[l]! + at[l]!, 0);
  const walk = (k: number, at: Record<string, number>) => {
    if (k === labels.length) {
      const p = inputs.reduce((prod, term, i) => prod * vals[i]![flatIndex(term, at)]!, 1);
      out[flatIndex(output, at)]! += p;
      return;
    }
    for (let v = 0; v < sizes[labels[k]!]!; v++) walk(k + 1, { ...at, [labels[k]!]: v });
  };
  walk(0, {});
  return out;
}

/** Random equations over labels a..e with 1–3 operands of rank 0–3 (repeats allowed), explicit or implicit output. */
const equationArb = fc
  .tuple(
    fc.array(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    fc.record({ a: fc.integer({ min: 0, max: 3 }), b: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 2 }), d: fc.integer({ min: 1, max: 3 }), e: fc.integer({ min: 1, max: 2 }) }),
    fc.boolean(),
    fc.nat(),
  )
  .chain(([terms, sizes, explicit, seed]) => {
    const used = [...new Set(terms.flat())].sort();
    const outArb = explicit ? fc.shuffledSubarray(used) : fc.constant(used.filter((l) => terms.flat().filter((m) => m === l).length === 1));
    return outArb.map((out) => ({ terms: terms.map((t) => t.join('')), out: out.join(''), explicit, sizes, seed }));
  });

describe('einsum', () => {
  it('matches the brute-force definition, finite differences to second order and forward mode on drawn equations', () => {
    fc.assert(
      fc.property(equationArb, ({ terms, out, explicit, sizes, seed }) => {
        const gen = new Generator(seed);
        const xs = terms.map((t) => randn(t.split('').map((l) => sizes[l as keyof typeof sizes]), { dtype: 'float64', generator: gen, requiresGrad: true }));
        const eq = terms.join(',') + (explicit ? `->${out}` : '');
        const y = tg.einsum(eq, ...xs);
        expect(y.shape).toEqual(out.split('').map((l) => sizes[l as keyof typeof sizes]));
        const ref = reference(terms, out, xs, sizes);
        Array.from(y.contiguousData()).forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 10));
        const f = (...ts: Tensor[]) => tg.einsum(eq, ...ts);
        gradcheck(f, xs);
        gradgradcheck(f, xs);
        jvpcheck(f, xs);
      }),
      { numRuns: 40 },
    );
  });

  it('broadcasts ellipsis axes and size-1 axes as PyTorch', () => {
    const a = randn([2, 3, 4]);
    expect(tg.einsum('...ij->ij', a).shape).toEqual([3, 4]);
    expect(tg.einsum('ba', randn([2, 3])).shape).toEqual([3, 2]);
    expect(tg.einsum('Ba,b', randn([2, 3]), randn([2])).shape).toEqual([2, 3, 2]);
    expect(tg.einsum('ij,jk', randn([2, 1]), randn([3, 4])).shape).toEqual([2, 4]);
    expect(tg.einsum('ij,ij->ij', randn([2, 1]), randn([1, 4])).shape).toEqual([2, 4]);
    expect(tg.einsum('i...,...->...', randn([2, 3]), randn([3])).shape).toEqual([3]);
    expect(tg.einsum('...ij,...jk->...ik', randn([5, 1, 2, 3]), randn([4, 3, 6])).shape).toEqual([5, 4, 2, 6]);
    expect(tg.einsum('ii', eye(3)).item()).toBe(3);
    expect(tg.einsum('i,i', [tensor([1, 2]), tensor([3, 4])]).item()).toBe(11);
    const q = randn([2, 3, 4, 5], { dtype: 'float64' });
    const k = randn([2, 3, 6, 5], { dtype: 'float64' });
    const s = tg.einsum('bhqd,bhkd->bhqk', q, k);
    const m = q.matmul(k.transpose(-2, -1));
    Array.from(s.contiguousData()).forEach((v, i) => expect(v).toBeCloseTo(m.contiguousData()[i]!, 12));
  });

  it('gradients with ellipsis broadcasting', () => {
    const gen = new Generator(3);
    const xs = [randn([2, 1, 2, 3], { dtype: 'float64', generator: gen, requiresGrad: true }), randn([3, 3, 2], { dtype: 'float64', generator: gen, requiresGrad: true })];
    gradcheck((a, b) => tg.einsum('...ij,...jk->...ik', a!, b!), xs);
    gradcheck((a, b) => tg.einsum('...ij,...jk', a!, b!), xs);
  });

  it('rejects bad equations naming einsum', () => {
    const a = randn([2, 3]);
    expect(() => tg.einsum('ij,jk', a)).toThrow("einsum: equation 'ij,jk' has 2 input terms but 1 operand was given");
    expect(() => tg.einsum('ijk', a)).toThrow("einsum: operand 0 has 2 dimensions (shape [2,3]) but its subscripts 'ijk' name 3");
    expect(() => tg.einsum('i,i', tensor([1, 2]), tensor([1, 2, 3]))).toThrow('einsum: subscript i has size 3 for operand 1 which does not broadcast with previously seen size 2');
    expect(() => tg.einsum('ij->k', a)).toThrow('einsum: output subscript k does not appear in the inputs');
    expect(() => tg.einsum('i1', a)).toThrow("einsum: invalid subscript '1'");
    expect(() => tg.einsum('ij->ii', a)).toThrow("einsum: output subscripts 'ii' repeat a subscript");
    expect(() => tg.einsum('ij,jk', a, randn([3, 2], { dtype: 'float64' }))).toThrow('einsum: dtype mismatch');
  });
});

describe('norm', () => {
  const ps = [2, 1, 3, 1.5, 0.5, Infinity, -Infinity];
  it('matches finite differences (second order for smooth p) and forward mode on drawn shapes and axes', () => {
    const arb = shapeArb({ minRank: 1, maxRank: 3, minDim: 1, maxDim: 3 }).chain((s) =>
      fc.tuple(tensorArb(s, { avoid: [0], distinct: true, min: -2, max: 2 }), fc.constantFrom(...ps), fc.subarray(s.map((_, i) => i), { minLength: 1 }), fc.boolean()),
    );
    fc.assert(
      fc.property(arb, ([x, p, axes, keep]) => {
        const f = (t: Tensor) => tg.norm(t, p, axes, keep);
        gradcheck(f, [x], { atol: 1e-5 });
        if (Number.isFinite(p)) gradgradcheck(f, [x], { atol: 1e-4 });
        jvpcheck(f, [x]);
      }),
    );
  });

  it('values as torch.linalg.vector_norm', () => {
    expect(tg.norm(tensor([3, 4])).item()).toBe(5);
    expect(tg.norm(tensor([[1, -2], [3, -4]]), 1, 1).toArray()).toEqual([3, 7]);
    expect(tg.norm(tensor([[1, 2], [3, 4]], { dtype: 'float64' }), 'fro').item()).toBeCloseTo(Math.sqrt(30), 14);
    expect(tg.norm(tensor([1, -7, 3]), Infinity).item()).toBe(7);
    expect(tg.norm(tensor([1, -7, 3]), -Infinity).item()).toBe(1);
    expect(tg.norm(tensor([1, 0, 3]), 0).item()).toBe(2);
    expect(tg.norm(tensor([1, 2], { dtype: 'float64' }), 3).item()).toBeCloseTo(9 ** (1 / 3), 14);
    expect(tg.norm(tensor([[3, 4]]), 2, 1, true).toArray()).toEqual([[5]]);
    expect(tensor([3, 4]).norm().item()).toBe(5);
  });

  it('gradient at zero is 0 for every p, as PyTorch', () => {
    for (const p of [2, 1, 3, 0.5, Infinity, 0, 1.5, 'fro' as const]) {
      const x = tg.zeros([3], { dtype: 'float64', requiresGrad: true });
      tg.norm(x, p).backward();
      expect(x.grad!.toArray(), String(p)).toEqual([0, 0, 0]);
    }
    // p < 1 with some zeros: the zero entries get 0, the others their finite gradient.
    const x = tensor([0, 4], { dtype: 'float64', requiresGrad: true });
    tg.norm(x, 0.5).backward();
    expect(x.grad!.toArray()).toEqual([0, 1]);
  });

  it('rejects bad p naming norm', () => {
    expect(() => tg.norm(tensor([1]), 'nuc' as never)).toThrow("norm: p must be a number or 'fro', got a string \"nuc\" (the nuclear norm needs an SVD, which tapegrad does not have)");
    expect(() => tg.norm(randn([2, 2, 2]), 'fro', [0, 1, 2])).toThrow('norm: the Frobenius norm takes at most 2 axes, got [0,1,2]');
  });
});
