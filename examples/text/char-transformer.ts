// A small decoder-only (GPT-style) character model: token and learned position embeddings, a
// stack of pre-norm Transformer layers with causal self-attention, a final LayerNorm and a linear
// head giving next-character logits at every position.
import type { Generator, Tensor } from '@tapegrad/autograd';
import { Embedding, LayerNorm, Linear, Module, TransformerEncoder, TransformerEncoderLayer, generateSquareSubsequentMask, init } from '@tapegrad/nn';

/** Sizes of a {@link CharTransformer}. */
export interface CharTransformerConfig {
  vocabSize: number;
  /** Longest context (number of learned positions). */
  blockSize: number;
  dModel: number;
  nHead: number;
  nLayer: number;
  dropout: number;
  generator?: Generator;
}

/** ids `[B, T]` (T ≤ blockSize) → logits `[B, T, vocabSize]`; position t sees ids 0..t only. */
export class CharTransformer extends Module<[Tensor], Tensor> {
  readonly blockSize: number;
  tok: Embedding;
  pos: Embedding;
  blocks: TransformerEncoder;
  head: Linear;

  constructor(c: CharTransformerConfig) {
    super();
    this.blockSize = c.blockSize;
    const g = { generator: c.generator };
    this.tok = new Embedding(c.vocabSize, c.dModel, g);
    this.pos = new Embedding(c.blockSize, c.dModel, g);
    const layer = new TransformerEncoderLayer(c.dModel, c.nHead, {
      dimFeedforward: 4 * c.dModel, dropout: c.dropout, activation: 'relu', normFirst: true, batchFirst: true, ...g,
    });
    this.blocks = new TransformerEncoder(layer, c.nLayer, { norm: new LayerNorm(c.dModel) });
    this.head = new Linear(c.dModel, c.vocabSize, g);
    // GPT-2's scale: embeddings of N(0, 0.02²) instead of Embedding's N(0, 1), so the residual
    // stream starts small and the attention and MLP blocks shape it from the first steps.
    for (const e of [this.tok, this.pos]) init.normal(e.weight, { std: 0.02, generator: c.generator });
  }

  forward(ids: Tensor): Tensor {
    const T = ids.shape[1]!;
    const positions = this.pos.weight.slice([0, T]); // [T, dModel], broadcast over the batch
    const x = this.tok.forward(ids).add(positions);
    return this.head.forward(this.blocks.forward(x, { mask: causalMask(T), isCausal: true }));
  }
}

const masks = new Map<number, Tensor>();
/** The [T, T] causal mask, made once per length. */
function causalMask(T: number): Tensor {
  let m = masks.get(T);
  if (!m) masks.set(T, (m = generateSquareSubsequentMask(T)));
  return m;
}
