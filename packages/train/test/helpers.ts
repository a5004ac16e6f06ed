// Fixtures for the trainer tests, written without @tapegrad/nn and @tapegrad/data (train depends on
// neither): a tiny two-layer classifier that satisfies TrainableModel structurally, a seeded
// shuffling batch source that behaves like data's DataLoader, and a cross-entropy loss.
import { Generator, randn, tensor, zeros, type Tensor } from '@tapegrad/autograd';
import type { TrainableModel } from '@tapegrad/train';

/** x → tanh(x·w1 + b1)·w2 + b2, logits for `classes` classes; parameters from a seeded generator. */
export class TinyNet implements TrainableModel {
  w1: Tensor;
  b1: Tensor;
  w2: Tensor;
  b2: Tensor;
  training = true;
  trainCalls = 0;
  evalCalls = 0;

  constructor(inputs = 2, hidden = 8, classes = 3, seed = 1) {
    const g = new Generator(seed);
    this.w1 = randn([inputs, hidden], { generator: g }).mul(0.5).requiresGrad_();
    this.b1 = zeros([hidden], { requiresGrad: true });
    this.w2 = randn([hidden, classes], { generator: g }).mul(0.5).requiresGrad_();
    this.b2 = zeros([classes], { requiresGrad: true });
  }

  forward(x: Tensor): Tensor {
    return x.matmul(this.w1).add(this.b1).tanh().matmul(this.w2).add(this.b2);
  }

  parameters(): Tensor[] {
    return [this.w1, this.b1, this.w2, this.b2];
  }

  train(mode = true): this {
    this.training = mode;
    if (mode) this.trainCalls++;
    return this;
  }

  eval(): this {
    this.evalCalls++;
    this.training = false;
    return this;
  }

  stateDict(): Record<string, Tensor> {
    return { w1: this.w1.detach(), b1: this.b1.detach(), w2: this.w2.detach(), b2: this.b2.detach() };
  }

  loadStateDict(state: Readonly<Record<string, Tensor>>): void {
    for (const [name, t] of Object.entries(state)) {
      const target = this[name as 'w1'];
      target.contiguousData().set(t.contiguousData());
    }
  }

  /** All parameter values, concatenated, for bit-for-bit comparisons. */
  values(): number[] {
    return this.parameters().flatMap((p) => Array.from(p.contiguousData()));
  }
}

/** Mean cross-entropy of logits [N, C] against class indices [N]. */
export function crossEntropy(logits: Tensor, targets: Tensor): Tensor {
  const [n, c] = logits.shape as [number, number];
  const labels = targets.contiguousData();
  const oneHot = new Float32Array(n * c);
  for (let i = 0; i < n; i++) oneHot[i * c + labels[i]!] = 1;
  return logits.logSoftmax(1).mul(tensor(oneHot, { shape: [n, c] })).sum().div(-n);
}

/** Three Gaussian blobs in 2-D, `perClass` points each, labels 0..2, in class order. */
export function blobs(perClass: number, seed = 0): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const centers = [[-2, 0], [2, 0], [0, 2.5]];
  const xs: number[][] = [];
  const ys: number[] = [];
  centers.forEach(([cx, cy], label) => {
    for (let i = 0; i < perClass; i++) {
      xs.push([cx! + g.normal() * 0.7, cy! + g.normal() * 0.7]);
      ys.push(label);
    }
  });
  return { x: tensor(xs), y: tensor(ys) };
}

/** Batches of (x, y) in an order drawn from its own generator when iteration starts, like DataLoader. */
export class SeededBatches implements Iterable<[Tensor, Tensor]> {
  private readonly generator: Generator;
  private readonly shuffle: boolean;
  readonly x: Tensor;
  readonly y: Tensor;
  readonly batchSize: number;

  /** `seed: null` keeps the data's order. */
  constructor(x: Tensor, y: Tensor, batchSize: number, seed: number | null) {
    this.x = x;
    this.y = y;
    this.batchSize = batchSize;
    this.generator = new Generator(seed ?? 0);
    this.shuffle = seed !== null;
  }

  get length(): number {
    return Math.ceil(this.x.shape[0]! / this.batchSize);
  }

  [Symbol.iterator](): Iterator<[Tensor, Tensor]> {
    const n = this.x.shape[0]!;
    const order = this.shuffle ? this.generator.permutation(n) : Array.from({ length: n }, (_, i) => i);
    return this.batches(order);
  }

  private *batches(order: number[]): IterableIterator<[Tensor, Tensor]> {
    for (let start = 0; start < order.length; start += this.batchSize) {
      const idx = order.slice(start, start + this.batchSize);
      yield [this.x.indexSelect(0, idx), this.y.indexSelect(0, idx)];
    }
  }
}
