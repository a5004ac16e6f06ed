// One-hot encoding: class labels to indicator rows, and categorical columns to indicator blocks.
import { Tensor, describeValue, fromTyped } from '@tapegrad/autograd';
import { checkOptionsArg } from './checks.js';
import { checkState, fitMatrixOf, fitted, matrixOf, type Transformer } from './matrix.js';

/**
 * One-hot rows for integer class labels: `[N]` labels in `[0, numClasses)` → float32 `[N, numClasses]`.
 * `numClasses` defaults to the largest label + 1.
 *
 * @example
 * ```ts
 * oneHot(tensor([0, 2, 1]), 3); // [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
 * oneHot([1, 0]);               // [[0, 1], [1, 0]]
 * ```
 * @category Scaling
 */
export function oneHot(labels: Tensor | readonly number[], numClasses?: number): Tensor {
  if (!(labels instanceof Tensor) && !Array.isArray(labels)) {
    throw new Error(`oneHot: labels must be a Tensor or an array of class indices (got ${describeValue(labels)}, expected e.g. tensor([0, 2, 1]))`);
  }
  if (numClasses !== undefined && !(Number.isSafeInteger(numClasses) && numClasses >= 0)) {
    throw new Error(`oneHot: numClasses must be a non-negative integer (got ${describeValue(numClasses)}, expected an integer >= 0)`);
  }
  if (labels instanceof Tensor && labels.ndim !== 1) {
    throw new Error(`oneHot: expected labels of shape [N], got shape [${labels.shape.join(',')}]`);
  }
  const values = labels instanceof Tensor ? labels.contiguousData() : labels;
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number' || !Number.isInteger(values[i]) || values[i]! < 0) {
      throw new Error(`oneHot: label ${typeof values[i] === 'number' ? values[i] : describeValue(values[i])} at index ${i} is not a class index (a non-negative integer)`);
    }
  }
  // A loop rather than Math.max(...values): spreading 60k labels into arguments can overflow the stack.
  let largest = -1;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, values[i]!);
  const classes = numClasses ?? largest + 1;
  if (!Number.isInteger(classes) || classes < 0) throw new Error(`oneHot: numClasses must be a non-negative integer, got ${classes}`);
  const out = new Float32Array(values.length * classes);
  for (let i = 0; i < values.length; i++) {
    const c = values[i]!;
    if (c >= classes) throw new Error(`oneHot: label ${c} at index ${i} is out of range for ${classes} classes (expected 0..${classes - 1})`);
    out[i * classes + c] = 1;
  }
  return fromTyped(out, [values.length, classes]);
}

/**
 * Options of {@link OneHotEncoder}.
 *
 * @example
 * ```ts
 * new OneHotEncoder({ handleUnknown: 'ignore' });
 * ```
 * @category Scaling
 */
export interface OneHotEncoderOptions {
  /** A value not seen in fit: `'error'` (default) throws, `'ignore'` encodes it as all zeros. */
  handleUnknown?: 'error' | 'ignore';
  /** Fixed categories per column instead of learning them in fit (each list sorted ascending). */
  categories?: readonly (readonly number[])[];
}

/**
 * The JSON-serializable state of a fitted {@link OneHotEncoder}.
 *
 * @example
 * ```ts
 * const s: OneHotEncoderState = { type: 'OneHotEncoder', handleUnknown: 'error', categories: [[0, 1, 2]] };
 * ```
 * @category Scaling
 */
export interface OneHotEncoderState {
  type: 'OneHotEncoder';
  handleUnknown: 'error' | 'ignore';
  /** Per input column, its categories in output order. */
  categories: number[][];
}

/**
 * Encodes each column of a `[N, F]` tensor of category values (e.g. codes from
 * {@link Table.encodeCategories}) as a block of indicator columns, one per category seen in fit
 * (sorted), as scikit-learn's `OneHotEncoder`. The output has as many columns as there are
 * categories over all inputs.
 *
 * @example
 * ```ts
 * const enc = new OneHotEncoder();
 * enc.fitTransform(tensor([[0, 10], [2, 20], [0, 20]]));
 * // [[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 0, 1]]  (categories [[0, 2], [10, 20]])
 * enc.inverseTransform(tensor([[0, 1, 1, 0]])); // [[2, 10]]
 * ```
 * @category Scaling
 */
export class OneHotEncoder implements Transformer<OneHotEncoderState> {
  readonly handleUnknown: 'error' | 'ignore';
  private learned: number[][] | null;

  /** An encoder, unfitted unless `categories` are given; see {@link OneHotEncoderOptions}. */
  constructor(options: OneHotEncoderOptions = {}) {
    const o = checkOptionsArg<OneHotEncoderOptions>('OneHotEncoder', options, ['handleUnknown', 'categories']);
    this.handleUnknown = o.handleUnknown ?? 'error';
    if (this.handleUnknown !== 'error' && this.handleUnknown !== 'ignore') {
      throw new Error(`OneHotEncoder: handleUnknown must be 'error' or 'ignore' (got ${describeValue(this.handleUnknown)}, expected 'error' or 'ignore')`);
    }
    if (o.categories !== undefined) checkCategories('OneHotEncoder', 'categories', o.categories);
    this.learned = o.categories ? o.categories.map((c) => [...c]) : null;
  }

  /** Per input column, its categories in output order. */
  get categories(): readonly (readonly number[])[] {
    return fitted('OneHotEncoder.categories', this.learned);
  }

  /** Learns each column's sorted distinct values. */
  fit(x: Tensor): this {
    const { data, f } = fitMatrixOf('OneHotEncoder.fit', x);
    const sets = Array.from({ length: f }, () => new Set<number>());
    for (let k = 0; k < data.length; k++) sets[k % f]!.add(data[k]!);
    this.learned = sets.map((s) => [...s].sort((a, b) => a - b));
    return this;
  }

  /** Replaces each column by its indicator block. */
  transform(x: Tensor): Tensor {
    const categories = fitted('OneHotEncoder.transform', this.learned);
    const { data, n, f } = matrixOf('OneHotEncoder.transform', x, categories.length);
    const positions = categories.map((cats) => new Map(cats.map((c, k) => [c, k])));
    const starts = blockStarts(categories);
    const width = starts[f]!;
    const out = x.dtype === 'float64' ? new Float64Array(n * width) : new Float32Array(n * width);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < f; j++) {
        const v = data[i * f + j]!;
        const k = positions[j]!.get(v);
        if (k !== undefined) out[i * width + starts[j]! + k] = 1;
        else if (this.handleUnknown === 'error') {
          throw new Error(
            `OneHotEncoder.transform: row ${i}, column ${j} holds ${v}, which was not seen in fit (known: ${categories[j]!.join(', ')}); pass handleUnknown: 'ignore' to encode it as zeros`,
          );
        }
      }
    }
    return fromTyped(out, [n, width]);
  }

  /** `fit(x)` then `transform(x)`. */
  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /**
   * The category of the largest entry of each block (so soft scores work too); an all-zero block
   * (an ignored unknown) gives NaN.
   */
  inverseTransform(y: Tensor): Tensor {
    const categories = fitted('OneHotEncoder.inverseTransform', this.learned);
    const starts = blockStarts(categories);
    const { data, n } = matrixOf('OneHotEncoder.inverseTransform', y, starts[categories.length]);
    const f = categories.length;
    const width = starts[f]!;
    const out = y.dtype === 'float64' ? new Float64Array(n * f) : new Float32Array(n * f);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < f; j++) {
        let best = -1;
        for (let k = 0; k < categories[j]!.length; k++) {
          const v = data[i * width + starts[j]! + k]!;
          if (v > 0 && (best < 0 || v > data[i * width + starts[j]! + best]!)) best = k;
        }
        out[i * f + j] = best < 0 ? NaN : categories[j]![best]!;
      }
    }
    return fromTyped(out, [n, f]);
  }

  /** The categories as JSON-serializable data. */
  state(): OneHotEncoderState {
    const categories = fitted('OneHotEncoder.state', this.learned);
    return { type: 'OneHotEncoder', handleUnknown: this.handleUnknown, categories: categories.map((c) => [...c]) };
  }

  /**
   * A fitted encoder from a {@link OneHotEncoder.state} result (e.g. after `JSON.parse`).
   *
   * @example
   * ```ts
   * const enc = OneHotEncoder.fromState(JSON.parse(saved));
   * ```
   */
  static fromState(state: OneHotEncoderState): OneHotEncoder {
    const list = (v: unknown): string | null => (Array.isArray(v) ? null : 'a list of categories');
    checkState('OneHotEncoder.fromState', state, 'OneHotEncoder', { categories: list }, ['handleUnknown']);
    checkCategories('OneHotEncoder.fromState', 'state.categories', state.categories);
    if (state.handleUnknown !== 'error' && state.handleUnknown !== 'ignore') {
      throw new Error(`OneHotEncoder.fromState: state.handleUnknown must be 'error' or 'ignore' (got ${describeValue(state.handleUnknown)})`);
    }
    return new OneHotEncoder({ handleUnknown: state.handleUnknown, categories: state.categories });
  }
}

/** Per column, a list of distinct finite numbers in ascending order (the output order of its block). */
function checkCategories(who: string, name: string, categories: unknown): void {
  if (!Array.isArray(categories)) throw new Error(`${who}: ${name} must be one list of categories per column (got ${describeValue(categories)}, expected e.g. [[0, 1, 2]])`);
  categories.forEach((c: unknown, j) => {
    if (!Array.isArray(c)) throw new Error(`${who}: ${name}[${j}] must be a list of categories (got ${describeValue(c)}, expected numbers in ascending order)`);
    c.forEach((v: unknown, k) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || (k > 0 && !(v > (c[k - 1] as number)))) {
        throw new Error(`${who}: ${name}[${j}][${k}] is invalid (got ${describeValue(v)}, expected finite numbers, distinct and ascending)`);
      }
    });
  });
}

/** Where each column's block starts in the output, plus the total width at the end. */
function blockStarts(categories: readonly (readonly number[])[]): number[] {
  const starts = [0];
  for (const c of categories) starts.push(starts[starts.length - 1]! + c.length);
  return starts;
}
