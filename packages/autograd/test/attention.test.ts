// scaledDotProductAttention against softmax(scale·Q·Kᵀ + mask)·V written plainly here, with
// gradients (first and second order) against finite differences, jvp against vjp, vmap against a
// loop, every mask kind, size-0 sequences, dropout with a seeded generator, and bad input.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Generator, grad, hessian, jacrev, jvp, ones, rand, randn, scaledDotProductAttention, stack, tapeStats, tensor, vjp, vmap, where, zeros,
  type Tensor, type ScaledDotProductAttentionOptions,
} from '@tapegrad/autograd';
import { gradcheck, gradgradcheck } from '@tapegrad/autograd/testing';

type Opts = ScaledDotProductAttentionOptions;

/** The attention weights and output the plain way; a row with every key masked gets zero weights (as PyTorch). */
function reference(q: Tensor, k: Tensor, v: Tensor, { attnMask = null, isCausal = false, scale = null }: Opts = {}, keepScale?: Tensor): Tensor {
  const E = q.shape[q.ndim - 1]!;
  let s = q.matmul(k.transpose(-2, -1)).mul(scale ?? 1 / Math.sqrt(E));
  const [L, S] = s.shape.slice(-2) as [number, number];
  if (isCausal) {
    const allowed = tensor(Array.from({ length: L }, (_, i) => Array.from({ length: S }, (_, j) => (j <= i ? 1 : 0))), { dtype: 'bool' }).reshape([L, S]);
    s = where(allowed, s, -Infinity);
  }
  if (attnMask) s = attnMask.dtype === 'bool' ? where(attnMask, s, -Infinity) : s.add(attnMask);
  if (S === 0) return zeros([...s.shape.slice(0, -1), v.shape[v.ndim - 1]!], { dtype: q.dtype });
  const dead = s.max(-1, true).eq(-Infinity);
  let w = where(dead, 0, where(dead, 0, s).softmax(-1));
  if (keepScale) w = w.mul(keepScale);
  return w.matmul(v);
}

const f64 = { dtype: 'float64' as const };
const gen = new Generator(7);
const rn = (shape: number[]) => randn(shape, { ...f64, generator: gen });
const close = (a: Tensor, b: Tensor, tol = 1e-12) => {
  expect(a.shape).toEqual(b.shape);
  if (a.size > 0) expect(a.sub(b).abs().max().item()).toBeLessThanOrEqual(tol);
};

interface Problem {
  qb: readonly number[];
  kb: readonly number[];
  L: number;
  S: number;
  E: number;
  Ev: number;
  mask: string;
  scale: number | null;
  seed: number;
}

/** Random attention problems: broadcasting batch axes, L and S from 0, every mask kind. */
const problem: fc.Arbitrary<Problem> = fc
  .record({
    qb: fc.constantFrom([], [2], [2, 1], [1, 3]),
    kb: fc.constantFrom([], [2], [1, 1], [3]),
    L: fc.integer({ min: 0, max: 3 }),
    S: fc.integer({ min: 0, max: 3 }),
    E: fc.integer({ min: 1, max: 3 }),
    Ev: fc.integer({ min: 1, max: 2 }),
    mask: fc.constantFrom('none', 'bool', 'float', 'causal', 'bool-row', 'float-col'),
    scale: fc.constantFrom(null, 0.7),
    seed: fc.integer({ min: 0, max: 1000 }),
  })
  .filter(({ qb, kb }) => qb.length === 0 || kb.length === 0 || qb[qb.length - 1] === kb[kb.length - 1] || qb[qb.length - 1] === 1 || kb[kb.length - 1] === 1);

function build(p: Problem): { xs: Tensor[]; opts: (xs: Tensor[]) => Opts } {
  const g = new Generator(p.seed);
  const r = (shape: number[]) => randn(shape, { ...f64, generator: g });
  const xs = [r([...p.qb, p.L, p.E]), r([...p.kb, p.S, p.E]), r([...p.kb, p.S, p.Ev])];
  const scale = p.scale;
  if (p.mask === 'causal') return { xs, opts: () => ({ isCausal: true, scale }) };
  if (p.mask === 'bool' || p.mask === 'bool-row') {
    const shape = p.mask === 'bool' ? [p.L, p.S] : [1, p.S];
    const m = rand(shape, { generator: g }).gt(0.3);
    return { xs, opts: () => ({ attnMask: m, scale }) };
  }
  if (p.mask === 'float' || p.mask === 'float-col') {
    xs.push(r(p.mask === 'float' ? [...p.qb, p.L, p.S] : [p.L, 1]));
    return { xs, opts: (t) => ({ attnMask: t[3]!, scale }) };
  }
  return { xs, opts: () => ({ scale }) };
}

const sdpa = (opts: (xs: Tensor[]) => Opts) => (...xs: Tensor[]) => scaledDotProductAttention(xs[0]!, xs[1]!, xs[2]!, opts(xs));

describe('scaledDotProductAttention', () => {
  it('equals softmax(scale·QKᵀ + mask)·V for broadcast batches, every mask kind, L and S from 0', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { xs, opts } = build(p);
        const [q, k, v] = xs as [Tensor, Tensor, Tensor];
        close(scaledDotProductAttention(q, k, v, opts(xs)), reference(q, k, v, opts(xs)));
      }),
      { seed: 1, numRuns: 60 },
    );
  });

  it('gradients match finite differences, first and second order (float64), masks included', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { xs, opts } = build(p);
        xs.forEach((x) => x.requiresGrad_());
        gradcheck(sdpa(opts), xs, { raiseException: true });
        gradgradcheck(sdpa(opts), xs);
      }),
      { seed: 2, numRuns: 14 },
    );
  });

  it('jvp agrees with the vjp (<u, J t> = <Jᵀ u, t>) and with finite differences', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { xs, opts } = build(p);
        const f = sdpa(opts);
        const g = new Generator(p.seed + 1);
        const ts = xs.map((x) => randn(x.shape, { ...f64, generator: g }));
        const [y, jt] = jvp(f, xs, ts);
        const u = randn(y.shape, { ...f64, generator: g });
        const [, pull] = vjp(f, ...xs);
        const lhs = u.mul(jt).sum().item();
        const rhs = pull(u).reduce((acc: number, gx, i) => acc + gx!.mul(ts[i]!).sum().item(), 0);
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * (1 + Math.abs(lhs)));
        const eps = 1e-6;
        const at = (s: number) => f(...xs.map((x, i) => x.add(ts[i]!.mul(s))));
        close(jt, at(eps).sub(at(-eps)).div(2 * eps), 1e-6);
      }),
      { seed: 3, numRuns: 25 },
    );
  });

  it('vmap over any argument equals a loop over the examples', () => {
    const q = rn([3, 2, 4, 3]); // 3 examples of [heads 2, L 4, E 3]
    const k = rn([3, 5, 3]); // 3 examples of [S 5, E 3], shared by the heads
    const v = rn([5, 2]); // shared values
    const bias = rn([3, 4, 5]); // per-example float mask
    const f = (qi: Tensor, ki: Tensor, vi: Tensor, mi: Tensor) => scaledDotProductAttention(qi, ki, vi, { attnMask: mi });
    const loop = stack([0, 1, 2].map((i) => f(q.unbind(0)[i]!, k.unbind(0)[i]!, v, bias.unbind(0)[i]!)));
    close(vmap(f, { inAxes: [0, 0, null, 0] })(q, k, v, bias), loop);
    // batch on another axis, out on the last
    const moved = vmap(f, { inAxes: [1, 0, null, 2], outAxes: -1 })(q.transpose(0, 1), k, v, bias.permute([1, 2, 0]));
    close(moved, loop.permute([1, 2, 3, 0]));
    // only the (bool) mask batched, q of lower rank than the examples' mask
    const keep = rand([3, 4, 5], { generator: gen }).gt(0.4);
    const q2 = rn([4, 3]);
    const g2 = (mi: Tensor) => scaledDotProductAttention(q2, k.unbind(0)[0]!, v, { attnMask: mi });
    close(vmap(g2)(keep), stack([0, 1, 2].map((i) => g2(keep.unbind(0)[i]!))));
    // nested vmap (examples × heads) and per-example gradients
    close(vmap(vmap((qi: Tensor, ki: Tensor) => scaledDotProductAttention(qi, ki, v), { inAxes: [0, null] }), { inAxes: [0, null] })(q, k.unbind(0)[0]!),
      stack([0, 1, 2].map((i) => scaledDotProductAttention(q.unbind(0)[i]!, k.unbind(0)[0]!, v))));
    const loss = (qi: Tensor) => scaledDotProductAttention(qi, k.unbind(0)[1]!, v, { isCausal: true }).square().sum();
    close(vmap(grad(loss))(q), stack([0, 1, 2].map((i) => grad(loss)(q.unbind(0)[i]!))));
  });

  it('hessian (forward over reverse) agrees with the jacobian of the gradient (reverse over reverse)', () => {
    const k = rn([3, 2]);
    const v = rn([3, 2]);
    const mask = tensor([[1, 0, 1], [1, 1, 0]], { dtype: 'bool' });
    const f = (q: Tensor) => scaledDotProductAttention(q, k, v, { attnMask: mask }).sin().sum();
    const q = rn([2, 2]);
    const H = hessian(f)(q);
    close(H, jacrev(grad(f))(q), 1e-10);
    // and both against central differences of the gradient
    const eps = 1e-6;
    const cols = [0, 1, 2, 3].map((i) => {
      const e = zeros([4], f64).add(tensor([0, 1, 2, 3]).eq(i).toDType('float64')).reshape([2, 2]).mul(eps);
      return grad(f)(q.add(e)).sub(grad(f)(q.sub(e))).div(2 * eps);
    });
    close(H.reshape([4, 4]), stack(cols.map((c) => c.reshape([4])), 1), 1e-6);
  });

  it('masks: bool true takes part, float adds, causal is top-left aligned, all broadcast', () => {
    const q = rn([2, 3, 4]);
    const k = rn([2, 5, 4]);
    const v = rn([2, 5, 2]);
    const keep = tensor([1, 1, 0, 1, 0], { dtype: 'bool' });
    const out = scaledDotProductAttention(q, k, v, { attnMask: keep });
    // masking a key equals removing it
    const idx = [0, 1, 3];
    close(out, scaledDotProductAttention(q, k.indexSelect(1, idx), v.indexSelect(1, idx)));
    close(out, scaledDotProductAttention(q, k, v, { attnMask: where(keep, 0, -Infinity).toDType('float64') }));
    // a mask over [batch, 1, S] and [L, 1]
    const perBatch = rand([2, 1, 5], { generator: gen }).gt(0.3);
    close(scaledDotProductAttention(q, k, v, { attnMask: perBatch }), reference(q, k, v, { attnMask: perBatch }));
    const rowBias = rn([3, 1]);
    close(scaledDotProductAttention(q, k, v, { attnMask: rowBias }), reference(q, k, v, { attnMask: rowBias }));
    // causal with L < S and L > S, as PyTorch: query i sees keys 0..i
    for (const [L, S] of [[2, 5], [5, 2], [4, 4]] as const) {
      const qc = rn([L, 3]);
      const kc = rn([S, 3]);
      const vc = rn([S, 2]);
      close(scaledDotProductAttention(qc, kc, vc, { isCausal: true }), reference(qc, kc, vc, { isCausal: true }));
    }
    // the first query of a causal self-attention sees only itself
    close(scaledDotProductAttention(q, k, v, { isCausal: true }).unbind(1)[0]!, v.unbind(1)[0]!);
  });

  it('a query with every key masked gets a zero output and zero gradients (as PyTorch)', () => {
    const q = rn([3, 2]).requiresGrad_();
    const k = rn([4, 2]).requiresGrad_();
    const v = rn([4, 2]).requiresGrad_();
    const keep = tensor([[1, 1, 0, 1], [0, 0, 0, 0], [1, 0, 0, 0]], { dtype: 'bool' });
    const out = scaledDotProductAttention(q, k, v, { attnMask: keep });
    expect(out.unbind(0)[1]!.toArray()).toEqual([0, 0]);
    out.sum().backward();
    expect(q.grad!.unbind(0)[1]!.toArray()).toEqual([0, 0]);
    expect(Number.isFinite(k.grad!.abs().sum().item())).toBe(true);
  });

  it('size-0 sequences: L = 0 gives an empty output, S = 0 gives zeros', () => {
    const q = rn([2, 0, 3]).requiresGrad_();
    expect(scaledDotProductAttention(q, rn([2, 4, 3]), rn([2, 4, 5])).shape).toEqual([2, 0, 5]);
    const q2 = rn([2, 3]).requiresGrad_();
    const out = scaledDotProductAttention(q2, rn([0, 3]), rn([0, 4]));
    expect(out.toArray()).toEqual([[0, 0, 0, 0], [0, 0, 0, 0]]);
    out.sum().backward();
    expect(q2.grad!.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it('dropout: the keep mask of a seeded generator, scaled by 1/(1-p), deterministic', () => {
    const q = rn([2, 3, 4]);
    const k = rn([2, 5, 4]);
    const v = rn([2, 5, 3]);
    const p = 0.4;
    const out = scaledDotProductAttention(q, k, v, { dropoutP: p, generator: new Generator(42) });
    const keep = rand([2, 3, 5], { ...f64, generator: new Generator(42) }).ge(p);
    close(out, reference(q, k, v, {}, where(keep, 1 / (1 - p), 0).toDType('float64')));
    close(scaledDotProductAttention(q, k, v, { dropoutP: p, generator: new Generator(42) }), out, 0);
    expect(scaledDotProductAttention(q, k, v, { dropoutP: p, generator: new Generator(43) }).sub(out).abs().max().item()).toBeGreaterThan(1e-3);
    expect(scaledDotProductAttention(q, k, v, { dropoutP: 1 }).abs().max().item()).toBe(0);
    // gradients with a fixed mask (same seed every call)
    const f = (...xs: Tensor[]) => scaledDotProductAttention(xs[0]!, xs[1]!, xs[2]!, { dropoutP: p, generator: new Generator(3) });
    const xs = [q, k, v].map((x) => x.detach().requiresGrad_());
    gradcheck(f, xs, { raiseException: true });
    gradgradcheck(f, xs);
  });

  it('float32 agrees with float64 and stays finite for large scores (max-shifted)', () => {
    const q = rn([2, 3, 8]);
    const k = rn([2, 6, 8]);
    const v = rn([2, 6, 4]);
    const want = scaledDotProductAttention(q, k, v);
    const got = scaledDotProductAttention(q.toDType('float32'), k.toDType('float32'), v.toDType('float32'));
    expect(got.dtype).toBe('float32');
    close(got.toDType('float64'), want, 1e-5);
    const big = scaledDotProductAttention(q.mul(1e3).toDType('float32'), k.mul(1e3).toDType('float32'), v.toDType('float32'));
    expect(Number.isFinite(big.abs().sum().item())).toBe(true);
  });

  it('one tape node per call, and backward without createGraph records nothing', () => {
    const q = rn([2, 4, 3]).requiresGrad_();
    const k = rn([2, 5, 3]).requiresGrad_();
    const v = rn([2, 5, 3]).requiresGrad_();
    const before = tapeStats().recorded;
    const out = scaledDotProductAttention(q, k, v, { isCausal: true });
    expect(tapeStats().recorded - before).toBe(1);
    out.backward(ones(out.shape, f64));
    expect(tapeStats().recorded - before).toBe(1);
  });

  it('enableGqa: each key/value head serves its group of query heads (values and gradients, float64)', () => {
    // Reference: the key/value heads repeated in place (PyTorch's repeat_interleave), head by head.
    const interleave = (x: Tensor, r: number) =>
      x.indexSelect(x.ndim - 3, Array.from({ length: x.shape[x.ndim - 3]! * r }, (_, i) => Math.floor(i / r)));
    const arb = fc.record({
      batch: fc.constantFrom([], [2], [1, 2]), hk: fc.integer({ min: 1, max: 3 }), r: fc.integer({ min: 1, max: 3 }),
      L: fc.integer({ min: 0, max: 3 }), S: fc.integer({ min: 0, max: 3 }), causal: fc.boolean(), seed: fc.nat(1000),
    });
    fc.assert(
      fc.property(arb, ({ batch, hk, r, L, S, causal, seed }) => {
        const g = new Generator(seed);
        const rg = (shape: number[]) => randn(shape, { ...f64, generator: g });
        const xs = [rg([...batch, hk * r, L, 3]), rg([...batch, hk, S, 3]), rg([...batch, hk, S, 2])];
        const opts = { isCausal: causal, enableGqa: true };
        const [q, k, v] = xs as [Tensor, Tensor, Tensor];
        close(scaledDotProductAttention(q, k, v, opts), reference(q, interleave(k, r), interleave(v, r), opts));
        const f = (...t: Tensor[]) => scaledDotProductAttention(t[0]!, t[1]!, t[2]!, opts);
        // Forward mode against central differences.
        const ts = xs.map((x) => randn(x.shape, { ...f64, generator: g }));
        const [, jt] = jvp(f, xs, ts);
        const at = (s: number) => f(...xs.map((x, i) => x.add(ts[i]!.mul(s))));
        close(jt, at(1e-6).sub(at(-1e-6)).div(2e-6), 1e-6);
        xs.forEach((x) => x.requiresGrad_());
        gradcheck(f, xs, { raiseException: true });
      }),
      { seed: 3, numRuns: 12 },
    );
    // vmap over the examples (queries batched, keys and values shared) equals a loop.
    const qs = rn([3, 4, 2, 3]), kvs = rn([2, 5, 3]);
    const one = (qi: Tensor) => scaledDotProductAttention(qi, kvs, kvs, { enableGqa: true });
    close(vmap(one)(qs), stack(qs.unbind(0).map(one)));
    // Off (the default), the head counts must broadcast as any batch axis.
    expect(() => scaledDotProductAttention(rn([4, 2, 3]), rn([2, 2, 3]), rn([2, 2, 3]))).toThrow(/^scaledDotProductAttention: batch dimensions/);
    const q = rn([6, 2, 3]);
    const call = (k: Tensor, v: Tensor, a = q) => () => scaledDotProductAttention(a, k, v, { enableGqa: true });
    expect(call(rn([4, 2, 3]), rn([4, 2, 3]))).toThrow("scaledDotProductAttention: with enableGqa, the query's heads (6) must be a multiple of the key/value heads (4); got shapes [6,2,3] and [4,2,3]");
    expect(call(rn([2, 2, 3]), rn([3, 2, 3]))).toThrow(/^scaledDotProductAttention: with enableGqa, k and v must have the same number of heads/);
    expect(call(rn([2, 3]), rn([2, 3]), rn([2, 3]))).toThrow(/^scaledDotProductAttention: q must have at least 3 dimensions \(\[\.\.\., heads, seq, features\] with enableGqa\)/);
    expect(() => scaledDotProductAttention(q, q, q, { enableGqa: 1 } as unknown as Opts)).toThrow(/^scaledDotProductAttention: enableGqa/);
  });

  it('rejects bad input with a message naming the function', () => {
    const q = rn([2, 3, 4]);
    const k = rn([2, 5, 4]);
    const v = rn([2, 5, 3]);
    const call = (o: unknown, a = q, b = k, c = v) => () => scaledDotProductAttention(a, b, c, o as Opts);
    expect(call({ attnMask: ones([3, 5], { dtype: 'bool' }), isCausal: true })).toThrow(/^scaledDotProductAttention: attnMask and isCausal/);
    expect(call({}, q, rn([2, 5, 3]))).toThrow(/^scaledDotProductAttention: q and k must have the same number of features/);
    expect(call({}, q, k, rn([2, 4, 3]))).toThrow(/^scaledDotProductAttention: k and v must have the same sequence length/);
    expect(call({}, q.toDType('float32'))).toThrow(/^scaledDotProductAttention: q, k and v must share a floating dtype/);
    expect(call({}, rn([3, 3, 4]))).toThrow(/^scaledDotProductAttention: batch dimensions/);
    expect(call({}, rn([4]))).toThrow(/^scaledDotProductAttention: q must have at least 2 dimensions/);
    expect(call({ attnMask: ones([4, 5], { dtype: 'bool' }) })).toThrow(/^scaledDotProductAttention: attnMask of shape \[4,5\] does not broadcast/);
    expect(call({ attnMask: ones([3, 5]) })).toThrow(/^scaledDotProductAttention: attnMask must be bool or float64/);
    expect(call({ dropoutP: 1.5 })).toThrow(/^scaledDotProductAttention: dropoutP/);
    expect(call({ scale: NaN })).toThrow(/^scaledDotProductAttention/);
    expect(call({ dropout: 0.1 })).toThrow(/^scaledDotProductAttention/);
    expect(call({ generator: 3 })).toThrow(/^scaledDotProductAttention: generator/);
  });
});
