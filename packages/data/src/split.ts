// Splitting a dataset into disjoint random subsets (train / validation / test).
import { Generator, defaultGenerator } from '@tapegrad/autograd';
import { Subset, type Dataset } from './dataset.js';
import { checkBool, checkDataset, checkOptionsArg, describeValue } from './checks.js';

/**
 * Splits a dataset into non-overlapping random {@link Subset}s, like PyTorch's `random_split`.
 *
 * `lengths` are either sample counts summing to `dataset.length`, or fractions summing to 1:
 * each part then gets `floor(fraction × length)` samples and the leftover samples go one each to
 * the parts in order. `seed` (or an autograd `Generator`) makes the split reproducible; the global
 * generator is used when it is omitted.
 *
 * @example
 * ```ts
 * const [train, test] = randomSplit(ds, [0.8, 0.2], 42);
 * const [a, b, c] = randomSplit(ds, [50, 30, 20], 42); // ds.length === 100
 * ```
 * @category Datasets
 */
export function randomSplit<T, const L extends readonly number[]>(dataset: Dataset<T>, lengths: L, seed?: number | Generator): { -readonly [K in keyof L]: Subset<T> } {
  checkDataset('randomSplit', 'dataset', dataset);
  const counts = resolveLengths(dataset.length, lengths);
  const order = toGenerator('randomSplit', seed).permutation(dataset.length);
  let start = 0;
  // One Subset per requested length: the mapped return type keeps a literal tuple's length, so
  // `const [train, test] = randomSplit(ds, [0.8, 0.2])` needs no `!` under noUncheckedIndexedAccess.
  return counts.map((count) => {
    const part = new Subset(dataset, order.slice(start, start + count));
    start += count;
    return part;
  }) as { -readonly [K in keyof L]: Subset<T> };
}

function resolveLengths(n: number, lengths: readonly number[]): number[] {
  if (!Array.isArray(lengths)) {
    throw new Error(`randomSplit: lengths must be an array of sample counts or fractions (got ${describeValue(lengths)}, expected e.g. [0.8, 0.2] or [800, 200])`);
  }
  if (lengths.length === 0) throw new Error('randomSplit: expected at least one length, got none');
  const bad = lengths.findIndex((l) => typeof l !== 'number' || !Number.isFinite(l) || l < 0);
  if (bad >= 0) throw new Error(`randomSplit: lengths[${bad}] must be a non-negative number (got ${describeValue(lengths[bad])}, expected a sample count or a fraction)`);
  const total = lengths.reduce((a, b) => a + b, 0);
  const areFractions = Math.abs(total - 1) < 1e-9 && lengths.every((l) => l <= 1);
  if (!areFractions) {
    if (!lengths.every(Number.isInteger) || total !== n) {
      throw new Error(
        `randomSplit: lengths [${lengths.join(', ')}] must be sample counts summing to the dataset length ${n}, or fractions summing to 1 (they sum to ${total})`,
      );
    }
    return [...lengths];
  }
  const counts = lengths.map((f) => Math.floor(f * n));
  let left = n - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % counts.length, left--) counts[i]!++;
  return counts;
}

function toGenerator(op: string, seed: number | Generator | undefined): Generator {
  if (seed === undefined) return defaultGenerator;
  if (seed instanceof Generator) return seed;
  if (!Number.isSafeInteger(seed)) throw new Error(`${op}: seed must be an integer or a Generator (got ${describeValue(seed)}, expected an integer or a Generator)`);
  return new Generator(seed);
}

/**
 * Options of {@link trainValTestSplit}.
 *
 * @example
 * ```ts
 * const opts: SplitOptions = { val: 0.1, test: 0.2, seed: 0 };
 * ```
 * @category Datasets
 */
export interface SplitOptions {
  /** Fraction of samples for validation, in [0, 1); 0.1 by default. */
  val?: number;
  /** Fraction of samples for testing, in [0, 1); 0.1 by default. */
  test?: number;
  /** Seed (or generator) of the shuffle; the global generator otherwise. */
  seed?: number | Generator;
  /** Shuffle before splitting; `true` by default. `false` keeps the dataset order (e.g. time series). */
  shuffle?: boolean;
}

/**
 * Splits a dataset into training, validation and test {@link Subset}s by fractions; the training
 * split gets the rest. Fit scalers and imputers on `train` only, then apply them to all three.
 *
 * @example
 * ```ts
 * const { train, val, test } = trainValTestSplit(ds, { val: 0.15, test: 0.15, seed: 0 });
 * ```
 * @category Datasets
 */
export function trainValTestSplit<T>(
  dataset: Dataset<T>,
  options: SplitOptions = {},
): { train: Subset<T>; val: Subset<T>; test: Subset<T> } {
  checkDataset('trainValTestSplit', 'dataset', dataset);
  const { val = 0.1, test = 0.1, seed, shuffle = true } = checkOptionsArg<SplitOptions>('trainValTestSplit', options, ['val', 'test', 'seed', 'shuffle']);
  for (const [name, f] of [['val', val], ['test', test]] as const) {
    if (!(typeof f === 'number' && f >= 0 && f < 1)) throw new Error(`trainValTestSplit: ${name} must be a fraction in [0, 1) (got ${describeValue(f)}, expected a number in [0, 1))`);
  }
  checkBool('trainValTestSplit', 'shuffle', shuffle);
  const generator = toGenerator('trainValTestSplit', seed);
  if (val + test >= 1) {
    throw new Error(`trainValTestSplit: val + test must leave samples for training (< 1), got ${val} + ${test} = ${val + test}`);
  }
  const n = dataset.length;
  // Rounded counts for val and test so that small datasets still get the sizes one expects.
  const nVal = Math.round(val * n);
  const nTest = Math.round(test * n);
  const nTrain = n - nVal - nTest;
  if (!shuffle) {
    const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
    return {
      train: new Subset(dataset, range(0, nTrain)),
      val: new Subset(dataset, range(nTrain, nVal)),
      test: new Subset(dataset, range(nTrain + nVal, nTest)),
    };
  }
  const [train, valSet, testSet] = randomSplit(dataset, [nTrain, nVal, nTest], generator);
  return { train: train!, val: valSet!, test: testSet! };
}
