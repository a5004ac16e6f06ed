/**
 * Optimizers (SGD, Adam, AdamW, RMSprop, Adagrad) with parameter groups and resumable state,
 * learning-rate schedulers, and gradient clipping. Optimizers take any `Iterable<Tensor>` (such as
 * a module's `parameters()`) or parameter groups, and update parameters in place outside the tape.
 * The training loop (`fit`, checkpoints, progress, learning curves) is in `@tapegrad/train`.
 *
 * @example
 * ```ts
 * import { AdamW, CosineAnnealingLR, clipGradNorm } from '@tapegrad/optim';
 * const optimizer = new AdamW(model.parameters(), { lr: 1e-3 });
 * const scheduler = new CosineAnnealingLR(optimizer, { tMax: epochs });
 * for (let epoch = 0; epoch < epochs; epoch++) {
 *   for (const batch of batches) {
 *     optimizer.zeroGrad();
 *     lossOf(batch).backward();
 *     clipGradNorm(model.parameters(), 1.0);
 *     optimizer.step();
 *   }
 *   scheduler.step();
 * }
 * ```
 * @module
 */
export { Optimizer } from './optimizer.js';
export type { HyperParams, ParamGroup, ParamGroupInput, ParamsInput, ParamState, ParamGroupState, OptimizerStateDict } from './types.js';
export { flattenStateDict, unflattenStateDict, encodeJson, decodeJson } from './state-dict.js';
export type { FlatStateDict, FlatStateMeta } from './state-dict.js';
export { SGD } from './sgd.js';
export type { SGDOptions, SGDHyperParams, SGDState } from './sgd.js';
export { Adam, AdamW } from './adam.js';
export type { AdamOptions, AdamHyperParams, AdamState } from './adam.js';
export { RMSprop } from './rmsprop.js';
export type { RMSpropOptions, RMSpropHyperParams, RMSpropState } from './rmsprop.js';
export { Adagrad } from './adagrad.js';
export type { AdagradOptions, AdagradHyperParams, AdagradState } from './adagrad.js';
export { LRScheduler, LambdaLR } from './lr-scheduler.js';
export type { LrSchedule, LRSchedulerStateDict, LambdaLROptions } from './lr-scheduler.js';
export { StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR } from './schedules.js';
export type { StepLROptions, MultiStepLROptions, ExponentialLROptions, CosineAnnealingLROptions, LinearLROptions } from './schedules.js';
export { SequentialLR } from './sequential-lr.js';
export type { SequentialLROptions } from './sequential-lr.js';
export { ReduceLROnPlateau } from './plateau.js';
export type { ReduceLROnPlateauOptions, ReduceLROnPlateauStateDict } from './plateau.js';
export { clipGradNorm, clipGradValue } from './clip.js';
export type { ClipGradNormOptions } from './clip.js';
