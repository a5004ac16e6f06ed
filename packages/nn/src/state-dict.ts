// Loading a state dict: every check runs before anything is copied, so a failed load leaves the
// model exactly as it was, and the error lists every offending key at once.
import { checkBoolean, checkOptions, describeValue, fail, noGrad, Tensor } from '@tapegrad/autograd';
import { fmtShape } from './format.js';

/**
 * Options of {@link Module.loadStateDict}.
 *
 * @example
 * ```ts
 * model.loadStateDict(state, { strict: false });
 * ```
 * @category Module
 */
export interface LoadStateDictOptions {
  /** Refuse missing and unexpected keys (default `true`). Shape and dtype mismatches are always refused. */
  strict?: boolean;
}

/**
 * What {@link Module.loadStateDict} did not match (always empty lists under `strict`).
 *
 * @example
 * ```ts
 * const { missingKeys, unexpectedKeys } = model.loadStateDict(state, { strict: false });
 * ```
 * @category Module
 */
export interface LoadStateDictResult {
  /** Keys of the model that the state did not provide (left unchanged). */
  missingKeys: string[];
  /** Keys of the state that the model does not have (ignored). */
  unexpectedKeys: string[];
}

const quoted = (keys: readonly string[]) => keys.map((k) => JSON.stringify(k)).join(', ');

/** Checks `state` against the model's tensors (`targets`) and copies it in, or throws without copying. */
export function loadState(
  modelName: string,
  targets: ReadonlyMap<string, Tensor>,
  state: Readonly<Record<string, Tensor>>,
  options: LoadStateDictOptions,
): LoadStateDictResult {
  const o = checkOptions('loadStateDict', options, ['strict']);
  const strict = o.strict === undefined ? true : checkBoolean('loadStateDict', 'strict', o.strict);
  if (state === null || typeof state !== 'object' || Array.isArray(state) || state instanceof Tensor) {
    fail('loadStateDict', 'state must be an object of tensors by name', state, `an object such as ${modelName}.stateDict() returns`);
  }
  const missingKeys = [...targets.keys()].filter((k) => !Object.hasOwn(state, k));
  const unexpectedKeys = Object.keys(state).filter((k) => !targets.has(k));
  const problems: string[] = [];
  if (strict && missingKeys.length > 0) problems.push(`missing key(s): ${quoted(missingKeys)}`);
  if (strict && unexpectedKeys.length > 0) problems.push(`unexpected key(s): ${quoted(unexpectedKeys)}`);
  for (const [key, target] of targets) {
    if (!Object.hasOwn(state, key)) continue;
    const src = state[key];
    if (!(src instanceof Tensor)) problems.push(`value of ${JSON.stringify(key)} is not a Tensor (got ${describeValue(src)})`);
    else if (fmtShape(src.shape) !== fmtShape(target.shape)) {
      problems.push(`shape mismatch for ${JSON.stringify(key)}: the model has ${fmtShape(target.shape)}, the state has ${fmtShape(src.shape)}`);
    } else if (src.dtype !== target.dtype) {
      problems.push(`dtype mismatch for ${JSON.stringify(key)}: the model has ${target.dtype}, the state has ${src.dtype} (convert with model.toDType('${src.dtype}') or src.toDType('${target.dtype}'))`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`loadStateDict: cannot load state into ${modelName} (the model was left unchanged):\n  ${problems.join('\n  ')}`);
  }
  // A source may share storage with another target (e.g. swapping two weights of one model):
  // snapshot those first so an earlier copy cannot overwrite a later source.
  const targetStorage = new Set([...targets.values()].map((t) => t.data.data));
  const plan = [...targets]
    .filter(([key]) => Object.hasOwn(state, key))
    .map(([key, target]) => {
      const src = state[key]!;
      const aliased = src.data.data !== target.data.data && targetStorage.has(src.data.data);
      return [target, aliased ? noGrad(() => src.clone()) : src] as const;
    });
  noGrad(() => plan.forEach(([target, src]) => target.copy_(src)));
  return { missingKeys, unexpectedKeys };
}
