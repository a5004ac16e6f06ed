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

/** Allocates a zero-filled buffer of the dtype. */
export function allocate(dtype: DType, size: number): TypedArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/** The dtype a typed array stores. */
export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

export function assertDType(op: string, dtype: unknown): asserts dtype is DType {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`${op}: unknown dtype ${JSON.stringify(dtype)}; expected 'float32' or 'float64'`);
  }
}

/** The dtype of a creation call's options (validated), or `fallback`. */
export function dtypeFrom(op: string, opts: { dtype?: DType } | undefined, fallback: DType = 'float32'): DType {
  const dtype = opts?.dtype ?? fallback;
  assertDType(op, dtype);
  return dtype;
}
