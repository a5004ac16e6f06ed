// Index-driven copies: gather/scatter-add along one axis, index-select/index-add of whole slabs,
// and copying a block between views. Indices are validated by the caller. No autograd in here.
import type { NdArray } from 'ndarray';
import ops from 'ndarray-ops';
import type { TypedArray } from '../dtype.js';
import { allocate, dtypeOf } from '../dtype.js';
import { contiguousData, copyToContiguous } from './layout.js';
import { contiguousStrides, sizeOf } from '../shape.js';

type Nd = NdArray<TypedArray>;

/**
 * Walks `shape` in row-major order and calls `visit(p, off)` where `p` is the flat position and
 * `off` the offset, in a view with `stride`/`offset`, of the same coordinates except that the one
 * on `axis` is replaced by `index[p]`.
 */
function forEachIndexed(
  shape: readonly number[], axis: number, index: Int32Array,
  stride: readonly number[], offset: number,
  visit: (p: number, off: number) => void,
): void {
  const total = sizeOf(shape);
  if (total === 0) return;
  const r = shape.length;
  const ctr = new Array<number>(r).fill(0);
  // `base` covers every axis but `axis`, kept up to date as the odometer turns.
  let base = offset;
  const step = stride.map((s, d) => (d === axis ? 0 : s));
  const axisStride = stride[axis]!;
  for (let p = 0; p < total; p++) {
    visit(p, base + index[p]! * axisStride);
    for (let d = r - 1; d >= 0; d--) {
      base += step[d]!;
      ctr[d]! += 1;
      if (ctr[d]! < shape[d]!) break;
      ctr[d] = 0;
      base -= step[d]! * shape[d]!;
    }
  }
}

/** out[...i] = x[...i with i[axis] = index[...i]]; `out` has the index's shape. */
export function gatherAlong(x: Nd, axis: number, index: Int32Array, indexShape: readonly number[]): TypedArray {
  const out = allocate(dtypeOf(x.data), sizeOf(indexShape));
  const src = x.data;
  forEachIndexed(indexShape, axis, index, x.stride, x.offset, (p, off) => {
    out[p] = src[off]!;
  });
  return out;
}

/** A contiguous copy of `x` with `src[...i]` added at x[...i with i[axis] = index[...i]]; `index` has src's shape. */
export function scatterAddAlong(x: Nd, axis: number, index: Int32Array, src: Nd): TypedArray {
  const out = copyToContiguous(x);
  const values = contiguousData(src);
  forEachIndexed(src.shape, axis, index, contiguousStrides(x.shape), 0, (p, off) => {
    out[off]! += values[p]!;
  });
  return out;
}

/** Splits a shape around `axis` into (outer, axis size, inner) for slab-wise loops. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}

/** out[o, j, i] = x[o, index[j], i]: whole slabs of `x` picked along `axis`. */
export function selectSlabs(x: Nd, axis: number, index: Int32Array): TypedArray {
  const [outer, size, inner] = around(x.shape, axis);
  const src = contiguousData(x);
  const count = index.length;
  const out = allocate(dtypeOf(x.data), outer * count * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const from = (o * size + index[j]!) * inner;
      const to = (o * count + j) * inner;
      for (let i = 0; i < inner; i++) out[to + i] = src[from + i]!;
    }
  }
  return out;
}

/** A contiguous copy of `x` with slab `j` of `src` added to slab `index[j]` along `axis` (repeats accumulate). */
export function addSlabs(x: Nd, axis: number, index: Int32Array, src: Nd): TypedArray {
  const [outer, size, inner] = around(x.shape, axis);
  const out = copyToContiguous(x);
  const values = contiguousData(src);
  const count = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const to = (o * size + index[j]!) * inner;
      const from = (o * count + j) * inner;
      for (let i = 0; i < inner; i++) out[to + i]! += values[from + i]!;
    }
  }
  return out;
}

/** Copies the block of `src` starting at `srcStart` into `dst` at `dstStart`, `size` long per axis. */
export function copyBlock(dst: Nd, dstStart: readonly number[], src: Nd, srcStart: readonly number[], size: readonly number[]): void {
  if (sizeOf(size) === 0) return;
  if (size.length === 0) {
    dst.data[dst.offset] = src.data[src.offset]!;
    return;
  }
  ops.assign(dst.lo(...dstStart).hi(...size), src.lo(...srcStart).hi(...size));
}
