/**
 * Floating-point element types a tensor can hold.
 *
 * @example
 * ```ts
 * const d: DType = 'float64';
 * zeros([2], { dtype: d });
 * ```
 * @category Tensor
 */
export type DType = 'float32' | 'float64';

/**
 * The typed arrays behind tensors: `Float32Array` for `'float32'`, `Float64Array` for `'float64'`.
 *
 * @example
 * ```ts
 * const buf: TypedArray = tensor([1, 2]).contiguousData();
 * ```
 * @category Tensor
 */
export type TypedArray = Float32Array | Float64Array;

/** Every dtype a tensor can hold, in the order error messages list them. */
export const DTYPES: readonly DType[] = ['float32', 'float64'];

/**
 * Thrown by {@link allocate} when a buffer cannot exist; `defineOp` and the creation functions put
 * their own name in front, so the message names the op and the size.
 */
export class AllocationError extends Error {
  constructor(readonly detail: string) {
    super(`allocate: ${detail}`);
  }
}

/** Allocates a zero-filled buffer of the dtype; a size no typed array can hold is an AllocationError. */
export function allocate(dtype: DType, size: number): TypedArray {
  // 2^32 is V8's largest typed array; NaN or fractional sizes would otherwise silently become 0 or truncate.
  if (!Number.isSafeInteger(size) || size < 0 || size > 2 ** 32) {
    throw new AllocationError(`cannot allocate ${size} ${dtype} elements (got ${size}, expected an integer size at most ${2 ** 32})`);
  }
  try {
    return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new AllocationError(`cannot allocate ${size} ${dtype} elements (got ${size * (dtype === 'float64' ? 8 : 4)} bytes, expected what free memory holds)`);
  }
}

/** Re-throws an AllocationError with `fn` in front; other errors pass through. */
export function nameAllocation(fn: string, e: unknown): never {
  if (e instanceof AllocationError) throw new Error(`${fn}: ${e.detail}`);
  throw e;
}

/** The dtype a typed array stores. */
export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

export function assertDType(op: string, dtype: unknown): asserts dtype is DType {
  if (!(DTYPES as readonly unknown[]).includes(dtype)) {
    throw new Error(`${op}: unknown dtype ${JSON.stringify(dtype) ?? String(dtype)} (expected ${DTYPES.map((d) => `'${d}'`).join(' or ')})`);
  }
}

/** The dtype of a creation call's options (validated), or `fallback`. */
export function dtypeFrom(op: string, opts: { dtype?: DType } | undefined, fallback: DType = 'float32'): DType {
  const dtype = opts?.dtype ?? fallback;
  assertDType(op, dtype);
  return dtype;
}
