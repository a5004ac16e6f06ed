// The reference for conv.ts: the same three kernels one image and one group at a time, with the
// plain-JS gemm and a fresh patch buffer per call. Tests compare the batched kernels against these;
// nothing else calls them. No autograd in here.
import { allocate, dtypeOf, type TypedArray } from '../dtype.js';
import { gemmJs as gemm } from './gemm.js';
import { col2im, im2col, isPointwise } from './im2col.js';
import type { ConvDims } from './conv.js';

/**
 * Per-group matrix sizes: the weight of group g is Og×K at g·Og·K, its patch rows are K×L at
 * g·K·L, its output rows Og×L at g·Og·L (within one image).
 */
function sizes(d: ConvDims) {
  const { geo, groups } = d;
  const L = geo.oH * geo.oW;
  const K = (d.C / groups) * geo.kH * geo.kW;
  return { L, K, Og: d.O / groups, inImage: d.C * geo.H * geo.W, outImage: d.O * L, pointwise: isPointwise(geo) };
}

/** out[N,O,oH,oW] = conv(x[N,C,H,W], w[O,C/groups,kH,kW]) + bias[O]. */
export function convForwardReference(x: TypedArray, w: TypedArray, bias: TypedArray | null, d: ConvDims, out: TypedArray): void {
  const { L, K, Og, inImage, outImage, pointwise } = sizes(d);
  const cols = pointwise ? x : allocate(dtypeOf(x), K * d.groups * L);
  for (let n = 0; n < d.N; n++) {
    const colBase = pointwise ? n * inImage : 0;
    if (!pointwise) im2col(x, n * inImage, d.C, d.geo, cols, 0);
    const outBase = n * outImage;
    // Seeding the rows with the bias and accumulating the product adds it without another pass.
    if (bias) for (let o = 0; o < d.O; o++) out.fill(bias[o]!, outBase + o * L, outBase + (o + 1) * L);
    for (let g = 0; g < d.groups; g++) {
      gemm(Og, L, K, w, g * Og * K, false, cols, colBase + g * K * L, false, out, outBase + g * Og * L, bias !== null);
    }
  }
}

/** dx[N,C,H,W] = convᵀ(gy[N,O,oH,oW], w): per image and group, Wᵀ·gy scattered back by col2im. `dx` must be zeroed. */
export function convInputGradReference(gy: TypedArray, w: TypedArray, d: ConvDims, dx: TypedArray): void {
  const { L, K, Og, inImage, outImage, pointwise } = sizes(d);
  const cols = pointwise ? dx : allocate(dtypeOf(gy), K * d.groups * L);
  for (let n = 0; n < d.N; n++) {
    const colBase = pointwise ? n * inImage : 0;
    for (let g = 0; g < d.groups; g++) {
      gemm(K, L, Og, w, g * Og * K, true, gy, n * outImage + g * Og * L, false, cols, colBase + g * K * L);
    }
    if (!pointwise) col2im(cols, 0, d.C, d.geo, dx, n * inImage);
  }
}

/** dw[O,C/groups,kH,kW] = Σₙ gy·patchesᵀ, per group. `dw` must be zeroed. */
export function convWeightGradReference(x: TypedArray, gy: TypedArray, d: ConvDims, dw: TypedArray): void {
  const { L, K, Og, inImage, outImage, pointwise } = sizes(d);
  const cols = pointwise ? x : allocate(dtypeOf(x), K * d.groups * L);
  for (let n = 0; n < d.N; n++) {
    const colBase = pointwise ? n * inImage : 0;
    if (!pointwise) im2col(x, n * inImage, d.C, d.geo, cols, 0);
    for (let g = 0; g < d.groups; g++) {
      gemm(Og, K, L, gy, n * outImage + g * Og * L, false, cols, colBase + g * K * L, true, dw, g * Og * K, true);
    }
  }
}
