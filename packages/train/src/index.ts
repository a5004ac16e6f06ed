/**
 * The training loop for tapegrad models, as Lightning is to PyTorch: `fit` (custom per-batch
 * steps, validation, history, early stopping, schedulers, checkpoints with exact resume, progress
 * output), `trainStep`, `evaluate`, metrics and SVG learning curves. Checkpoints are bytes, so
 * training runs in browsers too; `@tapegrad/train/node` writes them (and charts) to files. See
 * `docs/training.md`.
 *
 * @example
 * ```ts
 * import { fit } from '@tapegrad/train';
 * const { history, bestEpoch } = fit({
 *   model, optimizer, trainData: trainLoader, valData: valLoader, epochs: 20, loss: crossEntropy,
 *   earlyStopping: { monitor: 'valLoss', patience: 3, restoreBestWeights: true },
 * });
 * ```
 * @module
 */
export { fit, trainStep } from './fit.js';
export type { FitOptions, FitResult, CheckpointOptions, CheckpointWriter, EpochScheduler } from './fit.js';
export type { FitProgress, FitProgressOption } from './fit-progress.js';
export { EarlyStopping } from './early-stopping.js';
export type { EarlyStoppingOptions, EarlyStoppingState } from './early-stopping.js';
export { serializeCheckpoint, restoreCheckpoint } from './checkpoint.js';
export type { CheckpointParts, CheckpointProgress, LoadedCheckpoint, Resumable } from './checkpoint.js';
export { accuracy, evaluate } from './metrics.js';
export type { EvaluateOptions } from './metrics.js';
export type { TrainableModel, BatchSource, LossFn, MetricFn, StepContext, StepResult, StepFn, EpochRecord } from './types.js';
export { ProgressReporter } from './progress-reporter.js';
export type { ProgressReporterOptions, ProgressStream, BatchProgress } from './progress-reporter.js';
export { formatEpochLine } from './progress-format.js';
export type { EpochSummary } from './progress-format.js';
export { historyToSvg } from './history-svg.js';
export type { HistorySvgOptions, HistoryPanel, HistorySeries } from './history-svg.js';
