// Weight files: a model's state dict in autograd's tensor file format (dtype and shape recorded,
// validated on load, written atomically).
import { loadTensors, saveTensors } from '@tapegrad/autograd/node';
import { Module } from '../module.js';
import { legacyCounter, pytorchKey } from '../slots.js';
import type { LoadStateDictOptions, LoadStateDictResult } from '../state-dict.js';

/**
 * Saves every parameter and buffer of `model` (its `stateDict()`) to `path`, with optional
 * JSON-serializable metadata (epoch, config...). The write is atomic: a crash never leaves a
 * half-written file.
 *
 * @example
 * ```ts
 * saveModel(model, 'mlp.tg', { epoch: 10 });
 * ```
 * @category Serialization
 */
export function saveModel(model: Module, path: string, meta: unknown = null): void {
  if (!(model instanceof Module)) throw new Error(`saveModel: model must be a Module (got ${model === null ? 'null' : typeof model}, expected a Module)`);
  calledAs('saveModel', () => saveTensors(path, model.stateDict(), meta));
}

/** Runs a file helper and puts `fn` in place of the helper's name in its error. */
function calledAs<T>(fn: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    const m = e instanceof Error ? /^(saveTensors|loadTensors|writeFileAtomic): /.exec(e.message) : null;
    if (m) throw new Error(`${fn}: ${(e as Error).message.slice(m[0].length)}`, { cause: e });
    throw e;
  }
}

/**
 * What {@link loadModel} returns: the metadata saved with the weights and the keys that did not
 * match (empty under `strict`).
 *
 * @example
 * ```ts
 * const { meta }: LoadModelResult = loadModel(model, 'mlp.tg');
 * ```
 * @category Serialization
 */
export interface LoadModelResult extends LoadStateDictResult {
  /** The metadata passed to {@link saveModel} (`null` when none). */
  meta: unknown;
}

/**
 * Loads weights saved by {@link saveModel} into `model` (built with the same architecture). The
 * file is validated, then checked against the model as {@link Module.loadStateDict} does; on any
 * error the model is left unchanged and the message names the file and the keys at fault.
 *
 * @example
 * ```ts
 * const model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1));
 * const { meta } = loadModel(model, 'mlp.tg');
 * ```
 * @category Serialization
 */
export function loadModel(model: Module, path: string, options: LoadStateDictOptions = {}): LoadModelResult {
  if (!(model instanceof Module)) throw new Error(`loadModel: model must be a Module (got ${model === null ? 'null' : typeof model}, expected a Module)`);
  const { tensors, meta } = calledAs('loadModel', () => loadTensors(path));
  // Files written before state-dict names followed PyTorch hold camelCase keys ('bn.runningMean'):
  // spelling every key the PyTorch way reads them and leaves newer files unchanged.
  // They also hold BatchNorm's counter as a float; it is an int32 now, as PyTorch's is an integer.
  const state = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [pytorchKey(k), legacyCounter(pytorchKey(k), t)]));
  try {
    return { ...model.loadStateDict(state, options), meta };
  } catch (e) {
    throw new Error(`loadModel: ${path}: ${(e as Error).message}`, { cause: e });
  }
}
