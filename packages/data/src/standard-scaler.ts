// Standardizing each column to zero mean and unit variance with training-split statistics.
import { describeValue, type Tensor } from '@tapegrad/autograd';
import { checkBool, checkOptionsArg } from './checks.js';
import { checkState, finiteEntry, positiveEntry, fitMatrixOf, fitted, mapColumns, matrixOf, type Transformer } from './matrix.js';

/**
 * Options of {@link StandardScaler}.
 *
 * @example
 * ```ts
 * new StandardScaler({ withMean: false }); // only divide by the standard deviation
 * ```
 * @category Scaling
 */
export interface StandardScalerOptions {
  /** Subtract each column's mean; `true` by default. */
  withMean?: boolean;
  /** Divide by each column's standard deviation; `true` by default. */
  withStd?: boolean;
}

/**
 * The JSON-serializable state of a fitted {@link StandardScaler}.
 *
 * @example
 * ```ts
 * const s: StandardScalerState = { type: 'StandardScaler', withMean: true, withStd: true, mean: [2], scale: [0.5] };
 * ```
 * @category Scaling
 */
export interface StandardScalerState {
  type: 'StandardScaler';
  withMean: boolean;
  withStd: boolean;
  /** Per-column mean seen in fit. */
  mean: number[];
  /** Per-column standard deviation seen in fit (population, ddof 0), 1 for constant columns. */
  scale: number[];
}

/**
 * Standardizes each column of a `[N, F]` tensor: `(x - mean) / std`, with the mean and the
 * population standard deviation (ddof 0) learned in `fit`, as scikit-learn's `StandardScaler`. A
 * constant column gets a scale of 1 instead of 0, so it maps to 0 rather than NaN. Fit it on the
 * training split only, then transform every split with it.
 *
 * @example
 * ```ts
 * const scaler = new StandardScaler();
 * scaler.fitTransform(tensor([[1, 7], [3, 7]])); // [[-1, 0], [1, 0]]
 * scaler.mean;  // [2, 7]
 * scaler.scale; // [1, 1]
 * ```
 * @category Scaling
 */
export class StandardScaler implements Transformer<StandardScalerState> {
  readonly withMean: boolean;
  readonly withStd: boolean;
  private learned: { mean: number[]; scale: number[] } | null = null;

  /** An unfitted scaler; see {@link StandardScalerOptions}. */
  constructor(options: StandardScalerOptions = {}) {
    const { withMean = true, withStd = true } = checkOptionsArg<StandardScalerOptions>('StandardScaler', options, ['withMean', 'withStd']);
    checkBool('StandardScaler', 'withMean', withMean);
    checkBool('StandardScaler', 'withStd', withStd);
    this.withMean = withMean;
    this.withStd = withStd;
  }

  /** Per-column mean seen in fit. */
  get mean(): readonly number[] {
    return fitted('StandardScaler.mean', this.learned).mean;
  }

  /** Per-column standard deviation seen in fit (1 for constant columns). */
  get scale(): readonly number[] {
    return fitted('StandardScaler.scale', this.learned).scale;
  }

  /** Learns each column's mean and standard deviation. */
  fit(x: Tensor): this {
    const { data, n, f } = fitMatrixOf('StandardScaler.fit', x);
    const mean = new Array<number>(f).fill(0);
    for (let k = 0; k < data.length; k++) mean[k % f]! += data[k]!;
    for (let j = 0; j < f; j++) mean[j]! /= n;
    // Two passes (mean first, then squared deviations) avoid the cancellation of E[x²] - E[x]².
    const sq = new Array<number>(f).fill(0);
    const constant = new Array<boolean>(f).fill(true);
    for (let k = 0; k < data.length; k++) {
      const j = k % f;
      const d = data[k]! - mean[j]!;
      sq[j]! += d * d;
      if (data[k] !== data[j]) constant[j] = false;
    }
    // A constant column gets scale 1. Besides exact constancy, a variance within rounding error of
    // the mean counts as constant (scikit-learn's bound): a rounded mean leaves a tiny variance
    // that would otherwise blow values up, and tiny (denormal) deviations square to exactly 0.
    const scale = sq.map((s, j) => {
      const variance = s / n;
      const roundingBound = n * Number.EPSILON * variance + (n * mean[j]! * Number.EPSILON) ** 2;
      return constant[j] || variance <= roundingBound ? 1 : Math.sqrt(variance);
    });
    this.learned = { mean, scale };
    return this;
  }

  /** `(x - mean) / scale` per column (each part only when enabled). */
  transform(x: Tensor): Tensor {
    const { mean, scale } = this.effective('StandardScaler.transform');
    return mapColumns(matrixOf('StandardScaler.transform', x, mean.length), (v, j) => (v - mean[j]!) / scale[j]!);
  }

  /** `fit(x)` then `transform(x)`. */
  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /** `y * scale + mean` per column. */
  inverseTransform(y: Tensor): Tensor {
    const { mean, scale } = this.effective('StandardScaler.inverseTransform');
    return mapColumns(matrixOf('StandardScaler.inverseTransform', y, mean.length), (v, j) => v * scale[j]! + mean[j]!);
  }

  /** The fitted parameters as JSON-serializable data. */
  state(): StandardScalerState {
    const { mean, scale } = fitted('StandardScaler.state', this.learned);
    return { type: 'StandardScaler', withMean: this.withMean, withStd: this.withStd, mean: [...mean], scale: [...scale] };
  }

  /**
   * A fitted scaler from a {@link StandardScaler.state} result (e.g. after `JSON.parse`).
   *
   * @example
   * ```ts
   * const scaler = StandardScaler.fromState(JSON.parse(saved));
   * ```
   */
  static fromState(state: StandardScalerState): StandardScaler {
    // A zero, negative or non-finite scale would divide every transformed value into Infinity or NaN.
    checkState('StandardScaler.fromState', state, 'StandardScaler', { mean: finiteEntry, scale: positiveEntry }, ['withMean', 'withStd']);
    for (const key of ['withMean', 'withStd'] as const) {
      if (typeof state[key] !== 'boolean') throw new Error(`StandardScaler.fromState: state.${key} must be true or false (got ${describeValue(state[key])}, expected a boolean)`);
    }
    const scaler = new StandardScaler({ withMean: state.withMean, withStd: state.withStd });
    scaler.learned = { mean: [...state.mean], scale: [...state.scale] };
    return scaler;
  }

  /** The shift and divisor actually applied, given withMean / withStd. */
  private effective(op: string): { mean: number[]; scale: number[] } {
    const { mean, scale } = fitted(op, this.learned);
    return { mean: this.withMean ? mean : mean.map(() => 0), scale: this.withStd ? scale : scale.map(() => 1) };
  }
}
