// Dropout: random zeroing in training, identity in evaluation.
import { fail, rand, type Generator, type Tensor, checkTensor } from '@tapegrad/autograd';
import { checkOptions } from './options.js';
import { Module } from '../module.js';
import { pyFloat } from '../format.js';

/**
 * Options of {@link Dropout}.
 *
 * @example
 * ```ts
 * new Dropout(0.1, { generator: new Generator(7) });
 * ```
 * @category Layers
 */
export interface DropoutOptions {
  /** Source of the masks (default: the global generator, see `manualSeed`). */
  generator?: Generator;
}

/**
 * In training mode, zeroes each element with probability `p` and scales the rest by 1 / (1 − p),
 * so the expected value is unchanged; in evaluation mode (`eval()`) it is the identity.
 *
 * @example
 * ```ts
 * const drop = new Dropout(0.5, { generator: new Generator(0) });
 * drop.forward(ones([4]));        // e.g. [2, 0, 2, 0]
 * drop.eval().forward(ones([4])); // [1, 1, 1, 1]
 * ```
 * @category Layers
 */
export class Dropout extends Module<[Tensor], Tensor> {
  /** Probability of zeroing an element. */
  readonly p: number;
  /** Where masks are drawn from; `undefined` means the global generator. */
  readonly generator: Generator | undefined;

  /** Dropout with probability `p` (default 0.5). */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    checkOptions('Dropout', options, ['generator']);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) fail('Dropout', 'p must be a probability', p, 'a number in [0, 1]');
    this.p = p;
    this.generator = options.generator;
  }

  /** `x` masked and rescaled in training, `x` itself in evaluation. */
  forward(x: Tensor): Tensor {
    checkTensor('Dropout', 'x', x);
    if (!this.training || this.p === 0) return x;
    if (this.p === 1) return x.mul(0);
    const keep = rand(x.shape, { dtype: x.dtype, generator: this.generator }).ge(this.p).toDType(x.dtype);
    return x.mul(keep.mul(1 / (1 - this.p)));
  }

  /** `p=0.5`. */
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}`;
  }
}
