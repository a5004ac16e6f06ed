// Map-style datasets: anything with a length and random access by index.
import { Tensor, fromTyped, type TypedArray } from '@tapegrad/autograd';
import { checkDataset, checkIndices, describeValue } from './checks.js';
import type { Batch } from './collate.js';

/**
 * A map-style dataset: a fixed number of samples, each fetched by its index in `[0, length)`.
 *
 * Implement `getBatch` too when a whole batch can be gathered faster than sample by sample;
 * {@link DataLoader} then calls it instead of {@link collate}-ing `get` results.
 *
 * @example
 * ```ts
 * const squares: Dataset<number> = { length: 10, get: (i) => i * i };
 * ```
 * @category Datasets
 */
export interface Dataset<T> {
  /** Number of samples. */
  readonly length: number;
  /** The sample at `index` (0-based). */
  get(index: number): T;
  /** Optional fast path: the samples at `indices` already stacked into one batch. */
  getBatch?(indices: readonly number[]): Batch<T>;
}

/** Throws unless `index` is an integer in `[0, length)`, naming the caller. */
export function checkIndex(op: string, index: number, length: number): void {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= length) {
    throw new Error(`${op}: index ${typeof index === 'number' ? index : ''} is out of range for a dataset of length ${length} (got ${describeValue(index)}, expected an integer in [0, ${length}))`.replace('index  is', 'index is'));
  }
}

/**
 * Samples that are rows of tensors sharing their first dimension: sample `i` is the tuple of each
 * tensor's `i`-th slice along axis 0 (e.g. features and labels), like PyTorch's `TensorDataset`.
 *
 * Samples are copies, and batches are gathered straight from the typed arrays, so the loader never
 * builds one tensor per sample. A non-contiguous tensor is copied once, when the dataset is made.
 *
 * @example
 * ```ts
 * const ds = new TensorDataset(tensor([[1, 2], [3, 4], [5, 6]]), tensor([0, 1, 0]));
 * ds.length;                    // 3
 * const [x, y] = ds.get(1);     // x = [3, 4], y = 1 (0-d)
 * ```
 * @category Datasets
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> implements Dataset<T> {
  /** The tensors, in the order given. */
  readonly tensors: Readonly<T>;
  readonly length: number;
  private readonly buffers: TypedArray[];

  /** Wraps tensors that all have the same size along axis 0. */
  constructor(...tensors: T) {
    if (tensors.length === 0) throw new Error('TensorDataset: expected at least one tensor, got none');
    tensors.forEach((t: unknown, k) => {
      if (!(t instanceof Tensor)) throw new Error(`TensorDataset: argument ${k} must be a Tensor (got ${describeValue(t)}, expected a Tensor with the samples along axis 0)`);
    });
    tensors.forEach((t, k) => {
      if (t.ndim === 0) throw new Error(`TensorDataset: tensor ${k} is 0-d; every tensor needs an axis 0 to index samples along`);
    });
    const length = tensors[0]!.shape[0]!;
    const bad = tensors.findIndex((t) => t.shape[0] !== length);
    if (bad >= 0) {
      const shapes = tensors.map((t) => `[${t.shape.join(',')}]`).join(', ');
      throw new Error(
        `TensorDataset: all tensors must have the same size along axis 0; tensor 0 has ${length} but tensor ${bad} has ${tensors[bad]!.shape[0]} (shapes ${shapes})`,
      );
    }
    this.tensors = tensors;
    this.length = length;
    this.buffers = tensors.map((t) => t.contiguousData());
  }

  /** The tuple of each tensor's `index`-th slice along axis 0. */
  get(index: number): T {
    checkIndex('TensorDataset.get', index, this.length);
    return this.getBatchInto([index], false);
  }

  /** The samples at `indices`, each tensor's rows stacked along a new axis 0. */
  getBatch(indices: readonly number[]): Batch<T> {
    checkIndices('TensorDataset.getBatch', 'indices', indices, this.length);
    return this.getBatchInto(indices, true) as unknown as Batch<T>;
  }

  private getBatchInto(indices: readonly number[], batched: boolean): T {
    return this.tensors.map((t, k) => {
      const rowShape = t.shape.slice(1);
      const data = gatherRows(this.buffers[k]!, rowSize(t), indices);
      return fromTyped(data, batched ? [indices.length, ...rowShape] : rowShape);
    }) as T;
  }
}

function rowSize(t: Tensor): number {
  return t.shape.slice(1).reduce((a, b) => a * b, 1);
}

/** Copies rows `indices` of a row-major buffer (rows of `size` values) into a new buffer. */
export function gatherRows(src: TypedArray, size: number, indices: readonly number[]): TypedArray {
  const out = new (src.constructor as Float64ArrayConstructor)(indices.length * size) as TypedArray;
  // Per-row subarray+set has a fixed cost that dominates for short rows (labels, tabular data).
  if (size < 32) {
    let o = 0;
    for (const i of indices) {
      const start = i * size;
      for (let j = 0; j < size; j++) out[o++] = src[start + j]!;
    }
  } else {
    indices.forEach((i, k) => out.set(src.subarray(i * size, (i + 1) * size), k * size));
  }
  return out;
}

/**
 * A view of a dataset restricted to some of its indices, in the given order (what
 * {@link randomSplit} returns).
 *
 * @example
 * ```ts
 * const firstTen = new Subset(ds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 * firstTen.get(0); // ds.get(0)
 * ```
 * @category Datasets
 */
export class Subset<T> implements Dataset<T> {
  /** The dataset this is a view of. */
  readonly dataset: Dataset<T>;
  /** Indices into `dataset`; sample `i` of the subset is `dataset.get(indices[i])`. */
  readonly indices: readonly number[];
  /** Present when the parent dataset has a batch fast path (see {@link Dataset.getBatch}). */
  readonly getBatch?: (indices: readonly number[]) => Batch<T>;

  /** A view of `dataset` at `indices` (each must be in range; repeats are allowed). */
  constructor(dataset: Dataset<T>, indices: readonly number[]) {
    checkDataset('Subset', 'dataset', dataset);
    checkIndices('Subset', 'indices', indices, dataset.length);
    this.dataset = dataset;
    this.indices = [...indices]; // a copy: changing the caller's array later must not move the view
    if (dataset.getBatch) {
      this.getBatch = (batch) => {
        checkIndices('Subset.getBatch', 'indices', batch, this.indices.length);
        return dataset.getBatch!(batch.map((i) => this.indices[i]!));
      };
    }
  }

  get length(): number {
    return this.indices.length;
  }

  /** The parent's sample at `indices[index]`. */
  get(index: number): T {
    checkIndex('Subset.get', index, this.indices.length);
    return this.dataset.get(this.indices[index]!);
  }
}
