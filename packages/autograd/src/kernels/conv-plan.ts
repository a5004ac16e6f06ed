// The shape bookkeeping shared by conv.ts (the batched kernels) and wasm/conv-wasm.ts (the same
// kernels kept in the gemm's WebAssembly memory): sizes per group and how many images share a
// patch panel. No autograd in here.
import type { Geometry } from './im2col.js';

/** Sizes of a convolution: batch N, input channels C, output channels O, groups, and the window. */
export interface ConvDims {
  readonly N: number;
  readonly C: number;
  readonly O: number;
  readonly groups: number;
  readonly geo: Geometry;
}

/**
 * Panel budget in elements (internal; tests shrink it to exercise chunking). Bounds the scratch
 * memory of a call: 4M elements (16 MB in float32) already gives gemms of millions of
 * multiply-adds, while a whole large batch (64 images of 56×56×576 patches) would need gigabytes.
 */
export const convBatching = { panelElems: 1 << 22 };

/**
 * Per-group matrix sizes: the weight of group g is Og×K at g·Og·K; within one image the patch
 * rows of group g are K×L and its output rows Og×L. `nb`: images per panel.
 */
export function sizes(d: ConvDims) {
  const { geo, groups } = d;
  const L = geo.oH * geo.oW;
  const K = (d.C / groups) * geo.kH * geo.kW;
  const perImage = Math.max(groups * K, d.O) * L;
  const nb = Math.max(1, Math.min(d.N, Math.floor(convBatching.panelElems / Math.max(1, perImage))));
  return { L, K, Og: d.O / groups, inImage: d.C * geo.H * geo.W, outImage: d.O * L, nb };
}
