// Grouped 2-D convolution and its two adjoints as im2col/col2im + gemm, on contiguous NCHW
// buffers. Several images share one patch panel side by side ([K, nb·L] per group), so each
// group costs one large gemm per chunk of images instead of one small gemm per image: large
// enough to be split across both cores, and with far fewer calls. Panels live in grow-only
// scratch buffers reused across calls; float32 im2col/col2im run in WebAssembly (wasm/im2col-wasm.ts). The per-image kernels in conv-reference.ts are the
// reference these are tested against. No autograd in here.
import { dtypeOf, type TypedArray } from '../dtype.js';
import { gemm } from './gemm.js';
import { col2im, im2col, isPointwise } from './im2col.js';
import { scratch } from './scratch.js';
import { sizes, type ConvDims } from './conv-plan.js';
import { convForwardArena, convInputGradArena, convWeightGradArena } from './wasm/conv-wasm.js';
import { col2imBatch, im2colBatch } from './wasm/im2col-wasm.js';

export { convBatching, sizes, type ConvDims } from './conv-plan.js';

/**
 * Gradient rows of `cnt` images from n0 as one [O, cnt·L] panel (image n in columns n·L…), the
 * layout the batched gemms read. A single image is already in that layout and is not copied.
 */
function gatherRows(gy: TypedArray, n0: number, cnt: number, d: ConvDims, slot: number): [TypedArray, number] {
  const { L, outImage } = sizes(d);
  if (cnt === 1) return [gy, n0 * outImage];
  const ld = cnt * L;
  const rows = scratch(dtypeOf(gy), slot, d.O * ld);
  for (let n = 0; n < cnt; n++) {
    for (let o = 0; o < d.O; o++) {
      const src = (n0 + n) * outImage + o * L;
      rows.set(gy.subarray(src, src + L), o * ld + n * L);
    }
  }
  return [rows, 0];
}

/**
 * Patches of `cnt` images from n0, side by side: group g's K×(cnt·L) panel at at + g·K·cnt·L. A
 * single image under a pointwise kernel is its own patch matrix and is not copied.
 */
function patches(x: TypedArray, n0: number, cnt: number, d: ConvDims): [TypedArray, number] {
  const { L, K, inImage } = sizes(d);
  if (cnt === 1 && isPointwise(d.geo)) return [x, n0 * inImage];
  const ld = cnt * L;
  const panel = scratch(dtypeOf(x), 0, d.groups * K * ld);
  if (!im2colBatch(x, n0 * inImage, cnt, d.C, d.geo, panel, ld)) {
    for (let n = 0; n < cnt; n++) im2col(x, (n0 + n) * inImage, d.C, d.geo, panel, n * L, ld);
  }
  return [panel, 0];
}

/** out[N,O,oH,oW] = conv(x[N,C,H,W], w[O,C/groups,kH,kW]) + bias[O]. */
export function convForward(x: TypedArray, w: TypedArray, bias: TypedArray | null, d: ConvDims, out: TypedArray): void {
  if (convForwardArena(x, w, bias, d, out)) return;
  const { L, K, Og, outImage, nb } = sizes(d);
  for (let n0 = 0; n0 < d.N; n0 += nb) {
    const cnt = Math.min(nb, d.N - n0), ld = cnt * L;
    const [panel, pAt] = patches(x, n0, cnt, d);
    if (cnt === 1) {
      // One image: the product rows are already the output rows. Seeding them with the bias and
      // accumulating adds it without another pass.
      const base = n0 * outImage;
      if (bias) for (let o = 0; o < d.O; o++) out.fill(bias[o]!, base + o * L, base + (o + 1) * L);
      for (let g = 0; g < d.groups; g++) gemm(Og, L, K, w, g * Og * K, false, panel, pAt + g * K * L, false, out, base + g * Og * L, bias !== null);
      continue;
    }
    const prod = scratch(dtypeOf(x), 1, Og * ld);
    for (let g = 0; g < d.groups; g++) {
      gemm(Og, ld, K, w, g * Og * K, false, panel, pAt + g * K * ld, false, prod, 0);
      // Reorder [Og, cnt·L] into the images' [O, L] rows, adding the bias on the way.
      for (let o = 0; o < Og; o++) {
        const bv = bias ? bias[g * Og + o]! : 0;
        for (let n = 0; n < cnt; n++) {
          const src = o * ld + n * L, dst = (n0 + n) * outImage + (g * Og + o) * L;
          for (let l = 0; l < L; l++) out[dst + l] = prod[src + l]! + bv;
        }
      }
    }
  }
}

/** dx[N,C,H,W] = convᵀ(gy[N,O,oH,oW], w): per chunk and group, Wᵀ·gy scattered back by col2im. `dx` must be zeroed. */
export function convInputGrad(gy: TypedArray, w: TypedArray, d: ConvDims, dx: TypedArray): void {
  if (convInputGradArena(gy, w, d, dx)) return;
  const { L, K, Og, inImage, nb } = sizes(d);
  for (let n0 = 0; n0 < d.N; n0 += nb) {
    const cnt = Math.min(nb, d.N - n0), ld = cnt * L;
    const [rows, at] = gatherRows(gy, n0, cnt, d, 1);
    const panel = scratch(dtypeOf(gy), 0, d.groups * K * ld);
    for (let g = 0; g < d.groups; g++) gemm(K, ld, Og, w, g * Og * K, true, rows, at + g * Og * ld, false, panel, g * K * ld);
    if (!col2imBatch(panel, cnt, d.C, d.geo, dx, n0 * inImage, ld)) {
      for (let n = 0; n < cnt; n++) col2im(panel, n * L, d.C, d.geo, dx, (n0 + n) * inImage, ld);
    }
  }
}

/** dw[O,C/groups,kH,kW] += Σₙ gy·patchesᵀ, per group: one gemm per chunk with the images as its inner dimension. `dw` must be zeroed. */
export function convWeightGrad(x: TypedArray, gy: TypedArray, d: ConvDims, dw: TypedArray): void {
  if (convWeightGradArena(x, gy, d, dw)) return;
  const { L, K, Og, nb } = sizes(d);
  for (let n0 = 0; n0 < d.N; n0 += nb) {
    const cnt = Math.min(nb, d.N - n0), ld = cnt * L;
    const [panel, pAt] = patches(x, n0, cnt, d);
    const [rows, at] = gatherRows(gy, n0, cnt, d, 1);
    for (let g = 0; g < d.groups; g++) gemm(Og, K, ld, rows, at + g * Og * ld, false, panel, pAt + g * K * ld, true, dw, g * Og * K, true);
  }
}
