// Argument checks shared by the data package's public functions, so that a wrong argument is
// reported by the function the user called, in the one message form of @tapegrad/autograd.
import { checkOptions, describeValue, fail } from '@tapegrad/autograd';
import type { Dataset } from './dataset.js';

/** A plain object (not null, an array, a Tensor or a class instance such as a Map). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** An options argument: `undefined` is `{}`; otherwise a plain object with only `known` keys. */
export function checkOptionsArg<T extends object>(who: string, v: unknown, known: readonly string[], name = 'options'): Partial<T> {
  if (v === undefined) return {};
  if (!isPlainObject(v)) fail(who, `${name} must be an object`, v, `an object with keys among ${known.join(', ') || '(none)'}`);
  return checkOptions(who, v as T, known);
}

/** A map-style dataset: `length` a non-negative integer and a `get(index)` method. */
export function checkDataset(who: string, name: string, v: unknown): asserts v is Dataset<unknown> {
  const d = v as { length?: unknown; get?: unknown } | null;
  const ok = d !== null && typeof d === 'object' && Number.isSafeInteger(d.length) && (d.length as number) >= 0 && typeof d.get === 'function';
  if (!ok) fail(who, `${name} must be a dataset`, v, 'a Dataset (length and get(index)), such as a TensorDataset');
}

/** A list of sample indices, each an integer in `[0, length)`. */
export function checkIndices(who: string, name: string, v: unknown, length: number): asserts v is number[] {
  if (!Array.isArray(v)) fail(who, `${name} must be an array of indices`, v, `an array of integers in [0, ${length})`);
  v.forEach((i: unknown, k) => {
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= length) {
      fail(who, `${name}[${k}] is not an index of a dataset of length ${length}`, i, `an integer in [0, ${length})`);
    }
  });
}

/** A boolean option. */
export function checkBool(who: string, name: string, v: unknown): asserts v is boolean {
  if (typeof v !== 'boolean') fail(who, `${name} must be true or false`, v, 'a boolean');
}

export { describeValue, fail };
