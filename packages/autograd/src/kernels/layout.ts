// Moving values between ndarray views, contiguous typed arrays and nested JS arrays.
// No autograd in here.
import type { NdArray } from 'ndarray';
import { ndView } from './nd-view.js';
import { allocate, dtypeOf, fillFrom, nameAllocation, type DType, type TypedArray } from '../dtype.js';
import { fail } from '../validate.js';
import { contiguousStrides, sizeOf } from '../shape.js';
import { copyStrided } from './loop-plan.js';

/**
 * Nested arrays of numbers, as `toArray()` returns them and `tensor()` accepts them.
 *
 * @example
 * ```ts
 * const rows: Nested = [[1, 2], [3, 4]];
 * tensor(rows).toArray(); // [[1, 2], [3, 4]]
 * ```
 * @category Tensor
 */
export type Nested = number | Nested[];

/** True when the view walks its buffer in row-major order with no gaps (any offset). */
export function isContiguous(a: NdArray<TypedArray>): boolean {
  let expected = 1;
  for (let i = a.shape.length - 1; i >= 0; i--) {
    const d = a.shape[i]!;
    if (d !== 1 && a.stride[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/** Row-major values of a view; the buffer itself (or a subarray) when already contiguous, else a copy. */
export function contiguousData(a: NdArray<TypedArray>): TypedArray {
  const n = sizeOf(a.shape);
  if (isContiguous(a)) {
    const d = a.data;
    return a.offset === 0 && d.length === n ? d : d.subarray(a.offset, a.offset + n);
  }
  return copyToContiguous(a);
}

/** A fresh row-major copy of a view, in its dtype. */
export function copyToContiguous(a: NdArray<TypedArray>, dtype: DType = dtypeOf(a.data)): TypedArray {
  // A contiguous view of the same dtype is one memcpy (measured [784,256] float32: 0.53 ms through
  // ndarray-ops.assign, 0.29 ms as slice).
  if (dtype === dtypeOf(a.data) && isContiguous(a)) return a.data.slice(a.offset, a.offset + sizeOf(a.shape));
  const out = allocate(dtype, sizeOf(a.shape));
  // A cast to bool must map every non-zero value to 1 (a Uint8Array store would wrap 256 to 0).
  if (dtype === 'bool' && !(a.data instanceof Uint8Array)) return fillFrom(out, copyToContiguous(a));
  copyStrided(a.data, a.shape, a.stride, a.offset, out);
  return out;
}

/** Wraps a row-major buffer as an ndarray of the given shape. */
export function wrap(data: TypedArray, shape: readonly number[]): NdArray<TypedArray> {
  return ndView(data, shape, contiguousStrides(shape), 0);
}

export function toNested(a: NdArray<TypedArray>): Nested {
  const flat = contiguousData(a);
  const shape = a.shape;
  if (shape.length === 0) return flat[0]!;
  let pos = 0;
  const build = (dim: number): Nested[] => {
    const out: Nested[] = [];
    for (let i = 0; i < shape[dim]!; i++) out.push(dim === shape.length - 1 ? flat[pos++]! : build(dim + 1));
    return out;
  };
  return build(0);
}

/** Infers the shape of nested arrays and flattens them; the error names the first ragged path. */
export function fromNested(op: string, value: Nested, dtype: DType): { data: TypedArray; shape: number[] } {
  const shape: number[] = [];
  for (let v: Nested = value; Array.isArray(v); v = v[0]!) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  let data: TypedArray;
  try {
    data = allocate(dtype, sizeOf(shape));
  } catch (e) {
    nameAllocation(op, e);
  }
  let pos = 0;
  const walk = (v: Nested, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      if (typeof v !== 'number') {
        const what = Array.isArray(v) ? 'ragged nested array' : 'non-numeric element';
        fail(op, `${what} at [${path.join('][')}]`, v, 'a number');
      }
      data[pos++] = dtype === 'bool' ? +(v !== 0) : v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      fail(op, `ragged nested array at [${path.join('][')}]`, v, `an array of length ${shape[dim]}`);
    }
    v.forEach((item, i) => walk(item, dim + 1, [...path, i]));
  };
  walk(value, 0, []);
  return { data, shape };
}
