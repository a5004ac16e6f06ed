// The learning-curve chart written to a file.
import { writeFileSync } from 'node:fs';
import { historyToSvg, type HistorySvgOptions } from '../history-svg.js';

/**
 * Writes {@link historyToSvg}'s chart of `history` to `path`.
 *
 * @example
 * ```ts
 * const { history } = fit({ model, optimizer, trainData, valData, epochs: 20, loss: crossEntropy });
 * saveHistorySvg('out/history.svg', history, { epochOffset: 1 });
 * ```
 * @category Training
 */
export function saveHistorySvg(path: string, history: readonly object[], options: HistorySvgOptions = {}): void {
  writeFileSync(path, historyToSvg(history, options));
}
