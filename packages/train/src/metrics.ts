// Metrics and evaluation. Epoch values are sums of per-batch means times batch sizes, divided by
// the number of samples, so a short last batch weighs what its samples weigh.
import { noGrad, type Tensor, checkTensor } from '@tapegrad/autograd';
import { checkBatch, checkBatchSource, checkModel, checkOptionsArg, checkedLoss, describeValue, ensure, isPlainObject } from './checks.js';
import type { BatchSource, LossFn, MetricFn, TrainableModel } from './types.js';

/**
 * Fraction of samples whose largest output is the target class, for outputs `[N, C]` (logits or
 * probabilities, C >= 2) and class-index targets `[N]`; `null` for any other shapes (e.g.
 * regression), so it can stay in the default metrics of every run. Targets that are not class
 * indices (fractional, negative, `>= C`) or a batch-size mismatch are an error, not a wrong number.
 *
 * @example
 * ```ts
 * accuracy(tensor([[2, 1], [0, 3], [5, 4]]), tensor([0, 1, 1])); // 2/3
 * accuracy(tensor([[0.5]]), tensor([[0.4]]));                    // null (not a classification)
 * accuracy(tensor([[2, 1]]), tensor([2]));                        // throws: targets[0] is not a class index
 * ```
 * @category Training
 */
export const accuracy: MetricFn = (outputs, targets) => {
  checkTensor('accuracy', 'outputs', outputs);
  checkTensor('accuracy', 'targets', targets);
  // Not a classification (regression outputs, one-hot or multi-label targets): the metric does not apply.
  if (outputs.ndim !== 2 || targets.ndim !== 1 || outputs.shape[1]! < 2) return null;
  const [n, classes] = outputs.shape as [number, number];
  if (targets.shape[0] !== n) {
    throw new Error(`accuracy: outputs and targets disagree on the batch size (got outputs of shape [${outputs.shape.join(',')}] and targets of shape [${targets.shape.join(',')}], expected targets of shape [${n}])`);
  }
  if (targets.dtype === 'bool') throw new Error(`accuracy: targets must be class indices (got a bool tensor, expected integers in [0, ${classes - 1}])`);
  const labels = targets.contiguousData();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new Error(`accuracy: targets[${i}] is not a class index (got ${c}, expected an integer in [0, ${classes - 1}] for ${classes} classes)`);
    }
  }
  if (n === 0) return null;
  const predicted = noGrad(() => outputs.argmax(1)).contiguousData();
  let hits = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) hits++;
  return hits / predicted.length;
};

/** Number of samples in a batch: the targets' first axis (1 for a 0-d target). */
export function batchSize(targets: Tensor): number {
  checkTensor('batchSize', 'targets', targets);
  return targets.ndim === 0 ? 1 : targets.shape[0]!;
}

/** Accumulates per-batch means into sample-weighted epoch means. */
export class MeanTracker {
  private readonly sums = new Map<string, { total: number; count: number }>();
  samples = 0;

  /** Adds one batch of `n` samples; `null` values (metric not applicable) are skipped. */
  add(values: Readonly<Record<string, number | null>>, n: number): void {
    this.samples += n;
    for (const [name, v] of Object.entries(values)) {
      if (v === null) continue;
      const s = this.sums.get(name) ?? { total: 0, count: 0 };
      s.total += v * n;
      s.count += n;
      this.sums.set(name, s);
    }
  }

  /** The weighted mean of `name` so far, or `null` if it never applied. */
  mean(name: string): number | null {
    const s = this.sums.get(name);
    return s === undefined || s.count === 0 ? null : s.total / s.count;
  }
}

/** Every metric of one batch, with the loss under the name `loss`. */
export function batchMetrics(loss: number, outputs: Tensor | undefined, targets: Tensor, metrics: Readonly<Record<string, MetricFn>>): Record<string, number | null> {
  checkTensor('batchMetrics', 'targets', targets);
  const values: Record<string, number | null> = { loss };
  for (const [name, fn] of Object.entries(metrics)) values[name] = outputs === undefined ? null : fn(outputs, targets);
  return values;
}

/**
 * Options of {@link evaluate}.
 *
 * @example
 * ```ts
 * const opts: EvaluateOptions = { loss: crossEntropy, metrics: { accuracy } };
 * ```
 * @category Training
 */
export interface EvaluateOptions {
  /** The loss to average; omit to compute only metrics. */
  loss?: LossFn;
  /** Metrics by name (default `{ accuracy }`). */
  metrics?: Readonly<Record<string, MetricFn>>;
}

/**
 * Runs the model over `data` in evaluation mode without recording the tape, and returns the loss
 * and each metric averaged over samples (`null` where a metric never applied). The model's
 * previous training/evaluation mode is restored afterwards when it has a `training` flag.
 *
 * @example
 * ```ts
 * const { loss, accuracy } = evaluate(model, testLoader, { loss: crossEntropy });
 * console.log(`test accuracy ${(accuracy! * 100).toFixed(2)}%`);
 * ```
 * @category Training
 */
export function evaluate(model: TrainableModel, data: BatchSource, options: EvaluateOptions = {}): Record<string, number | null> & { samples: number } {
  checkModel('evaluate', model);
  checkBatchSource('evaluate', 'data', data);
  const { loss, metrics = { accuracy } } = checkOptionsArg<EvaluateOptions>('evaluate', options, ['loss', 'metrics']);
  ensure(loss === undefined || typeof loss === 'function', 'evaluate', `loss must be a function (outputs, targets) => scalar tensor (got ${describeValue(loss)})`);
  ensure(isPlainObject(metrics) && Object.values(metrics).every((f) => typeof f === 'function'), 'evaluate',
    `metrics must be an object of functions by name, such as { accuracy } (got ${describeValue(metrics)})`);
  const wasTraining = (model as { training?: unknown }).training;
  const tracker = new MeanTracker();
  model.eval();
  try {
    noGrad(() => {
      let index = 0;
      for (const batch of data) {
        checkBatch('evaluate', 'data', batch, index++);
        const [inputs, targets] = batch;
        const outputs = model.forward(inputs);
        const values = batchMetrics(loss ? checkedLoss('evaluate', loss, outputs, targets).item() : NaN, outputs, targets, metrics);
        if (!loss) delete values.loss;
        tracker.add(values, batchSize(targets));
      }
    });
  } finally {
    if (wasTraining === true) model.train(true);
  }
  const out: Record<string, number | null> = {};
  if (loss) out.loss = tracker.mean('loss');
  for (const name of Object.keys(metrics)) out[name] = tracker.mean(name);
  return Object.assign(out, { samples: tracker.samples });
}
