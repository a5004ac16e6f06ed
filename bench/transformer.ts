// A Transformer block's training step, the unit of work of `pnpm demo:text`: one pre-norm
// TransformerEncoderLayer (d = 64, 4 heads, feed-forward 256, ReLU) under a causal mask on 16
// windows of 64 positions, with a linear loss head, backward and an AdamW step. tapegrad only:
// the peers have no such layer to compare with on the same footing.
import { Generator, manualSeed, randint, randn } from '@tapegrad/autograd';
import { Linear, TransformerEncoderLayer, crossEntropy, generateSquareSubsequentMask } from '@tapegrad/nn';
import { AdamW } from '@tapegrad/optim';
import { compare } from './harness.js';
import type { Row } from './report.js';

export async function transformerRows(quick: boolean): Promise<Row[]> {
  manualSeed(0);
  const [batch, seq, d] = [16, 64, 64];
  const g = new Generator(0);
  const layer = new TransformerEncoderLayer(d, 4, { dimFeedforward: 4 * d, dropout: 0, normFirst: true, batchFirst: true, generator: g });
  const head = new Linear(d, 89, { generator: g });
  const optimizer = new AdamW([...layer.parameters(), ...head.parameters()], { lr: 1e-3 });
  const x = randn([batch, seq, d]);
  const y = randint(0, 89, [batch * seq]);
  const mask = generateSquareSubsequentMask(seq);
  const step = () => {
    optimizer.zeroGrad();
    const logits = head.forward(layer.forward(x, { srcMask: mask, isCausal: true }));
    crossEntropy(logits.reshape([batch * seq, 89]), y).backward();
    optimizer.step();
  };
  const ms = await compare([{ name: 'tapegrad', run: step }], { warmup: 3, rounds: quick ? 3 : 9, minMs: 100 });
  return [{
    section: 'training', name: 'Transformer block step (d 64, 4 heads, 16×64 tokens, causal), AdamW', unit: 'tokens/s', higherIsBetter: true,
    values: { tapegrad: (batch * seq) / (ms.tapegrad! / 1e3) },
  }];
}
