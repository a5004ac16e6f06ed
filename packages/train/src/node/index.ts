/**
 * The Node-only part of `@tapegrad/train`: checkpoint files (`checkpointDir` for `fit`,
 * `readCheckpoint` for its `resume`, `saveCheckpoint`/`loadCheckpoint` for loops of your own) and
 * the learning-curve chart written to a file.
 *
 * @example
 * ```ts
 * import { fit } from '@tapegrad/train';
 * import { checkpointDir, readCheckpoint, saveHistorySvg } from '@tapegrad/train/node';
 * const { history } = fit({ ...options, checkpoint: { write: checkpointDir('out/checkpoints') } });
 * saveHistorySvg('out/history.svg', history);
 * fit({ ...options, epochs: 40, resume: readCheckpoint('out/checkpoints/last.tg') });
 * ```
 * @module node
 */
export { saveCheckpoint, loadCheckpoint, readCheckpoint, checkpointDir } from './checkpoint-files.js';
export { saveHistorySvg } from './history-files.js';
