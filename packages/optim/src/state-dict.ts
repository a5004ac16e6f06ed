// Optimizer state dicts as flat named tensors plus JSON, the shape autograd's saveTensors stores,
// and a JSON encoding that survives the non-finite numbers schedulers keep (e.g. best = Infinity).
import type { Tensor } from '@tapegrad/autograd';
import { ensure } from './checks.js';
import type { Optimizer } from './optimizer.js';
import type { OptimizerStateDict, ParamGroupState } from './types.js';

const FORMAT = 'tapegrad-optimizer-state';
const VERSION = 1;

/**
 * An optimizer state dict split into named tensors and JSON-serializable metadata, ready for
 * `saveTensors(path, tensors, meta)`.
 *
 * @example
 * ```ts
 * const { tensors, meta }: FlatStateDict = flattenStateDict(optimizer.stateDict());
 * ```
 * @category Optimizers
 */
export interface FlatStateDict {
  /** State tensors named `<prefix>state.<param index>.<key>`, e.g. `state.0.expAvg`. */
  tensors: Record<string, Tensor>;
  /** Everything else (hyper-parameters, step counts, which tensors exist), JSON-safe. */
  meta: FlatStateMeta;
}

/**
 * The JSON half of a {@link FlatStateDict}.
 *
 * @example
 * ```ts
 * const meta: FlatStateMeta = flattenStateDict(optimizer.stateDict()).meta;
 * JSON.stringify(meta);
 * ```
 * @category Optimizers
 */
export interface FlatStateMeta {
  /** Format tag, checked on load. */
  format: typeof FORMAT;
  /** Format version, checked on load. */
  version: number;
  /** Groups' hyper-parameters and parameter indices (non-finite numbers encoded). */
  paramGroups: unknown[];
  /** Per parameter index: its numeric state and the keys of its state tensors. */
  state: Record<string, { numbers: Record<string, unknown>; tensors: string[] }>;
}

/**
 * Splits an optimizer state dict into tensors named `<prefix>state.<index>.<key>` and JSON
 * metadata, so it can be written with autograd's `saveTensors` (alone or next to model weights,
 * under a prefix).
 *
 * @example
 * ```ts
 * const { tensors, meta } = flattenStateDict(optimizer.stateDict(), 'optim.');
 * saveTensors('checkpoint.tg', { ...model.stateDict(), ...tensors }, { optim: meta, epoch });
 * ```
 * @category Optimizers
 */
export function flattenStateDict(stateDict: OptimizerStateDict, prefix = ''): FlatStateDict {
  const tensors: Record<string, Tensor> = {};
  const state: FlatStateMeta['state'] = {};
  for (const [index, entry] of Object.entries(stateDict.state)) {
    const numbers: Record<string, unknown> = {};
    const names: string[] = [];
    for (const [key, value] of Object.entries(entry)) {
      if (typeof value === 'number') numbers[key] = encodeJson(value);
      else {
        tensors[`${prefix}state.${index}.${key}`] = value;
        names.push(key);
      }
    }
    state[index] = { numbers, tensors: names };
  }
  return { tensors, meta: { format: FORMAT, version: VERSION, paramGroups: encodeJson(stateDict.paramGroups) as unknown[], state } };
}

/**
 * Rebuilds an optimizer state dict from {@link flattenStateDict}'s output (e.g. what
 * `loadTensors` returned), for {@link Optimizer.loadStateDict}.
 *
 * @example
 * ```ts
 * const file = loadTensors('checkpoint.tg');
 * optimizer.loadStateDict(unflattenStateDict(file.tensors, (file.meta as any).optim, 'optim.'));
 * ```
 * @category Optimizers
 */
export function unflattenStateDict(tensors: Readonly<Record<string, Tensor>>, meta: unknown, prefix = ''): OptimizerStateDict {
  const m = meta as Partial<FlatStateMeta> | null;
  const who = 'unflattenStateDict';
  ensure(m !== null && typeof m === 'object' && m.format === FORMAT, who, `metadata is not an optimizer state (expected format '${FORMAT}')`);
  ensure(m.version === VERSION, who, `unsupported optimizer state version ${m.version} (this build reads version ${VERSION})`);
  ensure(Array.isArray(m.paramGroups) && typeof m.state === 'object' && m.state !== null, who, 'metadata lacks paramGroups or state');
  const state: OptimizerStateDict['state'] = {};
  for (const [index, entry] of Object.entries(m.state)) {
    const restored: Record<string, Tensor | number> = {};
    for (const [key, value] of Object.entries(entry.numbers ?? {})) restored[key] = decodeJson(value) as number;
    for (const key of entry.tensors ?? []) {
      const name = `${prefix}state.${index}.${key}`;
      const t = tensors[name];
      ensure(t !== undefined, who, `tensor '${name}' is missing`);
      restored[key] = t;
    }
    state[Number(index)] = restored;
  }
  return { state, paramGroups: decodeJson(m.paramGroups) as ParamGroupState[] };
}

/**
 * A JSON-safe deep copy of `value`: non-finite numbers become `{ $number: 'Infinity' }` (and
 * `-Infinity`, `NaN`), which `JSON.stringify` would turn into `null`. Used for optimizer and
 * scheduler state in files; {@link decodeJson} inverts it.
 *
 * @example
 * ```ts
 * JSON.stringify(encodeJson({ best: Infinity })); // '{"best":{"$number":"Infinity"}}'
 * ```
 * @category Optimizers
 */
export function encodeJson(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $number: String(value) };
  if (Array.isArray(value)) return value.map(encodeJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeJson(v)]));
  }
  return value;
}

/**
 * Inverts {@link encodeJson}.
 *
 * @example
 * ```ts
 * decodeJson(JSON.parse('{"best":{"$number":"Infinity"}}')); // { best: Infinity }
 * ```
 * @category Optimizers
 */
export function decodeJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeJson);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === '$number') return Number(entries[0]![1]);
    return Object.fromEntries(entries.map(([k, v]) => [k, decodeJson(v)]));
  }
  return value;
}
