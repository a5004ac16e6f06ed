// The shapes the trainer works with, typed structurally so @tapegrad/optim depends on neither
// @tapegrad/nn (any object with these methods is a model) nor @tapegrad/data (any iterable of
// [inputs, targets] pairs is a data source).
import type { Tensor } from '@tapegrad/autograd';
import type { Optimizer } from '@tapegrad/optim';

/**
 * What {@link fit} needs of a model: an `nn.Module` fits as is, and so does any object with
 * these methods.
 *
 * @example
 * ```ts
 * const model: TrainableModel = new Sequential(new Linear(4, 16), new ReLU(), new Linear(16, 3));
 * ```
 * @category Training
 */
export interface TrainableModel {
  /** Outputs for one batch of inputs. */
  forward(inputs: Tensor): Tensor;
  /** The tensors to optimize (used for nothing else: the optimizer already holds them). */
  parameters(): Iterable<Tensor>;
  /** Training mode (Dropout active, BatchNorm updating its statistics). */
  train(mode?: boolean): unknown;
  /** Evaluation mode, used during validation. */
  eval(): unknown;
  /** Parameters and buffers by name, sharing storage with the model. */
  stateDict(): Record<string, Tensor>;
  /** Copies tensors of the same names into the model. */
  loadStateDict(state: Readonly<Record<string, Tensor>>): unknown;
}

/**
 * A source of `[inputs, targets]` batches: a `DataLoader`, an array of pairs, or any iterable
 * that can be iterated once per epoch. `length` (batches per epoch), when present, feeds the
 * progress bar's ETA.
 *
 * @example
 * ```ts
 * const data: BatchSource = [[x.slice([0, 32]), y.slice([0, 32])], [x.slice([32, 64]), y.slice([32, 64])]];
 * ```
 * @category Training
 */
export type BatchSource = Iterable<readonly [Tensor, Tensor]> & { readonly length?: number };

/**
 * A loss of the model's outputs against the batch's targets, reduced to a scalar mean over the
 * batch (such as `nn.crossEntropy` or `nn.mseLoss`).
 *
 * @example
 * ```ts
 * const loss: LossFn = (outputs, targets) => crossEntropy(outputs, targets);
 * ```
 * @category Training
 */
export type LossFn = (outputs: Tensor, targets: Tensor) => Tensor;

/**
 * A per-batch metric: the batch's mean value, or `null` when it does not apply to these outputs
 * and targets. Epoch values are means over batches weighted by batch size.
 *
 * @example
 * ```ts
 * const meanAbsError: MetricFn = (outputs, targets) => outputs.sub(targets).abs().mean().item();
 * ```
 * @category Training
 */
export type MetricFn = (outputs: Tensor, targets: Tensor) => number | null;

/**
 * What a training step sees: the model and optimizer themselves (nothing is hidden), the batch,
 * the loss function given to {@link fit}, and where the step is in the run.
 *
 * @example
 * ```ts
 * const step = ({ model, optimizer, inputs, targets, loss }: StepContext) => {
 *   optimizer.zeroGrad();
 *   const outputs = model.forward(inputs);
 *   const value = loss(outputs, targets);
 *   value.backward();
 *   optimizer.step();
 *   return { loss: value, outputs };
 * };
 * ```
 * @category Training
 */
export interface StepContext<M extends TrainableModel = TrainableModel> {
  /** The model being trained (in training mode). */
  model: M;
  /** The optimizer given to {@link fit}. */
  optimizer: Optimizer;
  /** This batch's inputs. */
  inputs: Tensor;
  /** This batch's targets. */
  targets: Tensor;
  /** The loss function given to {@link fit}. */
  loss: LossFn;
  /** Epoch number, from 0 (the progress lines print it from 1). */
  epoch: number;
  /** Batch number within the epoch, from 0. */
  batch: number;
}

/**
 * What a step returns: the batch's loss (a scalar tensor or a number) and, to compute metrics such
 * as accuracy on the training data, the model's outputs for the batch.
 *
 * @example
 * ```ts
 * const result: StepResult = { loss: 0.31, outputs: logits };
 * ```
 * @category Training
 */
export interface StepResult {
  /** The batch's mean loss. */
  loss: Tensor | number;
  /** The outputs the loss was computed from; without them training metrics are `null`. */
  outputs?: Tensor;
}

/**
 * A per-batch training step: everything from clearing gradients to the optimizer update.
 *
 * @example
 * ```ts
 * const noisy: StepFn = (ctx) => trainStep({ ...ctx, inputs: ctx.inputs.add(randn(ctx.inputs.shape).mul(0.1)) });
 * ```
 * @category Training
 */
export type StepFn<M extends TrainableModel = TrainableModel> = (ctx: StepContext<M>) => StepResult;

/**
 * One epoch of a run, as {@link fit} records it. Losses and metrics are means over samples;
 * `null` where there is no validation data or a metric does not apply. A custom metric `name`
 * adds `train<Name>` and `val<Name>` fields (`{ top3 }` gives `trainTop3`, `valTop3`).
 *
 * @example
 * ```ts
 * const record: EpochRecord = {
 *   epoch: 0, trainLoss: 0.41, trainAccuracy: 0.88, valLoss: 0.19, valAccuracy: 0.94,
 *   lr: 0.002, seconds: 14.2, samplesPerSecond: 610,
 * };
 * ```
 * @category Training
 */
export interface EpochRecord {
  /** Epoch number, from 0 (the progress lines print it from 1). */
  epoch: number;
  /** Mean training loss over the epoch (the weights changed during it). */
  trainLoss: number;
  /** Training accuracy over the epoch, or `null`. */
  trainAccuracy: number | null;
  /** Validation loss after the epoch, or `null` without validation data. */
  valLoss: number | null;
  /** Validation accuracy after the epoch, or `null`. */
  valAccuracy: number | null;
  /** Learning rate of the first parameter group during the epoch. */
  lr: number;
  /** Wall time of the epoch, training and validation, in seconds. */
  seconds: number;
  /** Training samples per second. */
  samplesPerSecond: number;
  /** Further metrics, `train<Name>` and `val<Name>`. */
  [metric: string]: number | null;
}
