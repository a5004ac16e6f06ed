// Reductions over any set of axes: the reduced axes are moved last and each contiguous run of
// reduced values is handed to a combiner. No autograd in here.
import type { NdArray } from 'ndarray';
import type { TypedArray } from '../dtype.js';
import { contiguousData, copyToContiguous } from './layout.js';
import { sizeOf } from '../shape.js';

/** Calls `combine(values, start, length)` once per output element; axes must be sorted and unique. */
export function reduceAxes(
  x: NdArray<TypedArray>,
  axes: readonly number[],
  combine: (values: TypedArray, start: number, length: number) => number,
): TypedArray {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const moved = axes.length === 0 || axes.every((a, i) => a === x.shape.length - axes.length + i);
  const values = moved ? contiguousData(x) : copyToContiguous(x.transpose(...kept, ...axes));
  const length = sizeOf(axes.map((a) => x.shape[a]!));
  const outSize = sizeOf(kept.map((a) => x.shape[a]!));
  const out = values instanceof Float64Array ? new Float64Array(outSize) : new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) out[o] = combine(values, o * length, length);
  return out;
}

export function sumRun(values: TypedArray, start: number, length: number): number {
  let s = 0;
  for (let i = start; i < start + length; i++) s += values[i]!;
  return s;
}
