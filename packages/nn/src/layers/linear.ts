// Fully connected layer.
import type { Tensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { fmtShape, pyBool, shortName } from '../format.js';
import { checkDType, checkInt, checkOptions, defaultWeightAndBias, type LayerOptions } from './options.js';
import { checkTensor } from '@tapegrad/autograd';

/**
 * Options of {@link Linear}.
 *
 * @example
 * ```ts
 * new Linear(4, 3, { bias: false });
 * ```
 * @category Layers
 */
export interface LinearOptions extends LayerOptions {
  /** Add a learned bias (default `true`). */
  bias?: boolean;
}

/**
 * y = x·Wᵀ + b over the last axis: input `[..., inFeatures]`, output `[..., outFeatures]`.
 * `weight` is `[outFeatures, inFeatures]`; both are initialized as PyTorch does
 * (U(−1/√inFeatures, 1/√inFeatures)).
 *
 * @example
 * ```ts
 * const layer = new Linear(784, 256);
 * layer.forward(randn([32, 784])).shape; // [32, 256]
 * ```
 * @category Layers
 */
export class Linear extends Module<[Tensor], Tensor> {
  /** Size of each input sample. */
  readonly inFeatures: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  /** `[outFeatures, inFeatures]`. */
  weight: Parameter;
  /** `[outFeatures]`, or `null` with `bias: false`. */
  bias: Parameter | null;

  /** A layer mapping `inFeatures` to `outFeatures`. */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkOptions('Linear', options, ['bias', 'dtype', 'generator']);
    this.inFeatures = checkInt('Linear', 'inFeatures', inFeatures, 0);
    this.outFeatures = checkInt('Linear', 'outFeatures', outFeatures, 0);
    ({ weight: this.weight, bias: this.bias } = defaultWeightAndBias([outFeatures, inFeatures], options.bias ?? true, options));
  }

  /** `x·Wᵀ + b`; `x` is `[..., inFeatures]`. */
  forward(x: Tensor): Tensor {
    checkTensor('Linear', 'x', x);
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new Error(`${shortName(this)}: expected input with last dimension ${this.inFeatures}, got shape ${fmtShape(x.shape)}`);
    }
    checkDType(shortName(this), x, this.weight);
    const y = x.matmul(this.weight.transpose(0, 1));
    return this.bias ? y.add(this.bias) : y;
  }

  /** `in_features=4, out_features=2, bias=True`. */
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
