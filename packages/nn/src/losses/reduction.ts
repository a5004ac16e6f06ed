// What every loss shares: the reduction option and the up-front input checks.
import type { Tensor } from '@tapegrad/autograd';
import { fmtShape } from '../format.js';
import { checkTensor } from '@tapegrad/autograd';

/**
 * How a loss combines its per-element values: their `'mean'` (default), `'sum'`, or `'none'`
 * (the unreduced tensor).
 *
 * @example
 * ```ts
 * mseLoss(y, t, { reduction: 'sum' });
 * ```
 * @category Losses
 */
export type Reduction = 'mean' | 'sum' | 'none';

/**
 * The option every loss accepts.
 *
 * @example
 * ```ts
 * const o: LossOptions = { reduction: 'none' };
 * ```
 * @category Losses
 */
export interface LossOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** Checks the reduction option up front, so a typo fails before any work. */
export function checkReduction(loss: string, reduction: unknown): Reduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new Error(`${loss}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
  }
  return reduction;
}

/** Applies a checked reduction to per-element losses. */
export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  checkTensor('reduce', 'loss', loss);
  return reduction === 'none' ? loss : reduction === 'sum' ? loss.sum() : loss.mean();
}

/**
 * Input and target must have the same shape: PyTorch broadcasts with only a warning, which turns
 * an `[N, 1]` vs `[N]` slip into an `[N, N]` loss that still trains, badly.
 */
export function checkSameShape(loss: string, input: Tensor, target: Tensor, what = 'target'): void {
  checkTensor('checkSameShape', 'input', input);
  checkTensor('checkSameShape', 'target', target);
  if (fmtShape(input.shape) !== fmtShape(target.shape)) {
    throw new Error(`${loss}: input shape ${fmtShape(input.shape)} and ${what} shape ${fmtShape(target.shape)} differ; reshape one so they match`);
  }
  if (input.dtype !== target.dtype) {
    throw new Error(`${loss}: input is ${input.dtype} but ${what} is ${target.dtype}; convert one with toDType`);
  }
}
