// `pnpm demo:text`: a small decoder-only character Transformer trained on Moby Dick (whole
// chapters held out for validation), compared with an order-3 character n-gram with add-one
// smoothing on the same split, then sampled from a prompt. Curves go to out/text-demo-curves-<model>.svg.
//
//   pnpm demo:text                       the default run (2000 steps, about 4 minutes on two idle cores)
//   pnpm demo:text --steps 3000          train longer (the cosine schedule stretches with it)
//   pnpm demo:text --model lstm          the LSTM variant of docs/sequence-models.md instead
//   pnpm demo:text --temperature 0.6 --prompt "Call me"
import { mkdirSync, writeFileSync } from 'node:fs';
import { Generator, manualSeed } from '@tapegrad/autograd';
import { crossEntropy } from '@tapegrad/nn';
import { AdamW, LambdaLR, clipGradNorm } from '@tapegrad/optim';
import { historyToSvg } from '@tapegrad/train';
import { Vocab, loadMobyDick, splitByChapter } from './text/corpus.js';
import { CharNGram } from './text/ngram.js';
import { CharTransformer } from './text/char-transformer.js';
import { CharLSTM } from './text/char-lstm.js';
import { evaluateNll, randomBatch, sample, warmupCosine, type LanguageModel } from './text/lm-training.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1]! : fallback);
const kind = arg('model', 'transformer');
if (kind !== 'transformer' && kind !== 'lstm') throw new Error(`demo:text: --model must be transformer or lstm, got ${kind}`);
// 2000 steps: well past the plateau near 2.5 nats, clearly below the n-gram (docs/sequence-models.md).
const steps = Number(arg('steps', '2000'));
const temperature = Number(arg('temperature', '0.7'));
const prompt = arg('prompt', 'The whale ');
const [batchSize, blockSize, evalEvery] = [16, 64, 100];
manualSeed(0);

// Data: every 10th section of the book is validation; the vocabulary is every character of the book.
const sections = loadMobyDick();
const split = splitByChapter(sections);
const vocab = new Vocab(split.train + split.val);
const trainIds = vocab.encode(split.train);
const valIds = vocab.encode(split.val);
console.log(`Moby Dick: ${sections.length} sections, ${trainIds.length.toLocaleString('en')} train / ${valIds.length.toLocaleString('en')} validation characters (${split.valTitles.length} held-out chapters), ${vocab.size} distinct characters`);

// The baseline the model has to beat, scored on the same characters (from the third on).
const ngram = new CharNGram(trainIds, vocab.size, 3);
const ngramNll = ngram.nll(valIds, 2);

const init = new Generator(0);
const model: LanguageModel = kind === 'transformer'
  ? new CharTransformer({ vocabSize: vocab.size, blockSize, dModel: 64, nHead: 4, nLayer: 2, dropout: 0, generator: init })
  : new CharLSTM({ vocabSize: vocab.size, embedDim: 32, hiddenSize: 128, numLayers: 1, generator: init });
// Weight decay on the matrices only, not on biases and LayerNorm scales (as GPT-2 and nanoGPT).
const params = model.parameters();
const optimizer = new AdamW([
  { params: params.filter((p) => p.ndim >= 2), weightDecay: 0.1 },
  { params: params.filter((p) => p.ndim < 2), weightDecay: 0 },
], { lr: 3e-3, betas: [0.9, 0.99] });
const warmup = Math.min(100, Math.floor(steps / 10));
const scheduler = new LambdaLR(optimizer, { lrLambda: (step) => warmupCosine(step, warmup, steps) });
console.log(`${kind}: ${model.numParameters().toLocaleString('en')} parameters; ${steps} steps of ${batchSize} windows × ${blockSize} characters; AdamW, warm-up ${warmup} steps then cosine decay, gradients clipped to norm 1`);

const rng = new Generator(1);
const valProbe = valIds.subarray(0, 8192); // a fixed slice for the curve; the full set at the end
const history: { step: number; trainLoss?: number; valLoss?: number }[] = [];
const start = performance.now();
const cpuStart = process.cpuUsage();
// On a shared machine wall time overstates the cost; CPU time (all threads) is reported next to it.
const cpuSeconds = () => { const u = process.cpuUsage(cpuStart); return (u.user + u.system) / 1e6; };
let running = 0;
for (let step = 0; step < steps; step++) {
  const { x, y } = randomBatch(trainIds, batchSize, blockSize, rng);
  optimizer.zeroGrad();
  const logits = model.forward(x);
  const loss = crossEntropy(logits.reshape([batchSize * blockSize, vocab.size]), y.reshape([batchSize * blockSize]));
  loss.backward();
  clipGradNorm(params, 1);
  optimizer.step();
  scheduler.step();
  running += loss.item();
  if ((step + 1) % evalEvery === 0 || step + 1 === steps) {
    const n = (step % evalEvery) + 1;
    const valLoss = evaluateNll(model, valProbe, blockSize);
    history.push({ step: step + 1, trainLoss: running / n, valLoss });
    const secs = (performance.now() - start) / 1000;
    console.log(`step ${String(step + 1).padStart(5)}  train ${(running / n).toFixed(3)}  val ${valLoss.toFixed(3)} nats  lr ${optimizer.paramGroups[0]!.lr.toExponential(2)}  ${secs.toFixed(0)} s wall, ${cpuSeconds().toFixed(0)} s CPU`);
    running = 0;
  }
}
const trainSeconds = (performance.now() - start) / 1000;
const trainCpu = cpuSeconds();

const valNll = evaluateNll(model, valIds, blockSize);
const bits = (nats: number) => nats / Math.LN2;
console.log(`\nvalidation (${valIds.length.toLocaleString('en')} characters of held-out chapters):`);
console.log(`  ${kind.padEnd(22)} ${valNll.toFixed(3)} nats  ${bits(valNll).toFixed(3)} bits/char   (training: ${trainSeconds.toFixed(0)} s wall, ${trainCpu.toFixed(0)} s CPU)`);
console.log(`  ${'order-3 n-gram (add-1)'.padEnd(22)} ${ngramNll.toFixed(3)} nats  ${bits(ngramNll).toFixed(3)} bits/char`);

mkdirSync('out', { recursive: true });
writeFileSync(`out/text-demo-curves-${kind}.svg`, historyToSvg(history, { xKey: 'step', panels: [{ title: 'Loss (nats/char)', series: ['trainLoss', 'valLoss'] }] }));
console.log(`learning curves: out/text-demo-curves-${kind}.svg`);

const text = vocab.decode(sample(model, vocab.encode(prompt), 300, blockSize, temperature, new Generator(2)));
console.log(`\nsample at temperature ${temperature}:\n${prompt}${text}`);
