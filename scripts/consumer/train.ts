// A user's training script, as the packages check installs tapegrad from packed tarballs into a
// fresh project: it imports only browser-safe entry points, so the same file runs with plain
// `node` (after tsc) and, bundled by esbuild, in Chromium. It prints its results and leaves them
// on globalThis.tapegradResult for the browser check.
import { Generator, deserializeTensors, getNumThreads, manualSeed, matmul, randn, serializeTensors, setNumThreads, tensor } from '@tapegrad/autograd';
import { DataLoader, TensorDataset, randomSplit } from '@tapegrad/data';
import { Linear, ReLU, Sequential, crossEntropy } from '@tapegrad/nn';
import { Adam } from '@tapegrad/optim';
import { evaluate, fit } from '@tapegrad/train';

manualSeed(0);
const started = performance.now();

// Two interleaved spirals: not linearly separable, so the network has to learn something.
const points: number[][] = [];
const classes: number[] = [];
const rng = new Generator(1);
for (let i = 0; i < 600; i++) {
  const label = i % 2;
  const r = (i / 600) * 3 + 0.2;
  const angle = r * 2.2 + label * Math.PI;
  points.push([r * Math.cos(angle) + 0.1 * (rng.uniform() - 0.5), r * Math.sin(angle) + 0.1 * (rng.uniform() - 0.5)]);
  classes.push(label);
}
const [train, test] = randomSplit(new TensorDataset(tensor(points), tensor(classes)), [0.8, 0.2], 0);
const model = new Sequential(new Linear(2, 64), new ReLU(), new Linear(64, 64), new ReLU(), new Linear(64, 2));
const optimizer = new Adam(model.parameters(), { lr: 0.01 });
const { history } = fit({
  model, optimizer, epochs: 60, loss: crossEntropy, progress: false,
  trainData: new DataLoader(train, { batchSize: 32, shuffle: true, seed: 2 }),
});
const result = evaluate(model, new DataLoader(test, { batchSize: 120 }), { loss: crossEntropy });

// Weights through the byte format and back.
const restored = new Sequential(new Linear(2, 64), new ReLU(), new Linear(64, 64), new ReLU(), new Linear(64, 2));
restored.loadStateDict(deserializeTensors(serializeTensors(model.stateDict())).tensors);
const same = String(restored.forward(tensor([[0.5, -0.5]]))) === String(model.forward(tensor([[0.5, -0.5]])));

// A product large enough for the WebAssembly kernel's worker threads, on one thread and on two.
const a = randn([384, 384]);
const b = randn([384, 384]);
setNumThreads(1);
const oneThread = matmul(a, b).contiguousData();
setNumThreads(2);
matmul(a, b); // starts the workers; products stay on the calling thread until they are ready
await new Promise((resolve) => setTimeout(resolve, 300));
const twoThreads = matmul(a, b).contiguousData();
const threadsAgree = oneThread.every((v, i) => v === twoThreads[i]);

const summary = {
  epochs: history.length,
  finalTrainLoss: history.at(-1)?.trainLoss ?? null,
  testAccuracy: result.accuracy ?? null,
  weightsRoundTrip: same,
  threads: getNumThreads(),
  threadsAgree,
  seconds: (performance.now() - started) / 1000,
};
console.log(`tapegrad consumer: ${JSON.stringify(summary)}`);
(globalThis as { tapegradResult?: typeof summary }).tapegradResult = summary;
