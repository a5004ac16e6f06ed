// Evaluates an elementwise expression over same-shape views into a fresh row-major array: the
// SIMD kernel when the expression, dtype and operand layouts allow it (run-wasm.ts), else the
// TypeScript block interpreter (run-js.ts). Both give the same bits. No autograd in here.
import type { NdArray } from 'ndarray';
import { allocate, type DType, type TypedArray } from '../../dtype.js';
import { sizeOf } from '../../shape.js';
import { wrap } from '../layout.js';
import { loopPlan } from '../loop-plan.js';
import type { Expr, WorkDType } from './expr.js';
import { runJs } from './run-js.js';
import { runWasm, simdElementwise } from './run-wasm.js';

type Nd = NdArray<TypedArray>;

/** Writes root(inputs) into `out` (row-major, the shape's size), computing in `work`. */
export function evaluateInto(root: Expr, inputs: readonly Nd[], shape: readonly number[], work: WorkDType, out: TypedArray): void {
  if (out.length === 0) return;
  // Operands still pending are computed first: both backends keep shared scratch (registers, the
  // WebAssembly memory) that a nested evaluation in the middle of this one would overwrite.
  for (const x of inputs) void x.data;
  const simd = out.length >= simdElementwise.minSize && simdElementwise.enabled;
  if (simd && (out instanceof Float32Array || out instanceof Float64Array) && work === (out instanceof Float32Array ? 'float32' : 'float64')) {
    const { dims, steps } = loopPlan(shape, inputs.map((x) => x.stride));
    if (dims.length <= 2) {
      const flat = dims.length === 1;
      const ops = inputs.map((x, k) => ({ data: x.data, offset: x.offset, outer: flat ? 0 : steps[k]![0]!, inner: steps[k]![dims.length - 1]! }));
      if (runWasm(root, ops, flat ? 1 : dims[0]!, dims[dims.length - 1]!, out)) return;
    }
  }
  runJs(root, inputs, shape, work, out);
}

/** root(inputs) as a new contiguous array of `outDtype` and the inputs' (common) shape. */
export function evaluate(root: Expr, inputs: readonly Nd[], work: WorkDType, outDtype: DType = work): Nd {
  const shape = inputs[0]!.shape;
  const out = allocate(outDtype, sizeOf(shape));
  evaluateInto(root, inputs, shape, work, out);
  return wrap(out, shape);
}
