// Iterating a dataset in (optionally shuffled) batches, one permutation per epoch.
import { Generator, defaultGenerator } from '@tapegrad/autograd';
import { collate, type Batch } from './collate.js';
import type { Dataset } from './dataset.js';
import { checkBool, checkDataset, checkOptionsArg, describeValue } from './checks.js';

/**
 * Options of {@link DataLoader}.
 *
 * @example
 * ```ts
 * const opts: DataLoaderOptions = { batchSize: 32, shuffle: true, seed: 0 };
 * ```
 * @category Datasets
 */
export interface DataLoaderOptions {
  /** Samples per batch; 1 by default. */
  batchSize?: number;
  /** Draw a new random order at the start of every epoch; `false` by default (dataset order). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than `batchSize`; `false` by default. */
  dropLast?: boolean;
  /** Source of the shuffling permutations. Pass this or `seed`, not both; the global generator otherwise. */
  generator?: Generator;
  /** Seed for a generator owned by this loader, so its epochs are reproducible. */
  seed?: number;
}

/**
 * Iterates a dataset in batches, stacking samples along a new axis 0. Each iteration (`for … of`)
 * is one epoch; with `shuffle`, every epoch draws a new permutation from the generator, so a
 * loader made with the same `seed` yields the same sequence of epochs.
 *
 * Datasets with a `getBatch` fast path (such as {@link TensorDataset} and its subsets) are
 * gathered straight from their typed arrays; others are fetched sample by sample and
 * {@link collate}d.
 *
 * @example
 * ```ts
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 0 });
 * for (let epoch = 0; epoch < 3; epoch++) {
 *   for (const [xb, yb] of loader) {
 *     // xb: [64, ...], yb: [64]
 *   }
 * }
 * loader.length; // number of batches per epoch
 * ```
 * @category Datasets
 */
export class DataLoader<T> implements Iterable<Batch<T>> {
  /** The dataset batches are drawn from. */
  readonly dataset: Dataset<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** The generator the shuffling permutations come from. */
  readonly generator: Generator;

  /** A loader over `dataset`; see {@link DataLoaderOptions}. */
  constructor(dataset: Dataset<T>, options: DataLoaderOptions = {}) {
    checkDataset('DataLoader', 'dataset', dataset);
    const o = checkOptionsArg<DataLoaderOptions>('DataLoader', options, ['batchSize', 'shuffle', 'dropLast', 'generator', 'seed']);
    const { batchSize = 1, shuffle = false, dropLast = false, generator, seed } = o;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new Error(`DataLoader: batchSize must be a positive integer (got ${describeValue(batchSize)}, expected an integer >= 1)`);
    }
    checkBool('DataLoader', 'shuffle', shuffle);
    checkBool('DataLoader', 'dropLast', dropLast);
    if (generator !== undefined && !(generator instanceof Generator)) {
      throw new Error(`DataLoader: generator must be a Generator (got ${describeValue(generator)}, expected new Generator(seed))`);
    }
    if (generator !== undefined && seed !== undefined) {
      throw new Error('DataLoader: pass either generator or seed, not both');
    }
    if (seed !== undefined && !Number.isSafeInteger(seed)) throw new Error(`DataLoader: seed must be an integer (got ${describeValue(seed)}, expected an integer)`);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = generator ?? (seed !== undefined ? new Generator(seed) : defaultGenerator);
  }

  /** Number of batches in one epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Starts an epoch: draws the order now (when shuffling), then yields its batches. */
  [Symbol.iterator](): Iterator<Batch<T>> {
    const n = this.dataset.length;
    const order = this.shuffle ? this.generator.permutation(n) : Array.from({ length: n }, (_, i) => i);
    return this.batches(order);
  }

  private *batches(order: readonly number[]): IterableIterator<Batch<T>> {
    const count = this.length;
    for (let b = 0; b < count; b++) {
      const indices = order.slice(b * this.batchSize, (b + 1) * this.batchSize);
      yield this.dataset.getBatch ? this.dataset.getBatch(indices) : collate(indices.map((i) => this.dataset.get(i)));
    }
  }
}
