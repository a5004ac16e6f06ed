// Shared plumbing of the column-wise transformers: shape checks and loops over [N, F] buffers.
import { fromTyped, type Tensor, type TypedArray, checkTensor, describeValue } from '@tapegrad/autograd';

/**
 * What every fitted column-wise transformer offers: learn from training data, apply to any split,
 * undo, and save its learned state as JSON.
 *
 * @example
 * ```ts
 * const t: Transformer<StandardScalerState> = new StandardScaler();
 * const xTrainScaled = t.fitTransform(xTrain);
 * const xTestScaled = t.transform(xTest); // statistics of the training split only
 * ```
 * @category Scaling
 */
export interface Transformer<S> {
  /** Learns the per-column parameters from `x` ([N, F], usually the training split) and returns `this`. */
  fit(x: Tensor): this;
  /** Applies the learned transformation. */
  transform(x: Tensor): Tensor;
  /** `fit(x)` then `transform(x)`. */
  fitTransform(x: Tensor): Tensor;
  /** Maps transformed values back to the original scale or encoding. */
  inverseTransform(y: Tensor): Tensor;
  /** The learned parameters as a plain JSON-serializable object (`fromState` restores it). */
  state(): S;
}

/** A 2-D tensor's row-major values and dimensions. */
export interface Matrix {
  data: TypedArray;
  n: number;
  f: number;
}

/** Checks that `x` is 2-D (with `features` columns when given) and returns its values. */
export function matrixOf(op: string, x: Tensor, features?: number): Matrix {
  checkTensor(op, 'x', x);
  if (x.ndim !== 2) {
    throw new Error(`${op}: expected a 2-D tensor [N, F] (one row per sample, one column per feature), got shape [${x.shape.join(',')}]`);
  }
  const [n, f] = x.shape as [number, number];
  if (features !== undefined && f !== features) {
    throw new Error(`${op}: expected ${features} columns (as in fit), got ${f} (shape [${n},${f}])`);
  }
  return { data: x.contiguousData(), n, f };
}

/** Like {@link matrixOf}, for `fit`: also needs at least one row and only finite values. */
export function fitMatrixOf(op: string, x: Tensor): Matrix {
  checkTensor(op, 'x', x);
  const m = matrixOf(op, x);
  if (m.n === 0) throw new Error(`${op}: need at least one row to fit, got shape [0,${m.f}]`);
  for (let k = 0; k < m.data.length; k++) {
    if (!Number.isFinite(m.data[k])) {
      throw new Error(`${op}: row ${Math.floor(k / m.f)}, column ${k % m.f} is ${m.data[k]}; drop or impute missing values before fitting`);
    }
  }
  return m;
}

/** A new tensor of the input's shape and dtype with `fn` applied to every value (given its column). */
export function mapColumns(m: Matrix, fn: (value: number, column: number) => number): Tensor {
  const out = m.data instanceof Float64Array ? new Float64Array(m.data.length) : new Float32Array(m.data.length);
  for (let i = 0, k = 0; i < m.n; i++) {
    for (let j = 0; j < m.f; j++, k++) out[k] = fn(m.data[k]!, j);
  }
  return fromTyped(out, [m.n, m.f]);
}

/** Throws the "not fitted" error unless the transformer has learned its parameters. */
export function fitted<T>(op: string, value: T | null): T {
  if (value === null) throw new Error(`${op}: not fitted yet; call fit() or fitTransform() on the training split first`);
  return value;
}

/** Checks a state object's `type` tag and that its per-column arrays have equal lengths. */
export function checkState(
  op: string,
  state: unknown,
  type: string,
  arrays: Record<string, (v: unknown) => string | null>,
  known: readonly string[] = [],
): void {
  const s = state as Record<string, unknown> | null;
  if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new Error(`${op}: state must be an object (got ${describeValue(state)}, expected a ${type}.state() result)`);
  if (s.type !== type) throw new Error(`${op}: expected a state with type '${type}' (got ${describeValue(s.type)}, expected '${type}')`);
  for (const key of Object.keys(s)) {
    if (key !== 'type' && !(key in arrays) && !known.includes(key)) throw new Error(`${op}: unexpected state entry '${key}' (expected type, ${[...Object.keys(arrays), ...known].join(', ')})`);
  }
  const entries = Object.entries(arrays).map(([key, check]) => [key, s[key], check] as const);
  for (const [key, arr, check] of entries) {
    if (!Array.isArray(arr)) throw new Error(`${op}: state.${key} must be an array (got ${describeValue(arr)}, expected one entry per column)`);
    arr.forEach((v: unknown, j) => {
      const expected = check(v);
      if (expected !== null) throw new Error(`${op}: state.${key}[${j}] is invalid (got ${describeValue(v)}, expected ${expected})`);
    });
  }
  const [firstKey, first] = entries[0]!;
  for (const [key, arr] of entries) {
    if ((arr as unknown[]).length !== (first as unknown[]).length) {
      throw new Error(`${op}: state.${key} has ${(arr as unknown[]).length} entries but state.${firstKey} has ${(first as unknown[]).length}`);
    }
  }
}

/** An element check for {@link checkState}: a finite number. */
export const finiteEntry = (v: unknown): string | null => (typeof v === 'number' && Number.isFinite(v) ? null : 'a finite number');

/** An element check for {@link checkState}: a finite number > 0 (a divisor). */
export const positiveEntry = (v: unknown): string | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? null : 'a finite number > 0');
