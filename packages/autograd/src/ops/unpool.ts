// maxUnpool2d: PyTorch's partial inverse of maxPool2d. Each value goes to the position its index
// names within its plane, zeros elsewhere; the vjp reads the gradient back at those positions.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { allocate } from '../dtype.js';
import { fmt, sizeOf } from '../shape.js';
import { contiguousData, wrap } from '../kernels/layout.js';
import { checkOptions, checkTensor, fail } from '../validate.js';
import { intoN, linearJvp, outOfN } from './batch-rules.js';
import { pairOf } from './conv-args.js';

/**
 * Options of {@link maxUnpool2d}: the settings of the max pooling it undoes, and optionally the
 * output size (as PyTorch's `output_size`).
 *
 * @example
 * ```ts
 * const o: MaxUnpool2dOptions = { kernelSize: 2, outputSize: [5, 5] };
 * ```
 * @category Convolution
 */
export interface MaxUnpool2dOptions {
  /** Window size of the pooling. */
  kernelSize: number | readonly [number, number];
  /** Its stride (default: the kernel size). */
  stride?: number | readonly [number, number];
  /** Its padding (default 0). */
  padding?: number | readonly [number, number];
  /** `[H, W]` (or the whole shape), within stride of the default (H − 1)·stride − 2·padding + kernel. */
  outputSize?: readonly number[];
}

/** [N·C planes of L values] → [N·C planes of P values]: out[p, idx[p, l]] = x[p, l] (the last write wins). */
function place(x: Float32Array | Float64Array, idx: Int32Array, L: number, P: number, out: Float32Array | Float64Array): void {
  for (let p = 0, k = 0; k < idx.length; p++) for (let l = 0; l < L; l++, k++) out[p * P + idx[k]!] = x[k]!;
}

const unpoolOp: Op<[Tensor, Tensor, readonly number[]]> = defineOp({
  name: 'maxUnpool2d',
  acceptsIntegers: true, // the int32 indices; the values are checked to be float
  forward: (x: Tensor, indices: Tensor, shape: readonly number[]) => {
    // Checked here rather than in maxUnpool2d: under vmap only the op sees the indices' values.
    const plane = shape[2]! * shape[3]!;
    const idx = contiguousData(indices.data);
    for (let k = 0; k < idx.length; k++) {
      if (idx[k]! < 0 || idx[k]! >= plane) throw new Error(`maxUnpool2d: index ${idx[k]} is outside the output plane of ${fmt(shape.slice(2))} (${plane} positions)`);
    }
    const out = allocate(x.dtype, sizeOf(shape));
    place(contiguousData(x.data) as Float64Array, contiguousData(indices.data) as Int32Array, x.shape[2]! * x.shape[3]!, shape[2]! * shape[3]!, out as Float64Array);
    return new Tensor(wrap(out, shape));
  },
  vjp: (g, { args: [x, indices] }) => [unpoolGather(g, indices, x.shape), null, null],
  jvp: linearJvp(0),
  batch: ([x, indices, shape], [dx, di], { op, size }) => outOfN(op(intoN(x, dx, size), intoN(indices, di ?? null, size), [size * shape[0]!, ...shape.slice(1)]), size),
});

// The vjp: each input reads the gradient at its position; its own adjoint adds back (so a repeated
// index, which the forward writes once, still gives a consistent second derivative of this op).
const unpoolGather: Op<[Tensor, Tensor, readonly number[]]> = defineOp({
  name: 'maxUnpool2dGather',
  acceptsIntegers: true,
  forward: (g: Tensor, indices: Tensor, shape: readonly number[]) => {
    const out = allocate(g.dtype, sizeOf(shape));
    const gd = contiguousData(g.data);
    const idx = contiguousData(indices.data);
    const [L, P] = [shape[2]! * shape[3]!, g.shape[2]! * g.shape[3]!];
    for (let p = 0, k = 0; k < out.length; p++) for (let l = 0; l < L; l++, k++) out[k] = gd[p * P + idx[k]!]!;
    return new Tensor(wrap(out, shape));
  },
  vjp: (v, { args: [g, indices] }) => [unpoolScatterAdd(v, indices, g.shape), null, null],
  jvp: linearJvp(0),
  batch: ([g, indices, shape], [dg, di], { op, size }) => outOfN(op(intoN(g, dg, size), intoN(indices, di ?? null, size), [size * shape[0]!, ...shape.slice(1)]), size),
});

const unpoolScatterAdd: Op<[Tensor, Tensor, readonly number[]]> = defineOp({
  name: 'maxUnpool2dScatterAdd',
  acceptsIntegers: true,
  forward: (v: Tensor, indices: Tensor, shape: readonly number[]) => {
    const out = allocate(v.dtype, sizeOf(shape));
    const vd = contiguousData(v.data);
    const idx = contiguousData(indices.data);
    const [L, P] = [v.shape[2]! * v.shape[3]!, shape[2]! * shape[3]!];
    for (let p = 0, k = 0; k < idx.length; p++) for (let l = 0; l < L; l++, k++) out[p * P + idx[k]!]! += vd[k]!;
    return new Tensor(wrap(out, shape));
  },
  vjp: (g, { args: [v, indices] }) => [unpoolGather(g, indices, v.shape), null, null],
  jvp: linearJvp(0),
  batch: ([v, indices, shape], [dv, di], { op, size }) => outOfN(op(intoN(v, dv, size), intoN(indices, di ?? null, size), [size * shape[0]!, ...shape.slice(1)]), size),
});

/**
 * The partial inverse of {@link maxPool2d} (PyTorch's `max_unpool2d`): each value of `input`
 * [N, C, H, W] (or [C, H, W]) is put at the position its int32 `indices` (as `maxPool2d` returns
 * them with `returnIndices`) names within its output plane, zeros elsewhere. The output is
 * [N, C, H', W'] with H' = (H − 1)·stride − 2·padding + kernel, or `outputSize`. Where indices
 * repeat, the last value wins (PyTorch leaves it unspecified); the gradient reads each position back.
 *
 * @example
 * ```ts
 * const x = tensor([[[[1, 2], [3, 4]]]]);
 * const [v, i] = maxPool2d(x, { kernelSize: 2, returnIndices: true });
 * maxUnpool2d(v, i, { kernelSize: 2 }); // [[[[0, 0], [0, 4]]]]
 * ```
 * @category Convolution
 */
export function maxUnpool2d(input: Tensor, indices: Tensor, options: MaxUnpool2dOptions): Tensor {
  const op = 'maxUnpool2d';
  checkTensor(op, 'input', input);
  checkTensor(op, 'indices', indices);
  if (options === undefined || options === null) fail(op, 'options must be an object with kernelSize', options, 'an object with kernelSize');
  const o = checkOptions(op, options, ['kernelSize', 'stride', 'padding', 'outputSize']);
  if (o.kernelSize === undefined) fail(op, 'kernelSize is required', undefined, 'a positive integer or [kH, kW]');
  const kernel = pairOf(op, 'kernelSize', o.kernelSize, 1, 1);
  const stride = o.stride === undefined ? kernel : pairOf(op, 'stride', o.stride, 1, 1);
  const padding = pairOf(op, 'padding', o.padding, 0, 0);
  if (input.ndim !== 4 && input.ndim !== 3) throw new Error(`${op}: expected input of shape [N, C, H, W] or [C, H, W], got ${fmt(input.shape)}`);
  if (indices.dtype !== 'int32' || indices.shape.length !== input.ndim || indices.shape.some((n, i) => n !== input.shape[i])) {
    throw new Error(`${op}: expected int32 indices of the input's shape ${fmt(input.shape)}, got ${indices.dtype} ${fmt(indices.shape)}`);
  }
  if (input.dtype !== 'float32' && input.dtype !== 'float64') throw new Error(`${op}: expected a float input, got ${input.dtype}`);
  const [H, W] = input.shape.slice(-2) as [number, number];
  const base = [H, W].map((n, a) => (n - 1) * stride[a]! - 2 * padding[a]! + kernel[a]!);
  let size = base;
  if (o.outputSize !== undefined) {
    const s = o.outputSize;
    if (!Array.isArray(s) || (s.length !== 2 && s.length !== input.ndim) || !s.every((v) => Number.isInteger(v) && v >= 0)) {
      fail(op, 'outputSize must be [H, W] or the whole output shape', s, 'non-negative integers');
    }
    size = s.slice(-2);
    size.forEach((v, a) => {
      if (!(base[a]! - stride[a]! < v && v < base[a]! + stride[a]!)) {
        throw new Error(`${op}: invalid outputSize ${fmt(size)} (axis ${a} must be between ${base[a]! - stride[a]! + 1} and ${base[a]! + stride[a]! - 1})`);
      }
    });
  }
  const x4 = input.ndim === 4 ? input : input.unsqueeze(0);
  const i4 = input.ndim === 4 ? indices : indices.unsqueeze(0);
  const y = unpoolOp(x4, i4, [x4.shape[0]!, x4.shape[1]!, size[0]!, size[1]!]);
  return input.ndim === 4 ? y : y.squeeze(0);
}
