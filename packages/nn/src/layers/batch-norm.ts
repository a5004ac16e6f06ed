// Batch normalization over the channel axis (axis 1), with running statistics for evaluation.
import { noGrad, type Tensor, checkTensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { Parameter, BufferTensor } from '../parameter.js';
import { fmtShape, pyBool, pyFloat, shortName } from '../format.js';
import { checkDType, checkInt, checkOptions, perChannel, type LayerOptions } from './options.js';
import { normState } from './norm-state.js';
import { fail } from '@tapegrad/autograd';

/**
 * Options of {@link BatchNorm1d} and {@link BatchNorm2d} (defaults as PyTorch).
 *
 * @example
 * ```ts
 * new BatchNorm2d(16, { momentum: 0.01, affine: false });
 * ```
 * @category Layers
 */
export interface BatchNormOptions extends Omit<LayerOptions, 'generator'> {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running averages (default 0.1); `null` for a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` and shift `bias` (default `true`). */
  affine?: boolean;
  /** Keep running mean and variance for evaluation (default `true`); otherwise always use batch statistics. */
  trackRunningStats?: boolean;
}

/**
 * The shared implementation of {@link BatchNorm1d} and {@link BatchNorm2d}: normalizes each
 * channel (axis 1) by the batch mean and biased variance in training, by the running averages in
 * evaluation, then scales and shifts it.
 *
 * @example
 * ```ts
 * const bn: BatchNorm = new BatchNorm2d(8);
 * bn.runningMean; // BufferTensor [8], saved as `running_mean`
 * ```
 * @category Layers
 */
export abstract class BatchNorm extends Module<[Tensor], Tensor> {
  /** Number of channels C. */
  readonly numFeatures: number;
  /** Added to the variance for stability. */
  readonly eps: number;
  /** Weight of each new batch in the running averages; `null` for a cumulative average. */
  readonly momentum: number | null;
  /** Per-channel scale γ `[C]` (ones), or `null` without `affine`. */
  weight: Parameter | null;
  /** Per-channel shift β `[C]` (zeros), or `null` without `affine`. */
  bias: Parameter | null;
  /** Running mean `[C]` used in evaluation, or `null` without `trackRunningStats`. */
  runningMean: BufferTensor | null;
  /** Running unbiased variance `[C]` used in evaluation, or `null` without `trackRunningStats`. */
  runningVar: BufferTensor | null;
  /** Number of training batches seen (a 0-d int32 tensor), or `null` without `trackRunningStats`. */
  numBatchesTracked: BufferTensor | null;
  readonly #ranks: readonly number[];
  readonly #expected: string;

  /** Called by subclasses with the input ranks they accept and how to describe them in errors. */
  protected constructor(name: string, numFeatures: number, options: BatchNormOptions, ranks: readonly number[], expected: string) {
    super();
    checkOptions(name, options, ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype']);
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, dtype } = options;
    this.numFeatures = checkInt(name, 'numFeatures', numFeatures);
    if (!(eps >= 0)) throw new Error(`${name}: eps must be non-negative, got ${eps}`);
    if (momentum !== null && !(typeof momentum === 'number' && momentum >= 0 && momentum <= 1)) fail(name, 'momentum must be in [0, 1] or null', momentum, 'a number in [0, 1] or null (cumulative average)');
    this.eps = eps;
    this.momentum = momentum;
    ({ weight: this.weight, bias: this.bias, runningMean: this.runningMean, runningVar: this.runningVar, numBatchesTracked: this.numBatchesTracked } =
      normState(numFeatures, affine, trackRunningStats, dtype));
    this.#ranks = ranks;
    this.#expected = expected;
  }

  /** Normalizes `x` of shape `[N, C, ...]`; in training also updates the running statistics. */
  forward(x: Tensor): Tensor {
    checkTensor('BatchNorm', 'x', x);
    if (!this.#ranks.includes(x.ndim) || x.shape[1] !== this.numFeatures) {
      throw new Error(`${shortName(this)}: expected input of shape ${this.#expected}, got shape ${fmtShape(x.shape)}`);
    }
    checkDType(shortName(this), x, this.runningMean ?? this.weight);
    const axes = [0, ...x.shape.slice(2).map((_, i) => i + 2)];
    const useBatchStats = this.training || this.runningMean === null;
    let mean: Tensor;
    let variance: Tensor;
    if (useBatchStats) {
      const count = x.size / this.numFeatures;
      if (this.training && count <= 1) {
        throw new Error(`${shortName(this)}: expected more than 1 value per channel when training, got input shape ${fmtShape(x.shape)}`);
      }
      mean = x.mean(axes, true);
      variance = x.var(axes, true, 0); // normalization uses the biased variance, as PyTorch
      if (this.training) this.#updateRunningStats(mean, variance, count);
    } else {
      mean = perChannel(this.runningMean!, x.ndim);
      variance = perChannel(this.runningVar!, x.ndim);
    }
    let y = x.sub(mean).div(variance.add(this.eps).sqrt());
    if (this.weight) y = y.mul(perChannel(this.weight, x.ndim));
    if (this.bias) y = y.add(perChannel(this.bias, x.ndim));
    return y;
  }

  /** running ← (1 − m)·running + m·batch, with the unbiased batch variance (n / (n − 1)), as PyTorch. */
  #updateRunningStats(mean: Tensor, variance: Tensor, count: number): void {
    if (!this.runningMean || !this.runningVar || !this.numBatchesTracked) return;
    const [rm, rv, n] = [this.runningMean, this.runningVar, this.numBatchesTracked];
    noGrad(() => {
      n.add_(1);
      const m = this.momentum ?? 1 / n.item();
      rm.mul_(1 - m).add_(mean.reshape([this.numFeatures]), m);
      rv.mul_(1 - m).add_(variance.reshape([this.numFeatures]).mul(count / (count - 1)), m);
    });
  }

  /** `16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True`. */
  override extraRepr(): string {
    const momentum = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${pyBool(this.weight !== null)}, track_running_stats=${pyBool(this.runningMean !== null)}`;
  }
}

/**
 * Batch normalization of `[N, C]` or `[N, C, L]` inputs over the batch (and length) axes.
 *
 * @example
 * ```ts
 * const bn = new BatchNorm1d(3);
 * bn.forward(randn([8, 3]));        // training: batch statistics, running stats updated
 * bn.eval().forward(randn([2, 3])); // evaluation: running statistics
 * ```
 * @category Layers
 */
export class BatchNorm1d extends BatchNorm {
  /** Normalizes `numFeatures` channels. */
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, options, [2, 3], `[N, ${numFeatures}] or [N, ${numFeatures}, L]`);
  }
}

/**
 * Batch normalization of `[N, C, H, W]` images per channel, over the batch and spatial axes.
 *
 * @example
 * ```ts
 * new BatchNorm2d(16).forward(randn([4, 16, 8, 8])).shape; // [4, 16, 8, 8]
 * ```
 * @category Layers
 */
export class BatchNorm2d extends BatchNorm {
  /** Normalizes `numFeatures` channels. */
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, options, [4], `[N, ${numFeatures}, H, W]`);
  }
}
