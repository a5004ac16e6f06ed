// The training itself, in a Web Worker so the page stays responsive: fetches the digits as IDX
// bytes, trains a small CNN with fit, and posts progress, the learning curves' points, the test
// accuracy after each epoch and some test digits with their predictions. In this worker the
// WebAssembly kernels start their own workers when the page is cross-origin isolated.
import { Generator, getNumThreads, manualSeed, noGrad, type Tensor } from '@tapegrad/autograd';
import { DataLoader, parseMnist, TensorDataset, trainValTestSplit } from '@tapegrad/data';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, crossEntropy } from '@tapegrad/nn';
import { Adam } from '@tapegrad/optim';
import { evaluate, fit, type FitProgress } from '@tapegrad/train';
import type { Prediction, WorkerMessage } from './protocol.js';

/** The accuracy on held-out test digits that the page (and its CI check) waits for. */
const TARGET = 0.95;
const EPOCHS = 6;
const post = (message: WorkerMessage) => (self as unknown as { postMessage(m: WorkerMessage): void }).postMessage(message);
const bytes = async (url: string) => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fetch ${url}: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
};

async function main(): Promise<void> {
  const started = performance.now();
  manualSeed(0);
  const { images, labels } = parseMnist(await bytes('digits-images.idx'), await bytes('digits-labels.idx'));
  const { train, val, test } = trainValTestSplit(new TensorDataset(images, labels), { val: 0.1, test: 0.1, seed: 0 });
  const trainLoader = new DataLoader(train, { batchSize: 32, shuffle: true, seed: 1 });
  const testLoader = new DataLoader(test, { batchSize: 250 });
  const shown = [...new DataLoader(test, { batchSize: 16 })][0]!;

  // The training guide's network: two conv → relu → pool stages and a linear classifier, 6,000 parameters.
  const init = new Generator(0);
  const model = new Sequential(
    new Conv2d(1, 8, 5, { generator: init }), new ReLU(), new MaxPool2d(2),
    new Conv2d(8, 16, 5, { generator: init }), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Linear(16 * 4 * 4, 10, { generator: init }),
  );
  post({ type: 'ready', train: train.length, val: val.length, test: test.length, parameters: model.numParameters(), threads: getNumThreads(), target: TARGET });

  let step = 0;
  let epochIndex = 0;
  const progress: FitProgress = {
    epochStart: (epoch) => void (epochIndex = epoch),
    batchEnd: (batch, running) => {
      step += 1;
      if (batch % 10 === 0 || batch === trainLoader.length) {
        post({ type: 'batch', epoch: epochIndex, epochs: EPOCHS, batch, batches: trainLoader.length, loss: running.loss, step });
      }
    },
    epochEnd: () => {},
    close: () => {},
  };
  fit({
    model, optimizer: new Adam(model.parameters(), { lr: 2e-3 }), epochs: EPOCHS, loss: crossEntropy, progress,
    trainData: trainLoader, valData: new DataLoader(val, { batchSize: 250 }),
    onEpochEnd: (record) => {
      const testAccuracy = evaluate(model, testLoader, { loss: crossEntropy }).accuracy ?? 0;
      post({
        type: 'epoch', epoch: record.epoch, step, trainLoss: record.trainLoss, trainAccuracy: record.trainAccuracy,
        valLoss: record.valLoss, valAccuracy: record.valAccuracy, testAccuracy, seconds: (performance.now() - started) / 1000,
        predictions: predict(model, shown[0], shown[1]),
      });
    },
  });
  post({ type: 'done', seconds: (performance.now() - started) / 1000 });
}

function predict(model: Sequential, inputs: Tensor, targets: Tensor): Prediction[] {
  model.eval();
  const guesses = noGrad(() => model.forward(inputs).argmax(1).toArray() as number[]);
  model.train();
  const pixels = inputs.contiguousData();
  const truth = targets.toArray() as number[];
  return guesses.map((predicted, i) => ({ pixels: Array.from(pixels.subarray(i * 784, (i + 1) * 784)), label: truth[i]!, predicted }));
}

main().catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) }));
