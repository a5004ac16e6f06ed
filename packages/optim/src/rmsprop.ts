// RMSprop, following torch.optim.RMSprop: a running mean of squared gradients scales each step,
// optionally centred by the running mean of gradients, optionally with momentum.
import type { Tensor } from '@tapegrad/autograd';
import { checkBoolean, checkNonNegative, checkClosedUnitInterval, checkOptionsOf, defined } from './checks.js';
import { Optimizer, keepsNoGradient } from './optimizer.js';
import type { ParamGroup, ParamsInput } from './types.js';
import { ownValues, readValues, stateTensor, writeInPlace } from './storage.js';

/**
 * Options of {@link RMSprop}; each may also be set per parameter group.
 *
 * @example
 * ```ts
 * const opts: RMSpropOptions = { lr: 1e-3, alpha: 0.9, centered: true };
 * ```
 * @category Optimizers
 */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the running averages, in [0, 1] (default 0.99). */
  alpha?: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalize by the estimated variance of the gradient instead of its raw second moment (default false). */
  centered?: boolean;
  /** Ascend instead of descend (default false). */
  maximize?: boolean;
}

/**
 * The resolved hyper-parameters of an {@link RMSprop} parameter group.
 *
 * @example
 * ```ts
 * const h: RMSpropHyperParams = { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };
 * ```
 * @category Optimizers
 */
export type RMSpropHyperParams = Required<RMSpropOptions>;

/**
 * Per-parameter state of {@link RMSprop}.
 *
 * @example
 * ```ts
 * optimizer.state.get(w)?.squareAvg;
 * ```
 * @category Optimizers
 */
export type RMSpropState = {
  /** Number of updates this parameter has received. */
  step: number;
  /** Running mean of squared gradients. */
  squareAvg: Tensor;
  /** Running mean of gradients (centered only). */
  gradAvg?: Tensor;
  /** Momentum buffer (momentum > 0 only). */
  momentumBuffer?: Tensor;
};

/**
 * RMSprop: divides the gradient by a running root-mean-square of recent gradients.
 *
 * With `g ← ∇f(p) + λp`: `s ← αs + (1 − α)g²`; centered also keeps `ḡ ← αḡ + (1 − α)g` and uses
 * `s − ḡ²` in place of `s`; then `d = √s + ε` and `p ← p − lr·g/d`, or with momentum
 * `b ← μb + g/d`, `p ← p − lr·b`.
 *
 * @example
 * ```ts
 * const optimizer = new RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9 });
 * ```
 * @category Optimizers
 */
export class RMSprop extends Optimizer<RMSpropHyperParams, RMSpropState> {
  /**
   * Builds the optimizer over tensors or parameter groups.
   *
   * @example
   * ```ts
   * new RMSprop([w, b], { lr: 0.01, centered: true });
   * ```
   */
  constructor(params: ParamsInput<RMSpropHyperParams>, options: RMSpropOptions = {}) {
    const defaults: RMSpropHyperParams = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };
    super(params, { ...defaults, ...defined(checkOptionsOf<RMSpropOptions>('RMSprop', options, Object.keys(defaults))) });
  }

  /** @inheritDoc */
  protected override get label(): string {
    return 'RMSprop';
  }

  /** @inheritDoc */
  protected checkHyperParams(h: RMSpropHyperParams): void {
    checkNonNegative('RMSprop', 'lr', h.lr);
    checkClosedUnitInterval('RMSprop', 'alpha', h.alpha);
    checkNonNegative('RMSprop', 'eps', h.eps);
    checkNonNegative('RMSprop', 'weightDecay', h.weightDecay);
    checkNonNegative('RMSprop', 'momentum', h.momentum);
    checkBoolean('RMSprop', 'centered', h.centered);
    checkBoolean('RMSprop', 'maximize', h.maximize);
  }

  /** @inheritDoc */
  protected override get stateKeys(): { required: readonly string[]; optional: readonly string[] } {
    return { required: ['step', 'squareAvg'], optional: ['gradAvg', 'momentumBuffer'] };
  }

  /** @inheritDoc */
  protected initState(p: Tensor, group: ParamGroup<RMSpropHyperParams>): RMSpropState {
    const s: RMSpropState = { step: 0, squareAvg: stateTensor(p) };
    if (group.centered) s.gradAvg = stateTensor(p);
    if (group.momentum > 0) s.momentumBuffer = stateTensor(p);
    return s;
  }

  /** @inheritDoc */
  protected update(p: Tensor, grad: Tensor, group: ParamGroup<RMSpropHyperParams>, s: RMSpropState): void {
    const { lr, alpha, eps, weightDecay: wd, momentum: mu, centered, maximize } = group;
    s.step += 1;
    const sign = maximize ? -1 : 1;
    const G = readValues(grad);
    const S = ownValues(s.squareAvg);
    // Buffers are created here too when a loaded group switched centered/momentum on mid-run.
    const A = centered ? ownValues((s.gradAvg ??= stateTensor(p))) : null;
    const B = mu > 0 ? ownValues((s.momentumBuffer ??= stateTensor(p))) : null;
    writeInPlace(p, (P) => {
      for (let i = 0; i < P.length; i++) {
        const g = sign * G[i]! + wd * P[i]!;
        S[i] = alpha * S[i]! + (1 - alpha) * g * g;
        let variance = S[i]!;
        if (A !== null) {
          A[i] = alpha * A[i]! + (1 - alpha) * g;
          variance -= A[i]! * A[i]!;
        }
        const d = Math.sqrt(variance) + eps;
        if (B === null) P[i] = P[i]! - (lr * g) / d;
        else {
          B[i] = mu * B[i]! + g / d;
          P[i] = P[i]! - lr * B[i]!;
        }
      }
    });
  }
}

// Reads its gradient's values during the call and keeps nothing of it.
keepsNoGradient((RMSprop.prototype as unknown as { update: object }).update);
