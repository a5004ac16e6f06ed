// Sum over any set of axes without moving the reduced axes last first: the input is walked in
// its own layout (the elementwise odometer of elementwise.ts) and each value is added into its
// output cell, so a column sum (the gradient of every broadcast bias) reads its input once
// instead of copying a transpose. No autograd in here.
import type { NdArray } from 'ndarray';
import { allocate, dtypeOf, type TypedArray } from '../dtype.js';
import { loopPlan } from './loop-plan.js';

/**
 * Σ of `x` over `axes` (sorted, unique), row-major over the kept axes, in x's dtype. Partial
 * sums are kept in float64 and every output adds its values in row-major order of the reduced
 * axes, so the result is bit-identical to `reduceAxes(x, axes, sumRun)`.
 */
export function sumAxes(x: NdArray<TypedArray>, axes: readonly number[]): TypedArray {
  const shape = x.shape;
  // Output strides on x's axes: contiguous over the kept ones, 0 on the reduced ones.
  const outStrides = new Array<number>(shape.length).fill(0);
  let outSize = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (axes.includes(d)) continue;
    outStrides[d] = outSize;
    outSize *= shape[d]!;
  }
  const out = allocate(dtypeOf(x.data), outSize);
  if (x.size === 0) return out;
  const acc = out instanceof Float64Array ? out : new Float64Array(outSize);
  const { dims, steps: [sx, so] } = loopPlan(shape, [x.stride, outStrides]);
  const D = dims.length - 1;
  const inner = dims[D]!, ix = sx![D]!, io = so![D]!;
  const data = x.data;
  const idx = new Array<number>(D).fill(0);
  let px = x.offset, po = 0;
  for (let done = 0; done < x.size; done += inner) {
    if (io === 0) {
      // The inner axis is reduced: a run into one output cell.
      let s = acc[po]!;
      for (let i = 0, j = px; i < inner; i++, j += ix) s += data[j]!;
      acc[po] = s;
    } else {
      for (let i = 0, j = px, o = po; i < inner; i++, j += ix, o += io) acc[o]! += data[j]!;
    }
    for (let d = D - 1; d >= 0; d--) {
      px += sx![d]!; po += so![d]!;
      if (++idx[d]! < dims[d]!) break;
      px -= sx![d]! * dims[d]!; po -= so![d]! * dims[d]!;
      idx[d] = 0;
    }
  }
  if (acc !== out) out.set(acc);
  return out;
}
