/**
 * The Node-only part of `@tapegrad/autograd`: tensor files on disk ({@link saveTensors},
 * {@link loadTensors}, {@link saveSafetensors}, {@link loadSafetensors}) and graph pictures
 * rendered with the Graphviz `dot` program ({@link renderSvg}, {@link saveGraph}). Everything
 * else, including the byte formats (`serializeTensors`, `deserializeTensors`, `parseSafetensors`,
 * `serializeSafetensors`) and `toDot`, is in the main entry point, which also runs in browsers.
 *
 * @example
 * ```ts
 * import { randn } from '@tapegrad/autograd';
 * import { saveTensors, loadTensors } from '@tapegrad/autograd/node';
 * saveTensors('weights.tg', { w: randn([2, 3]) });
 * const { tensors } = loadTensors('weights.tg');
 * ```
 * @module node
 */
export { saveTensors, loadTensors, writeFileAtomic } from './files.js';
export { saveSafetensors, loadSafetensors } from './safetensors-files.js';
export { renderSvg, saveGraph } from './graph-files.js';
export type { RenderOptions, SaveGraphOptions, SavedGraph } from './graph-files.js';
