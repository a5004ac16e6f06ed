// The recurrent variant of the character model: embedding → LSTM → linear head.
import type { Generator, Tensor } from '@tapegrad/autograd';
import { Embedding, LSTM, Linear, Module } from '@tapegrad/nn';

/** Sizes of a {@link CharLSTM}. */
export interface CharLSTMConfig { vocabSize: number; embedDim: number; hiddenSize: number; numLayers: number; generator?: Generator }

/** ids `[B, T]` → logits `[B, T, vocabSize]`, each position reading the ids before it through the LSTM state. */
export class CharLSTM extends Module<[Tensor], Tensor> {
  embed: Embedding;
  lstm: LSTM;
  head: Linear;

  constructor(c: CharLSTMConfig) {
    super();
    const g = { generator: c.generator };
    this.embed = new Embedding(c.vocabSize, c.embedDim, g);
    this.lstm = new LSTM(c.embedDim, c.hiddenSize, { numLayers: c.numLayers, batchFirst: true, ...g });
    this.head = new Linear(c.hiddenSize, c.vocabSize, g);
  }

  forward(ids: Tensor): Tensor {
    const [out] = this.lstm.forward(this.embed.forward(ids));
    return this.head.forward(out);
  }
}
