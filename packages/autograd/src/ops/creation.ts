// Creating tensors: from data, filled, ranges, identity (random draws are in random.ts).
import ndarray from 'ndarray';
import { Tensor } from '../tensor.js';
import { allocate, dtypeFrom, type DType, type TypedArray } from '../dtype.js';
import { assertShape, fmt, sizeOf } from '../shape.js';
import { fromNested, wrap, type Nested } from '../kernels/layout.js';

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
  /** Element type; `'float32'` by default. */
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
export function fromTyped(data: TypedArray, shape: readonly number[], requiresGrad = false): Tensor {
  return new Tensor(wrap(data, shape), requiresGrad);
}

/**
 * Creates a tensor from a number, nested arrays or a typed array (copied). A typed array is
 * flat, so pass `shape` for more than one dimension; a `Float64Array` defaults to float64.
 *
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]);
 * tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
 * tensor(3.5); // 0-d
 * ```
 * @category Creation
 */
export function tensor(
  value: Nested | ArrayLike<number>,
  opts: CreateOptions & { shape?: readonly number[] } = {},
): Tensor {
  const isTyped = ArrayBuffer.isView(value);
  const dtype = dtypeFrom('tensor', opts, isTyped && value instanceof Float64Array ? 'float64' : 'float32');
  let data: TypedArray;
  let shape: number[];
  if (isTyped) {
    data = allocate(dtype, (value as ArrayLike<number>).length);
    data.set(value as ArrayLike<number>);
    shape = [data.length];
  } else {
    ({ data, shape } = fromNested('tensor', value as Nested, dtype));
  }
  if (opts.shape) {
    assertShape('tensor', opts.shape);
    if (sizeOf(opts.shape) !== data.length) {
      throw new Error(`tensor: shape ${fmt(opts.shape)} holds ${sizeOf(opts.shape)} elements but the data has ${data.length}`);
    }
    shape = [...opts.shape];
  }
  return fromTyped(data, shape, opts.requiresGrad ?? false);
}

/**
 * A tensor of the given shape filled with `value`.
 *
 * @example
 * ```ts
 * full([2, 3], 7);
 * ```
 * @category Creation
 */
export function full(shape: readonly number[], value: number, opts?: CreateOptions): Tensor {
  assertShape('full', shape);
  const data = allocate(dtypeFrom('full', opts), sizeOf(shape));
  if (value !== 0) data.fill(value);
  return fromTyped(data, shape, opts?.requiresGrad ?? false);
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
export function zeros(shape: readonly number[], opts?: CreateOptions): Tensor {
  return full(shape, 0, opts);
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
export function ones(shape: readonly number[], opts?: CreateOptions): Tensor {
  return full(shape, 1, opts);
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
  return full(t.shape, 0, { dtype: t.dtype, ...opts });
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
  return full(t.shape, 1, { dtype: t.dtype, ...opts });
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
  return full(t.shape, value, { dtype: t.dtype, ...opts });
}

/**
 * Values from `start` up to (not including) `end` in steps of `step`, like `torch.arange`.
 * With one argument, counts from 0.
 *
 * @example
 * ```ts
 * arange(5);          // [0, 1, 2, 3, 4]
 * arange(1, 2, 0.25); // [1, 1.25, 1.5, 1.75]
 * ```
 * @category Creation
 */
export function arange(start: number, end?: number, step = 1, opts?: CreateOptions): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a finite non-zero number, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = allocate(dtypeFrom('arange', opts), n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return fromTyped(data, [n], opts?.requiresGrad ?? false);
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
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`linspace: steps must be a non-negative integer, got ${steps}`);
  const data = allocate(dtypeFrom('linspace', opts), steps);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) data[i] = i === steps - 1 ? end : start + i * delta;
  return fromTyped(data, [steps], opts?.requiresGrad ?? false);
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
  assertShape('eye', [n, m]);
  const data = allocate(dtypeFrom('eye', opts), n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return fromTyped(data, [n, m], opts?.requiresGrad ?? false);
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
export function fromNdarray(array: ndarray.NdArray<TypedArray>, opts?: { requiresGrad?: boolean }): Tensor {
  if (!(array.data instanceof Float32Array || array.data instanceof Float64Array)) {
    throw new Error(`fromNdarray: expected an ndarray over a Float32Array or Float64Array, got ${(array.data as object)?.constructor?.name}`);
  }
  return new Tensor(array, opts?.requiresGrad ?? false);
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
  const data = allocate(dtype, 1);
  data[0] = v;
  return new Tensor(ndarray(data, []));
}

export * from './random.js';
