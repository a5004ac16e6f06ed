// Hyper-parameter validation shared by optimizers and schedulers. Messages name the owner (the
// optimizer or scheduler), the option and the offending value, because a bad value usually comes
// from a config file far from the line that throws.

function fail(owner: string, key: string, value: unknown, rule: string): never {
  throw new Error(`${owner}: invalid ${key} ${String(value)} (${rule})`);
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

/** `value` is a number >= 0 (Infinity allowed only where it means "no limit"). */
export function checkNonNegative(owner: string, key: string, value: unknown): void {
  if (!isNumber(value) || value < 0) fail(owner, key, value, 'must be a number >= 0');
}

/** `value` is a finite number > 0. */
export function checkPositive(owner: string, key: string, value: unknown): void {
  if (!isNumber(value) || !(value > 0) || !Number.isFinite(value)) fail(owner, key, value, 'must be a finite number > 0');
}

/** `value` is in [0, 1) (betas, smoothing constants, momentum coefficients). */
export function checkUnitInterval(owner: string, key: string, value: unknown): void {
  if (!isNumber(value) || value < 0 || value >= 1) fail(owner, key, value, 'must be in [0, 1)');
}

/** `value` is in [0, 1]. */
export function checkClosedUnitInterval(owner: string, key: string, value: unknown): void {
  if (!isNumber(value) || value < 0 || value > 1) fail(owner, key, value, 'must be in [0, 1]');
}

/** `value` is an integer >= `min`. */
export function checkInteger(owner: string, key: string, value: unknown, min: number): void {
  if (!Number.isInteger(value) || (value as number) < min) fail(owner, key, value, `must be an integer >= ${min}`);
}

/** `value` is a boolean (a truthy string from a config would otherwise switch a feature on). */
export function checkBoolean(owner: string, key: string, value: unknown): void {
  if (typeof value !== 'boolean') fail(owner, key, value, 'must be true or false');
}

/** `value` is one of `allowed`. */
export function checkOneOf(owner: string, key: string, value: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(value as string)) fail(owner, key, JSON.stringify(value), `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
}

/** Throws `${owner}: ${message}` unless `condition` holds. */
export function ensure(condition: boolean, owner: string, message: string): asserts condition {
  if (!condition) throw new Error(`${owner}: ${message}`);
}

/** `options` without keys set to `undefined`, so they do not hide the defaults. */
export function defined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
