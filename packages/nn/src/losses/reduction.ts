// What every loss shares: the reduction option and the up-front input checks.
import type { Tensor } from '@tapegrad/autograd';
import { fmtShape } from '../format.js';
import { checkOptions, checkTensor, describeValue } from '@tapegrad/autograd';

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

/**
 * A loss's options argument: `undefined` is `{}`; anything else must be a plain object whose keys
 * the loss knows (a misspelt `reducton` is an error, not a silently mean-reduced loss).
 */
export function lossOptions<T extends object>(loss: string, options: unknown, known: readonly string[]): Partial<T> {
  if (options === undefined) return {};
  const proto = options !== null && typeof options === 'object' ? Object.getPrototypeOf(options) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new Error(`${loss}: options must be an object (got ${describeValue(options)}, expected an object with keys among ${known.join(', ')})`);
  }
  return checkOptions(loss, options as T, known);
}

/** An optional weight option: a Tensor when given. */
export function checkOptionalTensor(loss: string, name: string, v: unknown): void {
  if (v !== undefined) checkTensor(loss, name, v);
}

/** Checks the reduction option up front, so a typo fails before any work. */
export function checkReduction(loss: string, reduction: unknown): Reduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new Error(`${loss}: reduction must be 'mean', 'sum' or 'none' (got ${describeValue(reduction)}, expected 'mean', 'sum' or 'none')`);
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
