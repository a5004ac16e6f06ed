// The checks the training loop's public functions share, so a wrong argument is reported by the
// function the user called (`fit: optimizer must be …`) before anything runs or changes.
import { Tensor, checkCallback, checkOptions, checkTensor, describeValue, fail } from '@tapegrad/autograd';
import { Optimizer } from '@tapegrad/optim';
import type { BatchSource, LossFn, StepContext, TrainableModel } from './types.js';

/** Throws `Error('<owner>: <message>')` unless `condition` holds. */
export function ensure(condition: boolean, owner: string, message: string): asserts condition {
  if (!condition) throw new Error(`${owner}: ${message}`);
}

/** The keys of fit's options (checkpoint functions accept that object as their parts too). */
export const FIT_KEYS = [
  'model', 'optimizer', 'trainData', 'valData', 'epochs', 'loss', 'metrics', 'step', 'earlyStopping', 'scheduler', 'monitor',
  'checkpoint', 'resume', 'progress', 'onEpochEnd',
];

/** A plain object (not null, an array, a Tensor or a class instance such as a Map). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** An options argument: `undefined` is `{}`; otherwise a plain object with only `known` keys. */
export function checkOptionsArg<T extends object>(owner: string, v: unknown, known: readonly string[], name = 'options'): Partial<T> {
  if (v === undefined) return {};
  if (!isPlainObject(v)) fail(owner, `${name} must be an object`, v, `an object with keys among ${known.join(', ')}`);
  return checkOptions(owner, v as T, known);
}

/** A model fit can train: an object with forward, parameters, train and eval methods (an nn Module). */
export function checkModel(owner: string, model: unknown): asserts model is TrainableModel {
  const m = model as Record<string, unknown> | null;
  const ok = m !== null && typeof m === 'object' && ['forward', 'parameters', 'train', 'eval'].every((k) => typeof m[k] === 'function');
  if (!ok) fail(owner, 'model must be a trainable model', model, 'an nn Module (an object with forward, parameters, train and eval methods)');
}

/** An optimizer of @tapegrad/optim. */
export function checkOptimizer(owner: string, optimizer: unknown): asserts optimizer is Optimizer {
  if (!(optimizer instanceof Optimizer)) fail(owner, 'optimizer must be an Optimizer', optimizer, 'an SGD, Adam, ... instance');
}

/** A source of batches: an iterable (a DataLoader or an array of [inputs, targets] pairs), not a string. */
export function checkBatchSource(owner: string, name: string, data: unknown): asserts data is BatchSource {
  const iterable = data !== null && typeof data === 'object' && Symbol.iterator in data;
  if (!iterable) fail(owner, `${name} must be an iterable of [inputs, targets] batches`, data, 'a DataLoader or an array of [Tensor, Tensor] pairs');
}

/** One batch from a batch source: `[inputs, targets]`, both tensors. */
export function checkBatch(owner: string, name: string, batch: unknown, index: number): asserts batch is readonly [Tensor, Tensor] {
  if (!Array.isArray(batch) || batch.length !== 2 || !(batch[0] instanceof Tensor) || !(batch[1] instanceof Tensor)) {
    fail(owner, `${name} batch ${index} must be [inputs, targets]`, batch, 'a pair of Tensors');
  }
}

/** The context of one training step. */
export function checkStepContext(owner: string, ctx: unknown): asserts ctx is StepContext {
  if (!isPlainObject(ctx)) fail(owner, 'the step context must be an object', ctx, '{ model, optimizer, inputs, targets, loss, epoch?, batch? }');
  checkOptions(owner, ctx, ['model', 'optimizer', 'inputs', 'targets', 'loss', 'epoch', 'batch']);
  checkModel(owner, ctx.model);
  checkOptimizer(owner, ctx.optimizer);
  checkTensor(owner, 'inputs', ctx.inputs);
  checkTensor(owner, 'targets', ctx.targets);
  checkCallback(owner, 'loss', ctx.loss);
}

/** Calls `loss` and checks it returned a scalar tensor (the mean over the batch). */
export function checkedLoss(owner: string, loss: LossFn, outputs: Tensor, targets: Tensor): Tensor {
  const value: unknown = loss(outputs, targets);
  if (!(value instanceof Tensor) || value.size !== 1) {
    fail(owner, 'the loss function must return a scalar tensor', value, 'a Tensor with one element (e.g. a mean over the batch)');
  }
  return value;
}

/** Describes a value for a message (re-exported for the modules here). */
export { describeValue };
