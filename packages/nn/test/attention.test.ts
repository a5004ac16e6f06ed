import { describe, expect, it } from 'vitest';
import { Generator, noGrad, randn, stack, tensor, where, zeros, type Tensor } from '@tapegrad/autograd';
import { Module, MultiheadAttention, generateSquareSubsequentMask } from '@tapegrad/nn';
import { flat, moduleGradcheck } from './helpers.js';
import { maxDiff, torchCase } from './torch-fixtures.js';

const f64 = { dtype: 'float64' as const };
const rnd = (shape: number[], seed: number) => randn(shape, { ...f64, generator: new Generator(seed) });
type M = number[][];
const rows = (t: Tensor): M => t.toArray() as M;
const matT = (a: M, b: M): M => a.map((r) => b.map((c) => r.reduce((s, v, i) => s + v * c[i]!, 0))); // a·bᵀ

/** softmax(QKᵀ/√d + mask)·V per head, then the output projection, written with plain arrays. */
function reference(m: MultiheadAttention, q: M, k: M, v: M, mask?: M): { out: M; weights: M[] } {
  const E = m.embedDim, H = m.numHeads, d = E / H;
  const w = rows(m.in_proj_weight!), b = flat(m.in_proj_bias!);
  const proj = (x: M, part: number) => matT(x, w.slice(part * E, (part + 1) * E)).map((r) => r.map((val, j) => val + b[part * E + j]!));
  const [Q, K, V] = [proj(q, 0), proj(k, 1), proj(v, 2)];
  const heads: M[] = [], weights: M[] = [];
  for (let h = 0; h < H; h++) {
    const cols = (x: M) => x.map((r) => r.slice(h * d, (h + 1) * d));
    const s = matT(cols(Q), cols(K)).map((r, i) => r.map((val, j) => val / Math.sqrt(d) + (mask?.[i]![j] ?? 0)));
    const p = s.map((r) => { const mx = Math.max(...r); const e = r.map((val) => Math.exp(val - mx)); const z = e.reduce((a, c) => a + c); return e.map((val) => val / z); });
    weights.push(p);
    const Vh = cols(V);
    heads.push(p.map((r) => Vh[0]!.map((_, j) => r.reduce((acc, pij, i) => acc + pij * Vh[i]![j]!, 0))));
  }
  const merged = q.map((_, i) => heads.flatMap((hd) => hd[i]!));
  const ow = rows(m.out_proj.weight), ob = flat(m.out_proj.bias!);
  return { out: matT(merged, ow).map((r) => r.map((val, j) => val + ob[j]!)), weights };
}

const closeM = (a: unknown[], b: unknown[]) => {
  const [x, y] = [a.flat(3) as number[], b.flat(3) as number[]];
  expect(x).toHaveLength(y.length);
  x.forEach((v, i) => expect(v).toBeCloseTo(y[i]!, 10));
};

describe('MultiheadAttention', () => {
  const make = (opts = {}) => {
    const m = new MultiheadAttention(6, 2, { ...f64, generator: new Generator(1), ...opts });
    noGrad(() => { // nonzero biases so the reference checks them
      m.in_proj_bias!.copy_(rnd([18], 9));
      m.out_proj.bias!.copy_(rnd([6], 10));
    });
    return m;
  };

  it('has PyTorch parameter names and shapes', () => {
    expect(make().namedParameters().map(([n, p]) => `${n}:${p.shape}`)).toEqual(['in_proj_weight:18,6', 'in_proj_bias:18', 'out_proj.weight:6,6', 'out_proj.bias:6']);
    const kv = new MultiheadAttention(6, 2, { kdim: 4, vdim: 3, addBiasKv: true });
    expect(kv.namedParameters().map(([n, p]) => `${n}:${p.shape}`)).toEqual([
      'q_proj_weight:6,6', 'k_proj_weight:6,4', 'v_proj_weight:6,3', 'in_proj_bias:18', 'bias_k:1,1,6', 'bias_v:1,1,6', 'out_proj.weight:6,6', 'out_proj.bias:6',
    ]);
    expect(flat(kv.in_proj_bias!).every((v) => v === 0)).toBe(true);
  });

  it('matches softmax(QKᵀ/√d)V head by head, unbatched, with and without a causal mask', () => {
    const m = make();
    const [q, k, v] = [rnd([3, 6], 2), rnd([4, 6], 3), rnd([4, 6], 4)];
    const [y, w] = m.forward(q, k, v, { averageAttnWeights: false });
    const ref = reference(m, rows(q), rows(k), rows(v));
    closeM(rows(y), ref.out);
    closeM(w!.toArray() as M, ref.weights.flat());
    const x = rnd([4, 6], 5);
    const mask = rows(generateSquareSubsequentMask(4, f64));
    const [yc, wc] = m.forward(x, x, x, { isCausal: true });
    const refc = reference(m, rows(x), rows(x), rows(x), mask);
    closeM(rows(yc), refc.out);
    closeM(rows(wc!), refc.weights[0]!.map((r, i) => r.map((val, j) => (val + refc.weights[1]![i]![j]!) / 2)));
    expect(rows(wc!)[0]!.slice(1)).toEqual([0, 0, 0]);
  });

  it('batchFirst and [seq, batch, feature] agree; keyPaddingMask removes keys', () => {
    const m = make();
    const bf = make({ batchFirst: true });
    bf.loadStateDict(m.stateDict());
    const [q, k] = [rnd([3, 2, 6], 6), rnd([5, 2, 6], 7)];
    const [y] = m.forward(q, k, k);
    const [ybf] = bf.forward(q.transpose(0, 1), k.transpose(0, 1), k.transpose(0, 1));
    expect(maxDiff(y, ybf.transpose(0, 1))).toBeLessThan(1e-12);
    const pad = tensor([[0, 0, 0, -Infinity, -Infinity], [0, 0, 0, 0, 0]], f64);
    const [yp, wp] = bf.forward(q.transpose(0, 1), k.transpose(0, 1), k.transpose(0, 1), { keyPaddingMask: pad });
    expect(flat(wp!.slice(0).slice(null, [3, 5]))).toEqual([0, 0, 0, 0, 0, 0]);
    const short = k.transpose(0, 1).slice([0, 1], [0, 3]);
    const [y0] = bf.forward(q.transpose(0, 1).slice([0, 1]), short, short);
    expect(maxDiff(yp.slice([0, 1]), y0)).toBeLessThan(1e-12);
  });

  it('needWeights false returns null; per-head weights with averageAttnWeights false', () => {
    const m = make({ batchFirst: true });
    const x = rnd([2, 3, 6], 8);
    expect(m.forward(x, x, x, { needWeights: false })[1]).toBeNull();
    expect(m.forward(x, x, x, { averageAttnWeights: false })[1]!.shape).toEqual([2, 2, 3, 3]);
  });

  it('attnMask per batch·head [N·H, L, S] applies to its own head only', () => {
    const m = make({ batchFirst: true });
    const x = rnd([1, 3, 6], 11);
    const mask = zeros([2, 3, 3], f64);
    noGrad(() => mask.slice([1, 2]).copy_(generateSquareSubsequentMask(3, f64).unsqueeze(0)));
    const [, w] = m.forward(x, x, x, { attnMask: mask, averageAttnWeights: false });
    expect(flat(w!.slice(null, [1, 2], [0, 1], [1, 3]))).toEqual([0, 0]);
    expect(flat(w!.slice(null, [0, 1], [0, 1], [1, 3])).every((v) => v > 0)).toBe(true);
  });

  it('gradients agree with finite differences (kdim/vdim, bias_kv, zero attention, masks)', () => {
    const m = make({ batchFirst: true });
    const mask = generateSquareSubsequentMask(3, f64);
    class SelfAttention extends Module<[Tensor], Tensor> {
      attn = m;
      forward(x: Tensor) { return this.attn.forward(x, x, x, { attnMask: mask, keyPaddingMask: tensor([[0, 0, -Infinity], [0, 0, 0]], f64) })[0]; }
    }
    moduleGradcheck(new SelfAttention(), [rnd([2, 3, 6], 13).requiresGrad_()]);
    const kv = new MultiheadAttention(4, 2, { ...f64, kdim: 3, vdim: 5, addBiasKv: true, addZeroAttn: true, generator: new Generator(2) });
    moduleGradcheck(kv, [rnd([3, 2, 4], 14).requiresGrad_(), rnd([2, 2, 3], 15).requiresGrad_(), rnd([2, 2, 5], 16).requiresGrad_()]);
  });

  it('matches torch.nn.MultiheadAttention (kdim/vdim, batch_first, key padding, per-head weights)', () => {
    const c = torchCase('mha');
    const m = new MultiheadAttention(8, 2, { ...f64, batchFirst: true, kdim: 6, vdim: 5 });
    c.load(m);
    const [y, w] = m.forward(c.get('q'), c.get('k'), c.get('v'), { keyPaddingMask: c.get('keyPaddingMask'), averageAttnWeights: false });
    expect(maxDiff(y, c.get('out'))).toBeLessThan(1e-12);
    expect(maxDiff(w!, c.get('weights'))).toBeLessThan(1e-12);
  });

  it('bool masks (true = NOT allowed, as PyTorch) equal their −∞ float forms, with and without weights', () => {
    const m = make({ batchFirst: true });
    const x = rnd([2, 4, 6], 21);
    const am = tensor([[0, 1, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1]], { dtype: 'bool' });
    const kpm = tensor([[0, 0, 0, 1], [0, 1, 0, 0]], { dtype: 'bool' });
    const asFloat = (b: Tensor) => where(b, -Infinity, 0).toDType('float64');
    for (const needWeights of [true, false]) {
      const [yb, wb] = m.forward(x, x, x, { attnMask: am, keyPaddingMask: kpm, needWeights });
      const [yf, wf] = m.forward(x, x, x, { attnMask: asFloat(am), keyPaddingMask: asFloat(kpm), needWeights });
      expect(maxDiff(yb, yf)).toBeLessThan(1e-12);
      if (needWeights) expect(maxDiff(wb!, wf!)).toBeLessThan(1e-12);
    }
    // a per batch·head bool mask, and a bool mask mixed with a float key padding mask
    const perHead = stack([am, am.eq(0), am, am]);
    const [yh] = m.forward(x, x, x, { attnMask: perHead, needWeights: false });
    const [yhf] = m.forward(x, x, x, { attnMask: asFloat(perHead), needWeights: false });
    expect(maxDiff(yh, yhf)).toBeLessThan(1e-12);
    const [ym] = m.forward(x, x, x, { attnMask: am, keyPaddingMask: asFloat(kpm) });
    expect(maxDiff(ym, m.forward(x, x, x, { attnMask: am, keyPaddingMask: kpm })[0])).toBeLessThan(1e-12);
  });

  it('matches torch.nn.MultiheadAttention with bool attnMask and keyPaddingMask (both paths)', () => {
    const c = torchCase('mhaBool');
    const m = new MultiheadAttention(6, 2, { ...f64, batchFirst: true });
    c.load(m);
    const x = c.get('x');
    const opts = { attnMask: c.get('attnMask').ne(0), keyPaddingMask: c.get('keyPaddingMask').ne(0) };
    const [y, w] = m.forward(x, x, x, { ...opts, averageAttnWeights: false });
    expect(maxDiff(y, c.get('out'))).toBeLessThan(1e-12);
    expect(maxDiff(w!, c.get('weights'))).toBeLessThan(1e-12);
    expect(maxDiff(m.forward(x, x, x, { ...opts, needWeights: false })[0], c.get('outNoWeights'))).toBeLessThan(1e-12);
  });

  it('the fused path (needWeights false) equals the explicit one: causal hint, padding, bias_kv, zero attention, dropout', () => {
    const x = rnd([2, 5, 6], 22);
    const causal = generateSquareSubsequentMask(5, f64);
    const cases: [object, object][] = [
      [{}, { isCausal: true }],
      [{}, { attnMask: causal, isCausal: true }],
      [{}, { isCausal: true, keyPaddingMask: tensor([[0, 0, 0, 0, 1], [0, 0, 0, 0, 0]], { dtype: 'bool' }) }],
      [{ addBiasKv: true, addZeroAttn: true }, { isCausal: true }],
    ];
    for (const [ctor, fwd] of cases) {
      const m = make({ batchFirst: true, ...ctor });
      const [yw] = m.forward(x, x, x, fwd);
      const [yf, none] = m.forward(x, x, x, { ...fwd, needWeights: false });
      expect(none).toBeNull();
      expect(maxDiff(yw, yf)).toBeLessThan(1e-12);
    }
    // training dropout: the same seeded generator draws the same keep mask on both paths
    const a = make({ batchFirst: true, dropout: 0.3 }), b = make({ batchFirst: true, dropout: 0.3 });
    const [ya] = a.forward(x, x, x, { isCausal: true });
    const [yb] = b.forward(x, x, x, { isCausal: true, needWeights: false });
    expect(maxDiff(ya, yb)).toBeLessThan(1e-12);
    a.eval();
    expect(maxDiff(a.forward(x, x, x)[0], a.forward(x, x, x, { needWeights: false })[0])).toBeLessThan(1e-12);
  });

  it('gradients through the fused path agree with finite differences (bool masks)', () => {
    const m = make({ batchFirst: true });
    const am = tensor([[0, 1, 1], [0, 0, 1], [0, 0, 0]], { dtype: 'bool' });
    const kpm = tensor([[0, 0, 1], [0, 0, 0]], { dtype: 'bool' });
    class SelfAttention extends Module<[Tensor], Tensor> {
      attn = m;
      forward(x: Tensor) { return this.attn.forward(x, x, x, { attnMask: am, keyPaddingMask: kpm, needWeights: false })[0]; }
    }
    moduleGradcheck(new SelfAttention(), [rnd([2, 3, 6], 23).requiresGrad_()]);
  });

  it('rejects bad arguments and unknown options', () => {
    expect(() => new MultiheadAttention(6, 4)).toThrow(/MultiheadAttention: embedDim \(6\) must be divisible by numHeads \(4\)/);
    expect(() => new MultiheadAttention(6, 2, { batch_first: true } as never)).toThrow(/MultiheadAttention: unexpected option 'batch_first'/);
    const m = make();
    expect(() => m.forward(rnd([3, 2, 5], 1), rnd([3, 2, 6], 1), rnd([3, 2, 6], 1))).toThrow(/query must be \[seq, batch, feature\] with 6 features/);
    expect(() => m.forward(rnd([3, 6], 1), rnd([3, 6], 1), rnd([3, 6], 1), { attnMask: zeros([2, 2], f64) })).toThrow(/attnMask must be \[3,3\]/);
    expect(() => m.forward(rnd([3, 6], 1), rnd([3, 6], 1), rnd([3, 6], 1), { mask: null } as never)).toThrow(/unexpected option 'mask'/);
  });
});
