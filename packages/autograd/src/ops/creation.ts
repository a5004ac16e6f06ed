// Creating tensors: from data, filled, ranges, identity (random draws are in random.ts).
import type { NdArray } from 'ndarray';
import { ndView } from '../kernels/nd-view.js';
import { Tensor } from '../tensor.js';
import { allocate, assertGradDType, dtypeOf, fillFrom, nameAllocation, type DType, type TypedArray } from '../dtype.js';
import { fmt, sizeOf } from '../shape.js';
import { fromNested, wrap, type Nested } from '../kernels/layout.js';
import { checkAllocation, checkBoolean, checkDType, checkFinite, checkInt, checkNumber, checkOptions, checkShape, checkTensor, fail } from '../validate.js';

/**
 * Options shared by the creation functions.
 *
 * @example
 * ```ts
 * zeros([2, 2], { dtype: 'float64', requiresGrad: true });
 * ```
 * @category Creation
 */
export interface CreateOptions {
  /** Element type; `'float32'` by default. `'int32'` and `'bool'` tensors cannot require grad. */
  dtype?: DType;
  /** Make the result a leaf that records gradients. */
  requiresGrad?: boolean;
}



/**
 * A tensor over a row-major buffer of the given shape, without copying (the tensor owns the buffer
 * from now on). The dtype follows the buffer type.
 *
 * @example
 * ```ts
 * fromTyped(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * ```
 * @category Creation
 */
export function fromTyped(data: TypedArray, shape: number | readonly number[], requiresGrad = false): Tensor {
  if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array || data instanceof Uint8Array)) {
    fail('fromTyped', 'data must be a Float32Array, Float64Array, Int32Array or Uint8Array (bool)', data, 'a Float32Array, Float64Array, Int32Array or Uint8Array');
  }
  const dims = checkShape('fromTyped', 'shape', shape);
  if (sizeOf(dims) !== data.length) fail('fromTyped', `shape ${fmt(dims)} holds ${sizeOf(dims)} elements but the buffer has ${data.length}`, data, `a buffer of ${sizeOf(dims)} elements`);
  checkBoolean('fromTyped', 'requiresGrad', requiresGrad);
  assertGradDType('fromTyped', dtypeOf(data), requiresGrad);
  return new Tensor(wrap(data, dims), requiresGrad);
}

/** Allocates for a creation function; a size that cannot exist names the function. */
function alloc(fn: string, dtype: DType, size: number): TypedArray {
  try {
    return allocate(dtype, size);
  } catch (e) {
    return nameAllocation(fn, e);
  }
}

const CREATE_KEYS = ['dtype', 'requiresGrad'] as const;

/** Checks creation options: known keys only, a known dtype, a boolean requiresGrad. */
function createOptions(fn: string, opts: unknown, extra: readonly string[] = []): { dtype?: DType; requiresGrad: boolean } {
  const o = checkOptions(fn, opts as CreateOptions & Record<string, unknown>, [...CREATE_KEYS, ...extra]);
  const dtype = o.dtype === undefined ? undefined : checkDType(fn, 'dtype', o.dtype);
  const requiresGrad = o.requiresGrad === undefined ? false : checkBoolean(fn, 'requiresGrad', o.requiresGrad);
  assertGradDType(fn, dtype ?? 'float32', requiresGrad);
  return { dtype, requiresGrad };
}

/**
 * Creates a tensor from a number, nested arrays or a typed array (copied). A typed array is
 * flat, so pass `shape` for more than one dimension; a `Float64Array` defaults to float64 and an
 * `Int32Array` to int32. With `dtype: 'bool'` every non-zero value becomes `true` (stored as 1).
 *
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]);
 * tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
 * tensor(3.5); // 0-d
 * tensor([2, 0, 1], { dtype: 'int32' }); // class labels
 * ```
 * @category Creation
 */
export function tensor(
  value: Nested | ArrayLike<number>,
  opts: CreateOptions & { shape?: number | readonly number[] } = {},
): Tensor {
  const o = createOptions('tensor', opts, ['shape']);
  const isTyped = ArrayBuffer.isView(value);
  if (isTyped && !(value instanceof Float32Array || value instanceof Float64Array || value instanceof Int32Array || value instanceof Uint8Array || value instanceof Int8Array || value instanceof Uint16Array || value instanceof Int16Array || value instanceof Uint32Array || value instanceof Uint8ClampedArray)) {
    fail('tensor', 'value must be a number, nested arrays of numbers or a numeric typed array', value, 'numbers');
  }
  if (!isTyped && typeof value !== 'number' && !Array.isArray(value)) {
    fail('tensor', 'value must be a number, nested arrays of numbers or a typed array', value, 'numbers');
  }
  const typedDefault = value instanceof Float64Array ? 'float64' : value instanceof Int32Array ? 'int32' : 'float32';
  const dtype = o.dtype ?? (isTyped ? typedDefault : 'float32');
  assertGradDType('tensor', dtype, o.requiresGrad);
  let data: TypedArray;
  let shape: number[];
  if (isTyped) {
    data = fillFrom(alloc('tensor', dtype, (value as ArrayLike<number>).length), value as ArrayLike<number>);
    shape = [data.length];
  } else {
    ({ data, shape } = fromNested('tensor', value as Nested, dtype));
  }
  if (opts.shape !== undefined) {
    const dims = checkShape('tensor', 'shape', opts.shape);
    if (sizeOf(dims) !== data.length) {
      throw new Error(`tensor: shape ${fmt(dims)} holds ${sizeOf(dims)} elements but the data has ${data.length}`);
    }
    shape = dims;
  }
  return fromTyped(data, shape, o.requiresGrad);
}

/**
 * A tensor of the given shape filled with `value`.
 *
 * @example
 * ```ts
 * full([2, 3], 7);
 * full([2], 1, { dtype: 'bool' }); // tensor([True, True])
 * ```
 * @category Creation
 */
export function full(shape: number | readonly number[], value: number, opts?: CreateOptions): Tensor {
  return fill('full', shape, value, opts);
}

function fill(fn: string, shape: unknown, value: unknown, opts: unknown): Tensor {
  const dims = checkShape(fn, 'shape', shape);
  const v = checkNumber(fn, 'value', value);
  const o = createOptions(fn, opts);
  const data = alloc(fn, o.dtype ?? 'float32', sizeOf(dims));
  if (v !== 0) data.fill(o.dtype === 'bool' ? 1 : v);
  return fromTyped(data, dims, o.requiresGrad);
}

/**
 * A tensor of zeros.
 *
 * @example
 * ```ts
 * zeros([2, 3]);
 * ```
 * @category Creation
 */
export function zeros(shape: number | readonly number[], opts?: CreateOptions): Tensor {
  return fill('zeros', shape, 0, opts);
}

/**
 * A tensor of ones.
 *
 * @example
 * ```ts
 * ones([3]);
 * ```
 * @category Creation
 */
export function ones(shape: number | readonly number[], opts?: CreateOptions): Tensor {
  return fill('ones', shape, 1, opts);
}

/**
 * Zeros with the shape and (unless overridden) dtype of `t`.
 *
 * @example
 * ```ts
 * zerosLike(x);
 * ```
 * @category Creation
 */
export function zerosLike(t: Tensor, opts?: CreateOptions): Tensor {
  checkTensor('zerosLike', 't', t);
  return fill('zerosLike', t.shape, 0, { dtype: t.dtype, ...checkOptions('zerosLike', opts, CREATE_KEYS) });
}

/**
 * Ones with the shape and (unless overridden) dtype of `t`.
 *
 * @example
 * ```ts
 * onesLike(x);
 * ```
 * @category Creation
 */
export function onesLike(t: Tensor, opts?: CreateOptions): Tensor {
  checkTensor('onesLike', 't', t);
  return fill('onesLike', t.shape, 1, { dtype: t.dtype, ...checkOptions('onesLike', opts, CREATE_KEYS) });
}

/**
 * `value` with the shape and (unless overridden) dtype of `t`.
 *
 * @example
 * ```ts
 * fullLike(x, 0.5);
 * ```
 * @category Creation
 */
export function fullLike(t: Tensor, value: number, opts?: CreateOptions): Tensor {
  checkTensor('fullLike', 't', t);
  return fill('fullLike', t.shape, value, { dtype: t.dtype, ...checkOptions('fullLike', opts, CREATE_KEYS) });
}

/**
 * Values from `start` up to (not including) `end` in steps of `step`, like `torch.arange`.
 * With one argument, counts from 0. The dtype is float32 unless given (PyTorch infers int64 from
 * integer arguments; here pass `{ dtype: 'int32' }` for integer positions or indices).
 *
 * @example
 * ```ts
 * arange(5);          // [0, 1, 2, 3, 4]
 * arange(1, 2, 0.25); // [1, 1.25, 1.5, 1.75]
 * arange(0, 4, 1, { dtype: 'int32' }); // int32 [0, 1, 2, 3]
 * ```
 * @category Creation
 */
export function arange(start: number, end?: number, step = 1, opts?: CreateOptions): Tensor {
  if (end === undefined) [start, end] = [0, start];
  checkFinite('arange', 'start', start);
  checkFinite('arange', 'end', end);
  if (checkFinite('arange', 'step', step) === 0) fail('arange', 'step must be non-zero', step, 'a finite non-zero number');
  const o = createOptions('arange', opts);
  const n = Math.max(0, Math.ceil((end - start) / step));
  if (o.dtype === 'bool') throw new Error(`arange: dtype 'bool' is not supported (a range of booleans has no meaning); use 'int32' or a float dtype`);
  checkAllocation('arange', n);
  const data = alloc('arange', o.dtype ?? 'float32', n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return fromTyped(data, [n], o.requiresGrad);
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive.
 *
 * @example
 * ```ts
 * linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 * @category Creation
 */
export function linspace(start: number, end: number, steps: number, opts?: CreateOptions): Tensor {
  checkFinite('linspace', 'start', start);
  checkFinite('linspace', 'end', end);
  checkInt('linspace', 'steps', steps, { min: 0 });
  checkAllocation('linspace', steps);
  const o = createOptions('linspace', opts);
  const data = alloc('linspace', o.dtype ?? 'float32', steps);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) data[i] = i === steps - 1 ? end : start + i * delta;
  return fromTyped(data, [steps], o.requiresGrad);
}

/**
 * An `n × m` matrix with ones on the diagonal (`m` defaults to `n`).
 *
 * @example
 * ```ts
 * eye(3);
 * ```
 * @category Creation
 */
export function eye(n: number, m = n, opts?: CreateOptions): Tensor {
  checkInt('eye', 'n', n, { min: 0 });
  checkInt('eye', 'm', m, { min: 0 });
  checkShape('eye', 'shape', [n, m]);
  const o = createOptions('eye', opts);
  const data = alloc('eye', o.dtype ?? 'float32', n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return fromTyped(data, [n, m], o.requiresGrad);
}

/**
 * Wraps an existing ndarray (no copy), e.g. from another ndarray-based library.
 *
 * @example
 * ```ts
 * import ndarray from 'ndarray';
 * fromNdarray(ndarray(new Float32Array(6), [2, 3]));
 * ```
 * @category Creation
 */
export function fromNdarray(array: NdArray<TypedArray>, opts?: { requiresGrad?: boolean }): Tensor {
  const o = createOptions('fromNdarray', opts);
  if (typeof array !== 'object' || array === null || !Array.isArray(array.shape) || !Array.isArray(array.stride)) {
    fail('fromNdarray', 'array must be an ndarray', array, 'an ndarray (data, shape, stride, offset)');
  }
  const d = array.data as unknown;
  if (!(d instanceof Float32Array || d instanceof Float64Array || d instanceof Int32Array || d instanceof Uint8Array)) {
    throw new Error(`fromNdarray: expected an ndarray over a Float32Array, Float64Array, Int32Array or Uint8Array (bool), got ${(array.data as object)?.constructor?.name}`);
  }
  assertGradDType('fromNdarray', dtypeOf(d), o.requiresGrad);
  return new Tensor(array, o.requiresGrad);
}

/**
 * Coerces a number to a 0-d tensor of `dtype`; tensors pass through unchanged.
 *
 * @example
 * ```ts
 * asTensor(2, 'float64'); // tensor(2., dtype=float64)
 * ```
 * @category Creation
 */
export function asTensor(v: Tensor | number, dtype: DType): Tensor {
  if (v instanceof Tensor) return v;
  const n = checkNumber('asTensor', 'v', v);
  checkDType('asTensor', 'dtype', dtype);
  const data = allocate(dtype, 1);
  data[0] = dtype === 'bool' ? +(n !== 0) : n;
  return new Tensor(ndView(data, [], [], 0));
}

export * from './random.js';
