import { bufferPool, takeRecycled } from './buffer-pool.js';

/**
 * Element types a tensor can hold: floats (`float32`, `float64`), 32-bit integers (`int32`, for
 * indices and class labels) and `bool` (masks, as comparisons return). Integer and bool tensors
 * never require grad.
 *
 * @example
 * ```ts
 * const d: DType = 'int32';
 * zeros([2], { dtype: d });
 * ```
 * @category Tensor
 */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/**
 * The typed arrays behind tensors: `Float32Array`, `Float64Array`, `Int32Array` for `'int32'`
 * and `Uint8Array` (values 0 and 1) for `'bool'`.
 *
 * @example
 * ```ts
 * const buf: TypedArray = tensor([1, 2]).contiguousData();
 * ```
 * @category Tensor
 */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Every dtype a tensor can hold, in the order error messages list them. */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/**
 * Thrown by {@link allocate} when a buffer cannot exist; `defineOp` and the creation functions put
 * their own name in front, so the message names the op and the size.
 */
export class AllocationError extends Error {
  constructor(readonly detail: string) {
    super(`allocate: ${detail}`);
  }
}

/**
 * Allocates a zero-filled buffer of the dtype (a recycled one when the library kept one of that
 * dtype and length, see buffer-pool.ts); a size no typed array can hold is an AllocationError.
 * `overwritten`: the caller writes every element before anything reads one, so a recycled buffer
 * is handed out as it is, without zeroing it first.
 */
export function allocate(dtype: DType, size: number, overwritten = false): TypedArray {
  // 2^32 is V8's largest typed array; NaN or fractional sizes would otherwise silently become 0 or truncate.
  if (!Number.isSafeInteger(size) || size < 0 || size > 2 ** 32) {
    throw new AllocationError(`cannot allocate ${size} ${dtype} elements (got ${size}, expected an integer size at most ${2 ** 32})`);
  }
  if (bufferPool.enabled && size * BYTES_PER[dtype] >= bufferPool.minBytes) {
    const kept = takeRecycled(KIND[dtype], size, BYTES_PER[dtype], !overwritten);
    if (kept !== undefined) return kept;
  }
  try {
    switch (dtype) {
      case 'float64': return new Float64Array(size);
      case 'int32': return new Int32Array(size);
      case 'bool': return new Uint8Array(size);
      default: return new Float32Array(size);
    }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new AllocationError(`cannot allocate ${size} ${dtype} elements (got ${size * BYTES_PER[dtype]} bytes, expected what free memory holds)`);
  }
}

const BYTES_PER: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };
const KIND: Record<DType, number> = { float32: 0, float64: 1, int32: 2, bool: 3 };

/** Re-throws an AllocationError with `fn` in front; other errors pass through. */
export function nameAllocation(fn: string, e: unknown): never {
  if (e instanceof AllocationError) throw new Error(`${fn}: ${e.detail}`);
  throw e;
}

/** The dtype a typed array stores. */
export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  return 'bool';
}

/** Whether gradients can flow through values of this dtype (float32 and float64). */
export function isFloating(dtype: DType): dtype is 'float32' | 'float64' {
  return dtype === 'float32' || dtype === 'float64';
}

export function assertDType(op: string, dtype: unknown): asserts dtype is DType {
  if (!(DTYPES as readonly unknown[]).includes(dtype)) {
    throw new Error(`${op}: unknown dtype ${typeof dtype === 'string' ? JSON.stringify(dtype) : String(dtype)} (expected ${DTYPES.map((d) => `'${d}'`).join(' or ')})`);
  }
}

/** The dtype of a creation call's options (validated), or `fallback`. */
export function dtypeFrom(op: string, opts: { dtype?: DType } | undefined, fallback: DType = 'float32'): DType {
  const dtype = opts?.dtype ?? fallback;
  assertDType(op, dtype);
  return dtype;
}

/** Writes `values` into a buffer of `dtype`; bool stores 1 for every non-zero value (NaN included), as PyTorch. */
export function fillFrom(out: TypedArray, values: ArrayLike<number>): TypedArray {
  if (out instanceof Uint8Array) for (let i = 0; i < values.length; i++) out[i] = values[i] !== 0 ? 1 : 0;
  else out.set(values);
  return out;
}

/** Integer and bool tensors hold no gradients (their values cannot move infinitesimally), as in PyTorch. */
export function assertGradDType(op: string, dtype: DType, requiresGrad: boolean | undefined): void {
  if (requiresGrad && !isFloating(dtype)) {
    throw new Error(`${op}: only floating-point tensors can require grad, got dtype ${dtype}; create it with dtype 'float32' or 'float64' or convert with toDType`);
  }
}
