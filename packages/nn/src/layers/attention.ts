// Multi-head attention with PyTorch's arguments, parameter names and shapes, so a torch state dict
// loads by name: in_proj_weight [3E, E] (or q/k/v_proj_weight with kdim/vdim), in_proj_bias [3E],
// out_proj.{weight,bias}, bias_k/bias_v [1, 1, E].
import { concat, rand, scaledDotProductAttention, zeros, type Generator, type Tensor, checkTensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as init from '../init.js';
import { fmtShape, pyBool, shortName } from '../format.js';
import { Linear } from './linear.js';
import { checkDType, checkInt, checkOptions, type LayerOptions } from './options.js';
import { generateSquareSubsequentMask, mergeMasks } from './attention-mask.js';

/**
 * Options of {@link MultiheadAttention} (defaults as PyTorch).
 *
 * @example
 * ```ts
 * new MultiheadAttention(64, 4, { batchFirst: true, dropout: 0.1, kdim: 32, vdim: 32 });
 * ```
 * @category Layers
 */
export interface MultiheadAttentionOptions extends LayerOptions {
  /** Dropout on the attention weights in training (default 0). */
  dropout?: number;
  /** Learned biases in the input and output projections (default `true`). */
  bias?: boolean;
  /** Append a learned key and value (`bias_k`, `bias_v`) to the source sequence (default `false`). */
  addBiasKv?: boolean;
  /** Append a zero key and value to the source sequence after projection (default `false`). */
  addZeroAttn?: boolean;
  /** Features of the keys (default `embedDim`). */
  kdim?: number;
  /** Features of the values (default `embedDim`). */
  vdim?: number;
  /** Inputs and outputs are `[batch, seq, feature]` instead of `[seq, batch, feature]` (default `false`). */
  batchFirst?: boolean;
}

const MHA_OPTIONS = ['dtype', 'generator', 'dropout', 'bias', 'addBiasKv', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst'] as const;

/**
 * Options of {@link MultiheadAttention.forward}. Masks follow PyTorch: a `bool` mask is true where
 * attention is NOT allowed (the opposite of `scaledDotProductAttention`'s bool mask, exactly as in
 * PyTorch); a float mask is added to the scores (use −∞ to mask).
 *
 * @example
 * ```ts
 * mha.forward(x, x, x, { attnMask: generateSquareSubsequentMask(10), needWeights: false });
 * ```
 * @category Layers
 */
export interface MultiheadAttentionForwardOptions {
  /** `[N, S]` (or `[S]` unbatched): keys to ignore, bool (true = padding) or float (added, −∞ = padding). */
  keyPaddingMask?: Tensor | null;
  /** Also return the attention weights (default `true`). */
  needWeights?: boolean;
  /** `[L, S]` or `[N·numHeads, L, S]`: bool (true = may NOT attend) or float (added to the scores of every head). */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads (`[N, L, S]`) instead of per head (`[N, H, L, S]`) (default `true`). */
  averageAttnWeights?: boolean;
  /**
   * Apply a causal mask. Without `attnMask` the causal mask is made here; with one, this is PyTorch's
   * hint that `attnMask` is causal: without key padding and with `needWeights: false` the causal
   * mask is applied inside the attention op in place of `attnMask` (whose shape is still checked).
   */
  isCausal?: boolean;
}

const FORWARD_OPTIONS = ['keyPaddingMask', 'needWeights', 'attnMask', 'averageAttnWeights', 'isCausal'] as const;

/**
 * Attention over `numHeads` heads: each head projects queries, keys and values to
 * `embedDim / numHeads` features and computes softmax(QKᵀ/√d)·V; the heads are concatenated and
 * projected by `out_proj`. With `needWeights: false` (as the Transformer layers call it) the heads
 * run through the fused `scaledDotProductAttention` of `@tapegrad/autograd`; with weights they are computed in the
 * open and returned. Inputs `[L, N, E]` (or `[N, L, E]` with `batchFirst`, or unbatched
 * `[L, E]`); returns `[output, weights]` where weights is `null` unless `needWeights`.
 *
 * @example
 * ```ts
 * const mha = new MultiheadAttention(16, 4, { batchFirst: true });
 * const x = randn([2, 5, 16]);
 * const [y, w] = mha.forward(x, x, x);
 * y.shape;  // [2, 5, 16]
 * w!.shape; // [2, 5, 5]
 * ```
 * @category Layers
 */
export class MultiheadAttention extends Module<[Tensor, Tensor, Tensor, MultiheadAttentionForwardOptions?], [Tensor, Tensor | null]> {
  /** Features of queries and outputs (E). */
  readonly embedDim: number;
  /** Number of heads (H). */
  readonly numHeads: number;
  /** Features per head, `embedDim / numHeads`. */
  readonly headDim: number;
  /** Features of the keys. */
  readonly kdim: number;
  /** Features of the values. */
  readonly vdim: number;
  /** Dropout probability on the attention weights. */
  readonly dropout: number;
  /** Layout of inputs and outputs. */
  readonly batchFirst: boolean;
  /** Whether a zero key/value is appended. */
  readonly addZeroAttn: boolean;
  /** Source of dropout masks. */
  readonly generator: Generator | undefined;
  /** `[3E, E]` packed query/key/value projection when kdim = vdim = E, else `null`. */
  in_proj_weight: Parameter | null;
  /** `[E, E]` query projection when kdim or vdim differ from E, else `null`. */
  q_proj_weight: Parameter | null;
  /** `[E, kdim]` key projection when kdim or vdim differ from E, else `null`. */
  k_proj_weight: Parameter | null;
  /** `[E, vdim]` value projection when kdim or vdim differ from E, else `null`. */
  v_proj_weight: Parameter | null;
  /** `[3E]` packed projection biases, or `null` with `bias: false`. */
  in_proj_bias: Parameter | null;
  /** `[1, 1, E]` learned extra key with `addBiasKv`, else `null`. */
  bias_k: Parameter | null;
  /** `[1, 1, E]` learned extra value with `addBiasKv`, else `null`. */
  bias_v: Parameter | null;
  /** Output projection E → E. */
  out_proj: Linear;

  /** Attention of width `embedDim` split over `numHeads` heads (`embedDim` must divide by it). */
  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    checkOptions('MultiheadAttention', options, MHA_OPTIONS);
    this.embedDim = checkInt('MultiheadAttention', 'embedDim', embedDim);
    this.numHeads = checkInt('MultiheadAttention', 'numHeads', numHeads);
    if (embedDim % numHeads !== 0) throw new Error(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    this.headDim = embedDim / numHeads;
    const { dropout = 0, bias = true, addBiasKv = false, addZeroAttn = false, batchFirst = false, dtype, generator } = options;
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) throw new Error(`MultiheadAttention: dropout must be a probability in [0, 1], got ${dropout}`);
    this.kdim = checkInt('MultiheadAttention', 'kdim', options.kdim ?? embedDim);
    this.vdim = checkInt('MultiheadAttention', 'vdim', options.vdim ?? embedDim);
    this.dropout = dropout;
    this.batchFirst = batchFirst;
    this.addZeroAttn = addZeroAttn;
    this.generator = generator;
    const xavier = (shape: number[]) => init.xavierUniform(new Parameter(zeros(shape, { dtype })), { generator });
    const packed = this.kdim === embedDim && this.vdim === embedDim;
    this.in_proj_weight = packed ? xavier([3 * embedDim, embedDim]) : null;
    this.q_proj_weight = packed ? null : xavier([embedDim, embedDim]);
    this.k_proj_weight = packed ? null : xavier([embedDim, this.kdim]);
    this.v_proj_weight = packed ? null : xavier([embedDim, this.vdim]);
    this.in_proj_bias = bias ? new Parameter(zeros([3 * embedDim], { dtype })) : null;
    const extra = () => init.xavierNormal(new Parameter(zeros([1, 1, embedDim], { dtype })), { generator });
    this.bias_k = addBiasKv ? extra() : null;
    this.bias_v = addBiasKv ? extra() : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias, dtype, generator });
    if (this.out_proj.bias) init.zeros(this.out_proj.bias);
  }

  /** Attends from `query` to `key`/`value`; returns `[output, weights | null]`. */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    checkTensor('MultiheadAttention', 'query', query);
    checkTensor('MultiheadAttention', 'key', key);
    checkTensor('MultiheadAttention', 'value', value);
    const name = shortName(this);
    checkOptions(name, options, FORWARD_OPTIONS);
    const { needWeights = true, averageAttnWeights = true, isCausal = false } = options;
    const batched = query.ndim === 3;
    const rank = batched ? 3 : 2;
    const E = this.embedDim;
    [[query, E, 'query'], [key, this.kdim, 'key'], [value, this.vdim, 'value']].forEach(([t, f, what]) => {
      const x = t as Tensor;
      if (x.ndim !== rank || x.shape[rank - 1] !== f) {
        const layout = !batched ? '[seq, feature]' : this.batchFirst ? '[batch, seq, feature]' : '[seq, batch, feature]';
        throw new Error(`${name}: ${what as string} must be ${layout} with ${f} features (query has rank ${query.ndim}), got ${fmtShape(x.shape)}`);
      }
    });
    checkDType(name, query, this.out_proj.weight);
    // Internally [N, seq, feature].
    const toNLE = (x: Tensor) => (!batched ? x.unsqueeze(0) : this.batchFirst ? x : x.transpose(0, 1));
    const [q0, k0, v0] = [toNLE(query), toNLE(key), toNLE(value)];
    const [N, L] = q0.shape as [number, number];
    if (k0.shape[0] !== N || v0.shape[0] !== N || k0.shape[1] !== v0.shape[1]) {
      throw new Error(`${name}: key ${fmtShape(key.shape)} and value ${fmtShape(value.shape)} must share batch and sequence sizes with each other and the batch of query ${fmtShape(query.shape)}`);
    }
    let [q, k, v] = this.project(q0, k0, v0);
    let S = k.shape[1]!;
    let keyPaddingMask = options.keyPaddingMask ?? null;
    // As PyTorch: with isCausal and neither key padding nor weights to return, attention applies the
    // causal mask itself (a given attnMask is taken to be that mask) and no mask tensor is built.
    const causalKernel = isCausal && !keyPaddingMask && !needWeights && !this.bias_k && !this.addZeroAttn;
    if (isCausal && !options.attnMask && L !== S) throw new Error(`${name}: isCausal needs as many keys as queries (${L} vs ${S}) or an explicit attnMask`);
    let attnMask = options.attnMask ?? (isCausal && !causalKernel ? generateSquareSubsequentMask(L, { dtype: query.dtype }) : null);
    if (this.bias_k && this.bias_v) {
      k = concat([k, this.bias_k.expand([N, 1, E])], 1);
      v = concat([v, this.bias_v.expand([N, 1, E])], 1);
      ({ attnMask, keyPaddingMask } = padMasks(name, attnMask, keyPaddingMask, query.dtype));
    }
    const H = this.numHeads, d = this.headDim;
    const heads = (x: Tensor) => x.reshape([N, x.shape[1]!, H, d]).transpose(1, 2); // [N, H, seq, d]
    let [qh, kh, vh] = [heads(q), heads(k), heads(v)];
    if (this.addZeroAttn) {
      kh = concat([kh, zeros([N, H, 1, d], { dtype: kh.dtype })], 2);
      vh = concat([vh, zeros([N, H, 1, d], { dtype: vh.dtype })], 2);
      ({ attnMask, keyPaddingMask } = padMasks(name, attnMask, keyPaddingMask, query.dtype));
    }
    S = kh.shape[2]!;
    const mask = mergeMasks(name, query.dtype, { n: N, h: H, l: L, s: S }, attnMask, keyPaddingMask);
    const dropoutP = this.training ? this.dropout : 0;
    const toOutput = (heads: Tensor) => {
      const out = this.out_proj.forward(heads.transpose(1, 2).reshape([N, L, E]));
      return !batched ? out.squeeze(0) : this.batchFirst ? out : out.transpose(0, 1);
    };
    if (!needWeights) {
      // One fused op; with dropout it draws the same keep mask as the explicit path below.
      const opts = causalKernel ? { isCausal: true } : { attnMask: mask };
      return [toOutput(scaledDotProductAttention(qh, kh, vh, { ...opts, dropoutP, generator: this.generator })), null];
    }
    // The weights are wanted: computed in the open, as PyTorch does. A query with every key masked
    // gets NaN weights here (softmax of −∞ only), as in PyTorch, but zeros without needWeights.
    let scores = qh.matmul(kh.transpose(-2, -1)).mul(1 / Math.sqrt(d));
    if (mask) scores = scores.add(mask);
    // As PyTorch, the weights returned are the ones used: after dropout.
    let weights = scores.softmax(-1);
    if (dropoutP > 0) weights = dropoutOf(weights, dropoutP, this.generator);
    const out = toOutput(weights.matmul(vh));
    if (averageAttnWeights) weights = weights.mean(1);
    return [out, batched ? weights : weights.squeeze(0)];
  }

  /** The three input projections of `[N, seq, feature]` inputs. */
  private project(q: Tensor, k: Tensor, v: Tensor): [Tensor, Tensor, Tensor] {
    const E = this.embedDim;
    const b = this.in_proj_bias;
    const lin = (x: Tensor, w: Tensor, i: number) => {
      const y = x.matmul(w.transpose(0, 1));
      return b ? y.add(b.slice([i * E, (i + 1) * E])) : y;
    };
    if (this.in_proj_weight) {
      const w = this.in_proj_weight;
      return [lin(q, w.slice([0, E]), 0), lin(k, w.slice([E, 2 * E]), 1), lin(v, w.slice([2 * E, 3 * E]), 2)];
    }
    return [lin(q, this.q_proj_weight!, 0), lin(k, this.k_proj_weight!, 1), lin(v, this.v_proj_weight!, 2)];
  }

  /** `embed_dim=16, num_heads=4, batch_first=True`. */
  override extraRepr(): string {
    return `embed_dim=${this.embedDim}, num_heads=${this.numHeads}, batch_first=${pyBool(this.batchFirst)}`;
  }
}

/** Masks widened by one always-allowed source position (for bias_k/bias_v and the zero attention). */
function padMasks(layer: string, attnMask: Tensor | null, keyPaddingMask: Tensor | null, dtype: Tensor['dtype']) {
  const widen = (m: Tensor | null) => {
    if (!m) return null;
    const shape = [...m.shape.slice(0, -1), 1];
    const zero = (m.dtype as string) === 'bool' ? zeros(shape, { dtype: m.dtype }) : zeros(shape, { dtype });
    if ((m.dtype as string) !== 'bool' && m.dtype !== dtype) throw new Error(`${layer}: masks must be bool or ${dtype}, got ${m.dtype}`);
    return concat([m, zero], m.ndim - 1);
  };
  return { attnMask: widen(attnMask), keyPaddingMask: widen(keyPaddingMask) };
}

/** Inverted dropout of `x` with probability `p`. */
export function dropoutOf(x: Tensor, p: number, generator: Generator | undefined): Tensor {
  checkTensor('dropoutOf', 'x', x);
  if (p === 1) return x.mul(0);
  const keep = rand(x.shape, { dtype: x.dtype, generator }).ge(p);
  return x.mul(keep.mul(1 / (1 - p)));
}
