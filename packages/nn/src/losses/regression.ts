// Regression losses: squared, absolute and Huber error.
import type { Tensor } from '@tapegrad/autograd';
import { checkReduction, checkSameShape, lossOptions, reduce, type LossOptions } from './reduction.js';
import { checkTensor, describeValue } from '@tapegrad/autograd';

/**
 * Mean squared error: (input − target)², reduced. Input and target must have the same shape.
 *
 * @example
 * ```ts
 * mseLoss(tensor([1, 2]), tensor([1, 4]));                      // 2
 * mseLoss(tensor([1, 2]), tensor([1, 4]), { reduction: 'none' }); // [0, 4]
 * ```
 * @category Losses
 */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkTensor('mseLoss', 'input', input);
  checkTensor('mseLoss', 'target', target);
  const { reduction = 'mean' } = lossOptions<LossOptions>('mseLoss', options, ['reduction']);
  checkReduction('mseLoss', reduction);
  checkSameShape('mseLoss', input, target);
  return reduce(input.sub(target).square(), reduction);
}

/**
 * Mean absolute error: |input − target|, reduced.
 *
 * @example
 * ```ts
 * l1Loss(tensor([1, 2]), tensor([1, 4])); // 1
 * ```
 * @category Losses
 */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkTensor('l1Loss', 'input', input);
  checkTensor('l1Loss', 'target', target);
  const { reduction = 'mean' } = lossOptions<LossOptions>('l1Loss', options, ['reduction']);
  checkReduction('l1Loss', reduction);
  checkSameShape('l1Loss', input, target);
  return reduce(input.sub(target).abs(), reduction);
}

/**
 * Options of {@link huberLoss}.
 *
 * @example
 * ```ts
 * huberLoss(y, t, { delta: 0.5 });
 * ```
 * @category Losses
 */
export interface HuberLossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}

/**
 * Huber loss: ½d² where |d| < δ, δ(|d| − ½δ) beyond, with d = input − target: quadratic near
 * the target, linear (robust to outliers) far from it.
 *
 * @example
 * ```ts
 * huberLoss(tensor([0, 0]), tensor([0.5, 3])); // mean(0.125, 2.5) = 1.3125
 * ```
 * @category Losses
 */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  checkTensor('huberLoss', 'input', input);
  checkTensor('huberLoss', 'target', target);
  const { delta = 1, reduction = 'mean' } = lossOptions<HuberLossOptions>('huberLoss', options, ['delta', 'reduction']);
  checkReduction('huberLoss', reduction);
  if (typeof delta !== 'number' || !(delta > 0) || !Number.isFinite(delta)) throw new Error(`huberLoss: delta must be a positive finite number (got ${describeValue(delta)}, expected a finite number > 0)`);
  checkSameShape('huberLoss', input, target);
  const a = input.sub(target).abs();
  // With q = min(|d|, δ): ½q² + δ(|d| − q) is ½d² inside and δ|d| − ½δ² outside, with no branch.
  const q = a.minimum(delta);
  return reduce(q.square().mul(0.5).add(a.sub(q).mul(delta)), reduction);
}
