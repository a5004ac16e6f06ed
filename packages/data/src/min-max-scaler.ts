// Rescaling each column linearly so that its training minimum and maximum map to a target range.
import { describeValue, type Tensor } from '@tapegrad/autograd';
import { checkOptionsArg } from './checks.js';
import { checkState, finiteEntry, fitMatrixOf, fitted, mapColumns, matrixOf, type Transformer } from './matrix.js';

/**
 * Options of {@link MinMaxScaler}.
 *
 * @example
 * ```ts
 * new MinMaxScaler({ range: [-1, 1] });
 * ```
 * @category Scaling
 */
export interface MinMaxScalerOptions {
  /** Where each column's training minimum and maximum go; `[0, 1]` by default. */
  range?: readonly [number, number];
}

/**
 * The JSON-serializable state of a fitted {@link MinMaxScaler}.
 *
 * @example
 * ```ts
 * const s: MinMaxScalerState = { type: 'MinMaxScaler', range: [0, 1], dataMin: [0], dataMax: [10] };
 * ```
 * @category Scaling
 */
export interface MinMaxScalerState {
  type: 'MinMaxScaler';
  range: [number, number];
  /** Per-column minimum seen in fit. */
  dataMin: number[];
  /** Per-column maximum seen in fit. */
  dataMax: number[];
}

/**
 * Scales each column of a `[N, F]` tensor linearly so that the minimum and maximum seen in
 * `fit` map to `range` (scikit-learn's `MinMaxScaler`). A constant column is divided by 1 instead
 * of 0, so it maps to `range[0]` rather than NaN. Fit it on the training split only, then
 * transform every split with it.
 *
 * @example
 * ```ts
 * const scaler = new MinMaxScaler();
 * scaler.fitTransform(tensor([[0, 5], [10, 5]])); // [[0, 0], [1, 0]]
 * scaler.transform(tensor([[5, 5]]));             // [[0.5, 0]]
 * const saved = JSON.stringify(scaler.state());
 * const again = MinMaxScaler.fromState(JSON.parse(saved));
 * ```
 * @category Scaling
 */
export class MinMaxScaler implements Transformer<MinMaxScalerState> {
  /** The target range. */
  readonly range: readonly [number, number];
  private learned: { min: number[]; max: number[] } | null = null;

  /** An unfitted scaler; see {@link MinMaxScalerOptions}. */
  constructor(options: MinMaxScalerOptions = {}) {
    const { range = [0, 1] } = checkOptionsArg<MinMaxScalerOptions>('MinMaxScaler', options, ['range']);
    const ok = Array.isArray(range) && range.length === 2 && range.every((v) => typeof v === 'number' && Number.isFinite(v)) && range[0]! < range[1]!;
    if (!ok) throw new Error(`MinMaxScaler: range must be two finite numbers [min, max] with min < max (got ${Array.isArray(range) ? `[${range.join(', ')}]` : describeValue(range)}, expected e.g. [0, 1])`);
    const [lo, hi] = range as readonly [number, number];
    this.range = [lo, hi];
  }

  /** Per-column minimum seen in fit. */
  get dataMin(): readonly number[] {
    return fitted('MinMaxScaler.dataMin', this.learned).min;
  }

  /** Per-column maximum seen in fit. */
  get dataMax(): readonly number[] {
    return fitted('MinMaxScaler.dataMax', this.learned).max;
  }

  /** Learns each column's minimum and maximum. */
  fit(x: Tensor): this {
    const { data, n, f } = fitMatrixOf('MinMaxScaler.fit', x);
    const min = new Array<number>(f).fill(Infinity);
    const max = new Array<number>(f).fill(-Infinity);
    for (let i = 0, k = 0; i < n; i++) {
      for (let j = 0; j < f; j++, k++) {
        const v = data[k]!;
        if (v < min[j]!) min[j] = v;
        if (v > max[j]!) max[j] = v;
      }
    }
    this.learned = { min, max };
    return this;
  }

  /** Maps each column's `[dataMin, dataMax]` to `range`. */
  transform(x: Tensor): Tensor {
    const { min, max } = fitted('MinMaxScaler.transform', this.learned);
    const [lo, hi] = this.range;
    const span = spans(min, max);
    return mapColumns(matrixOf('MinMaxScaler.transform', x, min.length), (v, j) => lo + ((v - min[j]!) / span[j]!) * (hi - lo));
  }

  /** `fit(x)` then `transform(x)`. */
  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /** Maps `range` back to each column's `[dataMin, dataMax]`. */
  inverseTransform(y: Tensor): Tensor {
    const { min, max } = fitted('MinMaxScaler.inverseTransform', this.learned);
    const [lo, hi] = this.range;
    const span = spans(min, max);
    return mapColumns(matrixOf('MinMaxScaler.inverseTransform', y, min.length), (v, j) => min[j]! + ((v - lo) / (hi - lo)) * span[j]!);
  }

  /** The fitted parameters as JSON-serializable data. */
  state(): MinMaxScalerState {
    const { min, max } = fitted('MinMaxScaler.state', this.learned);
    return { type: 'MinMaxScaler', range: [this.range[0], this.range[1]], dataMin: [...min], dataMax: [...max] };
  }

  /**
   * A fitted scaler from a {@link MinMaxScaler.state} result (e.g. after `JSON.parse`).
   *
   * @example
   * ```ts
   * const scaler = MinMaxScaler.fromState(JSON.parse(readFileSync('scaler.json', 'utf8')));
   * ```
   */
  static fromState(state: MinMaxScalerState): MinMaxScaler {
    checkState('MinMaxScaler.fromState', state, 'MinMaxScaler', { dataMin: finiteEntry, dataMax: finiteEntry }, ['range']);
    state.dataMin.forEach((m, j) => {
      if (state.dataMax[j]! < m) throw new Error(`MinMaxScaler.fromState: state.dataMax[${j}] is below state.dataMin[${j}] (got ${state.dataMax[j]} < ${m}, expected max >= min)`);
    });
    let scaler: MinMaxScaler;
    try {
      scaler = new MinMaxScaler({ range: state.range });
    } catch (e) {
      throw new Error(`MinMaxScaler.fromState: state.range is invalid: ${(e as Error).message}`, { cause: e });
    }
    scaler.learned = { min: [...state.dataMin], max: [...state.dataMax] };
    return scaler;
  }
}

/** Each column's max - min, with 1 for constant columns (as scikit-learn does) to avoid 0/0. */
function spans(min: readonly number[], max: readonly number[]): number[] {
  return min.map((m, j) => (max[j]! > m ? max[j]! - m : 1));
}
