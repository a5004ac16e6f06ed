// unfold (im2col) and fold (col2im) as tensor ops. They are adjoint linear maps, so each one's
// vjp is the other: differentiable to any order.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { allocate } from '../dtype.js';
import { fmt, sizeOf } from '../shape.js';
import { contiguousData, wrap } from '../kernels/layout.js';
import { col2im, im2col } from '../kernels/im2col.js';
import { geometryOf, isBatched, pairOf, type Pair, type Window } from './conv-args.js';
import { checkTensor } from '../validate.js';
import { intoN, linearJvp, outOfN, shapeIntoN } from './batch-rules.js';

/**
 * Options of {@link unfold}: the window, each size a number or `[h, w]`.
 *
 * @example
 * ```ts
 * const o: UnfoldOptions = { kernelSize: 3, padding: 1 };
 * ```
 * @category Convolution
 */
export interface UnfoldOptions {
  /** Window size. */
  kernelSize: number | readonly [number, number];
  /** Step between windows (default 1). */
  stride?: number | readonly [number, number];
  /** Zeros added on both sides of each spatial axis (default 0). */
  padding?: number | readonly [number, number];
  /** Spacing between window taps (default 1). */
  dilation?: number | readonly [number, number];
}

/**
 * Options of {@link fold}: the window of the matching {@link unfold} and the image size to rebuild.
 *
 * @example
 * ```ts
 * const o: FoldOptions = { outputSize: [4, 4], kernelSize: 2 };
 * ```
 * @category Convolution
 */
export interface FoldOptions extends UnfoldOptions {
  /** Spatial size [H, W] of the output. */
  outputSize: number | readonly [number, number];
}

function windowOf(op: string, o: UnfoldOptions): Window {
  return {
    kernel: pairOf(op, 'kernelSize', o.kernelSize, NaN, 1),
    stride: pairOf(op, 'stride', o.stride, 1, 1),
    padding: pairOf(op, 'padding', o.padding, 0, 0),
    dilation: pairOf(op, 'dilation', o.dilation, 1, 1),
  };
}

// [N, C, H, W] → [N, C·kH·kW, L]: image n's patch matrix is exactly im2col's layout.
const unfoldOp: Op<[Tensor, Window]> = defineOp({
  name: 'unfold',
  forward: (x: Tensor, win: Window) => {
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const g = geometryOf('unfold', x.shape, win);
    const rows = C * g.kH * g.kW;
    const L = g.oH * g.oW;
    const out = allocate(x.dtype, N * rows * L);
    const src = contiguousData(x.data);
    for (let n = 0; n < N; n++) im2col(src, n * C * H * W, C, g, out, n * rows * L);
    return new Tensor(wrap(out, [N, rows, L]));
  },
  vjp: (g, { args: [x, win] }) => [foldOp(g, x.shape, win), null],
  jvp: linearJvp(0),
  batch: ([x, win], [d], { op, size }) => outOfN(op(intoN(x, d, size), win), size),
});

const foldOp: Op<[Tensor, readonly number[], Window]> = defineOp({
  name: 'fold',
  forward: (cols: Tensor, shape: readonly number[], win: Window) => {
    const [N, C, H, W] = shape as [number, number, number, number];
    const g = geometryOf('fold', shape, win);
    const block = cols.shape[1]! * cols.shape[2]!;
    const out = allocate(cols.dtype, sizeOf(shape));
    const src = contiguousData(cols.data);
    for (let n = 0; n < N; n++) col2im(src, n * block, C, g, out, n * C * H * W);
    return new Tensor(wrap(out, shape));
  },
  vjp: (v, { args: [, , win] }) => [unfoldOp(v, win), null, null],
  jvp: linearJvp(0),
  batch: ([cols, shape, win], [d], { op, size }) => outOfN(op(intoN(cols, d, size), shapeIntoN(shape, size), win), size),
});

/**
 * Extracts sliding windows (im2col, like `torch.nn.functional.unfold`): `input` [N, C, H, W] (or
 * [C, H, W]) becomes [N, C·kH·kW, L], one column per window position, L = H'·W'.
 *
 * @example
 * ```ts
 * const cols = unfold(arange(16).reshape([1, 1, 4, 4]), { kernelSize: 2, stride: 2 }); // [1, 4, 4]
 * ```
 * @category Convolution
 */
export function unfold(input: Tensor, options: UnfoldOptions): Tensor {
  checkTensor('unfold', 'input', input);
  const win = windowOf('unfold', options);
  const batched = isBatched('unfold', input);
  geometryOf('unfold', input.shape, win);
  return batched ? unfoldOp(input, win) : unfoldOp(input.unsqueeze(0), win).squeeze(0);
}

/**
 * Sums sliding-window columns back into an image (col2im, like `torch.nn.functional.fold`):
 * `input` [N, C·kH·kW, L] (or [C·kH·kW, L]) becomes [N, C, ...outputSize]; overlaps add up.
 * It is the adjoint of {@link unfold} with the same options.
 *
 * @example
 * ```ts
 * const img = fold(ones([1, 4, 9]), { outputSize: 4, kernelSize: 2 }); // [1, 1, 4, 4]
 * ```
 * @category Convolution
 */
export function fold(input: Tensor, options: FoldOptions): Tensor {
  checkTensor('fold', 'input', input);
  const op = 'fold';
  const win = windowOf(op, options);
  const size: Pair = pairOf(op, 'outputSize', options.outputSize, NaN, 1);
  if (input.ndim !== 3 && input.ndim !== 2) throw new Error(`${op}: expected input of shape [N, C·kH·kW, L] or [C·kH·kW, L], got ${fmt(input.shape)}`);
  const x = input.ndim === 3 ? input : input.unsqueeze(0);
  const [N, rows, L] = x.shape as [number, number, number];
  const kk = win.kernel[0] * win.kernel[1];
  if (rows % kk !== 0) {
    throw new Error(`${op}: input dimension 1 (${rows}) of ${fmt(input.shape)} is not divisible by the kernel size ${win.kernel[0]}·${win.kernel[1]} = ${kk}`);
  }
  const shape = [N, rows / kk, ...size];
  const g = geometryOf(op, shape, win);
  if (L !== g.oH * g.oW) {
    throw new Error(`${op}: input ${fmt(input.shape)} has ${L} windows but output size ${fmt(size)} with these options has ${g.oH}·${g.oW} = ${g.oH * g.oW}`);
  }
  const y = foldOp(x, shape, win);
  return input.ndim === 3 ? y : y.squeeze(0);
}
