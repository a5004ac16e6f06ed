// The pieces of training a character language model: random windows as batches, the warm-up +
// cosine learning-rate schedule, validation loss over every held-out character, and sampling.
import { Generator, fromTyped, noGrad, type Tensor } from '@tapegrad/autograd';
import type { Module } from '@tapegrad/nn';

/** A model from ids `[B, T]` to next-id logits `[B, T, V]`. */
export type LanguageModel = Module<[Tensor], Tensor>;

/** `batchSize` windows of `blockSize` ids at random offsets: inputs `[B, T]` and targets shifted by one. */
export function randomBatch(ids: Int32Array, batchSize: number, blockSize: number, rng: Generator): { x: Tensor; y: Tensor } {
  const x = new Float32Array(batchSize * blockSize);
  const y = new Float32Array(batchSize * blockSize);
  for (let b = 0; b < batchSize; b++) {
    const s = rng.int(ids.length - blockSize);
    for (let t = 0; t < blockSize; t++) {
      x[b * blockSize + t] = ids[s + t]!;
      y[b * blockSize + t] = ids[s + t + 1]!;
    }
  }
  return { x: fromTyped(x, [batchSize, blockSize]), y: fromTyped(y, [batchSize, blockSize]) };
}

/** Linear warm-up over `warmup` steps to the base rate, then cosine decay to `floor`·base at `total`. */
export function warmupCosine(step: number, warmup: number, total: number, floor = 0.1): number {
  if (step < warmup) return (step + 1) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/**
 * Mean negative log-likelihood (nats per character) of `ids[from..]`, each character predicted
 * from up to `blockSize` preceding ones: windows overlap by half, and every character is scored
 * once, in the first window where it has at least half a block of context.
 */
export function evaluateNll(model: LanguageModel, ids: Int32Array, blockSize: number, from = 2, batchWindows = 32): number {
  const half = Math.floor(blockSize / 2);
  const starts: number[] = [];
  for (let s = 0; s + blockSize < ids.length; s += half) starts.push(s);
  if (starts.at(-1)! + blockSize < ids.length - 1) starts.push(ids.length - 1 - blockSize);
  let total = 0, count = 0, scoredUpTo = from - 1; // targets at index <= scoredUpTo are done
  const wasTraining = model.training;
  model.eval();
  noGrad(() => {
    for (let i = 0; i < starts.length; i += batchWindows) {
      const batch = starts.slice(i, i + batchWindows);
      const x = new Float32Array(batch.length * blockSize);
      batch.forEach((s, b) => x.set(ids.subarray(s, s + blockSize), b * blockSize));
      const logp = model.forward(fromTyped(x, [batch.length, blockSize])).logSoftmax(-1).contiguousData();
      const V = logp.length / (batch.length * blockSize);
      batch.forEach((s, b) => {
        for (let t = 0; t < blockSize; t++) {
          const target = s + t + 1;
          if (target <= scoredUpTo) continue;
          total -= logp[(b * blockSize + t) * V + ids[target]!]!;
          count++;
        }
        scoredUpTo = s + blockSize;
      });
    }
  });
  model.train(wasTraining);
  return total / count;
}

/** `length` characters sampled after `prompt` at `temperature`, each from the last `blockSize` ids. */
export function sample(model: LanguageModel, prompt: Int32Array, length: number, blockSize: number, temperature: number, rng: Generator): number[] {
  const out = Array.from(prompt);
  const wasTraining = model.training;
  model.eval();
  noGrad(() => {
    for (let i = 0; i < length; i++) {
      const ctx = out.slice(-blockSize);
      const logits = model.forward(fromTyped(Float32Array.from(ctx), [1, ctx.length]));
      const last = logits.slice(0, -1).div(temperature).softmax(-1).contiguousData();
      let u = rng.uniform(), next = last.length - 1;
      for (let c = 0; c < last.length; c++) if ((u -= last[c]!) < 0) { next = c; break; }
      out.push(next);
    }
  });
  model.train(wasTraining);
  return out.slice(prompt.length);
}
