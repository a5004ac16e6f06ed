// Reductions over any set of axes: the reduced axes are moved last and each contiguous run of
// reduced values is handed to a combiner. No autograd in here.
import type { NdArray } from 'ndarray';
import { allocate, dtypeOf, type DType, type TypedArray } from '../dtype.js';
import { contiguousData, copyToContiguous, wrap } from './layout.js';
import { sizeOf } from '../shape.js';

/** Calls `combine(values, start, length)` once per output element; axes must be sorted and unique. */
export function reduceAxes(
  x: NdArray<TypedArray>,
  axes: readonly number[],
  combine: (values: TypedArray, start: number, length: number) => number,
  outDtype?: DType,
): TypedArray {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const moved = axes.length === 0 || axes.every((a, i) => a === x.shape.length - axes.length + i);
  const values = moved ? contiguousData(x) : copyToContiguous(x.transpose(...kept, ...axes));
  const length = sizeOf(axes.map((a) => x.shape[a]!));
  const outSize = sizeOf(kept.map((a) => x.shape[a]!));
  const out = allocate(outDtype ?? dtypeOf(values), outSize);
  for (let o = 0; o < outSize; o++) out[o] = combine(values, o * length, length);
  return out;
}

export function sumRun(values: TypedArray, start: number, length: number): number {
  let s = 0;
  for (let i = start; i < start + length; i++) s += values[i]!;
  return s;
}

/** Largest value of the run; NaN wins (it propagates, as in PyTorch). */
export function maxRun(values: TypedArray, start: number, length: number): number {
  let m = -Infinity;
  for (let i = start; i < start + length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) return v;
    if (v > m) m = v;
  }
  return m;
}

export function minRun(values: TypedArray, start: number, length: number): number {
  let m = Infinity;
  for (let i = start; i < start + length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) return v;
    if (v < m) m = v;
  }
  return m;
}

/** Position (within the run) of the first largest value; the first NaN counts as largest. */
export function argmaxRun(values: TypedArray, start: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) {
    const v = values[start + i]!;
    if (Number.isNaN(values[start + best]!)) break;
    if (v > values[start + best]! || Number.isNaN(v)) best = i;
  }
  return best;
}

export function argminRun(values: TypedArray, start: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) {
    const v = values[start + i]!;
    if (Number.isNaN(values[start + best]!)) break;
    if (v < values[start + best]! || Number.isNaN(v)) best = i;
  }
  return best;
}

export function prodRun(values: TypedArray, start: number, length: number): number {
  let p = 1;
  for (let i = start; i < start + length; i++) p *= values[i]!;
  return p;
}

/** log Σ exp, shifted by the maximum so no term overflows; an empty or all -Inf run gives -Inf. */
export function logSumExpRun(values: TypedArray, start: number, length: number): number {
  const m = maxRun(values, start, length);
  if (!Number.isFinite(m)) return m;
  let s = 0;
  for (let i = start; i < start + length; i++) s += Math.exp(values[i]! - m);
  return m + Math.log(s);
}

/**
 * Like {@link reduceAxes}, but `fill(src, dst, start, length)` writes one output per input value of
 * each run; the result has x's shape, row-major. Axes must be sorted and unique.
 */
export function mapRuns(
  x: NdArray<TypedArray>,
  axes: readonly number[],
  fill: (src: TypedArray, dst: TypedArray, start: number, length: number) => void,
): TypedArray {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const order = [...kept, ...axes];
  const moved = order.every((a, i) => a === i);
  const src = moved ? contiguousData(x) : copyToContiguous(x.transpose(...order));
  const dst = allocate(dtypeOf(src), src.length);
  const length = sizeOf(axes.map((a) => x.shape[a]!));
  if (length > 0) for (let s = 0; s < src.length; s += length) fill(src, dst, s, length);
  if (moved) return dst;
  const inverse = new Array<number>(order.length);
  order.forEach((a, i) => (inverse[a] = i));
  return copyToContiguous(wrap(dst, order.map((a) => x.shape[a]!)).transpose(...inverse));
}

/** exp(x − max) / Σ, so large inputs cannot overflow. */
export function softmaxRun(src: TypedArray, dst: TypedArray, start: number, length: number): void {
  const m = maxRun(src, start, length);
  let s = 0;
  for (let i = start; i < start + length; i++) s += dst[i] = Math.exp(src[i]! - m);
  for (let i = start; i < start + length; i++) dst[i]! /= s;
}

/** x − logΣexp(x), computed from the shifted values so [1000, -1000] gives [0, -2000] exactly. */
export function logSoftmaxRun(src: TypedArray, dst: TypedArray, start: number, length: number): void {
  const lse = logSumExpRun(src, start, length);
  for (let i = start; i < start + length; i++) dst[i] = src[i]! - lse;
}

/** dst[i] = product of the run's other values, by prefix and suffix products (exact with zeros). */
export function prodOthersRun(src: TypedArray, dst: TypedArray, start: number, length: number): void {
  let p = 1;
  for (let i = start; i < start + length; i++) {
    dst[i] = p;
    p *= src[i]!;
  }
  p = 1;
  for (let i = start + length - 1; i >= start; i--) {
    dst[i]! *= p;
    p *= src[i]!;
  }
}
