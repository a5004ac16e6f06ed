// Normalizations over parts of each sample: GroupNorm (groups of channels) and InstanceNorm2d
// (each channel of each image), as PyTorch defines them.
import { noGrad, ones, zeros, type Tensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { BufferTensor, Parameter } from '../parameter.js';
import { fmtShape, pyBool, pyFloat, shortName } from '../format.js';
import { checkDType, checkInt, checkOptions, perChannel, type LayerOptions } from './options.js';
import { normState } from './norm-state.js';
import { fail } from '@tapegrad/autograd';

/**
 * Options of {@link GroupNorm} (defaults as PyTorch).
 *
 * @example
 * ```ts
 * new GroupNorm(4, 32, { eps: 1e-6, affine: false });
 * ```
 * @category Layers
 */
export interface GroupNormOptions extends Omit<LayerOptions, 'generator'> {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-channel scale (ones) and shift (zeros) (default `true`). */
  affine?: boolean;
}

/**
 * Splits the channels of `[N, C, ...]` into `numGroups` groups and normalizes each group of each
 * sample to zero mean and unit (biased) variance, then scales and shifts per channel:
 * y = (x − E[x]) / √(Var[x] + eps) · weight + bias. Same in training and evaluation.
 *
 * @example
 * ```ts
 * const gn = new GroupNorm(2, 6);
 * gn.forward(randn([4, 6, 8, 8])).shape; // [4, 6, 8, 8]
 * ```
 * @category Layers
 */
export class GroupNorm extends Module<[Tensor], Tensor> {
  /** Number of channel groups. */
  readonly numGroups: number;
  /** Number of channels (divisible by numGroups). */
  readonly numChannels: number;
  /** Added to the variance. */
  readonly eps: number;
  /** `[C]` scale, or `null` without affine. */
  weight: Parameter | null;
  /** `[C]` shift, or `null` without affine. */
  bias: Parameter | null;

  /** Normalization of `numChannels` channels in `numGroups` groups. */
  constructor(numGroups: number, numChannels: number, options: GroupNormOptions = {}) {
    super();
    checkOptions('GroupNorm', options, ['dtype', 'eps', 'affine']);
    this.numGroups = checkInt('GroupNorm', 'numGroups', numGroups);
    this.numChannels = checkInt('GroupNorm', 'numChannels', numChannels);
    if (numChannels % numGroups !== 0) throw new Error(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    const { eps = 1e-5, affine = true, dtype } = options;
    if (!(eps >= 0)) throw new Error(`GroupNorm: eps must be non-negative, got ${eps}`);
    this.eps = eps;
    this.weight = affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }

  /** Normalizes `x` of shape `[N, C, ...]` (or unbatched `[C, ...]`). */
  forward(x: Tensor): Tensor {
    if (x.ndim < 1 || (x.ndim >= 2 ? x.shape[1] : x.shape[0]) !== this.numChannels) {
      throw new Error(`${shortName(this)}: expected input [N, ${this.numChannels}, ...], got ${fmtShape(x.shape)}`);
    }
    checkDType(shortName(this), x, this.weight);
    const batched = x.ndim >= 2 ? x : x.unsqueeze(0);
    const N = batched.shape[0]!;
    const grouped = batched.reshape([N, this.numGroups, -1]);
    const centered = grouped.sub(grouped.mean(2, true));
    let y = centered.div(grouped.var(2, true, 0).add(this.eps).sqrt()).reshape(batched.shape);
    if (this.weight) y = y.mul(perChannel(this.weight, y.ndim));
    if (this.bias) y = y.add(perChannel(this.bias, y.ndim));
    return x.ndim >= 2 ? y : y.squeeze(0);
  }

  /** `2, 6, eps=1e-05, affine=True`. */
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.weight !== null)}`;
  }
}

/**
 * Options of {@link InstanceNorm2d} (defaults as PyTorch: no affine, no running statistics).
 *
 * @example
 * ```ts
 * new InstanceNorm2d(16, { affine: true, trackRunningStats: true });
 * ```
 * @category Layers
 */
export interface InstanceNormOptions extends Omit<LayerOptions, 'generator'> {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running averages (default 0.1). */
  momentum?: number;
  /** Learn a per-channel scale and shift (default `false`). */
  affine?: boolean;
  /** Keep running mean and variance and use them in evaluation (default `false`). */
  trackRunningStats?: boolean;
}

/**
 * Normalizes each channel of each image `[N, C, H, W]` (or `[C, H, W]`) over its H·W values, with
 * an optional per-channel affine map. With `trackRunningStats`, training also updates running
 * averages of the per-instance means and unbiased variances, which evaluation then uses.
 *
 * @example
 * ```ts
 * const norm = new InstanceNorm2d(3);
 * norm.forward(randn([2, 3, 8, 8])).shape; // [2, 3, 8, 8]
 * ```
 * @category Layers
 */
export class InstanceNorm2d extends Module<[Tensor], Tensor> {
  /** Channels. */
  readonly numFeatures: number;
  /** Added to the variance. */
  readonly eps: number;
  /** Weight of each batch in the running averages. */
  readonly momentum: number;
  /** `[C]` scale, or `null`. */
  weight: Parameter | null;
  /** `[C]` shift, or `null`. */
  bias: Parameter | null;
  /** `[C]` running mean (saved as `running_mean`), or `null`. */
  runningMean: BufferTensor | null;
  /** `[C]` running variance, or `null`. */
  runningVar: BufferTensor | null;
  /** Batches seen in training (a 0-d int32 tensor), or `null`. */
  numBatchesTracked: BufferTensor | null;

  /** Instance normalization of `numFeatures` channels. */
  constructor(numFeatures: number, options: InstanceNormOptions = {}) {
    super();
    checkOptions('InstanceNorm2d', options, ['dtype', 'eps', 'momentum', 'affine', 'trackRunningStats']);
    this.numFeatures = checkInt('InstanceNorm2d', 'numFeatures', numFeatures);
    const { eps = 1e-5, momentum = 0.1, affine = false, trackRunningStats = false, dtype } = options;
    if (!(eps >= 0)) throw new Error(`InstanceNorm2d: eps must be non-negative, got ${eps}`);
    if (!(typeof momentum === 'number' && momentum >= 0 && momentum <= 1)) fail('InstanceNorm2d', 'momentum must be in [0, 1]', momentum, 'a number in [0, 1]');
    this.eps = eps;
    this.momentum = momentum;
    ({ weight: this.weight, bias: this.bias, runningMean: this.runningMean, runningVar: this.runningVar, numBatchesTracked: this.numBatchesTracked } =
      normState(numFeatures, affine, trackRunningStats, dtype));
  }

  /** Normalizes `x` `[N, C, H, W]` or `[C, H, W]`. */
  forward(x: Tensor): Tensor {
    if ((x.ndim !== 4 && x.ndim !== 3) || x.shape[x.ndim - 3] !== this.numFeatures) {
      throw new Error(`${shortName(this)}: expected input [N, ${this.numFeatures}, H, W] or [${this.numFeatures}, H, W], got ${fmtShape(x.shape)}`);
    }
    checkDType(shortName(this), x, this.weight ?? this.runningMean);
    const b = x.ndim === 4 ? x : x.unsqueeze(0);
    let mean: Tensor, variance: Tensor;
    if (this.training || !this.runningMean) {
      mean = b.mean([2, 3], true);
      variance = b.var([2, 3], true, 0);
      if (this.training && this.runningMean) this.track(b, mean);
    } else {
      mean = perChannel(this.runningMean, 4);
      variance = perChannel(this.runningVar!, 4);
    }
    let y = b.sub(mean).div(variance.add(this.eps).sqrt());
    if (this.weight) y = y.mul(perChannel(this.weight, 4));
    if (this.bias) y = y.add(perChannel(this.bias, 4));
    return x.ndim === 4 ? y : y.squeeze(0);
  }

  /** running ← (1 − m)·running + m·(batch mean of the instance statistics), variance unbiased, as PyTorch. */
  private track(b: Tensor, mean: Tensor): void {
    const n = b.shape[2]! * b.shape[3]!;
    noGrad(() => {
      const m = this.momentum;
      const batchMean = mean.detach().mean([0, 2, 3]);
      const batchVar = b.detach().var([2, 3], false, n > 1 ? 1 : 0).mean(0);
      this.runningMean!.mul_(1 - m).add_(batchMean.mul(m));
      this.runningVar!.mul_(1 - m).add_(batchVar.mul(m));
      this.numBatchesTracked!.add_(1);
    });
  }

  /** `3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False`. */
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${pyBool(this.weight !== null)}, track_running_stats=${pyBool(this.runningMean !== null)}`;
  }
}
