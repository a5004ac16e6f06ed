// Sections 3 and 4: one training step (forward, cross-entropy, backward, Adam) of the MLP
// 784-256-128-10 at batch 64 and of the demo's CNN (examples/demo.ts) at batch 32, the same
// architecture written in each library (jax-js: the whole step jitted, see jax.ts); plus
// tapegrad's RSS over a long MLP run and the garbage-collection time of its steps.
import * as tf from '@tensorflow/tfjs-core';
import { manualSeed, randint, randn, type Tensor } from '@tapegrad/autograd';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, crossEntropy } from '@tapegrad/nn';
import { Adam } from '@tapegrad/optim';
import { compare, type Contender } from './harness.js';
import { jaxCnn, jaxMlp } from './jax.js';
import type { Row } from './report.js';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Garbage-collection time per step over `steps` steps of `step` (after a warm-up), from the
 * runtime's gc entries. A full collection first clears the peers' garbage (tfjs and jax-js run in
 * the same process), so the window collects what tapegrad's steps allocate.
 */
async function gcPerStep(step: () => void, steps: number): Promise<number> {
  for (let i = 0; i < 5; i++) step();
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  let total = 0;
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) total += e.duration; });
  obs.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < steps; i++) step();
  // gc entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 50));
  obs.disconnect();
  return total / steps;
}

function tapegradStep(model: Sequential, inputs: Tensor, labels: Tensor): () => void {
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  return () => {
    optimizer.zeroGrad();
    crossEntropy(model.forward(inputs), labels).backward();
    optimizer.step();
  };
}

const mlp = () => new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));

/** Glorot-ish random weights; the figures do not depend on the values. (tidy frees the initial value, the variable keeps its data.) */
const weight = (shape: number[], fanIn: number) => tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn))));
const bias = (n: number) => tf.tidy(() => tf.variable(tf.zeros([n])));

/** A tfjs step: tensors are created lazily, once its backend is the active one. */
function tfStep(backend: 'cpu' | 'wasm', batch: number, inputShape: number[], build: () => (x: tf.Tensor) => tf.Tensor): Contender {
  let step: (() => void) | undefined;
  let held: { dispose(): void }[] = [];
  return {
    name: `tfjs-${backend}`, backend,
    run: () => {
      if (!step) {
        const before = new Set(Object.keys(tf.engine().registeredVariables));
        const forward = build();
        const x = tf.randomUniform([batch, ...inputShape]);
        const y = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D, 10));
        const optimizer = tf.train.adam(1e-3);
        const weights = Object.entries(tf.engine().registeredVariables).filter(([k]) => !before.has(k)).map(([, v]) => v);
        held = [x, y, optimizer, ...weights];
        step = () => {
          const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)) as tf.Scalar, true);
          loss!.dataSync();
          loss!.dispose();
        };
      }
      step();
    },
    dispose: () => {
      for (const t of held) t.dispose();
      [held, step] = [[], undefined];
    },
  };
}

function tfMlp(): (x: tf.Tensor) => tf.Tensor {
  const [w1, b1, w2, b2, w3, b3] = [weight([784, 256], 784), bias(256), weight([256, 128], 256), bias(128), weight([128, 10], 128), bias(10)];
  return (x) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w1), b1)) as tf.Tensor2D, w2), b2)) as tf.Tensor2D, w3), b3);
}

export async function mlpRows(quick: boolean): Promise<Row[]> {
  manualSeed(0);
  const x = randn([64, 784]);
  const y = randint(0, 10, [64]);
  const ms = await compare([
    { name: 'tapegrad', run: tapegradStep(mlp(), x, y) },
    tfStep('cpu', 64, [784], tfMlp),
    tfStep('wasm', 64, [784], tfMlp),
    jaxMlp(),
  ], { warmup: 5, rounds: quick ? 3 : 9, minMs: 100 });
  const rate = (t: number | undefined) => (t === undefined ? undefined : 64 / (t / 1e3));
  const rows: Row[] = [{
    section: 'training', name: 'MLP 784-256-128-10 step, batch 64, Adam', unit: 'samples/s', higherIsBetter: true,
    values: { tapegrad: rate(ms.tapegrad), 'jax-js': rate(ms['jax-js']), 'tfjs-cpu': rate(ms['tfjs-cpu']), 'tfjs-wasm': rate(ms['tfjs-wasm']) },
  }];
  // RSS of a fresh model's run: after 50 steps (everything allocated once) and after 500.
  const step = tapegradStep(mlp(), x, y);
  const rss: number[] = [];
  for (let i = 1; i <= 500; i++) {
    step();
    if (i === 50 || i === 500) rss.push(process.memoryUsage().rss / 2 ** 20);
  }
  rows.push(
    { section: 'memory', name: 'RSS after 50 MLP steps', unit: 'MiB', higherIsBetter: false, values: { tapegrad: rss[0] } },
    { section: 'memory', name: 'RSS after 500 MLP steps', unit: 'MiB', higherIsBetter: false, values: { tapegrad: rss[1] } },
    { section: 'memory', name: 'GC time per MLP step (200 steps)', unit: 'ms', higherIsBetter: false, values: { tapegrad: await gcPerStep(tapegradStep(mlp(), x, y), 200) } },
  );
  return rows;
}

/** The demo's CNN: two conv 5×5 → relu → pool 2 stages (1→16→32 channels), then 512→64→10. */
const cnn = () => new Sequential(
  new Conv2d(1, 16, 5), new ReLU(), new MaxPool2d(2),
  new Conv2d(16, 32, 5), new ReLU(), new MaxPool2d(2),
  new Flatten(), new Linear(32 * 4 * 4, 64), new ReLU(), new Linear(64, 10),
);

/**
 * The same CNN in tfjs (NHWC). `native`: tf.conv2d and tf.maxPool (tfjs-cpu). Otherwise the
 * convolution is im2col from 25 shifted slices concatenated on the channel axis, times a matmul,
 * and pooling a reshape and max: the wasm backend registers no Conv2DBackpropFilter or MaxPoolGrad,
 * so this is the only way to train a conv there.
 */
function tfCnn(native: boolean): () => (x: tf.Tensor) => tf.Tensor {
  return () => {
    const k1 = weight([5, 5, 1, 16], 25), c1 = bias(16), k2 = weight([5, 5, 16, 32], 400), c2 = bias(32);
    const w3 = weight([512, 64], 512), b3 = bias(64), w4 = weight([64, 10], 64), b4 = bias(10);
    const conv = (x: tf.Tensor4D, k: tf.Variable, b: tf.Variable): tf.Tensor4D => {
      if (native) return tf.add(tf.conv2d(x, k as tf.Tensor4D, 1, 'valid'), b);
      const [n, h, w, c] = x.shape;
      const [ho, wo] = [h - 4, w - 4];
      const slices: tf.Tensor4D[] = [];
      for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) slices.push(tf.slice(x, [0, i, j, 0], [n, ho, wo, c]));
      const cols = tf.reshape(tf.concat(slices, 3), [n * ho * wo, 25 * c]) as tf.Tensor2D;
      const cout = k.shape[3]!;
      return tf.reshape(tf.add(tf.matMul(cols, tf.reshape(k, [25 * c, cout]) as tf.Tensor2D), b), [n, ho, wo, cout]);
    };
    const pool = (x: tf.Tensor4D): tf.Tensor4D => {
      if (native) return tf.maxPool(x, 2, 2, 'valid');
      const [n, h, w, c] = x.shape;
      return tf.max(tf.reshape(x, [n, h / 2, 2, w / 2, 2, c]), [2, 4]) as tf.Tensor4D;
    };
    return (x) => {
      const h1 = pool(tf.relu(conv(x as tf.Tensor4D, k1, c1)));
      const h2 = pool(tf.relu(conv(h1, k2, c2)));
      const f = tf.reshape(h2, [x.shape[0]!, 512]) as tf.Tensor2D;
      return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(f, w3), b3)) as tf.Tensor2D, w4), b4);
    };
  };
}

export async function cnnRows(quick: boolean): Promise<Row[]> {
  manualSeed(0);
  const x = randn([32, 1, 28, 28]);
  const y = randint(0, 10, [32]);
  const ms = await compare([
    { name: 'tapegrad', run: tapegradStep(cnn(), x, y) },
    tfStep('cpu', 32, [28, 28, 1], tfCnn(true)),
    tfStep('wasm', 32, [28, 28, 1], tfCnn(false)),
    jaxCnn(),
  ], { warmup: 2, rounds: quick ? 3 : 5, minMs: 50 });
  const rate = (t: number | undefined) => (t === undefined ? undefined : 32 / (t / 1e3));
  return [{
    section: 'training', name: 'demo CNN step, batch 32, Adam (tfjs-wasm: slices × matmul)', unit: 'samples/s', higherIsBetter: true,
    values: { tapegrad: rate(ms.tapegrad), 'jax-js': rate(ms['jax-js']), 'tfjs-cpu': rate(ms['tfjs-cpu']), 'tfjs-wasm': rate(ms['tfjs-wasm']) },
  }, {
    section: 'memory', name: 'GC time per CNN step (40 steps)', unit: 'ms', higherIsBetter: false,
    values: { tapegrad: await gcPerStep(tapegradStep(cnn(), x, y), 40) },
  }];
}
