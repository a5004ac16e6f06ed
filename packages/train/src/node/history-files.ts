// The learning-curve chart written to a file.
import { describeValue } from '@tapegrad/autograd';
import { writeFileAtomic } from '@tapegrad/autograd/node';
import { historySvgAs, type HistorySvgOptions } from '../history-svg.js';

/**
 * Writes historyToSvg's chart of `history` to `path` (the same options), atomically: a failed
 * write leaves an existing file as it was.
 *
 * @example
 * ```ts
 * const { history } = fit({ model, optimizer, trainData, valData, epochs: 20, loss: crossEntropy });
 * saveHistorySvg('out/history.svg', history, { epochOffset: 1 });
 * ```
 * @category Training
 */
export function saveHistorySvg(path: string, history: readonly object[], options: HistorySvgOptions = {}): void {
  if (typeof path !== 'string' || path === '') throw new Error(`saveHistorySvg: path must be a non-empty string (got ${describeValue(path)}, expected a file path)`);
  const svg = historySvgAs('saveHistorySvg', history, options);
  try {
    writeFileAtomic(path, new TextEncoder().encode(svg));
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    throw new Error(msg.startsWith('writeFileAtomic: ') ? `saveHistorySvg: ${msg.slice(17)}` : `saveHistorySvg: cannot write ${path}: ${msg}`, { cause: e });
  }
}
