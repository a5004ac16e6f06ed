// Adagrad, following torch.optim.Adagrad: per-coordinate steps shrink with the accumulated sum of
// squared gradients, so rarely-updated coordinates keep larger steps.
import type { Tensor } from '@tapegrad/autograd';
import { checkBoolean, checkNonNegative, checkOptionsOf, defined } from './checks.js';
import { Optimizer, keepsNoGradient } from './optimizer.js';
import type { ParamGroup, ParamsInput } from './types.js';
import { ownValues, readValues, stateTensor, writeInPlace } from './storage.js';

/**
 * Options of {@link Adagrad}; each may also be set per parameter group.
 *
 * @example
 * ```ts
 * const opts: AdagradOptions = { lr: 0.1, lrDecay: 1e-4, initialAccumulatorValue: 0.1 };
 * ```
 * @category Optimizers
 */
export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** The step `t` uses `lr / (1 + (t − 1)·lrDecay)` (default 0). */
  lrDecay?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps?: number;
  /** Ascend instead of descend (default false). */
  maximize?: boolean;
}

/**
 * The resolved hyper-parameters of an {@link Adagrad} parameter group.
 *
 * @example
 * ```ts
 * const h: AdagradHyperParams = { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false };
 * ```
 * @category Optimizers
 */
export type AdagradHyperParams = Required<AdagradOptions>;

/**
 * Per-parameter state of {@link Adagrad}.
 *
 * @example
 * ```ts
 * optimizer.state.get(w)?.sum;
 * ```
 * @category Optimizers
 */
export type AdagradState = {
  /** Number of updates this parameter has received. */
  step: number;
  /** Sum of squared gradients (plus the initial accumulator value). */
  sum: Tensor;
};

/**
 * Adagrad: scales each coordinate's step by the inverse root of its accumulated squared gradients.
 *
 * With `g ← ∇f(p) + λp` and step count `t`: `s ← s + g²`, then
 * `p ← p − lr/(1 + (t − 1)·lrDecay) · g / (√s + ε)`.
 *
 * @example
 * ```ts
 * const optimizer = new Adagrad(embedding.parameters(), { lr: 0.05 });
 * ```
 * @category Optimizers
 */
export class Adagrad extends Optimizer<AdagradHyperParams, AdagradState> {
  /**
   * Builds the optimizer over tensors or parameter groups.
   *
   * @example
   * ```ts
   * new Adagrad([w], { lr: 0.1, initialAccumulatorValue: 0.1 });
   * ```
   */
  constructor(params: ParamsInput<AdagradHyperParams>, options: AdagradOptions = {}) {
    const defaults: AdagradHyperParams = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false };
    super(params, { ...defaults, ...defined(checkOptionsOf<AdagradOptions>('Adagrad', options, Object.keys(defaults))) });
  }

  /** @inheritDoc */
  protected override get label(): string {
    return 'Adagrad';
  }

  /** @inheritDoc */
  protected checkHyperParams(h: AdagradHyperParams): void {
    checkNonNegative('Adagrad', 'lr', h.lr);
    checkNonNegative('Adagrad', 'lrDecay', h.lrDecay);
    checkNonNegative('Adagrad', 'weightDecay', h.weightDecay);
    checkNonNegative('Adagrad', 'initialAccumulatorValue', h.initialAccumulatorValue);
    checkNonNegative('Adagrad', 'eps', h.eps);
    checkBoolean('Adagrad', 'maximize', h.maximize);
  }

  /** @inheritDoc */
  protected override get stateKeys(): { required: readonly string[]; optional: readonly string[] } {
    return { required: ['step', 'sum'], optional: [] };
  }

  /** @inheritDoc */
  protected initState(p: Tensor, group: ParamGroup<AdagradHyperParams>): AdagradState {
    return { step: 0, sum: stateTensor(p, undefined, group.initialAccumulatorValue) };
  }

  /** @inheritDoc */
  protected update(p: Tensor, grad: Tensor, group: ParamGroup<AdagradHyperParams>, s: AdagradState): void {
    const { lr, lrDecay, weightDecay: wd, eps, maximize } = group;
    const t = ++s.step;
    const clr = lr / (1 + (t - 1) * lrDecay);
    const sign = maximize ? -1 : 1;
    const G = readValues(grad);
    const S = ownValues(s.sum);
    writeInPlace(p, (P) => {
      for (let i = 0; i < P.length; i++) {
        const g = sign * G[i]! + wd * P[i]!;
        S[i] = S[i]! + g * g;
        P[i] = P[i]! - (clr * g) / (Math.sqrt(S[i]!) + eps);
      }
    });
  }
}

// Reads its gradient's values during the call and keeps nothing of it.
keepsNoGradient((Adagrad.prototype as unknown as { update: object }).update);
