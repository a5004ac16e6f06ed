// The loop nest shared by the strided kernels (elementwise, sum, copies): which dimensions to
// walk and each operand's step along them. No autograd in here.
import type { TypedArray } from '../dtype.js';

/**
 * The loop nest for walking `shape` through each operand's strides, with size-1 dimensions
 * dropped and neighbours merged wherever every operand steps through them as one run (so a
 * contiguous operation is a single flat loop). Always at least one dimension.
 */
export function loopPlan(shape: readonly number[], strides: readonly (readonly number[])[]): { dims: number[]; steps: number[][] } {
  const dims: number[] = [];
  const steps: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = dims.length - 1;
    // The previous (outer) dimension merges into this one when its stride is this stride × n.
    if (last >= 0 && strides.every((s, k) => steps[k]![last] === s[d]! * n)) {
      dims[last] = dims[last]! * n;
      strides.forEach((s, k) => (steps[k]![last] = s[d]!));
      continue;
    }
    dims.push(n);
    strides.forEach((s, k) => steps[k]!.push(s[d]!));
  }
  if (dims.length === 0) {
    dims.push(1);
    steps.forEach((s) => s.push(0));
  }
  return { dims, steps };
}

/**
 * Copies the view (data, shape, strides, offset) into `out` row-major, walking the source through
 * its strides (stride 0 for broadcast dimensions) with the innermost merged dimension as a tight
 * loop. `out` must have the view's size.
 */
export function copyStrided(data: TypedArray, shape: readonly number[], stride: readonly number[], offset: number, out: TypedArray): void {
  if (out.length === 0) return;
  const { dims, steps: [sx] } = loopPlan(shape, [stride]);
  const D = dims.length - 1;
  const inner = dims[D]!, ix = sx![D]!;
  const idx = new Array<number>(D).fill(0);
  let p = offset;
  for (let o = 0; o < out.length; o += inner) {
    if (ix === 1) for (let i = 0; i < inner; i++) out[o + i] = data[p + i]!;
    else for (let i = 0, j = p; i < inner; i++, j += ix) out[o + i] = data[j]!;
    for (let d = D - 1; d >= 0; d--) {
      p += sx![d]!;
      if (++idx[d]! < dims[d]!) break;
      p -= sx![d]! * dims[d]!;
      idx[d] = 0;
    }
  }
}
