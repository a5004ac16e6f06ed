// Stacking samples into batches: the fallback for datasets without a getBatch fast path.
import { Tensor, fromTyped, promoteTypes } from '@tapegrad/autograd';
import type { Dataset } from './dataset.js';
import { checkDataset, describeValue } from './checks.js';

/**
 * The type of a batch of samples of type `T`: tensors and numbers become tensors with a new
 * leading batch axis; arrays, tuples and plain objects keep their structure.
 *
 * @example
 * ```ts
 * type B = Batch<[Tensor, number]>; // [Tensor, Tensor]
 * ```
 * @category Datasets
 */
export type Batch<T> = T extends Tensor | number
  ? Tensor
  : T extends readonly unknown[]
    ? { -readonly [K in keyof T]: Batch<T[K]> }
    : T extends object
      ? { -readonly [K in keyof T]: Batch<T[K]> }
      : never;

/**
 * Stacks samples into one batch along a new axis 0, like PyTorch's `default_collate`.
 *
 * Tensors of equal shape become one tensor `[B, ...shape]` (float64 if any sample is float64,
 * else float32); numbers become a float32 tensor `[B]`; tuples, arrays and objects are collated
 * position by position.
 *
 * @example
 * ```ts
 * collate([[tensor([1, 2]), 0], [tensor([3, 4]), 1]]); // [tensor [2,2], tensor [2]]
 * ```
 * @category Datasets
 */
export function collate<T>(samples: readonly T[]): Batch<T> {
  if (!Array.isArray(samples)) throw new Error(`collate: samples must be an array of samples (got ${describeValue(samples)}, expected e.g. [[x0, y0], [x1, y1]])`);
  if (samples.length === 0) throw new Error('collate: expected at least one sample, got none');
  return collateAt(samples as readonly unknown[], '') as Batch<T>;
}

function collateAt(items: readonly unknown[], path: string): unknown {
  const first = items[0];
  const where = path === '' ? '' : ` at ${path}`;
  const kindOf = (v: unknown): string => (v instanceof Tensor ? 'tensor' : Array.isArray(v) ? 'array' : typeof v);
  items.forEach((v, i) => {
    if (kindOf(v) !== kindOf(first)) {
      throw new Error(`collate: sample ${i} holds ${describe(v)}${where} but sample 0 holds ${describe(first)}`);
    }
  });
  if (first instanceof Tensor) return stackTensors(items as Tensor[], where);
  if (typeof first === 'number') return fromTyped(Float32Array.from(items as number[]), [items.length]);
  if (Array.isArray(first)) {
    items.forEach((v, i) => {
      if ((v as unknown[]).length !== first.length) {
        throw new Error(`collate: sample ${i} has ${(v as unknown[]).length} elements${where} but sample 0 has ${first.length}`);
      }
    });
    return first.map((_, k) => collateAt(items.map((v) => (v as unknown[])[k]), `${path}[${k}]`));
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) {
      out[key] = collateAt(items.map((v) => (v as Record<string, unknown>)[key]), `${path}.${key}`);
    }
    return out;
  }
  throw new Error(`collate: cannot batch ${describe(first)}${where}; expected tensors, numbers, arrays or objects of them`);
}

function stackTensors(items: readonly Tensor[], where: string): Tensor {
  const shape = items[0]!.shape;
  const size = items[0]!.size;
  items.forEach((t, i) => {
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new Error(`collate: sample ${i} has shape [${t.shape.join(',')}]${where} but sample 0 has [${shape.join(',')}]; all samples must have the same shape`);
    }
  });
  // Samples of different dtypes promote as in arithmetic (int32 labels stay int32).
  const dtype = items.map((t) => t.dtype).reduce(promoteTypes);
  const n = items.length * size;
  const out = dtype === 'float64' ? new Float64Array(n) : dtype === 'int32' ? new Int32Array(n) : dtype === 'bool' ? new Uint8Array(n) : new Float32Array(n);
  items.forEach((t, i) => out.set(t.contiguousData(), i * size));
  return fromTyped(out, [items.length, ...shape]);
}

function describe(v: unknown): string {
  if (v instanceof Tensor) return `a tensor of shape [${v.shape.join(',')}]`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return v === null ? 'null' : `a ${typeof v}`;
}

/**
 * Every sample of a dataset stacked into one batch (a Subset of a {@link TensorDataset} gives back
 * its tensors), e.g. to fit a scaler on the training split.
 *
 * @example
 * ```ts
 * const [xTrain, yTrain] = materialize(train);
 * const scaler = new StandardScaler().fit(xTrain);
 * ```
 * @category Datasets
 */
export function materialize<T>(dataset: Dataset<T>): Batch<T> {
  checkDataset('materialize', 'dataset', dataset);
  if (dataset.length === 0) throw new Error('materialize: the dataset is empty (got a dataset of length 0, expected at least one sample)');
  const all = Array.from({ length: dataset.length }, (_, i) => i);
  if (dataset.getBatch) return dataset.getBatch(all);
  return collate(all.map((i) => dataset.get(i)));
}
