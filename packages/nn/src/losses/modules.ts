// Losses as modules, for code that composes modules; each stores its options and calls the function.
// Class weights are buffers, as in PyTorch, so they follow toDType() and are saved.
import type { Tensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { BufferTensor } from '../parameter.js';
import { pyFloat } from '../format.js';
import { checkReduction, type LossOptions, type Reduction } from './reduction.js';
import { huberLoss, l1Loss, mseLoss, type HuberLossOptions } from './regression.js';
import { crossEntropy, nllLoss, type CrossEntropyOptions, type NllLossOptions } from './classification.js';
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, type BinaryCrossEntropyOptions, type BinaryCrossEntropyWithLogitsOptions,
} from './binary.js';
import { checkTensor } from '@tapegrad/autograd';

const asBuffer = (t: Tensor | undefined) => (t === undefined ? null : new BufferTensor(t));
const orUndefined = (t: Tensor | null) => t ?? undefined;

/**
 * Base of the loss modules: `forward(input, target)` returns the loss, reduced by `reduction`.
 *
 * @example
 * ```ts
 * const loss: Loss = new MSELoss();
 * loss.forward(prediction, target).backward();
 * ```
 * @category Losses
 */
export abstract class Loss extends Module<[Tensor, Tensor], Tensor> {
  /** `'mean'`, `'sum'` or `'none'`. */
  readonly reduction: Reduction;

  /** Stores the (checked) reduction. */
  protected constructor(name: string, { reduction = 'mean' }: LossOptions) {
    super();
    this.reduction = checkReduction(name, reduction);
  }

  /** `reduction='mean'` when not the default. */
  override extraRepr(): string {
    return this.reduction === 'mean' ? '' : `reduction='${this.reduction}'`;
  }
}

/**
 * {@link mseLoss} as a module.
 *
 * @example
 * ```ts
 * new MSELoss().forward(tensor([1, 2]), tensor([1, 4])); // 2
 * ```
 * @category Losses
 */
export class MSELoss extends Loss {
  /** A mean squared error with the given reduction. */
  constructor(options: LossOptions = {}) {
    super('MSELoss', options);
  }
  /** The loss of `input` against `target`. */
  forward(input: Tensor, target: Tensor): Tensor {
    checkTensor('MSELoss', 'input', input);
    checkTensor('MSELoss', 'target', target);
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/**
 * {@link l1Loss} as a module.
 *
 * @example
 * ```ts
 * new L1Loss().forward(tensor([1, 2]), tensor([1, 4])); // 1
 * ```
 * @category Losses
 */
export class L1Loss extends Loss {
  /** A mean absolute error with the given reduction. */
  constructor(options: LossOptions = {}) {
    super('L1Loss', options);
  }
  /** The loss of `input` against `target`. */
  forward(input: Tensor, target: Tensor): Tensor {
    checkTensor('L1Loss', 'input', input);
    checkTensor('L1Loss', 'target', target);
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/**
 * {@link huberLoss} as a module.
 *
 * @example
 * ```ts
 * new HuberLoss({ delta: 0.5 }).forward(prediction, target);
 * ```
 * @category Losses
 */
export class HuberLoss extends Loss {
  /** Where the loss turns linear. */
  readonly delta: number;
  /** A Huber loss (δ = 1 by default). */
  constructor({ delta = 1, ...options }: HuberLossOptions = {}) {
    super('HuberLoss', options);
    this.delta = delta;
  }
  /** The loss of `input` against `target`. */
  forward(input: Tensor, target: Tensor): Tensor {
    checkTensor('HuberLoss', 'input', input);
    checkTensor('HuberLoss', 'target', target);
    return huberLoss(input, target, { delta: this.delta, reduction: this.reduction });
  }
  /** `delta=1.0`, plus a non-default reduction. */
  override extraRepr(): string {
    return [`delta=${pyFloat(this.delta)}`, super.extraRepr()].filter(Boolean).join(', ');
  }
}

/**
 * {@link nllLoss} as a module; `weight` becomes a buffer.
 *
 * @example
 * ```ts
 * new NLLLoss().forward(logits.logSoftmax(1), targets);
 * ```
 * @category Losses
 */
export class NLLLoss extends Loss {
  /** Per-class weights `[C]`, or `null`. */
  weight: BufferTensor | null;
  /** The ignored target value. */
  readonly ignoreIndex: number;
  /** A negative log-likelihood loss. */
  constructor({ weight, ignoreIndex = -100, ...options }: NllLossOptions = {}) {
    super('NLLLoss', options);
    this.weight = asBuffer(weight);
    this.ignoreIndex = ignoreIndex;
  }
  /** The loss of log-probabilities `input` against class-index `target`. */
  forward(input: Tensor, target: Tensor): Tensor {
    checkTensor('NLLLoss', 'input', input);
    checkTensor('NLLLoss', 'target', target);
    return nllLoss(input, target, { weight: orUndefined(this.weight), ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/**
 * {@link crossEntropy} as a module; `weight` becomes a buffer.
 *
 * @example
 * ```ts
 * const criterion = new CrossEntropyLoss({ labelSmoothing: 0.1 });
 * criterion.forward(model.forward(x), labels).backward();
 * ```
 * @category Losses
 */
export class CrossEntropyLoss extends Loss {
  /** Per-class weights `[C]`, or `null`. */
  weight: BufferTensor | null;
  /** The ignored target value. */
  readonly ignoreIndex: number;
  /** The label smoothing ε. */
  readonly labelSmoothing: number;
  /** A cross-entropy loss on logits. */
  constructor({ weight, ignoreIndex = -100, labelSmoothing = 0, ...options }: CrossEntropyOptions = {}) {
    super('CrossEntropyLoss', options);
    this.weight = asBuffer(weight);
    this.ignoreIndex = ignoreIndex;
    this.labelSmoothing = labelSmoothing;
  }
  /** The loss of `logits` against class-index (or probability) `target`. */
  forward(logits: Tensor, target: Tensor): Tensor {
    checkTensor('CrossEntropyLoss', 'logits', logits);
    checkTensor('CrossEntropyLoss', 'target', target);
    const { ignoreIndex, labelSmoothing, reduction } = this;
    return crossEntropy(logits, target, { weight: orUndefined(this.weight), ignoreIndex, labelSmoothing, reduction });
  }
}

/**
 * {@link binaryCrossEntropy} as a module; `weight` becomes a buffer.
 *
 * @example
 * ```ts
 * new BCELoss().forward(logits.sigmoid(), labels);
 * ```
 * @category Losses
 */
export class BCELoss extends Loss {
  /** Per-element weights, or `null`. */
  weight: BufferTensor | null;
  /** A binary cross-entropy on probabilities. */
  constructor({ weight, ...options }: BinaryCrossEntropyOptions = {}) {
    super('BCELoss', options);
    this.weight = asBuffer(weight);
  }
  /** The loss of probabilities `input` against `target`. */
  forward(input: Tensor, target: Tensor): Tensor {
    checkTensor('BCELoss', 'input', input);
    checkTensor('BCELoss', 'target', target);
    return binaryCrossEntropy(input, target, { weight: orUndefined(this.weight), reduction: this.reduction });
  }
}

/**
 * {@link binaryCrossEntropyWithLogits} as a module; `weight` and `posWeight` become buffers.
 *
 * @example
 * ```ts
 * new BCEWithLogitsLoss({ posWeight: tensor([3]) }).forward(logits, labels);
 * ```
 * @category Losses
 */
export class BCEWithLogitsLoss extends Loss {
  /** Per-element weights, or `null`. */
  weight: BufferTensor | null;
  /** Per-class weight of positives, or `null`. */
  posWeight: BufferTensor | null;
  /** A binary cross-entropy on logits. */
  constructor({ weight, posWeight, ...options }: BinaryCrossEntropyWithLogitsOptions = {}) {
    super('BCEWithLogitsLoss', options);
    this.weight = asBuffer(weight);
    this.posWeight = asBuffer(posWeight);
  }
  /** The loss of `logits` against `target`. */
  forward(logits: Tensor, target: Tensor): Tensor {
    checkTensor('BCEWithLogitsLoss', 'logits', logits);
    checkTensor('BCEWithLogitsLoss', 'target', target);
    return binaryCrossEntropyWithLogits(logits, target, { weight: orUndefined(this.weight), posWeight: orUndefined(this.posWeight), reduction: this.reduction });
  }
}
