/**
 * The Node-only part of `@tapegrad/nn`: a model's weights saved to and loaded from files. In a
 * browser, use the bytes directly: `serializeTensors(model.stateDict())` from
 * `@tapegrad/autograd`, and `model.loadStateDict(deserializeTensors(bytes).tensors)`.
 *
 * @example
 * ```ts
 * import { saveModel, loadModel } from '@tapegrad/nn/node';
 * saveModel(model, 'mlp.tg', { epoch: 10 });
 * loadModel(model, 'mlp.tg');
 * ```
 * @module node
 */
export { saveModel, loadModel } from './model-files.js';
export type { LoadModelResult } from './model-files.js';
