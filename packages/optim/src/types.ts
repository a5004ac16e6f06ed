// The types of parameter groups, per-parameter state and optimizer state dicts.
import type { Tensor } from '@tapegrad/autograd';

/**
 * Hyper-parameters every optimizer has: the learning rate, which schedulers adjust.
 *
 * @example
 * ```ts
 * const h: HyperParams = { lr: 0.1 };
 * ```
 * @category Optimizers
 */
export interface HyperParams {
  /** Learning rate. */
  lr: number;
}

/**
 * A parameter group as the optimizer holds it: its tensors and the full set of hyper-parameters
 * (the group's overrides merged over the optimizer's defaults). Change `lr` here to adjust it by
 * hand; schedulers do the same.
 *
 * @example
 * ```ts
 * for (const group of optimizer.paramGroups) group.lr *= 0.5;
 * ```
 * @category Optimizers
 */
export type ParamGroup<H extends HyperParams = HyperParams> = H & {
  /** The tensors this group updates. */
  params: Tensor[];
  /** The learning rate the first scheduler attached to this optimizer started from. */
  initialLr?: number;
};

/**
 * A parameter group as passed to an optimizer: tensors plus any hyper-parameters that differ from
 * the optimizer's defaults.
 *
 * @example
 * ```ts
 * const group: ParamGroupInput<AdamHyperParams> = { params: [bias], weightDecay: 0 };
 * ```
 * @category Optimizers
 */
export type ParamGroupInput<H extends HyperParams = HyperParams> = Partial<H> & { params: Iterable<Tensor> };

/**
 * What an optimizer accepts: tensors (one group) or parameter groups.
 *
 * @example
 * ```ts
 * const a: ParamsInput<SGDHyperParams> = [w, b];
 * const b: ParamsInput<SGDHyperParams> = [{ params: [w] }, { params: [b], lr: 0.01 }];
 * ```
 * @category Optimizers
 */
export type ParamsInput<H extends HyperParams = HyperParams> = Iterable<Tensor> | Iterable<ParamGroupInput<H>>;

/**
 * Per-parameter optimizer state: buffers shaped like the parameter and counters.
 *
 * @example
 * ```ts
 * const s: ParamState = { step: 3, expAvg: zeros([2]) };
 * ```
 * @category Optimizers
 */
export type ParamState = { [key: string]: Tensor | number | undefined };

/**
 * A parameter group in a state dict: its hyper-parameters and the indices of its tensors in the
 * order the optimizer lists them across all groups.
 *
 * @example
 * ```ts
 * const g: ParamGroupState = { params: [0, 1], lr: 0.1, momentum: 0.9 };
 * ```
 * @category Optimizers
 */
export type ParamGroupState = { params: number[]; [hyperParam: string]: unknown };

/**
 * A snapshot of an optimizer (like PyTorch's `optimizer.state_dict()`): per-parameter state keyed
 * by parameter index, and the groups' hyper-parameters. Tensors in it are copies, so training on
 * does not change a saved snapshot. Flatten it for `saveTensors` with {@link flattenStateDict}.
 *
 * @example
 * ```ts
 * const snapshot: OptimizerStateDict = optimizer.stateDict();
 * snapshot.state[0]?.step; // steps taken by the first parameter
 * ```
 * @category Optimizers
 */
export interface OptimizerStateDict {
  /** State of each parameter that has any, keyed by its index. */
  state: Record<number, Record<string, Tensor | number>>;
  /** Hyper-parameters of each group, with parameter indices in place of tensors. */
  paramGroups: ParamGroupState[];
}
