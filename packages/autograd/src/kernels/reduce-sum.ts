// Sum over any set of axes without moving the reduced axes last first: the input is walked in
// its own layout (the elementwise odometer of elementwise.ts) and each value is added into its
// output cell, so a column sum (the gradient of every broadcast bias) reads its input once
// instead of copying a transpose. No autograd in here.
import type { NdArray } from 'ndarray';
import { allocate, dtypeOf, type TypedArray } from '../dtype.js';
import { loopPlan } from './loop-plan.js';
import { sumRunsWasm } from './wasm/sum-wasm.js';
import { addRowsSimd } from './wasm/row-sum.js';

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
  // Rows summed into a row of cells (a bias gradient: [batch, n] summed over batch) are the unit
  // of work when the inner axis is kept and contiguous and the one outside it is reduced.
  const rowBlock = D >= 1 && ix === 1 && io === 1 && so![D - 1] === 0;
  // Runs into a column of cells (a conv bias gradient: [N, O, L] summed over N and L) are the
  // unit when the inner axis is reduced and the one outside it is kept.
  const runBlock = D >= 1 && io === 0 && so![D - 1] !== 0;
  const data = x.data;
  // Contiguous float32 runs ([R, L] or [A, R, L] row-major, summed over A and L): WebAssembly SIMD.
  if (runBlock && data instanceof Float32Array && ix === 1 && sx![D - 1] === inner && so![D - 1] === 1 &&
    (D === 1 || (D === 2 && so![0] === 0 && sx![0] === dims[1]! * inner)) &&
    sumRunsWasm(data, x.offset, D === 2 ? dims[0]! : 1, dims[D - 1]!, inner, acc)) {
    if (acc !== out) out.set(acc);
    return out;
  }
  const O = rowBlock || runBlock ? D - 1 : D;
  const unit = rowBlock || runBlock ? inner * dims[D - 1]! : inner;
  const idx = new Array<number>(O).fill(0);
  let px = x.offset, po = 0;
  for (let done = 0, total = x.size; done < total; done += unit) {
    if (rowBlock) {
      addRows(data, px, sx![D - 1]!, dims[D - 1]!, inner, acc, po);
    } else if (runBlock) {
      addRuns(data, px, sx![D - 1]!, ix, dims[D - 1]!, inner, acc, po, so![D - 1]!);
    } else if (io === 0) {
      // The inner axis is reduced: a run into one output cell.
      let s = acc[po]!;
      for (let i = 0, j = px; i < inner; i++, j += ix) s += data[j]!;
      acc[po] = s;
    } else {
      for (let i = 0, j = px, o = po; i < inner; i++, j += ix, o += io) acc[o]! += data[j]!;
    }
    for (let d = O - 1; d >= 0; d--) {
      px += sx![d]!; po += so![d]!;
      if (++idx[d]! < dims[d]!) break;
      px -= sx![d]! * dims[d]!; po -= so![d]! * dims[d]!;
      idx[d] = 0;
    }
  }
  if (acc !== out) out.set(acc);
  return out;
}

/**
 * acc[po + i] += Σ_r data[px + r·rs + i] over `rows` contiguous rows of n values, adding each
 * cell's values in row order (the order of the one-row loop, so the same bits) four rows per
 * pass over the cells: a quarter of the accumulator loads and stores.
 */
function addRows(data: TypedArray, px: number, rs: number, rows: number, n: number, acc: Float64Array, po: number): void {
  // float32 cells eight at a time in WebAssembly (the same adds in the same order); the rest here.
  const done = data instanceof Float32Array ? addRowsSimd(data, px, rs, rows, n, acc, po) : 0;
  px += done;
  po += done;
  n -= done;
  if (n === 0) return;
  let r = 0;
  for (; r + 4 <= rows; r += 4, px += 4 * rs) {
    for (let i = 0, j = px; i < n; i++, j++) {
      acc[po + i] = acc[po + i]! + data[j]! + data[j + rs]! + data[j + 2 * rs]! + data[j + 3 * rs]!;
    }
  }
  for (; r < rows; r++, px += rs) for (let i = 0; i < n; i++) acc[po + i]! += data[px + i]!;
}

/**
 * acc[po + r·os] += Σ_i data[px + r·rs + i·ix] for `runs` runs of n values, each into its own
 * cell, four runs at a time: every cell still adds its values in run order (the same bits as one
 * run at a time), but four independent sums keep the adder busy where one waits on its own
 * previous result.
 */
function addRuns(data: TypedArray, px: number, rs: number, ix: number, runs: number, n: number, acc: Float64Array, po: number, os: number): void {
  let r = 0;
  for (; r + 4 <= runs; r += 4, px += 4 * rs, po += 4 * os) {
    let s0 = acc[po]!, s1 = acc[po + os]!, s2 = acc[po + 2 * os]!, s3 = acc[po + 3 * os]!;
    for (let i = 0, j = px; i < n; i++, j += ix) {
      s0 += data[j]!;
      s1 += data[j + rs]!;
      s2 += data[j + 2 * rs]!;
      s3 += data[j + 3 * rs]!;
    }
    acc[po] = s0; acc[po + os] = s1; acc[po + 2 * os] = s2; acc[po + 3 * os] = s3;
  }
  for (; r < runs; r++, px += rs, po += os) {
    let s = acc[po]!;
    for (let i = 0, j = px; i < n; i++, j += ix) s += data[j]!;
    acc[po] = s;
  }
}
