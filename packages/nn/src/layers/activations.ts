// Activation functions as modules, for use in Sequential; each is a one-line delegate to the tensor method.
import { describeValue } from '@tapegrad/autograd';
import type { Tensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { pyFloat } from '../format.js';
import { checkFinite, checkInt, checkTensor } from '@tapegrad/autograd';

/**
 * max(x, 0).
 *
 * @example
 * ```ts
 * new ReLU().forward(tensor([-1, 2])); // [0, 2]
 * ```
 * @category Activations
 */
export class ReLU extends Module<[Tensor], Tensor> {
  /** `x.relu()`. */
  forward(x: Tensor): Tensor {
    checkTensor('ReLU', 'x', x);
    return x.relu();
  }
}

/**
 * x for x > 0, `negativeSlope · x` otherwise.
 *
 * @example
 * ```ts
 * new LeakyReLU(0.1).forward(tensor([-2, 3])); // [-0.2, 3]
 * ```
 * @category Activations
 */
export class LeakyReLU extends Module<[Tensor], Tensor> {
  /** Slope for negative inputs. */
  readonly negativeSlope: number;

  /** A leaky relu with the given slope (default 0.01). */
  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = checkFinite('LeakyReLU', 'negativeSlope', negativeSlope);
  }

  /** `x.leakyRelu(negativeSlope)`. */
  forward(x: Tensor): Tensor {
    checkTensor('LeakyReLU', 'x', x);
    return x.leakyRelu(this.negativeSlope);
  }

  /** `negative_slope=0.01`. */
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
}

/**
 * The logistic function 1 / (1 + e^-x).
 *
 * @example
 * ```ts
 * new Sigmoid().forward(tensor([0])); // [0.5]
 * ```
 * @category Activations
 */
export class Sigmoid extends Module<[Tensor], Tensor> {
  /** `x.sigmoid()`. */
  forward(x: Tensor): Tensor {
    checkTensor('Sigmoid', 'x', x);
    return x.sigmoid();
  }
}

/**
 * Hyperbolic tangent.
 *
 * @example
 * ```ts
 * new Tanh().forward(tensor([0])); // [0]
 * ```
 * @category Activations
 */
export class Tanh extends Module<[Tensor], Tensor> {
  /** `x.tanh()`. */
  forward(x: Tensor): Tensor {
    checkTensor('Tanh', 'x', x);
    return x.tanh();
  }
}

/**
 * Gaussian error linear unit x·Φ(x); `'tanh'` selects PyTorch's tanh approximation.
 *
 * @example
 * ```ts
 * new GELU().forward(tensor([1])); // [0.8413]
 * ```
 * @category Activations
 */
export class GELU extends Module<[Tensor], Tensor> {
  /** `'none'` (exact, default) or `'tanh'`. */
  readonly approximate: 'none' | 'tanh';

  /** A GELU, exact by default. */
  constructor(approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`GELU: approximate must be 'none' or 'tanh', got ${describeValue(approximate)}`);
    this.approximate = approximate;
  }

  /** `x.gelu(approximate)`. */
  forward(x: Tensor): Tensor {
    checkTensor('GELU', 'x', x);
    return x.gelu(this.approximate);
  }

  /** `approximate='none'`. */
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/**
 * softmax along `dim` (default the last axis).
 *
 * @example
 * ```ts
 * new Softmax(1).forward(tensor([[0, Math.log(3)]])); // [[0.25, 0.75]]
 * ```
 * @category Activations
 */
export class Softmax extends Module<[Tensor], Tensor> {
  /** The axis that sums to 1. */
  readonly dim: number;

  /** Softmax over `dim`. */
  constructor(dim = -1) {
    super();
    this.dim = checkInt('Softmax', 'dim', dim);
  }

  /** `x.softmax(dim)`. */
  forward(x: Tensor): Tensor {
    checkTensor('Softmax', 'x', x);
    return x.softmax(this.dim);
  }

  /** `dim=-1`. */
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * log softmax along `dim` (default the last axis), stable for large inputs.
 *
 * @example
 * ```ts
 * new LogSoftmax(1).forward(tensor([[1000, -1000]])); // [[0, -2000]]
 * ```
 * @category Activations
 */
export class LogSoftmax extends Module<[Tensor], Tensor> {
  /** The axis normalized over. */
  readonly dim: number;

  /** Log-softmax over `dim`. */
  constructor(dim = -1) {
    super();
    this.dim = checkInt('LogSoftmax', 'dim', dim);
  }

  /** `x.logSoftmax(dim)`. */
  forward(x: Tensor): Tensor {
    checkTensor('LogSoftmax', 'x', x);
    return x.logSoftmax(this.dim);
  }

  /** `dim=-1`. */
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * Returns its input unchanged (a placeholder, e.g. for an optional layer).
 *
 * @example
 * ```ts
 * new Identity().forward(x) === x; // true
 * ```
 * @category Activations
 */
export class Identity extends Module<[Tensor], Tensor> {
  /** `x` itself. */
  forward(x: Tensor): Tensor {
    checkTensor('Identity', 'x', x);
    return x;
  }
}
