// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
// following torch.optim.SGD's update equations.
import { fusedSgdUpdate, type Tensor } from '@tapegrad/autograd';
import { checkBoolean, checkNonNegative, checkOptionsOf, defined, ensure } from './checks.js';
import { Optimizer, keepsNoGradient } from './optimizer.js';
import type { ParamGroup, ParamsInput } from './types.js';
import { ownValues, readValues, stateTensor, writeInPlace } from './storage.js';

/**
 * Options of {@link SGD}; each may also be set per parameter group.
 *
 * @example
 * ```ts
 * const opts: SGDOptions = { lr: 0.1, momentum: 0.9, nesterov: true };
 * ```
 * @category Optimizers
 */
export interface SGDOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Momentum factor (default 0: plain gradient descent). */
  momentum?: number;
  /** Dampening of the gradient's contribution to the momentum buffer (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient: `g + weightDecay·p` (default 0). */
  weightDecay?: number;
  /** Ascend instead of descend (default false). */
  maximize?: boolean;
}

/**
 * The resolved hyper-parameters of an {@link SGD} parameter group.
 *
 * @example
 * ```ts
 * const h: SGDHyperParams = { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false };
 * ```
 * @category Optimizers
 */
export type SGDHyperParams = Required<SGDOptions>;

/**
 * Per-parameter state of {@link SGD}: the momentum buffer, present once a step ran with momentum.
 *
 * @example
 * ```ts
 * optimizer.state.get(w)?.momentumBuffer;
 * ```
 * @category Optimizers
 */
export type SGDState = { momentumBuffer?: Tensor };

/**
 * Stochastic gradient descent, optionally with (Nesterov) momentum and weight decay.
 *
 * With `g ← ∇f(p) + λp` (negated when `maximize`), each step does
 * `b ← μb + (1 − τ)g` (`b ← g` on the first step), then `p ← p − lr·(g + μb)` with Nesterov or
 * `p ← p − lr·b` without; with `momentum = 0`, simply `p ← p − lr·g`.
 *
 * @example
 * ```ts
 * const optimizer = new SGD([w, b], { lr: 0.1, momentum: 0.9 });
 * for (let i = 0; i < 100; i++) {
 *   optimizer.zeroGrad();
 *   loss(w, b).backward();
 *   optimizer.step();
 * }
 * ```
 * @category Optimizers
 */
export class SGD extends Optimizer<SGDHyperParams, SGDState> {
  /**
   * Builds the optimizer over tensors or parameter groups.
   *
   * @example
   * ```ts
   * new SGD(model.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
   * ```
   */
  constructor(params: ParamsInput<SGDHyperParams>, options: SGDOptions = {}) {
    const defaults: SGDHyperParams = { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false };
    super(params, { ...defaults, ...defined(checkOptionsOf<SGDOptions>('SGD', options, Object.keys(defaults))) });
  }

  /** @inheritDoc */
  protected override get label(): string {
    return 'SGD';
  }

  /** @inheritDoc */
  protected checkHyperParams(h: SGDHyperParams): void {
    checkNonNegative('SGD', 'lr', h.lr);
    checkNonNegative('SGD', 'momentum', h.momentum);
    checkNonNegative('SGD', 'dampening', h.dampening);
    checkNonNegative('SGD', 'weightDecay', h.weightDecay);
    checkBoolean('SGD', 'nesterov', h.nesterov);
    checkBoolean('SGD', 'maximize', h.maximize);
    ensure(!h.nesterov || (h.momentum > 0 && h.dampening === 0), 'SGD',
      `invalid nesterov true with momentum ${h.momentum} and dampening ${h.dampening} (Nesterov momentum needs momentum > 0 and dampening 0)`);
  }

  /** @inheritDoc */
  protected override get residentState(): boolean {
    return true;
  }

  /** @inheritDoc */
  protected override get stateKeys(): { required: readonly string[]; optional: readonly string[] } {
    return { required: [], optional: ['momentumBuffer'] };
  }

  /** @inheritDoc */
  protected initState(): SGDState {
    return {};
  }

  /** @inheritDoc */
  protected update(p: Tensor, grad: Tensor, group: ParamGroup<SGDHyperParams>, s: SGDState): void {
    const { lr, momentum: mu, dampening, nesterov, weightDecay: wd, maximize } = group;
    const G = readValues(grad);
    const sign = maximize ? -1 : 1;
    // The buffer starts as the first gradient itself (no dampening on step one), as in PyTorch.
    const first = mu !== 0 && s.momentumBuffer === undefined;
    const B = mu === 0 ? null : ownValues((s.momentumBuffer ??= stateTensor(p, undefined, 0, true)));
    // One fused pass (float32: WebAssembly SIMD in float32 arithmetic, as PyTorch's float32 SGD).
    writeInPlace(p, (P) => fusedSgdUpdate(P, G, B, { sign, l2: wd, lr, momentum: mu, dampening, nesterov, first }));
  }
}

// Reads its gradient's values during the call and keeps nothing of it.
keepsNoGradient((SGD.prototype as unknown as { update: object }).update);
