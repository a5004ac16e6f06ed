// Layer normalization over the trailing axes of each sample.
import { ones, zeros, type Tensor, checkTensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { fmtShape, pyBool, pyFloat, shortName } from '../format.js';
import { checkDType, checkInt, checkOptions, type LayerOptions } from './options.js';
import { fail } from '@tapegrad/autograd';

/**
 * Options of {@link LayerNorm} (defaults as PyTorch).
 *
 * @example
 * ```ts
 * new LayerNorm(512, { eps: 1e-6, bias: false });
 * ```
 * @category Layers
 */
export interface LayerNormOptions extends Omit<LayerOptions, 'generator'> {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Learn an elementwise scale (and shift) of `normalizedShape` (default `true`). */
  elementwiseAffine?: boolean;
  /** With `elementwiseAffine`, also learn the shift (default `true`). */
  bias?: boolean;
}

/**
 * Normalizes each sample over its last axes (`normalizedShape`) to zero mean and unit (biased)
 * variance, then applies an elementwise scale and shift. Same in training and evaluation.
 *
 * @example
 * ```ts
 * const norm = new LayerNorm(8);
 * norm.forward(randn([4, 10, 8])).shape; // [4, 10, 8]
 * ```
 * @category Layers
 */
export class LayerNorm extends Module<[Tensor], Tensor> {
  /** The trailing shape normalized over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance for stability. */
  readonly eps: number;
  /** Scale of `normalizedShape` (ones), or `null` without `elementwiseAffine`. */
  weight: Parameter | null;
  /** Shift of `normalizedShape` (zeros), or `null`. */
  bias: Parameter | null;

  /** Normalizes over trailing axes of shape `normalizedShape` (a number means one axis). */
  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    checkOptions('LayerNorm', options, ['eps', 'elementwiseAffine', 'bias', 'dtype']);
    if (typeof normalizedShape !== 'number' && !Array.isArray(normalizedShape)) fail('LayerNorm', 'normalizedShape must be an integer or a list of them', normalizedShape, 'a positive integer or an array of them');
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0) throw new Error('LayerNorm: normalizedShape must have at least one dimension');
    shape.forEach((d) => checkInt('LayerNorm', 'normalizedShape', d));
    const { eps = 1e-5, elementwiseAffine = true, bias = true, dtype } = options;
    if (!(eps >= 0)) throw new Error(`LayerNorm: eps must be non-negative, got ${eps}`);
    this.normalizedShape = shape;
    this.eps = eps;
    this.weight = elementwiseAffine ? new Parameter(ones(shape, { dtype })) : null;
    this.bias = elementwiseAffine && bias ? new Parameter(zeros(shape, { dtype })) : null;
  }

  /** Normalizes `x` of shape `[..., ...normalizedShape]`. */
  forward(x: Tensor): Tensor {
    checkTensor('LayerNorm', 'x', x);
    const k = this.normalizedShape.length;
    const trailing = x.shape.slice(x.ndim - k);
    if (x.ndim < k || fmtShape(trailing) !== fmtShape(this.normalizedShape)) {
      throw new Error(`${shortName(this)}: expected input with trailing shape ${fmtShape(this.normalizedShape)}, got shape ${fmtShape(x.shape)}`);
    }
    checkDType(shortName(this), x, this.weight);
    const axes = this.normalizedShape.map((_, i) => x.ndim - k + i);
    const centered = x.sub(x.mean(axes, true));
    let y = centered.div(x.var(axes, true, 0).add(this.eps).sqrt());
    if (this.weight) y = y.mul(this.weight);
    if (this.bias) y = y.add(this.bias);
    return y;
  }

  /** `(8,), eps=1e-05, elementwise_affine=True`. */
  override extraRepr(): string {
    const shape = this.normalizedShape.length === 1 ? `(${this.normalizedShape[0]},)` : `(${this.normalizedShape.join(', ')})`;
    return `${shape}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.weight !== null)}`;
  }
}
