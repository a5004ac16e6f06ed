// The validation vocabulary every public boundary uses, so that every message has one form,
// `fn: what was wrong (got …, expected …)`, and checks run before anything is mutated.
import { Tensor } from './tensor.js';
import type { DType } from './dtype.js';
import { DTYPES } from './dtype.js';

/**
 * Describes a value for an error message: `a string "abc"`, `NaN`, `an array of length 3`,
 * `a float32 tensor of shape [2,3]`, `null`.
 *
 * @example
 * ```ts
 * describeValue('abc'); // 'a string "abc"'
 * describeValue(tensor([1, 2])); // 'a float32 tensor of shape [2]'
 * ```
 * @category Validation
 */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof Tensor) return `a ${v.dtype} tensor of shape [${v.shape.join(',')}]`;
  switch (typeof v) {
    case 'number':
      return Number.isNaN(v) ? 'NaN' : String(v);
    case 'string':
      return `a string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case 'boolean':
      return String(v);
    case 'bigint':
      return `a bigint ${v}n`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
  }
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<unknown>).length}`;
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/**
 * Throws the standard error: `fn: what (got <value>, expected <expected>)`.
 *
 * @example
 * ```ts
 * if (k < 1) fail('topk', 'k must be positive', k, 'an integer >= 1');
 * ```
 * @category Validation
 */
export function fail(fn: string, what: string, got: unknown, expected: string): never {
  throw new Error(`${fn}: ${what} (got ${describeValue(got)}, expected ${expected})`);
}

/**
 * Checks that `v` is a Tensor (a plain array, number or null is an error naming the argument).
 *
 * @example
 * ```ts
 * checkTensor('myOp', 'x', x);
 * ```
 * @category Validation
 */
export function checkTensor(fn: string, name: string, v: unknown): asserts v is Tensor {
  if (!(v instanceof Tensor)) {
    fail(fn, `${name} must be a Tensor`, v, Array.isArray(v) ? 'a Tensor (wrap plain arrays with tensor(...))' : 'a Tensor');
  }
}

/**
 * Checks that `v` is a Tensor or a number (the operands binary ops accept) and returns it.
 *
 * @example
 * ```ts
 * checkTensorLike('add', 'b', 2); // 2
 * ```
 * @category Validation
 */
export function checkTensorLike(fn: string, name: string, v: unknown): Tensor | number {
  if (v instanceof Tensor || typeof v === 'number') return v;
  return fail(fn, `${name} must be a Tensor or a number`, v, 'a Tensor or a number');
}

/**
 * Checks a list of tensors (non-empty unless `allowEmpty`).
 *
 * @example
 * ```ts
 * checkTensorList('concat', 'tensors', [a, b]);
 * ```
 * @category Validation
 */
export function checkTensorList(fn: string, name: string, v: unknown, allowEmpty = false): asserts v is Tensor[] {
  if (!Array.isArray(v)) fail(fn, `${name} must be an array of Tensors`, v, 'an array of Tensors');
  if (!allowEmpty && v.length === 0) fail(fn, `${name} must not be empty`, v, 'at least one Tensor');
  v.forEach((t, i) => checkTensor(fn, `${name}[${i}]`, t));
}

/**
 * Checks that `v` is a number (NaN and ±Infinity allowed; see {@link checkFinite}).
 *
 * @example
 * ```ts
 * checkNumber('clamp', 'min', -1);
 * ```
 * @category Validation
 */
export function checkNumber(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number') fail(fn, `${name} must be a number`, v, 'a number');
  return v;
}

/**
 * Checks that `v` is a finite number.
 *
 * @example
 * ```ts
 * checkFinite('linspace', 'start', 0);
 * ```
 * @category Validation
 */
export function checkFinite(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(fn, `${name} must be a finite number`, v, 'a finite number');
  return v;
}

/**
 * Checks that `v` is a number in `[min, max]` (either bound may be open with `minOpen`/`maxOpen`).
 *
 * @example
 * ```ts
 * checkRange('dropout', 'p', 0.5, 0, 1, { maxOpen: true }); // 0 <= p < 1
 * ```
 * @category Validation
 */
export function checkRange(
  fn: string,
  name: string,
  v: unknown,
  min: number,
  max: number,
  opts: { minOpen?: boolean; maxOpen?: boolean } = {},
): number {
  const lo = opts.minOpen ? `(${min}` : `[${min}`;
  const hi = opts.maxOpen ? `${max})` : `${max}]`;
  const ok =
    typeof v === 'number' &&
    !Number.isNaN(v) &&
    (opts.minOpen ? v > min : v >= min) &&
    (opts.maxOpen ? v < max : v <= max);
  if (!ok) fail(fn, `${name} is out of range`, v, `a number in ${lo}, ${hi}`);
  return v as number;
}

/**
 * Checks that `v` is an integer, optionally within `[min, max]`.
 *
 * @example
 * ```ts
 * checkInt('randint', 'high', 10, { min: 1 });
 * ```
 * @category Validation
 */
export function checkInt(fn: string, name: string, v: unknown, bounds: { min?: number; max?: number } = {}): number {
  const { min = -Infinity, max = Infinity } = bounds;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    const range = min === -Infinity && max === Infinity ? '' : max === Infinity ? ` >= ${min}` : min === -Infinity ? ` <= ${max}` : ` in [${min}, ${max}]`;
    fail(fn, `${name} must be an integer${range}`, v, `an integer${range}`);
  }
  return v;
}

/**
 * Checks that `v` is a boolean.
 *
 * @example
 * ```ts
 * checkBoolean('setDetectAnomaly', 'enabled', true);
 * ```
 * @category Validation
 */
export function checkBoolean(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(fn, `${name} must be a boolean`, v, 'true or false');
  return v;
}

/**
 * Checks that `v` is a function.
 *
 * @example
 * ```ts
 * checkCallback('grad', 'f', (x: Tensor) => x.sum());
 * ```
 * @category Validation
 */
export function checkCallback(fn: string, name: string, v: unknown): asserts v is (...args: never[]) => unknown {
  if (typeof v !== 'function') fail(fn, `${name} must be a function`, v, 'a function');
}

/**
 * Checks a dtype name against the dtypes tensors can hold.
 *
 * @example
 * ```ts
 * checkDType('zeros', 'dtype', 'float64'); // 'float64'
 * ```
 * @category Validation
 */
export function checkDType(fn: string, name: string, v: unknown): DType {
  if (!(DTYPES as readonly unknown[]).includes(v)) fail(fn, `unknown ${name}`, v, DTYPES.map((d) => `'${d}'`).join(' or '));
  return v as DType;
}

/**
 * Checks a shape and returns it as a fresh array. Like PyTorch, a plain integer means a 1-d shape
 * (`zeros(5)` is `zeros([5])`). Every dimension must be a non-negative integer, and the total size
 * must fit in a typed array (see {@link checkAllocation}).
 *
 * @example
 * ```ts
 * checkShape('zeros', 'shape', 5); // [5]
 * checkShape('zeros', 'shape', [2, 3]); // [2, 3]
 * ```
 * @category Validation
 */
export function checkShape(fn: string, name: string, v: unknown): number[] {
  const list = typeof v === 'number' ? [v] : v;
  const expected = 'an array of non-negative integers (or one integer)';
  if (!Array.isArray(list)) fail(fn, `${name} must be a shape`, v, expected);
  list.forEach((d: unknown, i) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) fail(fn, `${name}[${i}] must be a non-negative integer`, d, expected);
  });
  checkAllocation(fn, list.reduce((a: number, b: number) => a * b, 1));
  return [...(list as number[])];
}

/**
 * Checks an axis (negative counts from the end) against a rank and returns it non-negative.
 *
 * @example
 * ```ts
 * checkAxis('sum', 'axis', -1, 3); // 2
 * ```
 * @category Validation
 */
export function checkAxis(fn: string, name: string, v: unknown, ndim: number): number {
  const hi = Math.max(ndim, 1) - 1;
  const lo = -ndim;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    fail(fn, `${name} ${typeof v === 'number' ? v : ''} is out of range for a tensor of rank ${ndim}`.replace('  ', ' '), v, `an integer in [${lo}, ${hi}]`);
  }
  return v < 0 ? v + ndim : v;
}

/**
 * Checks an options argument: `undefined`/`null` become `{}`; anything but a plain object is an
 * error, and so is a key the function does not know (as Python's unexpected keyword argument is),
 * so an option is never silently ignored.
 *
 * @example
 * ```ts
 * const opts = checkOptions('maxPool2d', o, ['kernelSize', 'stride', 'padding']);
 * ```
 * @category Validation
 */
export function checkOptions<T extends object>(fn: string, v: T | undefined | null, known: readonly string[]): Partial<T> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    fail(fn, 'options must be an object', v, `an object with keys among ${known.join(', ') || '(none)'}`);
  }
  for (const key of Object.keys(v)) {
    if (!known.includes(key)) {
      throw new Error(`${fn}: unexpected option '${key}' (expected one of: ${known.join(', ') || '(none)'})`);
    }
  }
  return v;
}

/**
 * The most elements one typed array may hold: V8's limit on an ArrayBuffer (2^32 elements).
 * @internal
 */
export const MAX_ELEMENTS = 2 ** 32;

/**
 * Checks that `size` elements can be allocated at all, so a huge shape names the function and the
 * size instead of failing inside with `RangeError: Invalid typed array length`.
 *
 * @example
 * ```ts
 * checkAllocation('zeros', 1e12); // throws: zeros: cannot allocate 1e12 elements …
 * ```
 * @category Validation
 */
export function checkAllocation(fn: string, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_ELEMENTS) {
    throw new Error(`${fn}: cannot allocate ${size} elements (got ${size}, expected at most ${MAX_ELEMENTS} elements in one tensor)`);
  }
}
