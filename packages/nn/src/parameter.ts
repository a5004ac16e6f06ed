// The two kinds of tensor a Module owns. They are marked by their class (not by requiresGrad), so a
// frozen parameter stays a parameter and a plain tensor field stays a private constant.
import { Tensor, checkBoolean, checkTensor } from '@tapegrad/autograd';

/**
 * A trainable tensor of a {@link Module}: a leaf that requires grad by default. Assign one to a
 * field of a module and the module finds it (`parameters()`, `stateDict()`); plain tensor fields
 * are ignored. It shares storage with the tensor it wraps.
 *
 * @example
 * ```ts
 * class Scale extends Module<[Tensor], Tensor> {
 *   factor = new Parameter(ones([1]));
 *   forward(x: Tensor) { return x.mul(this.factor); }
 * }
 * ```
 * @category Module
 */
export class Parameter extends Tensor {
  /**
   * Wraps `data` (detached from any graph, storage shared) as a leaf; `requiresGrad: false`
   * makes a frozen parameter that is still saved and loaded.
   */
  constructor(data: Tensor, requiresGrad = true) {
    checkTensor('Parameter', 'data', data);
    checkBoolean('Parameter', 'requiresGrad', requiresGrad);
    super(data.detach().data, requiresGrad);
  }

  /** Prints like PyTorch: `Parameter containing:` followed by the tensor. */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/**
 * Shorthand for `new Parameter(data)`.
 *
 * @example
 * ```ts
 * this.weight = parameter(randn([3, 4]));
 * ```
 * @category Module
 */
export function parameter(data: Tensor, requiresGrad = true): Parameter {
  checkTensor('parameter', 'data', data);
  checkBoolean('parameter', 'requiresGrad', requiresGrad);
  return new Parameter(data, requiresGrad);
}

/**
 * Module state that is saved and loaded but not trained, like BatchNorm's running statistics
 * (PyTorch's `register_buffer`). Update it in place (`noGrad(() => b.copy_(...))`) so references
 * to it stay valid. Named `BufferTensor` so it does not shadow Node's `Buffer`.
 *
 * @example
 * ```ts
 * class Counter extends Module<[Tensor], Tensor> {
 *   seen = buffer(zeros([]));
 *   forward(x: Tensor) { noGrad(() => this.seen.add_(1)); return x; }
 * }
 * ```
 * @category Module
 */
export class BufferTensor extends Tensor {
  /** Wraps `data` (detached, storage shared); a buffer never requires grad. */
  constructor(data: Tensor) {
    checkTensor('BufferTensor', 'data', data);
    super(data.detach().data, false);
  }
}

/**
 * Shorthand for `new BufferTensor(data)`.
 *
 * @example
 * ```ts
 * this.runningMean = buffer(zeros([16]));
 * ```
 * @category Module
 */
export function buffer(data: Tensor): BufferTensor {
  checkTensor('buffer', 'data', data);
  return new BufferTensor(data);
}
