// 2-D max and average pooling (NCHW). Both are linear in the gradient they pass back, so each
// backward is itself an op whose vjp is the forward (or gather) again: differentiable to any order.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { allocate } from '../dtype.js';
import { fmt, sizeOf } from '../shape.js';
import { contiguousData, wrap } from '../kernels/layout.js';
import { avgPool, gatherAt, maxPoolForward, scatterAddAt } from '../kernels/pool.js';
import type { Geometry } from '../kernels/im2col.js';
import { geometryOf, isBatched, pairOf, type Window } from './conv-args.js';
import { checkTensor } from '../validate.js';
import { intoN, linearJvp, outOfN, shapeIntoN } from './batch-rules.js';

/**
 * Options of {@link maxPool2d} and {@link avgPool2d}; each size is a number or `[h, w]`.
 *
 * @example
 * ```ts
 * const o: Pool2dOptions = { kernelSize: 3, stride: 2, padding: 1 };
 * ```
 * @category Convolution
 */
export interface Pool2dOptions {
  /** Window size. */
  kernelSize: number | readonly [number, number];
  /** Step between windows (default: the kernel size). */
  stride?: number | readonly [number, number];
  /** Padding on both sides of each spatial axis, at most half the kernel (default 0). */
  padding?: number | readonly [number, number];
  /** avgPool2d only: whether padded zeros count in the divisor (default true, as in PyTorch). */
  countIncludePad?: boolean;
}

interface PoolSpec extends Window {
  readonly countIncludePad: boolean;
}

/** Parses and checks options and input; returns the spec and whether the input had a batch axis. */
function prepare(op: string, x: Tensor, o: Pool2dOptions): { spec: PoolSpec; batched: boolean } {
  const batched = isBatched(op, x);
  const kernel = pairOf(op, 'kernelSize', o.kernelSize, NaN, 1);
  const stride = pairOf(op, 'stride', o.stride ?? kernel, 1, 1);
  const padding = pairOf(op, 'padding', o.padding, 0, 0);
  // Past half a kernel a window could hold only padding (PyTorch refuses it too).
  if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
    throw new Error(`${op}: padding ${fmt(padding)} must be at most half the kernel size ${fmt(kernel)}`);
  }
  const spec = { kernel, stride, padding, dilation: [1, 1] as const, countIncludePad: o.countIncludePad ?? true };
  geometryOf(op, x.shape, spec);
  return { spec, batched };
}

/** The geometry and plane count (N·C) of a 4-D tensor, shapes already checked. */
function planesOf(shape: readonly number[], spec: PoolSpec): [Geometry, number] {
  return [geometryOf('pool', shape, spec), shape[0]! * shape[1]!];
}

const outShape = (shape: readonly number[], g: Geometry) => [shape[0]!, shape[1]!, g.oH, g.oW];

const maxPoolOp: Op<[Tensor, PoolSpec]> = defineOp<[Tensor, PoolSpec], Int32Array>({
  name: 'maxPool2d',
  forward: (x: Tensor, spec: PoolSpec) => {
    const [g, planes] = planesOf(x.shape, spec);
    const shape = outShape(x.shape, g);
    const out = allocate(x.dtype, sizeOf(shape));
    const idx = new Int32Array(out.length);
    maxPoolForward(contiguousData(x.data), planes, g, out, idx);
    return { output: new Tensor(wrap(out, shape)), saved: idx };
  },
  // Under vmap there are no residuals: the argmax positions are found again from x.
  vjp: (g, { args: [x, spec], saved }) => [saved ? maxPoolScatter(g, saved, x.shape) : maxPoolRoute(g, x, spec), null],
  jvp: ([t], { args: [x, spec], saved, output }) => (t ? (saved ? maxPoolGather(t, saved, output.shape) : maxPoolSelect(t, x, spec)) : null),
  batch: ([x, spec], [d], { op, size }) => outOfN(op(intoN(x, d, size), spec), size),
});

/** Flat argmax positions of each window of x (what maxPool2d saves). */
function argmaxPositions(x: Tensor, spec: PoolSpec): [Int32Array, number[]] {
  const [g, planes] = planesOf(x.shape, spec);
  const shape = outShape(x.shape, g);
  const out = allocate(x.dtype, sizeOf(shape));
  const idx = new Int32Array(out.length);
  maxPoolForward(contiguousData(x.data), planes, g, out, idx);
  return [idx, shape];
}

// maxPool2d's backward and its adjoint with the positions recomputed from x (x gets no gradient:
// the positions are locally constant).
const maxPoolRoute: Op<[Tensor, Tensor, PoolSpec]> = defineOp({
  name: 'maxPool2dRoute',
  forward: (g: Tensor, x: Tensor, spec: PoolSpec) => {
    const out = allocate(g.dtype, x.size);
    scatterAddAt(contiguousData(g.data), argmaxPositions(x, spec)[0], out);
    return new Tensor(wrap(out, x.shape));
  },
  vjp: (v, { args: [, x, spec] }) => [maxPoolSelect(v, x, spec), null, null],
  jvp: linearJvp(0),
  batch: ([g, x, spec], [dg, dx], { op, size }) => outOfN(op(intoN(g, dg, size), intoN(x, dx, size), spec), size),
});

const maxPoolSelect: Op<[Tensor, Tensor, PoolSpec]> = defineOp({
  name: 'maxPool2dSelect',
  forward: (v: Tensor, x: Tensor, spec: PoolSpec) => {
    const [idx, shape] = argmaxPositions(x, spec);
    const out = allocate(v.dtype, idx.length);
    gatherAt(contiguousData(v.data), idx, out);
    return new Tensor(wrap(out, shape));
  },
  vjp: (g, { args: [, x, spec] }) => [maxPoolRoute(g, x, spec), null, null],
  jvp: linearJvp(0),
  batch: ([v, x, spec], [dv, dx], { op, size }) => outOfN(op(intoN(v, dv, size), intoN(x, dx, size), spec), size),
});

/** The saved positions repeated for `size` stacked copies of a tensor of `n` elements. */
function offsetPositions(idx: Int32Array, size: number, n: number): Int32Array {
  const out = new Int32Array(idx.length * size);
  for (let b = 0; b < size; b++) for (let i = 0; i < idx.length; i++) out[b * idx.length + i] = idx[i]! + b * n;
  return out;
}

// Routes each output gradient to its window's argmax; `idx` holds flat input positions.
const maxPoolScatter: Op<[Tensor, Int32Array, readonly number[]]> = defineOp({
  name: 'maxPool2dBackward',
  forward: (g: Tensor, idx: Int32Array, shape: readonly number[]) => {
    const out = allocate(g.dtype, sizeOf(shape));
    scatterAddAt(contiguousData(g.data), idx, out);
    return new Tensor(wrap(out, shape));
  },
  vjp: (v, { args: [g, idx] }) => [maxPoolGather(v, idx, g.shape), null, null],
  jvp: linearJvp(0),
  batch: ([g, idx, shape], [d], { op, size }) => outOfN(op(intoN(g, d, size), offsetPositions(idx, size, sizeOf(shape)), shapeIntoN(shape, size)), size),
});

// The adjoint of the scatter: reads the input-shaped tensor at each argmax.
const maxPoolGather: Op<[Tensor, Int32Array, readonly number[]]> = defineOp({
  name: 'maxPool2dGather',
  forward: (x: Tensor, idx: Int32Array, shape: readonly number[]) => {
    const out = allocate(x.dtype, sizeOf(shape));
    gatherAt(contiguousData(x.data), idx, out);
    return new Tensor(wrap(out, shape));
  },
  vjp: (v, { args: [x, idx] }) => [maxPoolScatter(v, idx, x.shape), null, null],
  jvp: linearJvp(0),
  batch: ([x, idx, shape], [d], { op, size }) => outOfN(op(intoN(x, d, size), offsetPositions(idx, size, x.size / Math.max(1, size)), shapeIntoN(shape, size)), size),
});

/**
 * 2-D max pooling over `input` [N, C, H, W] (or [C, H, W]): the largest value of each window.
 * Padding counts as -Infinity; the gradient goes to the (first) maximum of each window.
 *
 * @example
 * ```ts
 * const x = tensor([[[[1, 2], [3, 4]]]]);
 * maxPool2d(x, { kernelSize: 2 }); // [[[[4]]]]
 * ```
 * @category Convolution
 */
export function maxPool2d(input: Tensor, options: Pool2dOptions): Tensor {
  checkTensor('maxPool2d', 'input', input);
  const { spec, batched } = prepare('maxPool2d', input, options);
  return batched ? maxPoolOp(input, spec) : maxPoolOp(input.unsqueeze(0), spec).squeeze(0);
}

const avgPoolOp: Op<[Tensor, PoolSpec]> = defineOp({
  name: 'avgPool2d',
  forward: (x: Tensor, spec: PoolSpec) => {
    const [g, planes] = planesOf(x.shape, spec);
    const shape = outShape(x.shape, g);
    const out = allocate(x.dtype, sizeOf(shape));
    avgPool(contiguousData(x.data), planes, g, spec.countIncludePad, out, true);
    return new Tensor(wrap(out, shape));
  },
  vjp: (g, { args: [x, spec] }) => [avgPoolBackward(g, x.shape, spec), null],
  jvp: linearJvp(0),
  batch: ([x, spec], [d], { op, size }) => outOfN(op(intoN(x, d, size), spec), size),
});

// The adjoint of the (linear) average: spreads each gradient over its window.
const avgPoolBackward: Op<[Tensor, readonly number[], PoolSpec]> = defineOp({
  name: 'avgPool2dBackward',
  forward: (g: Tensor, shape: readonly number[], spec: PoolSpec) => {
    const [geo, planes] = planesOf(shape, spec);
    const out = allocate(g.dtype, sizeOf(shape));
    avgPool(contiguousData(g.data), planes, geo, spec.countIncludePad, out, false);
    return new Tensor(wrap(out, shape));
  },
  vjp: (v, { args: [, , spec] }) => [avgPoolOp(v, spec), null, null],
  jvp: linearJvp(0),
  batch: ([g, shape, spec], [d], { op, size }) => outOfN(op(intoN(g, d, size), shapeIntoN(shape, size), spec), size),
});

/**
 * 2-D average pooling over `input` [N, C, H, W] (or [C, H, W]): the mean of each window. With
 * `countIncludePad: false` padded zeros are left out of the divisor.
 *
 * @example
 * ```ts
 * const x = tensor([[[[1, 2], [3, 4]]]]);
 * avgPool2d(x, { kernelSize: 2 }); // [[[[2.5]]]]
 * ```
 * @category Convolution
 */
export function avgPool2d(input: Tensor, options: Pool2dOptions): Tensor {
  checkTensor('avgPool2d', 'input', input);
  const { spec, batched } = prepare('avgPool2d', input, options);
  return batched ? avgPoolOp(input, spec) : avgPoolOp(input.unsqueeze(0), spec).squeeze(0);
}
