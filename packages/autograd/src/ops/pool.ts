// Max and average pooling (NCHW; 1-d pools run over a height of 1). Both are linear in the gradient they pass back, so each
// backward is itself an op whose vjp is the forward (or gather) again: differentiable to any order.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { allocate } from '../dtype.js';
import { fmt, sizeOf } from '../shape.js';
import { contiguousData, wrap } from '../kernels/layout.js';
import { avgPool, gatherAt, maxPoolAdjoint, maxPoolForward } from '../kernels/pool.js';
import { maxPoolAdjointReluWhole, maxPoolReluWhole } from '../kernels/wasm/pool-wasm.js';
import { pendingUnaryOperand } from '../kernels/fused/lazy.js';
import type { Geometry } from '../kernels/im2col.js';
import { geometryOf } from './conv-args.js';
import { noteMaxPoolGradient, poolGrad, privateReluInput } from './relu-pool-grad.js';
import { checkTensor } from '../validate.js';
import { intoN, linearJvp, outOfN, shapeIntoN } from './batch-rules.js';
import { poolSpec, type AvgPool1dOptions, type AvgPool2dOptions, type MaxPool1dOptions, type MaxPool2dOptions, type PoolSpec } from './pool-options.js';

export type { AvgPool1dOptions, AvgPool2dOptions, MaxPool1dOptions, MaxPool2dOptions, Pool2dOptions } from './pool-options.js';

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
    // The pool of a relu not yet computed (conv → relu → pool) applies the relu as it reads, so
    // the relu's result (read by nothing else: its gradient reads its input) is never made.
    const reluOf = x.dtype === 'float32' ? pendingUnaryOperand(x.data, 'relu') : null;
    if (!reluOf || !maxPoolReluWhole(contiguousData(reluOf), planes, g, out, idx)) maxPoolForward(contiguousData(x.data), planes, g, out, idx);
    return { output: new Tensor(wrap(out, shape)), saved: idx };
  },
  // Under vmap there are no residuals: the argmax positions are found again from x.
  vjp: (g, { args: [x, spec], saved }) => [saved ? scatterToInput(g, saved, x, spec) : maxPoolRoute(g, x, spec), null],
  jvp: ([t], { args: [x, spec], saved, output }) => (t ? (saved ? maxPoolGather(t, saved, output.shape, spec) : maxPoolSelect(t, x, spec)) : null),
  batch: ([x, spec], [d], { op, size }) => outOfN(op(intoN(x, d, size), spec), size),
});

/**
 * maxPool2d's gradient for x, noted as a fresh buffer that a relu that made x may mask in place;
 * with that relu's mask already applied when nothing else will read it (relu-pool-grad.ts).
 */
function scatterToInput(g: Tensor, idx: Int32Array, x: Tensor, spec: PoolSpec): Tensor {
  const reluIn = privateReluInput(x);
  if (reluIn) {
    const [geo, planes] = planesOf(x.shape, spec);
    const out = allocate(g.dtype, x.size);
    if (maxPoolAdjointReluWhole(contiguousData(g.data), idx, planes, geo, out, reluIn.data.data)) {
      poolGrad.fusedRuns++;
      const dx = new Tensor(wrap(out, x.shape));
      noteMaxPoolGradient(dx, x, idx, true);
      return dx;
    }
  }
  const dx = maxPoolScatter(g, idx, x.shape, spec);
  noteMaxPoolGradient(dx, x, idx);
  return dx;
}

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
    const [geo, planes] = planesOf(x.shape, spec);
    maxPoolAdjoint(contiguousData(g.data), argmaxPositions(x, spec)[0], planes, geo, out);
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

// Routes each output gradient to its window's argmax; `idx` holds flat input positions (of the
// input of shape `shape` pooled with `spec`).
const maxPoolScatter: Op<[Tensor, Int32Array, readonly number[], PoolSpec]> = defineOp({
  name: 'maxPool2dBackward',
  forward: (g: Tensor, idx: Int32Array, shape: readonly number[], spec: PoolSpec) => {
    const out = allocate(g.dtype, sizeOf(shape));
    const [geo, planes] = planesOf(shape, spec);
    maxPoolAdjoint(contiguousData(g.data), idx, planes, geo, out);
    return new Tensor(wrap(out, shape));
  },
  vjp: (v, { args: [g, idx, , spec] }) => [maxPoolGather(v, idx, g.shape, spec), null, null, null],
  jvp: linearJvp(0),
  batch: ([g, idx, shape, spec], [d], { op, size }) =>
    outOfN(op(intoN(g, d, size), offsetPositions(idx, size, sizeOf(shape)), shapeIntoN(shape, size), spec), size),
});

// The adjoint of the scatter: reads the input-shaped tensor at each argmax.
const maxPoolGather: Op<[Tensor, Int32Array, readonly number[], PoolSpec]> = defineOp({
  name: 'maxPool2dGather',
  forward: (x: Tensor, idx: Int32Array, shape: readonly number[], _spec: PoolSpec) => {
    const out = allocate(x.dtype, sizeOf(shape));
    gatherAt(contiguousData(x.data), idx, out);
    return new Tensor(wrap(out, shape));
  },
  vjp: (v, { args: [x, idx, , spec] }) => [maxPoolScatter(v, idx, x.shape, spec), null, null, null],
  jvp: linearJvp(0),
  batch: ([x, idx, shape, spec], [d], { op, size }) =>
    outOfN(op(intoN(x, d, size), offsetPositions(idx, size, x.size / Math.max(1, size)), shapeIntoN(shape, size), spec), size),
});

// The positions themselves, per plane (h·W + w) as PyTorch returns them: not differentiable, an
// op of its own so that vmap batches it.
const maxPoolIndicesOp: Op<[Tensor, PoolSpec]> = defineOp({
  name: 'maxPool2dIndices',
  forward: (x: Tensor, spec: PoolSpec) => {
    const [idx, shape] = argmaxPositions(x, spec);
    const plane = x.shape[2]! * x.shape[3]!;
    const out = new Int32Array(idx.length);
    for (let k = 0; k < idx.length; k++) out[k] = idx[k]! < 0 ? -1 : idx[k]! % plane;
    return new Tensor(wrap(out, shape));
  },
  vjp: () => [null, null],
  jvp: () => null,
  batch: ([x, spec], [d], { op, size }) => outOfN(op(intoN(x, d, size), spec), size),
});

/** Runs a pooling op on a 4-D input, adding and removing the batch axis (and the 1-d height) around it. */
function run(op: (x: Tensor, spec: PoolSpec) => Tensor, x: Tensor, spec: PoolSpec, batched: boolean, oneD: boolean): Tensor {
  let x4 = batched ? x : x.unsqueeze(0);
  if (oneD) x4 = x4.unsqueeze(2);
  let y = op(x4, spec);
  if (oneD) y = y.squeeze(2);
  return batched ? y : y.squeeze(0);
}

function maxPool(name: string, input: Tensor, options: unknown, n: 1 | 2): Tensor | [Tensor, Tensor] {
  checkTensor(name, 'input', input);
  const { spec, batched, returnIndices } = poolSpec(name, input, options, n, 'max');
  const values = run(maxPoolOp, input, spec, batched, n === 1);
  return returnIndices ? [values, run(maxPoolIndicesOp, input, spec, batched, n === 1)] : values;
}

/**
 * 2-D max pooling over `input` [N, C, H, W] (or [C, H, W]): the largest value of each window, as
 * PyTorch's `max_pool2d` (options `stride`, `padding`, `dilation`, `ceilMode`, `returnIndices`).
 * Padding counts as -Infinity; the gradient goes to the (first) maximum of each window. With
 * `returnIndices: true` it returns `[values, indices]`, the indices (int32) being the flat position
 * h·W + w of each maximum within its input plane, as PyTorch's. A window of padding alone (which
 * dilation can make) gives -Infinity with index -1 and passes no gradient.
 *
 * @example
 * ```ts
 * const x = tensor([[[[1, 2], [3, 4]]]]);
 * maxPool2d(x, { kernelSize: 2 }); // [[[[4]]]]
 * const [v, i] = maxPool2d(x, { kernelSize: 2, returnIndices: true }); // i: [[[[3]]]] (int32)
 * maxPool2d(arange(25).reshape([1, 1, 5, 5]), { kernelSize: 2, ceilMode: true }).shape; // [1, 1, 3, 3]
 * ```
 * @category Convolution
 */
export function maxPool2d(input: Tensor, options: MaxPool2dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, options: MaxPool2dOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, options: MaxPool2dOptions): Tensor | [Tensor, Tensor];
export function maxPool2d(input: Tensor, options: MaxPool2dOptions): Tensor | [Tensor, Tensor] {
  return maxPool('maxPool2d', input, options, 2);
}

/**
 * 1-D max pooling over `input` [N, C, L] (or [C, L]), as PyTorch's `max_pool1d`: {@link maxPool2d}
 * over a height of 1, with the same options given as single numbers. Indices are positions along L.
 *
 * @example
 * ```ts
 * maxPool1d(tensor([[1, 3, 2, 5, 4]]), { kernelSize: 2 }); // [[3, 5]]
 * maxPool1d(tensor([[1, 3, 2, 5, 4]]), { kernelSize: 2, ceilMode: true }); // [[3, 5, 4]]
 * ```
 * @category Convolution
 */
export function maxPool1d(input: Tensor, options: MaxPool1dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(input: Tensor, options: MaxPool1dOptions & { returnIndices?: false }): Tensor;
export function maxPool1d(input: Tensor, options: MaxPool1dOptions): Tensor | [Tensor, Tensor];
export function maxPool1d(input: Tensor, options: MaxPool1dOptions): Tensor | [Tensor, Tensor] {
  return maxPool('maxPool1d', input, options, 1);
}

const avgPoolOp: Op<[Tensor, PoolSpec]> = defineOp({
  name: 'avgPool2d',
  forward: (x: Tensor, spec: PoolSpec) => {
    const [g, planes] = planesOf(x.shape, spec);
    const shape = outShape(x.shape, g);
    const out = allocate(x.dtype, sizeOf(shape));
    avgPool(contiguousData(x.data), planes, g, spec.countIncludePad, spec.divisorOverride, out, true);
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
    avgPool(contiguousData(g.data), planes, geo, spec.countIncludePad, spec.divisorOverride, out, false);
    return new Tensor(wrap(out, shape));
  },
  vjp: (v, { args: [, , spec] }) => [avgPoolOp(v, spec), null, null],
  jvp: linearJvp(0),
  batch: ([g, shape, spec], [d], { op, size }) => outOfN(op(intoN(g, d, size), shapeIntoN(shape, size), spec), size),
});

/**
 * 2-D average pooling over `input` [N, C, H, W] (or [C, H, W]): the mean of each window, as
 * PyTorch's `avg_pool2d` (options `stride`, `padding`, `ceilMode`, `countIncludePad`,
 * `divisorOverride`). With `countIncludePad: false` padded zeros are left out of the divisor; a
 * `divisorOverride` replaces the divisor altogether.
 *
 * @example
 * ```ts
 * const x = tensor([[[[1, 2], [3, 4]]]]);
 * avgPool2d(x, { kernelSize: 2 }); // [[[[2.5]]]]
 * avgPool2d(x, { kernelSize: 2, divisorOverride: 2 }); // [[[[5]]]]
 * ```
 * @category Convolution
 */
export function avgPool2d(input: Tensor, options: AvgPool2dOptions): Tensor {
  checkTensor('avgPool2d', 'input', input);
  const { spec, batched } = poolSpec('avgPool2d', input, options, 2, 'avg');
  return run(avgPoolOp, input, spec, batched, false);
}

/**
 * 1-D average pooling over `input` [N, C, L] (or [C, L]), as PyTorch's `avg_pool1d`:
 * {@link avgPool2d} over a height of 1, with the same options given as single numbers.
 *
 * @example
 * ```ts
 * avgPool1d(tensor([[1, 3, 2, 6]]), { kernelSize: 2 }); // [[2, 4]]
 * ```
 * @category Convolution
 */
export function avgPool1d(input: Tensor, options: AvgPool1dOptions): Tensor {
  checkTensor('avgPool1d', 'input', input);
  const { spec, batched } = poolSpec('avgPool1d', input, options, 1, 'avg');
  return run(avgPoolOp, input, spec, batched, true);
}
