// Adam (L2 weight decay folded into the gradient) and AdamW (decoupled weight decay), following
// torch.optim.Adam / AdamW. They share one update; AdamW only changes where the decay goes.
import { describeValue, fusedAdamUpdate, type Tensor } from '@tapegrad/autograd';
import { checkBoolean, checkNonNegative, checkOptionsOf, checkUnitInterval, defined, ensure } from './checks.js';
import { Optimizer, keepsNoGradient } from './optimizer.js';
import type { ParamGroup, ParamsInput } from './types.js';
import { ownValues, readValues, stateTensor, writeInPlace } from './storage.js';

/**
 * Options of {@link Adam} and {@link AdamW}; each may also be set per parameter group.
 *
 * @example
 * ```ts
 * const opts: AdamOptions = { lr: 3e-4, betas: [0.9, 0.95], amsgrad: true };
 * ```
 * @category Optimizers
 */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment estimates, each in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** Adam: L2 penalty added to the gradient; AdamW: decoupled decay `p ← p(1 − lr·λ)` (default 0, AdamW 0.01). */
  weightDecay?: number;
  /** Use the running maximum of the second moment (AMSGrad; default false). */
  amsgrad?: boolean;
  /** Ascend instead of descend (default false). */
  maximize?: boolean;
}

/**
 * The resolved hyper-parameters of an {@link Adam} or {@link AdamW} parameter group.
 *
 * @example
 * ```ts
 * const h: AdamHyperParams = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
 * ```
 * @category Optimizers
 */
export type AdamHyperParams = Required<AdamOptions>;

/**
 * Per-parameter state of {@link Adam} and {@link AdamW}.
 *
 * @example
 * ```ts
 * const s = optimizer.state.get(w); // { step, expAvg, expAvgSq, maxExpAvgSq? }
 * ```
 * @category Optimizers
 */
export type AdamState = {
  /** Number of updates this parameter has received. */
  step: number;
  /** First moment estimate (running mean of gradients). */
  expAvg: Tensor;
  /** Second moment estimate (running mean of squared gradients). */
  expAvgSq: Tensor;
  /** Running maximum of `expAvgSq` (AMSGrad only). */
  maxExpAvgSq?: Tensor;
};

const ADAM_DEFAULTS = { lr: 1e-3, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
const ADAM_KEYS = [...Object.keys(ADAM_DEFAULTS), 'betas'];

/**
 * Adam: adaptive moment estimation with bias correction, optionally AMSGrad and L2 weight decay.
 *
 * With `g ← ∇f(p) + λp` and step count `t`: `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²`, then
 * `p ← p − lr/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)` where `v̂` is `v` (or its running max with
 * AMSGrad). For weight decay that is not scaled by the adaptive step, use {@link AdamW}.
 *
 * @example
 * ```ts
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
 * optimizer.zeroGrad();
 * loss.backward();
 * optimizer.step();
 * ```
 * @category Optimizers
 */
export class Adam extends Optimizer<AdamHyperParams, AdamState> {
  /**
   * Builds the optimizer over tensors or parameter groups.
   *
   * @example
   * ```ts
   * new Adam([{ params: weights, weightDecay: 1e-4 }, { params: biases }], { lr: 1e-3 });
   * ```
   */
  constructor(params: ParamsInput<AdamHyperParams>, options: AdamOptions = {}) {
    super(params, { ...ADAM_DEFAULTS, betas: [0.9, 0.999], ...defined(checkOptionsOf<AdamOptions>('Adam', options, ADAM_KEYS)) });
  }

  /** @inheritDoc */
  protected override get label(): string {
    return 'Adam';
  }

  /** Whether weight decay is decoupled from the gradient (AdamW) rather than an L2 term (Adam). */
  protected get decoupled(): boolean {
    return false;
  }

  /** @inheritDoc */
  protected checkHyperParams(h: AdamHyperParams): void {
    const name = this.label;
    checkNonNegative(name, 'lr', h.lr);
    checkNonNegative(name, 'eps', h.eps);
    checkNonNegative(name, 'weightDecay', h.weightDecay);
    ensure(Array.isArray(h.betas) && h.betas.length === 2, name, `invalid betas (got ${describeValue(h.betas)}, expected a pair [beta1, beta2])`);
    checkUnitInterval(name, 'betas[0]', h.betas[0]);
    checkUnitInterval(name, 'betas[1]', h.betas[1]);
    checkBoolean(name, 'amsgrad', h.amsgrad);
    checkBoolean(name, 'maximize', h.maximize);
  }

  /** @inheritDoc */
  protected override get residentState(): boolean {
    return true;
  }

  /** @inheritDoc */
  protected override get stateKeys(): { required: readonly string[]; optional: readonly string[] } {
    return { required: ['step', 'expAvg', 'expAvgSq'], optional: ['maxExpAvgSq'] };
  }

  /** @inheritDoc */
  protected initState(p: Tensor, group: ParamGroup<AdamHyperParams>): AdamState {
    const s: AdamState = { step: 0, expAvg: stateTensor(p, undefined, 0, true), expAvgSq: stateTensor(p, undefined, 0, true) };
    if (group.amsgrad) s.maxExpAvgSq = stateTensor(p, undefined, 0, true);
    return s;
  }

  /** @inheritDoc */
  protected update(p: Tensor, grad: Tensor, group: ParamGroup<AdamHyperParams>, s: AdamState): void {
    const { lr, betas: [b1, b2], eps, weightDecay: wd, amsgrad, maximize } = group;
    const t = ++s.step;
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    // AdamW shrinks p before the adaptive step; Adam folds λp into the gradient instead.
    const shrink = this.decoupled ? 1 - lr * wd : 1;
    const l2 = this.decoupled ? 0 : wd;
    const sign = maximize ? -1 : 1;
    const G = readValues(grad);
    const M = ownValues(s.expAvg);
    const V = ownValues(s.expAvgSq);
    // amsgrad switched on after the first step (e.g. via a loaded group) starts its max from v.
    const Vmax = amsgrad ? ownValues((s.maxExpAvgSq ??= stateTensor(p, V, 0, true))) : null;
    // One fused pass (float32: WebAssembly SIMD in float32 arithmetic, as PyTorch's float32 Adam).
    writeInPlace(p, (P) => fusedAdamUpdate(P, G, M, V, Vmax, { sign, l2, beta1: b1, beta2: b2, shrink, stepSize, bc2Sqrt, eps }));
  }
}

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter), default `weightDecay` 0.01.
 *
 * Each step first shrinks the parameter, `p ← p(1 − lr·λ)`, then applies the Adam update of the
 * plain gradient, so the decay is not rescaled by the adaptive denominator.
 *
 * @example
 * ```ts
 * const optimizer = new AdamW(model.parameters(), { lr: 3e-4, weightDecay: 0.05 });
 * ```
 * @category Optimizers
 */
export class AdamW extends Adam {
  /**
   * Builds the optimizer over tensors or parameter groups (`weightDecay` defaults to 0.01).
   *
   * @example
   * ```ts
   * new AdamW([{ params: weights }, { params: biasesAndNorms, weightDecay: 0 }]);
   * ```
   */
  constructor(params: ParamsInput<AdamHyperParams>, options: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...defined(checkOptionsOf<AdamOptions>('AdamW', options, ADAM_KEYS)) });
  }

  /** @inheritDoc */
  protected override get label(): string {
    return 'AdamW';
  }

  /** @inheritDoc */
  protected override get decoupled(): boolean {
    return true;
  }
}

// Reads its gradient's values during the call and keeps nothing of it.
keepsNoGradient((Adam.prototype as unknown as { update: object }).update);
