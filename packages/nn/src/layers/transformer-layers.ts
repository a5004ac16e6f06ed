// Transformer encoder and decoder layers with PyTorch's arguments and submodule names
// (self_attn, multihead_attn, linear1, linear2, norm1..3, dropout, dropout1..3), so state dicts match.
import { describeValue } from '@tapegrad/autograd';
import type { Tensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { Linear } from './linear.js';
import { LayerNorm } from './layer-norm.js';
import { Dropout } from './dropout.js';
import { MultiheadAttention } from './attention.js';
import { checkInt, checkOptions, type LayerOptions } from './options.js';
import { checkTensor } from '@tapegrad/autograd';

/**
 * The feed-forward activation of a Transformer layer: `'relu'`, `'gelu'` or a function.
 *
 * @example
 * ```ts
 * const act: TransformerActivation = (x) => x.gelu('tanh');
 * ```
 * @category Layers
 */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);

/**
 * Options of {@link TransformerEncoderLayer} and {@link TransformerDecoderLayer} (defaults as PyTorch).
 *
 * @example
 * ```ts
 * new TransformerEncoderLayer(64, 4, { dimFeedforward: 256, dropout: 0, activation: 'gelu', normFirst: true, batchFirst: true });
 * ```
 * @category Layers
 */
export interface TransformerLayerOptions extends LayerOptions {
  /** Hidden width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block (default 0.1). */
  dropout?: number;
  /** Feed-forward activation (default `'relu'`). */
  activation?: TransformerActivation;
  /** LayerNorm eps (default 1e-5). */
  layerNormEps?: number;
  /** `[batch, seq, feature]` inputs instead of `[seq, batch, feature]` (default `false`). */
  batchFirst?: boolean;
  /** Pre-norm (LayerNorm before each block, inside the residual) instead of post-norm (default `false`). */
  normFirst?: boolean;
  /** Biases in the linear layers and LayerNorms (default `true`). */
  bias?: boolean;
}

const LAYER_OPTIONS = ['dtype', 'generator', 'dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias'] as const;

/** The shared parts of both layer kinds: settings, the feed-forward block and its activation. */
abstract class TransformerLayerBase<In extends unknown[]> extends Module<In, Tensor> {
  /** Model width. */
  readonly dModel: number;
  /** Pre-norm when true. */
  readonly normFirst: boolean;
  /** Input layout. */
  readonly batchFirst: boolean;
  /** The activation, as given. */
  readonly activation: TransformerActivation;
  /** First feed-forward projection, dModel → dimFeedforward. */
  linear1: Linear;
  /** Dropout inside the feed-forward block. */
  dropout: Dropout;
  /** Second feed-forward projection, dimFeedforward → dModel. */
  linear2: Linear;

  protected constructor(layer: string, dModel: number, nhead: number, options: TransformerLayerOptions) {
    super();
    checkOptions(layer, options, LAYER_OPTIONS);
    this.dModel = checkInt(layer, 'dModel', dModel);
    checkInt(layer, 'nhead', nhead);
    const { dimFeedforward = 2048, dropout = 0.1, activation = 'relu', batchFirst = false, normFirst = false, bias = true, dtype, generator } = options;
    checkInt(layer, 'dimFeedforward', dimFeedforward);
    if (activation !== 'relu' && activation !== 'gelu' && typeof activation !== 'function') {
      throw new Error(`${layer}: activation must be 'relu', 'gelu' or a function, got ${describeValue(activation)}`);
    }
    this.normFirst = normFirst;
    this.batchFirst = batchFirst;
    this.activation = activation;
    this.linear1 = new Linear(dModel, dimFeedforward, { bias, dtype, generator });
    this.dropout = new Dropout(dropout, { generator });
    this.linear2 = new Linear(dimFeedforward, dModel, { bias, dtype, generator });
  }

  /** linear2(dropout(activation(linear1(x)))). */
  protected feedForward(x: Tensor): Tensor {
    const h = this.linear1.forward(x);
    const a = this.activation === 'relu' ? h.relu() : this.activation === 'gelu' ? h.gelu() : this.activation(h);
    return this.linear2.forward(this.dropout.forward(a));
  }

  /** `x + block(norm(x))` in pre-norm, `norm(x + block(x))` in post-norm. */
  protected residual(x: Tensor, norm: LayerNorm, block: (x: Tensor) => Tensor): Tensor {
    return this.normFirst ? x.add(block(norm.forward(x))) : norm.forward(x.add(block(x)));
  }
}

const norm = (d: number, o: TransformerLayerOptions) => new LayerNorm(d, { eps: o.layerNormEps ?? 1e-5, bias: o.bias ?? true, dtype: o.dtype });
const attention = (d: number, h: number, o: TransformerLayerOptions) =>
  new MultiheadAttention(d, h, { dropout: o.dropout ?? 0.1, bias: o.bias ?? true, batchFirst: o.batchFirst ?? false, dtype: o.dtype, generator: o.generator });

/**
 * Masks and hints of {@link TransformerEncoderLayer.forward} (see {@link MultiheadAttentionForwardOptions} for mask kinds).
 *
 * @example
 * ```ts
 * layer.forward(x, { srcMask: generateSquareSubsequentMask(10) });
 * ```
 * @category Layers
 */
export interface TransformerEncoderForwardOptions {
  /** `[L, L]` or `[N·nhead, L, L]` attention mask. */
  srcMask?: Tensor | null;
  /** `[N, L]` padding positions to ignore. */
  srcKeyPaddingMask?: Tensor | null;
  /** Attend causally (used when `srcMask` is not given). */
  isCausal?: boolean;
}

const ENCODER_FORWARD = ['srcMask', 'srcKeyPaddingMask', 'isCausal'] as const;

/**
 * Self-attention then a feed-forward block, each with dropout, a residual connection and a
 * LayerNorm (after, or before with `normFirst`), as PyTorch's `TransformerEncoderLayer`.
 *
 * @example
 * ```ts
 * const layer = new TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true });
 * layer.forward(randn([2, 10, 32])).shape; // [2, 10, 32]
 * ```
 * @category Layers
 */
export class TransformerEncoderLayer extends TransformerLayerBase<[Tensor, TransformerEncoderForwardOptions?]> {
  /** Self-attention. */
  self_attn: MultiheadAttention;
  /** Norm of the attention block. */
  norm1: LayerNorm;
  /** Norm of the feed-forward block. */
  norm2: LayerNorm;
  /** Dropout after attention. */
  dropout1: Dropout;
  /** Dropout after the feed-forward block. */
  dropout2: Dropout;

  /** A layer of width `dModel` with `nhead` heads. */
  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super('TransformerEncoderLayer', dModel, nhead, options);
    this.self_attn = attention(dModel, nhead, options);
    this.norm1 = norm(dModel, options);
    this.norm2 = norm(dModel, options);
    this.dropout1 = new Dropout(options.dropout ?? 0.1, { generator: options.generator });
    this.dropout2 = new Dropout(options.dropout ?? 0.1, { generator: options.generator });
  }

  /** Encodes `src` (`[L, N, E]`, `[N, L, E]` with batchFirst, or `[L, E]`). */
  forward(src: Tensor, options: TransformerEncoderForwardOptions = {}): Tensor {
    checkTensor('TransformerEncoderLayer', 'src', src);
    checkOptions('TransformerEncoderLayer', options, ENCODER_FORWARD);
    const attnOptions = { attnMask: options.srcMask, keyPaddingMask: options.srcKeyPaddingMask, isCausal: options.isCausal, needWeights: false };
    const sa = (x: Tensor) => this.dropout1.forward(this.self_attn.forward(x, x, x, attnOptions)[0]);
    const x = this.residual(src, this.norm1, sa);
    return this.residual(x, this.norm2, (y) => this.dropout2.forward(this.feedForward(y)));
  }
}

/**
 * Masks and hints of {@link TransformerDecoderLayer.forward}.
 *
 * @example
 * ```ts
 * layer.forward(tgt, memory, { tgtIsCausal: true });
 * ```
 * @category Layers
 */
export interface TransformerDecoderForwardOptions {
  /** Self-attention mask `[T, T]` or `[N·nhead, T, T]`. */
  tgtMask?: Tensor | null;
  /** Cross-attention mask `[T, S]` or `[N·nhead, T, S]`. */
  memoryMask?: Tensor | null;
  /** `[N, T]` target padding. */
  tgtKeyPaddingMask?: Tensor | null;
  /** `[N, S]` memory padding. */
  memoryKeyPaddingMask?: Tensor | null;
  /** Causal self-attention (used when `tgtMask` is not given). */
  tgtIsCausal?: boolean;
  /** Causal cross-attention (used when `memoryMask` is not given). */
  memoryIsCausal?: boolean;
}

const DECODER_FORWARD = ['tgtMask', 'memoryMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'tgtIsCausal', 'memoryIsCausal'] as const;

/**
 * Self-attention, cross-attention to an encoder's `memory`, then a feed-forward block, each with
 * dropout, a residual and a LayerNorm, as PyTorch's `TransformerDecoderLayer`.
 *
 * @example
 * ```ts
 * const layer = new TransformerDecoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true });
 * layer.forward(randn([2, 7, 32]), randn([2, 10, 32])).shape; // [2, 7, 32]
 * ```
 * @category Layers
 */
export class TransformerDecoderLayer extends TransformerLayerBase<[Tensor, Tensor, TransformerDecoderForwardOptions?]> {
  /** Self-attention over the target. */
  self_attn: MultiheadAttention;
  /** Cross-attention from target to memory. */
  multihead_attn: MultiheadAttention;
  /** Norm of the self-attention block. */
  norm1: LayerNorm;
  /** Norm of the cross-attention block. */
  norm2: LayerNorm;
  /** Norm of the feed-forward block. */
  norm3: LayerNorm;
  /** Dropout after self-attention. */
  dropout1: Dropout;
  /** Dropout after cross-attention. */
  dropout2: Dropout;
  /** Dropout after the feed-forward block. */
  dropout3: Dropout;

  /** A layer of width `dModel` with `nhead` heads. */
  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super('TransformerDecoderLayer', dModel, nhead, options);
    this.self_attn = attention(dModel, nhead, options);
    this.multihead_attn = attention(dModel, nhead, options);
    this.norm1 = norm(dModel, options);
    this.norm2 = norm(dModel, options);
    this.norm3 = norm(dModel, options);
    const p = options.dropout ?? 0.1;
    this.dropout1 = new Dropout(p, { generator: options.generator });
    this.dropout2 = new Dropout(p, { generator: options.generator });
    this.dropout3 = new Dropout(p, { generator: options.generator });
  }

  /** Decodes `tgt` attending to `memory` (same layout rules as the encoder layer). */
  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderForwardOptions = {}): Tensor {
    checkTensor('TransformerDecoderLayer', 'tgt', tgt);
    checkTensor('TransformerDecoderLayer', 'memory', memory);
    checkOptions('TransformerDecoderLayer', options, DECODER_FORWARD);
    const selfOptions = { attnMask: options.tgtMask, keyPaddingMask: options.tgtKeyPaddingMask, isCausal: options.tgtIsCausal, needWeights: false };
    const crossOptions = { attnMask: options.memoryMask, keyPaddingMask: options.memoryKeyPaddingMask, isCausal: options.memoryIsCausal, needWeights: false };
    let x = this.residual(tgt, this.norm1, (y) => this.dropout1.forward(this.self_attn.forward(y, y, y, selfOptions)[0]));
    x = this.residual(x, this.norm2, (y) => this.dropout2.forward(this.multihead_attn.forward(y, memory, memory, crossOptions)[0]));
    return this.residual(x, this.norm3, (y) => this.dropout3.forward(this.feedForward(y)));
  }
}
