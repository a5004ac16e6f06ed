// Optimizer state dicts as flat named tensors plus JSON, the shape autograd's saveTensors stores,
// and a JSON encoding that survives the non-finite numbers schedulers keep (e.g. best = Infinity).
import { Tensor, describeValue } from '@tapegrad/autograd';
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
  const who = 'flattenStateDict';
  const sd: unknown = stateDict;
  if (!isRecord(sd) || !isRecord(sd.state) || !Array.isArray(sd.paramGroups)) {
    throw new Error(`${who}: stateDict must be an optimizer state dict (got ${describeValue(sd)}, expected { state, paramGroups } from optimizer.stateDict())`);
  }
  checkPrefix(who, prefix);
  const tensors: Record<string, Tensor> = {};
  const state: FlatStateMeta['state'] = {};
  for (const [index, entry] of Object.entries(sd.state)) {
    if (!isRecord(entry)) throw new Error(`${who}: state[${index}] must be an object (got ${describeValue(entry)}, expected tensors and numbers by name)`);
    const numbers: Record<string, unknown> = {};
    const names: string[] = [];
    for (const [key, value] of Object.entries(entry)) {
      if (typeof value === 'number') numbers[key] = encodeNumber(value);
      else if (value instanceof Tensor) {
        tensors[`${prefix}state.${index}.${key}`] = value;
        names.push(key);
      } else throw new Error(`${who}: state[${index}].${key} must be a Tensor or a number (got ${describeValue(value)}, expected a Tensor or a number)`);
    }
    state[index] = { numbers, tensors: names };
  }
  const paramGroups = walkJson(who, sd.paramGroups, encodeNumber, false, 'paramGroups') as unknown[];
  return { tensors, meta: { format: FORMAT, version: VERSION, paramGroups, state } };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const encodeNumber = (v: number): unknown => (Number.isFinite(v) ? v : { $number: String(v) });

function checkPrefix(who: string, prefix: unknown): void {
  if (typeof prefix !== 'string') throw new Error(`${who}: prefix must be a string (got ${describeValue(prefix)}, expected a string such as 'optim.')`);
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
  const who = 'unflattenStateDict';
  if (!isRecord(tensors)) throw new Error(`${who}: tensors must be an object of tensors by name (got ${describeValue(tensors)}, expected e.g. loadTensors(path).tensors)`);
  checkPrefix(who, prefix);
  const m = meta as Partial<FlatStateMeta> | null;
  ensure(m !== null && typeof m === 'object' && m.format === FORMAT, who, `metadata is not an optimizer state (expected format '${FORMAT}')`);
  ensure(m.version === VERSION, who, `unsupported optimizer state version ${m.version} (this build reads version ${VERSION})`);
  ensure(Array.isArray(m.paramGroups) && isRecord(m.state), who, 'metadata lacks paramGroups or state');
  const state: OptimizerStateDict['state'] = {};
  for (const [index, entry] of Object.entries(m.state)) {
    ensure(/^\d+$/.test(index) && isRecord(entry), who, `metadata state '${index}' is not a parameter index with { numbers, tensors }`);
    const numbers: unknown = entry.numbers ?? {};
    const names: unknown = entry.tensors ?? [];
    ensure(isRecord(numbers) && Array.isArray(names), who, `metadata state '${index}' is not { numbers, tensors }`);
    const restored: Record<string, Tensor | number> = {};
    for (const [key, value] of Object.entries(numbers)) {
      const n = walkJson(who, value, (v) => v, true, `state.${index}.numbers.${key}`);
      ensure(typeof n === 'number', who, `metadata state.${index}.numbers.${key} is not a number (got ${describeValue(n)})`);
      restored[key] = n;
    }
    for (const key of names) {
      const name = `${prefix}state.${index}.${String(key)}`;
      const t = tensors[name];
      ensure(t instanceof Tensor, who, `tensor '${name}' is missing`);
      restored[String(key)] = t;
    }
    state[Number(index)] = restored;
  }
  return { state, paramGroups: walkJson(who, m.paramGroups, (v) => v, true, 'paramGroups') as ParamGroupState[] };
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
  return walkJson('encodeJson', value, encodeNumber, false);
}

/**
 * Copies plain JSON data (numbers mapped by `number`), refusing what JSON cannot hold: functions,
 * symbols, bigints, class instances (a Tensor, a Map) and cycles, so nothing is silently dropped.
 */
function walkJson(who: string, value: unknown, number: (v: number) => unknown, decode: boolean, path = 'value', seen = new Set<object>()): unknown {
  if (typeof value === 'number') return number(value);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  const plain = typeof value === 'object' && (Array.isArray(value) || [Object.prototype, null].includes(Object.getPrototypeOf(value)));
  if (!plain) throw new Error(`${who}: ${path} is not JSON data (got ${describeValue(value)}, expected numbers, strings, booleans, null, arrays and plain objects)`);
  ensure(!seen.has(value), who, `${path} refers back to itself (JSON cannot hold a cycle)`);
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v, i) => walkJson(who, v, number, decode, `${path}[${i}]`, seen));
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (decode && entries.length === 1 && entries[0]![0] === '$number') {
      const text = entries[0]![1];
      ensure(typeof text === 'string' && /^(-?Infinity|NaN|-?\d+(\.\d+)?(e[-+]?\d+)?)$/i.test(text), who,
        `${path} is not an encoded number (got ${describeValue(text)}, expected 'Infinity', '-Infinity', 'NaN' or digits)`);
      return Number(text);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, walkJson(who, v, number, decode, `${path}.${k}`, seen)]));
  } finally {
    seen.delete(value);
  }
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
  return walkJson('decodeJson', value, (v) => v, true);
}
