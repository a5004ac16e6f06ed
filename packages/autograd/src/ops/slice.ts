// slice: strided sub-blocks as views, with a vjp that scatters back into zeros (and slices again).
import type { NdArray } from 'ndarray';
import { ndView } from '../kernels/nd-view.js';
import ops from 'ndarray-ops';
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { contiguousStrides, fmt } from '../shape.js';
import { copyToContiguous } from '../kernels/layout.js';
import { zeros } from './creation.js';
import { view } from './view.js';
import { checkTensor, fail } from '../validate.js';
import { linearJvp, toFront } from './batch-rules.js';

/**
 * How {@link slice} selects along one axis: `null`/`undefined` keeps the whole axis, a number picks
 * one index and drops the axis (negative counts from the end), and `[start, stop, step]` is a Python
 * slice (`null` for a default; a negative step walks backwards).
 *
 * @example
 * ```ts
 * const everyOther: SliceSpec = [null, null, 2];
 * ```
 * @category Shape
 */
export type SliceSpec = number | null | undefined | readonly [start?: number | null, stop?: number | null, step?: number | null];

interface AxisSlice {
  start: number;
  length: number;
  step: number;
  drop: boolean;
}

function resolveSlice(x: Tensor, specs: readonly SliceSpec[]): AxisSlice[] {
  specs.forEach((spec, axis) => {
    if (spec !== null && spec !== undefined && typeof spec !== 'number' && !Array.isArray(spec)) fail('slice', `spec for axis ${axis} must be an index, null or [start, stop, step]`, spec, 'an integer, null or an array');
  });
  if (specs.length > x.ndim) throw new Error(`slice: ${specs.length} slice specs given for a tensor of shape ${fmt(x.shape)}`);
  return x.shape.map((n, axis) => {
    const spec = specs[axis];
    if (spec === null || spec === undefined) return { start: 0, length: n, step: 1, drop: false };
    if (typeof spec === 'number') {
      if (!Number.isInteger(spec) || spec < -n || spec >= n) throw new Error(`slice: index ${spec} is out of range for axis ${axis} of size ${n} (shape ${fmt(x.shape)})`);
      return { start: spec < 0 ? spec + n : spec, length: 1, step: 1, drop: true };
    }
    if (!Array.isArray(spec) || spec.length > 3) fail('slice', `spec for axis ${axis} must be an index, null or [start, stop, step]`, spec, 'an integer, null or an array of at most 3 integers/nulls');
    spec.forEach((v: unknown, k: number) => {
      if (v !== null && v !== undefined && !Number.isSafeInteger(v)) fail('slice', `${['start', 'stop', 'step'][k]} on axis ${axis} must be an integer or null`, v, 'an integer or null');
    });
    const step = spec[2] ?? 1;
    if (!Number.isInteger(step) || step === 0) throw new Error(`slice: step must be a non-zero integer, got ${step} on axis ${axis}`);
    const clampTo = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
    const start = spec[0] == null ? (step > 0 ? 0 : n - 1) : clampTo(spec[0], step > 0 ? 0 : -1, step > 0 ? n : n - 1);
    const stop = spec[1] == null ? (step > 0 ? n : -1) : clampTo(spec[1], step > 0 ? 0 : -1, step > 0 ? n : n - 1);
    return { start, length: Math.max(0, Math.ceil((stop - start) / step)), step, drop: false };
  });
}

function sliceView(x: Tensor, axes: readonly AxisSlice[]): Tensor {
  let offset = x.data.offset;
  const shape: number[] = [];
  const stride: number[] = [];
  axes.forEach((a, i) => {
    if (a.length > 0) offset += a.start * x.data.stride[i]!;
    if (a.drop) return;
    shape.push(a.length);
    stride.push(x.data.stride[i]! * a.step);
  });
  return view(x, shape, stride, offset);
}

const sliceOp: Op<[Tensor, readonly AxisSlice[]]> = defineOp({
  name: 'slice',
  acceptsIntegers: true,
  forward: (x: Tensor, axes: readonly AxisSlice[]) => sliceView(x, axes),
  vjp: (g, { args: [x, axes] }) => [sliceBackward(g, x.shape, axes), null],
  jvp: linearJvp(0),
  batch: ([x, axes], [d], { op, size }) => [op(toFront(x, d, size), [wholeAxis(size), ...axes]), 0],
});

const wholeAxis = (n: number): AxisSlice => ({ start: 0, length: n, step: 1, drop: false });

// Scatters the gradient of a slice into zeros of the input's shape; its own vjp slices again.
const sliceBackward: Op<[Tensor, readonly number[], readonly AxisSlice[]]> = defineOp({
  name: 'sliceBackward',
  acceptsIntegers: true,
  forward: (g: Tensor, shape: readonly number[], axes: readonly AxisSlice[]) => {
    const out = zeros(shape, { dtype: g.dtype });
    const target = sliceView(out, axes);
    const src = copyToContiguous(g.data);
    const dst = ndView(src, target.shape, contiguousStrides(target.shape), 0);
    assign(target, dst);
    return out;
  },
  vjp: (gg, { args: [, , axes] }) => [sliceOp(gg, axes), null, null],
  jvp: linearJvp(0),
  batch: ([g, shape, axes], [d], { op, size }) => [op(toFront(g, d, size), [size, ...shape], [wholeAxis(size), ...axes]), 0],
});

function assign(target: Tensor, src: NdArray): void {
  if (target.ndim === 0) target.data.set(src.get());
  else ops.assign(target.data, src);
}

/**
 * Selects a strided sub-block (a view). One spec per leading axis; see {@link SliceSpec}.
 *
 * @example
 * ```ts
 * const m = arange(12).reshape([3, 4]);
 * m.slice([0, 2]);                   // rows 0..1
 * m.slice(null, [null, null, -1]);   // columns reversed
 * m.slice(1);                        // row 1, shape [4]
 * ```
 * @category Shape
 */
export function slice(x: Tensor, ...ranges: SliceSpec[]): Tensor {
  checkTensor('slice', 'x', x);
  return sliceOp(x, resolveSlice(x, ranges));
}

