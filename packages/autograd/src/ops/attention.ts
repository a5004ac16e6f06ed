// Scaled dot-product attention as one op: a fused forward (kernels/attention.ts) that keeps only
// the softmax weights for backward, a vjp and a jvp written in tensor ops, and a batching rule.
// The weights P get their own op (attentionWeights) so that the vjp is differentiable: when the
// backward is itself recorded (createGraph) or runs under jvp/vmap, P is recomputed through that op
// instead of reusing the saved buffer as a constant, and second derivatives flow through it.
import { Tensor } from '../tensor.js';
import { defineOp, type BatchContext, type Op } from '../define-op.js';
import { wrap } from '../kernels/layout.js';
import { attentionBackward, attentionForward, attentionWeights } from '../kernels/attention.js';
import { broadcastShapes, fmt } from '../shape.js';
import { isFloating, type TypedArray } from '../dtype.js';
import { isGradEnabled } from '../grad-mode.js';
import { topLevelOf } from '../transform-levels.js';
import { Generator } from '../rng.js';
import { sumTo } from './reduce.js';
import { rand } from './random.js';
import { where } from './elementwise.js';
import { toFront } from './batch-rules.js';
import { checkBoolean, checkFinite, checkOptions, checkTensor, fail } from '../validate.js';

type Mask = Tensor | null;
const batchOf = (t: Tensor | null) => (t ? t.shape.slice(0, -2) : []);
const isFloatMask = (m: Mask): m is Tensor => m !== null && isFloating(m.dtype);

/**
 * Batching rule shared by both ops: every batched tensor gets its examples in front and is padded
 * with size-1 axes to one rank above the largest per-example rank, so the examples form the
 * leading batch axis once all batch axes broadcast (shared tensors broadcast as they are).
 */
function liftBatch<Args extends readonly unknown[]>(args: Args, dims: readonly unknown[], { size, op }: BatchContext<Args>): readonly [Tensor, number] {
  let rank = 0;
  args.forEach((a, i) => {
    if (a instanceof Tensor) rank = Math.max(rank, a.ndim - (dims[i] === null ? 0 : 1));
  });
  const lifted = args.map((a, i) => {
    const d = dims[i] as number | null | undefined;
    if (!(a instanceof Tensor) || d === null || d === undefined) return a;
    let x = toFront(a, d, size);
    while (x.ndim < rank + 1) x = x.unsqueeze(1);
    return x;
  }) as unknown as Args;
  return [op(...lifted), 0];
}

/** Gradients of a loss through P = softmax(scale·Q·Kᵀ + mask), given dP: [dQ, dK, dMask]. */
function scoresVjp(P: Tensor, dP: Tensor, q: Tensor, k: Tensor, mask: Mask, scale: number): [Tensor | null, Tensor | null, Tensor | null] {
  const dS = P.mul(dP.sub(dP.mul(P).sum(-1, true)));
  return [
    q.requiresGrad ? sumTo(dS.matmul(k).mul(scale), q.shape) : null,
    k.requiresGrad ? sumTo(dS.transpose(-2, -1).matmul(q).mul(scale), k.shape) : null,
    isFloatMask(mask) && mask.requiresGrad ? sumTo(dS, mask.shape) : null,
  ];
}

/** Tangent of P = softmax(scale·Q·Kᵀ + mask) along tangents of Q, K and a float mask (null: zero). */
function weightsTangent(P: Tensor, q: Tensor, k: Tensor, tq: Tensor | null, tk: Tensor | null, tm: Tensor | null, scale: number): Tensor | null {
  let dS: Tensor | null = null;
  if (tq) dS = tq.matmul(k.transpose(-2, -1));
  if (tk) {
    const term = q.matmul(tk.transpose(-2, -1));
    dS = dS ? dS.add(term) : term;
  }
  if (dS) dS = dS.mul(scale);
  if (tm) dS = dS ? dS.add(tm) : tm;
  if (!dS) return null;
  return P.mul(dS.sub(P.mul(dS).sum(-1, true)));
}

const weightsOp: Op<[Tensor, Tensor, Mask, number, boolean]> = defineOp({
  name: 'attentionWeights',
  acceptsIntegers: true, // a bool mask; q and k are checked by scaledDotProductAttention
  forward: (q: Tensor, k: Tensor, mask: Mask, scale: number, causal: boolean) => {
    const batch = broadcastShapes('attentionWeights', batchOf(q), batchOf(k), batchOf(mask));
    const data = attentionWeights({ q: q.data, k: k.data, mask: mask?.data ?? null, scale, causal, batch });
    return new Tensor(wrap(data, [...batch, q.shape[q.ndim - 2]!, k.shape[k.ndim - 2]!]));
  },
  // Written with the output P, so recorded under createGraph it differentiates again.
  vjp: (g, { args: [q, k, mask, scale], output }) => [...scoresVjp(output, g, q, k, mask, scale), null, null],
  jvp: ([tq, tk, tm], { args: [q, k, mask, scale], output }) => weightsTangent(output, q, k, tq, tk, isFloatMask(mask) ? (tm ?? null) : null, scale),
  batch: liftBatch,
});

type SdpaArgs = [Tensor, Tensor, Tensor, Mask, Mask, number, boolean];
interface SdpaContext {
  args: SdpaArgs;
  saved: Tensor | undefined;
}

/**
 * The softmax weights for a rule: the buffer the forward saved when it may be treated as a constant
 * (nothing records the rule and no transform level sees the arguments), else recomputed as a
 * differentiable value through `weightsOp`.
 */
function weightsFor(ctx: SdpaContext): Tensor {
  const [q, k, , mask, , scale, causal] = ctx.args;
  return savedIsConstant(ctx) ? ctx.saved! : weightsOp(q, k, mask, scale, causal);
}

function savedIsConstant({ args: [q, k, v, mask, drop], saved }: SdpaContext): boolean {
  const ts = [q, k, v, mask, drop].filter((t): t is Tensor => t !== null);
  return saved !== undefined && !(isGradEnabled() && ts.some((t) => t.requiresGrad)) && topLevelOf(ts) < 0;
}

const sdpaOp: Op<SdpaArgs> = defineOp<SdpaArgs, Tensor>({
  name: 'scaledDotProductAttention',
  acceptsIntegers: true, // a bool mask; the public function checks q, k and v
  forward: (q, k, v, mask, drop, scale, causal) => {
    const batch = broadcastShapes('scaledDotProductAttention', batchOf(q), batchOf(k), batchOf(v), batchOf(mask), batchOf(drop));
    const L = q.shape[q.ndim - 2]!;
    const S = k.shape[k.ndim - 2]!;
    const r = attentionForward({ q: q.data, k: k.data, mask: mask?.data ?? null, scale, causal, batch }, v.data, drop?.data ?? null);
    const output = new Tensor(wrap(r.output, [...batch, L, v.shape[v.ndim - 1]!]));
    return { output, saved: new Tensor(wrap(r.weights, [...batch, L, S])) };
  },
  vjp: (g, ctx) => {
    const [q, k, v, mask, drop, scale, causal] = ctx.args;
    // The plain training step: one fused kernel over the saved weights, nothing recorded. (A float
    // mask that wants its gradient, or a cotangent that is itself differentiated or batched, takes
    // the tensor-op route below.)
    const plain = !(isGradEnabled() && g.requiresGrad) && topLevelOf([g]) < 0;
    if (plain && savedIsConstant(ctx) && !(isFloatMask(mask) && mask.requiresGrad)) {
      const batch = ctx.saved!.shape.slice(0, -2);
      const r = attentionBackward({ q: q.data, k: k.data, mask: null, scale, causal, batch }, v.data, drop?.data ?? null, ctx.saved!.contiguousData(), g.data, {
        q: q.requiresGrad, k: k.requiresGrad, v: v.requiresGrad,
      });
      const grad = (x: Tensor, d: TypedArray | null) => (d ? new Tensor(wrap(d, x.shape)) : null);
      return [grad(q, r.dq), grad(k, r.dk), grad(v, r.dv), null, null, null, null];
    }
    const P = weightsFor(ctx);
    const dv = v.requiresGrad ? sumTo((drop ? P.mul(drop) : P).transpose(-2, -1).matmul(g), v.shape) : null;
    let scores: [Tensor | null, Tensor | null, Tensor | null] = [null, null, null];
    if (q.requiresGrad || k.requiresGrad || (isFloatMask(mask) && mask.requiresGrad)) {
      const dPd = g.matmul(v.transpose(-2, -1));
      scores = scoresVjp(P, drop ? dPd.mul(drop) : dPd, q, k, mask, scale);
    }
    const [dq, dk, dm] = scores;
    return [dq, dk, dv, dm, null, null, null];
  },
  jvp: ([tq, tk, tv, tm], ctx) => {
    const [q, k, v, mask, drop, scale] = ctx.args;
    const P = weightsFor(ctx);
    const tP = weightsTangent(P, q, k, tq, tk, isFloatMask(mask) ? (tm ?? null) : null, scale);
    let out = tP ? (drop ? tP.mul(drop) : tP).matmul(v) : null;
    if (tv) {
      const term = (drop ? P.mul(drop) : P).matmul(tv);
      out = out ? out.add(term) : term;
    }
    return out;
  },
  batch: liftBatch,
});

/**
 * Options of {@link scaledDotProductAttention} (PyTorch's keyword arguments, camelCased).
 *
 * @example
 * ```ts
 * const opts: ScaledDotProductAttentionOptions = { isCausal: true, dropoutP: 0.1, generator: new Generator(0) };
 * ```
 * @category Attention
 */
export interface ScaledDotProductAttentionOptions {
  /**
   * Mask broadcastable to the weights `[..., L, S]`: `bool` with true where a query MAY attend to a
   * key (PyTorch's SDPA convention; `nn.MultiheadAttention` uses the opposite), or a float tensor of
   * the query's dtype added to the scores (−∞ masks; it receives a gradient).
   */
  attnMask?: Tensor | null;
  /** Query i attends to keys 0..i only (top-left aligned); an error together with `attnMask`. */
  isCausal?: boolean;
  /** Dropout probability on the attention weights (default 0); applied whenever > 0, as PyTorch. */
  dropoutP?: number;
  /** Factor on Q·Kᵀ (default `1/√E`). */
  scale?: number | null;
  /** Source of the dropout mask (the global generator by default). */
  generator?: Generator;
  /**
   * Grouped-query attention (default false): `k` and `v` may have fewer heads (axis −3) than `q`,
   * a divisor of its count; each key/value head serves that many consecutive query heads (as
   * PyTorch, which repeats them with `repeat_interleave`).
   */
  enableGqa?: boolean;
}

const OPTIONS = ['attnMask', 'isCausal', 'dropoutP', 'scale', 'generator', 'enableGqa'] as const;

/** `x` `[..., H, S, F]` with each head repeated `r` times in place: `[..., H·r, S, F]`. */
function repeatHeads(x: Tensor, r: number): Tensor {
  if (r === 1) return x;
  const shape = x.shape;
  const [H, S, F] = shape.slice(-3) as [number, number, number];
  const lead = shape.slice(0, -3);
  return x.unsqueeze(-3).expand([...lead, H, r, S, F]).reshape([...lead, H * r, S, F]);
}

/**
 * Attention as `torch.nn.functional.scaled_dot_product_attention`:
 * softmax(scale·Q·Kᵀ + mask)·V with queries `q` `[..., L, E]`, keys `k` `[..., S, E]` and values
 * `v` `[..., S, Ev]`, batched over any leading axes (heads included, broadcasting as matmul);
 * returns `[..., L, Ev]`. One op: the forward is fused (scores, masked softmax shifted by the row
 * maximum, product with V per batch item, keeping only the `[L, S]` weights for backward), and it
 * has a vjp, a jvp and a batching rule, differentiable to any order. A query whose keys are all
 * masked gets zero weights, a zero output and zero gradients (as PyTorch's math backend). With
 * `enableGqa`, `k` and `v` may have fewer heads than `q` (grouped-query attention).
 *
 * @example
 * ```ts
 * const q = randn([2, 4, 5, 8]); // [batch, heads, L, E]
 * const k = randn([2, 4, 7, 8]);
 * const v = randn([2, 4, 7, 3]);
 * scaledDotProductAttention(q, k, v).shape;                          // [2, 4, 5, 3]
 * scaledDotProductAttention(q, q, q, { isCausal: true }).shape;      // [2, 4, 5, 8]
 * const keep = tensor([[1, 1, 0, 0, 1, 1, 1]], { dtype: 'bool' });
 * scaledDotProductAttention(q, k, v, { attnMask: keep }).shape;      // [2, 4, 5, 3]
 * const kv = randn([2, 2, 7, 8]); // 2 key/value heads, each serving 2 of the 4 query heads
 * scaledDotProductAttention(q, kv, kv, { enableGqa: true }).shape;   // [2, 4, 5, 8]
 * ```
 * @category Attention
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const name = 'scaledDotProductAttention';
  checkTensor(name, 'q', q);
  checkTensor(name, 'k', k);
  checkTensor(name, 'v', v);
  checkOptions(name, options, OPTIONS);
  const { attnMask = null, isCausal = false, dropoutP = 0, scale = null, generator, enableGqa = false } = options;
  if (!isFloating(q.dtype) || k.dtype !== q.dtype || v.dtype !== q.dtype) {
    throw new Error(`${name}: q, k and v must share a floating dtype, got ${q.dtype}, ${k.dtype} and ${v.dtype}`);
  }
  checkBoolean(name, 'enableGqa', enableGqa);
  const least = enableGqa ? 3 : 2;
  for (const [what, t] of [['q', q], ['k', k], ['v', v]] as const) {
    if (t.ndim < least) {
      throw new Error(`${name}: ${what} must have at least ${least} dimensions (${enableGqa ? '[..., heads, seq, features] with enableGqa' : '[..., seq, features]'}), got shape ${fmt(t.shape)}`);
    }
  }
  if (enableGqa) {
    const [hq, hk, hv] = [q, k, v].map((t) => t.shape[t.ndim - 3]!) as [number, number, number];
    if (hk !== hv) throw new Error(`${name}: with enableGqa, k and v must have the same number of heads (axis -3), got shapes ${fmt(k.shape)} and ${fmt(v.shape)}`);
    if (hk === 0 || hq % hk !== 0) {
      throw new Error(`${name}: with enableGqa, the query's heads (${hq}) must be a multiple of the key/value heads (${hk}); got shapes ${fmt(q.shape)} and ${fmt(k.shape)}`);
    }
    k = repeatHeads(k, hq / hk);
    v = repeatHeads(v, hq / hk);
  }
  const [L, E] = q.shape.slice(-2) as [number, number];
  const S = k.shape[k.ndim - 2]!;
  if (k.shape[k.ndim - 1] !== E) throw new Error(`${name}: q and k must have the same number of features, got shapes ${fmt(q.shape)} and ${fmt(k.shape)}`);
  if (v.shape[v.ndim - 2] !== S) throw new Error(`${name}: k and v must have the same sequence length, got shapes ${fmt(k.shape)} and ${fmt(v.shape)}`);
  let batch: number[];
  try {
    batch = broadcastShapes(name, batchOf(q), batchOf(k), batchOf(v));
  } catch {
    throw new Error(`${name}: batch dimensions of q ${fmt(q.shape)}, k ${fmt(k.shape)} and v ${fmt(v.shape)} cannot be broadcast together`);
  }
  checkBoolean(name, 'isCausal', isCausal);
  if (typeof dropoutP !== 'number' || !(dropoutP >= 0 && dropoutP <= 1)) fail(name, 'dropoutP must be a probability', dropoutP, 'a number in [0, 1]');
  const factor = scale === null ? 1 / Math.sqrt(E) : checkFinite(name, 'scale', scale);
  if (generator !== undefined && !(generator instanceof Generator)) fail(name, 'generator must be a Generator', generator, 'a Generator');
  let mask: Mask = null;
  if (attnMask !== null) {
    checkTensor(name, 'attnMask', attnMask);
    if (isCausal) throw new Error(`${name}: attnMask and isCausal cannot both be set (as PyTorch); put the causal mask into attnMask`);
    if (attnMask.dtype !== 'bool' && attnMask.dtype !== q.dtype) {
      throw new Error(`${name}: attnMask must be bool or ${q.dtype} like q, got ${attnMask.dtype}`);
    }
    mask = attnMask;
    while (mask.ndim < 2) mask = mask.unsqueeze(0);
    const target = [...batch, L, S];
    const fits = mask.ndim <= target.length && mask.shape.every((d, i) => d === 1 || d === target[target.length - mask!.ndim + i]);
    if (!fits) throw new Error(`${name}: attnMask of shape ${fmt(attnMask.shape)} does not broadcast to the weights' shape ${fmt(target)}`);
  }
  let drop: Mask = null;
  if (dropoutP > 0) {
    const keep = rand([...batch, L, S], { dtype: q.dtype, generator }).ge(dropoutP);
    drop = where(keep, dropoutP === 1 ? 0 : 1 / (1 - dropoutP), 0).toDType(q.dtype);
  }
  return sdpaOp(q, k, v, mask, drop, factor, isCausal);
}
