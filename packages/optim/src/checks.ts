// Hyper-parameter validation shared by optimizers and schedulers. Messages name the owner (the
// optimizer or scheduler), the option and the offending value, because a bad value usually comes
// from a config file far from the line that throws. Form: `SGD: invalid lr (got -1, expected …)`.
import { checkOptions, describeValue } from '@tapegrad/autograd';

function fail(owner: string, key: string, value: unknown, expected: string): never {
  throw new Error(`${owner}: invalid ${key} (got ${describeValue(value)}, expected ${expected})`);
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

/** `value` is a finite number >= 0 (learning rates, decays, eps: Infinity would poison every parameter). */
export function checkNonNegative(owner: string, key: string, value: unknown): asserts value is number {
  if (!isNumber(value) || !(value >= 0) || !Number.isFinite(value)) fail(owner, key, value, 'a finite number >= 0');
}

/** `value` is a number >= 0 where Infinity means "no limit" (clipping thresholds). */
export function checkLimit(owner: string, key: string, value: unknown): void {
  if (!isNumber(value) || !(value >= 0)) fail(owner, key, value, 'a number >= 0 (Infinity for no limit)');
}

/** `value` is a finite number > 0. */
export function checkPositive(owner: string, key: string, value: unknown): asserts value is number {
  if (!isNumber(value) || !(value > 0) || !Number.isFinite(value)) fail(owner, key, value, 'a finite number > 0');
}

/** `value` is in [0, 1) (betas, smoothing constants, momentum coefficients). */
export function checkUnitInterval(owner: string, key: string, value: unknown): void {
  if (!isNumber(value) || value < 0 || value >= 1) fail(owner, key, value, 'a number in [0, 1)');
}

/** `value` is in [0, 1]. */
export function checkClosedUnitInterval(owner: string, key: string, value: unknown): void {
  if (!isNumber(value) || value < 0 || value > 1) fail(owner, key, value, 'a number in [0, 1]');
}

/** `value` is an integer >= `min`. */
export function checkInteger(owner: string, key: string, value: unknown, min: number): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < min) fail(owner, key, value, `an integer >= ${min}`);
}

/** `value` is a boolean (a truthy string from a config would otherwise switch a feature on). */
export function checkBoolean(owner: string, key: string, value: unknown): void {
  if (typeof value !== 'boolean') fail(owner, key, value, 'true or false');
}

/** `value` is one of `allowed`. */
export function checkOneOf(owner: string, key: string, value: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(value as string)) fail(owner, key, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
}

/** `value` is a function. */
export function checkFunction(owner: string, key: string, value: unknown): void {
  if (typeof value !== 'function') fail(owner, key, value, 'a function');
}

/** `value` is an array (not a string or an array-like object). */
export function checkArray(owner: string, key: string, value: unknown, expected: string): asserts value is unknown[] {
  if (!Array.isArray(value)) fail(owner, key, value, expected);
}

/**
 * The options object of a constructor: `undefined` is `{}`; anything else must be a plain object
 * whose keys are all known (an unknown key is a typo that would otherwise be ignored).
 */
export function checkOptionsOf<T extends object>(owner: string, options: unknown, known: readonly string[]): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options) || Object.getPrototypeOf(options) !== Object.prototype && Object.getPrototypeOf(options) !== null) {
    fail(owner, 'options', options, `an object with keys among ${known.join(', ')}`);
  }
  return checkOptions(owner, options as T, known);
}

/** Throws `${owner}: ${message}` unless `condition` holds. */
export function ensure(condition: boolean, owner: string, message: string): asserts condition {
  if (!condition) throw new Error(`${owner}: ${message}`);
}

/** `options` without keys set to `undefined`, so they do not hide the defaults. */
export function defined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
