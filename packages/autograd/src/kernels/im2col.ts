// Sliding-window geometry and the im2col/col2im pair that turns a convolution into one matrix
// product per image. Buffers are row-major and contiguous; no autograd in here.
import type { TypedArray } from '../dtype.js';

/**
 * One image plane and the window sliding over it: input H×W, kernel kH×kW, stride, zero padding
 * and dilation per axis, and the resulting output oH×oW.
 */
export interface Geometry {
  readonly H: number; readonly W: number;
  readonly kH: number; readonly kW: number;
  readonly sH: number; readonly sW: number;
  readonly pH: number; readonly pW: number;
  readonly dH: number; readonly dW: number;
  readonly oH: number; readonly oW: number;
}

/**
 * Output length along one axis; below 1 when the window does not fit. Floor mode by default; with
 * `ceil` (pooling's ceilMode) a last partial window counts too, unless it would start past the
 * input and its left padding (PyTorch's rule, so that every window holds a real element).
 */
export function outputLength(n: number, k: number, s: number, p: number, d: number, ceil = false): number {
  const span = n + 2 * p - d * (k - 1) - 1;
  let o = Math.floor((span + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= n + p) o--;
  return o;
}

/**
 * The range [lo, hi) of output columns whose tap at kernel column offset `off` (= j·dW − pW)
 * lands inside the input, so the hot loops need no bounds test per element.
 */
function validColumns(off: number, g: Geometry): [number, number] {
  const lo = Math.max(0, Math.ceil(-off / g.sW));
  const hi = Math.min(g.oW, Math.floor((g.W - 1 - off) / g.sW) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * Writes the patches of C channels of one image (at `xOff` in `x`) as a (C·kH·kW)×(oH·oW) matrix
 * at `colOff` in `cols` with rows `ld` apart (default oH·oW; wider when several images share one
 * panel side by side): row (c·kH + i)·kW + j holds input tap (i, j) of channel c for every output
 * position. Padding taps are written as 0, so a reused buffer needs no clearing.
 */
export function im2col(x: TypedArray, xOff: number, C: number, g: Geometry, cols: TypedArray, colOff: number, ld = g.oH * g.oW): void {
  const { H, W, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW } = g;
  let row = colOff;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < kH; i++) {
      for (let j = 0; j < kW; j++, row += ld) {
        const off = j * dW - pW;
        const [lo, hi] = validColumns(off, g);
        // Explicit loops, not fill(): rows are often a handful of elements, where three calls per
        // row cost more than the copy (measured 3.4 → 1.1 ms for 32 images of 16×12×12, 5×5).
        for (let oh = 0; oh < oH; oh++) {
          const ih = oh * sH - pH + i * dH;
          const dst = row + oh * oW;
          if (ih < 0 || ih >= H) {
            for (let ow = 0; ow < oW; ow++) cols[dst + ow] = 0;
            continue;
          }
          const src = plane + ih * W + off;
          for (let ow = 0; ow < lo; ow++) cols[dst + ow] = 0;
          if (sW === 1) for (let ow = lo; ow < hi; ow++) cols[dst + ow] = x[src + ow]!;
          else for (let ow = lo; ow < hi; ow++) cols[dst + ow] = x[src + ow * sW]!;
          for (let ow = hi; ow < oW; ow++) cols[dst + ow] = 0;
        }
      }
    }
  }
}

/**
 * The adjoint of {@link im2col}: adds every patch entry back onto the input position it was read
 * from (overlapping windows accumulate; padding taps are dropped); rows are `ld` apart as there.
 * `x` must be initialised.
 */
export function col2im(cols: TypedArray, colOff: number, C: number, g: Geometry, x: TypedArray, xOff: number, ld = g.oH * g.oW): void {
  const { H, W, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW } = g;
  let row = colOff;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < kH; i++) {
      for (let j = 0; j < kW; j++, row += ld) {
        const off = j * dW - pW;
        const [lo, hi] = validColumns(off, g);
        for (let oh = 0; oh < oH; oh++) {
          const ih = oh * sH - pH + i * dH;
          if (ih < 0 || ih >= H) continue;
          const src = row + oh * oW;
          const dst = plane + ih * W + off;
          for (let ow = lo; ow < hi; ow++) x[dst + ow * sW]! += cols[src + ow]!;
        }
      }
    }
  }
}

/** True when the patch matrix is the input itself (1×1 kernel, stride 1, no padding): im2col can be skipped. */
export function isPointwise(g: Geometry): boolean {
  return g.kH === 1 && g.kW === 1 && g.sH === 1 && g.sW === 1 && g.pH === 0 && g.pW === 0;
}
