// ReLU6, Hardtanh, SELU, SiLU, Mish and PReLU as modules; each forwards to the autograd op.
import { checkFinite, full, hardtanh, mish, prelu, relu6, selu, type Tensor, checkTensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { pyFloat } from '../format.js';
import { checkDType, checkInt, checkOptions, type LayerOptions } from './options.js';

/**
 * `min(max(x, 0), 6)`.
 *
 * @example
 * ```ts
 * new ReLU6().forward(tensor([-1, 3, 8])); // [0, 3, 6]
 * ```
 * @category Activations
 */
export class ReLU6 extends Module<[Tensor], Tensor> {
  /** `relu6(x)`. */
  forward(x: Tensor): Tensor {
    checkTensor('ReLU6', 'x', x);
    return relu6(x);
  }
}

/**
 * Clamps to `[minVal, maxVal]` (default [-1, 1]).
 *
 * @example
 * ```ts
 * new Hardtanh(-2, 2).forward(tensor([-3, 1, 3])); // [-2, 1, 2]
 * ```
 * @category Activations
 */
export class Hardtanh extends Module<[Tensor], Tensor> {
  /** Lower bound. */
  readonly minVal: number;
  /** Upper bound. */
  readonly maxVal: number;

  /** A hardtanh on `[minVal, maxVal]`. */
  constructor(minVal = -1, maxVal = 1) {
    super();
    hardtanh(full([], 0), minVal, maxVal); // validates the bounds with hardtanh's own messages
    this.minVal = minVal;
    this.maxVal = maxVal;
  }

  /** `hardtanh(x, minVal, maxVal)`. */
  forward(x: Tensor): Tensor {
    checkTensor('Hardtanh', 'x', x);
    return hardtanh(x, this.minVal, this.maxVal);
  }

  /** `min_val=-1.0, max_val=1.0`. */
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`;
  }
}

/**
 * Scaled exponential linear unit (self-normalizing networks).
 *
 * @example
 * ```ts
 * new SELU().forward(tensor([-1, 1])); // [-1.1113, 1.0507]
 * ```
 * @category Activations
 */
export class SELU extends Module<[Tensor], Tensor> {
  /** `selu(x)`. */
  forward(x: Tensor): Tensor {
    checkTensor('SELU', 'x', x);
    return selu(x);
  }
}

/**
 * Sigmoid linear unit (swish) x·σ(x).
 *
 * @example
 * ```ts
 * new SiLU().forward(tensor([0, 1])); // [0, 0.7311]
 * ```
 * @category Activations
 */
export class SiLU extends Module<[Tensor], Tensor> {
  /** `x.silu()`. */
  forward(x: Tensor): Tensor {
    checkTensor('SiLU', 'x', x);
    return x.silu();
  }
}

/**
 * Mish, x·tanh(softplus(x)).
 *
 * @example
 * ```ts
 * new Mish().forward(tensor([1])); // [0.8651]
 * ```
 * @category Activations
 */
export class Mish extends Module<[Tensor], Tensor> {
  /** `mish(x)`. */
  forward(x: Tensor): Tensor {
    checkTensor('Mish', 'x', x);
    return mish(x);
  }
}

/**
 * Parametric relu with a learned negative slope: one shared (`numParameters = 1`, the default)
 * or one per channel of axis 1, all starting at `init` (0.25), as `torch.nn.PReLU`.
 *
 * @example
 * ```ts
 * const act = new PReLU(3);
 * act.forward(randn([8, 3, 5, 5])).shape; // [8, 3, 5, 5]
 * act.weight.shape;                      // [3]
 * ```
 * @category Activations
 */
export class PReLU extends Module<[Tensor], Tensor> {
  /** The slopes, shape `[numParameters]` (the count PyTorch calls `num_parameters`). */
  weight: Parameter;

  /** `numParameters` slopes initialized to `init`. */
  constructor(numParameters = 1, init = 0.25, options: Omit<LayerOptions, 'generator'> = {}) {
    super();
    checkInt('PReLU', 'numParameters', numParameters);
    checkFinite('PReLU', 'init', init);
    const { dtype } = checkOptions('PReLU', options, ['dtype']);
    this.weight = new Parameter(full([numParameters], init, { dtype }));
  }

  /** `prelu(x, weight)`. */
  forward(x: Tensor): Tensor {
    checkTensor('PReLU', 'x', x);
    checkDType('PReLU', x, this.weight);
    return prelu(x, this.weight);
  }

  /** `num_parameters=1`. */
  override extraRepr(): string {
    return `num_parameters=${this.weight.size}`;
  }
}
