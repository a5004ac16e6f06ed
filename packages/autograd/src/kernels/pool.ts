// Max and average pooling over `planes` contiguous H×W planes (N·C of an NCHW tensor), and the
// index gather/scatter that max pooling's gradients are made of. No autograd in here.
import type { TypedArray } from '../dtype.js';
import type { Geometry } from './im2col.js';
import { avgPoolBlock, maxPoolAdjointBlock, maxPoolBlock, type Block } from './wasm/pool-wasm.js';

/**
 * out[p, oh, ow] = max of the window; idx holds the flat position in `x` of each maximum (the
 * first one on ties; NaN wins, as in PyTorch). Padding never wins, so it acts as -Infinity.
 */
export function maxPoolForward(x: TypedArray, planes: number, g: Geometry, out: TypedArray, idx: Int32Array): void {
  // WebAssembly SIMD for the windows wholly inside the input (float32), this loop for the rest.
  const block = maxPoolBlock(x, planes, g, out, idx);
  if (block) return maxPoolOutside(x, planes, g, out, idx, block);
  // ceilMode can make the last window overhang the input even without padding.
  const inside = (g.oH - 1) * g.sH + g.dH * (g.kH - 1) < g.H && (g.oW - 1) * g.sW + g.dW * (g.kW - 1) < g.W;
  if (g.pH === 0 && g.pW === 0 && inside) maxPoolUnpadded(x, planes, g, out, idx);
  else maxPoolReference(x, planes, g, out, idx);
}

/**
 * maxPoolForward without padding: every tap of every window is inside the input (floor mode), so
 * the loop needs no bounds tests, and the 2×2 stride-2 window (the usual one) is unrolled. Same
 * ties and NaN rule as the reference; measured ~3x faster on the demo CNN's pools.
 */
function maxPoolUnpadded(x: TypedArray, planes: number, g: Geometry, out: TypedArray, idx: Int32Array): void {
  const { H, W, kH, kW, sH, sW, dH, dW, oH, oW } = g;
  const pair = kH === 2 && kW === 2 && dH === 1 && dW === 1;
  let k = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < oH; oh++) {
      const rowAt = base + oh * sH * W;
      for (let ow = 0; ow < oW; ow++, k++) {
        const at0 = rowAt + ow * sW;
        let arg = at0;
        let best = x[at0]!;
        if (pair) {
          // The taps in the reference's order: (0,0), (0,1), (1,0), (1,1).
          let v = x[at0 + 1]!;
          if (v > best || (v !== v && best === best)) { best = v; arg = at0 + 1; }
          v = x[at0 + W]!;
          if (v > best || (v !== v && best === best)) { best = v; arg = at0 + W; }
          v = x[at0 + W + 1]!;
          if (v > best || (v !== v && best === best)) { best = v; arg = at0 + W + 1; }
        } else {
          for (let i = 0; i < kH; i++) {
            for (let j = i === 0 ? 1 : 0; j < kW; j++) {
              const at = at0 + i * dH * W + j * dW;
              const v = x[at]!;
              if (v > best || (v !== v && best === best)) { best = v; arg = at; }
            }
          }
        }
        out[k] = best;
        idx[k] = arg;
      }
    }
  }
}

/**
 * The general loop (any padding): taps outside the input are skipped. The reference for
 * maxPoolUnpadded. A window of padding alone (possible only with dilation) gives -Infinity at
 * position -1, which the gather and scatter below skip.
 */
export function maxPoolReference(x: TypedArray, planes: number, g: Geometry, out: TypedArray, idx: Int32Array): void {
  maxPoolOutside(x, planes, g, out, idx, NOTHING);
}

const NOTHING: Block = { oh0: 0, oh1: 0, ow0: 0, ow1: 0 };

/** maxPoolReference for every output of each plane except those in `block` (left as they are). */
function maxPoolOutside(x: TypedArray, planes: number, g: Geometry, out: TypedArray, idx: Int32Array, block: Block): void {
  const { H, W, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW } = g;
  const { oh0, oh1, ow0, ow1 } = block;
  let k = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < oH; oh++) {
      const skip = oh >= oh0 && oh < oh1 && ow1 > ow0;
      for (let ow = 0; ow < oW; ow++, k++) {
        if (skip && ow === ow0) {
          k += ow1 - ow0;
          ow = ow1;
          if (ow === oW) break;
        }
        let best = -Infinity;
        let arg = -1;
        for (let i = 0; i < kH; i++) {
          const ih = oh * sH - pH + i * dH;
          if (ih < 0 || ih >= H) continue;
          for (let j = 0; j < kW; j++) {
            const iw = ow * sW - pW + j * dW;
            if (iw < 0 || iw >= W) continue;
            const at = base + ih * W + iw;
            const v = x[at]!;
            // `arg < 0` takes the first real tap, so an all -Infinity window still has an argmax.
            if (arg < 0 || v > best || (v !== v && best === best)) {
              best = v;
              arg = at;
            }
          }
        }
        out[k] = best;
        idx[k] = arg;
      }
    }
  }
}

/** out[k] = src[idx[k]] (0 where idx[k] < 0). */
export function gatherAt(src: TypedArray, idx: Int32Array, out: TypedArray): void {
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    out[k] = i < 0 ? 0 : src[i]!;
  }
}

/** dst[idx[k]] += src[k] (overlapping windows may share a maximum; idx[k] < 0 is skipped). */
export function scatterAddAt(src: TypedArray, idx: Int32Array, dst: TypedArray): void {
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    if (i >= 0) dst[i]! += src[k]!;
  }
}

/**
 * The adjoint of max pooling: scatterAddAt of the output gradient `src` at the argmax positions
 * `idx` of a forward with geometry `g` over `planes` planes, into the zeroed `dst`.
 */
export function maxPoolAdjoint(src: TypedArray, idx: Int32Array, planes: number, g: Geometry, dst: TypedArray): void {
  // WebAssembly SIMD for the windows wholly inside the input (float32, windows not overlapping).
  const block = maxPoolAdjointBlock(src, idx, planes, g, dst);
  if (!block) return scatterAddAt(src, idx, dst);
  // The other windows: none overlaps a block window, so the order of the additions cannot show.
  const { oH, oW } = g;
  const { oh0, oh1, ow0, ow1 } = block;
  let k = 0;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < oH; oh++) {
      const skip = oh >= oh0 && oh < oh1;
      for (let ow = 0; ow < oW; ow++, k++) {
        if (skip && ow === ow0) {
          k += ow1 - ow0;
          ow = ow1;
          if (ow === oW) break;
        }
        const i = idx[k]!;
        if (i >= 0) dst[i]! += src[k]!;
      }
    }
  }
}

/**
 * The divisor of each output row/column, as PyTorch: with padding counted, the window clipped to
 * the padded input (smaller than the kernel only for ceilMode's last window), else the taps that
 * fall inside the input. Separable, so the divisor of (oh, ow) is rows[oh]·cols[ow]; a
 * `divisorOverride` replaces it (rows hold it, cols hold 1).
 */
function divisors(g: Geometry, countIncludePad: boolean, override: number | null): [Float64Array, Float64Array] {
  const axis = (o: number, n: number, k: number, s: number, p: number, fixed: number | null) => {
    const d = new Float64Array(o);
    for (let t = 0; t < o; t++) {
      const start = t * s - p;
      d[t] = fixed ?? (countIncludePad ? Math.min(start + k, n + p) - start : Math.min(start + k, n) - Math.max(start, 0));
    }
    return d;
  };
  return [axis(g.oH, g.H, g.kH, g.sH, g.pH, override), axis(g.oW, g.W, g.kW, g.sW, g.pW, override === null ? null : 1)];
}

/**
 * Average pooling (dilation 1) when `forward`, else its adjoint: each output gradient spread
 * evenly over its window's real taps, accumulated into `dst` (which must be zeroed).
 */
export function avgPool(
  src: TypedArray, planes: number, g: Geometry, countIncludePad: boolean, override: number | null, dst: TypedArray, forward: boolean,
): void {
  // WebAssembly SIMD for the windows wholly inside the input (float32), this loop for the rest.
  const block = avgPoolBlock(src, planes, g, override, dst, forward);
  avgPoolOutside(src, planes, g, countIncludePad, override, dst, forward, block ?? NOTHING);
}

/** avgPool by the TypeScript loop (the reference of the WebAssembly kernels). */
export function avgPoolReference(
  src: TypedArray, planes: number, g: Geometry, countIncludePad: boolean, override: number | null, dst: TypedArray, forward: boolean,
): void {
  avgPoolOutside(src, planes, g, countIncludePad, override, dst, forward, NOTHING);
}

/** avgPool for every output of each plane except those in `block` (left as they are). */
function avgPoolOutside(
  src: TypedArray, planes: number, g: Geometry, countIncludePad: boolean, override: number | null, dst: TypedArray, forward: boolean, block: Block,
): void {
  const { H, W, kH, kW, sH, sW, pH, pW, oH, oW } = g;
  const { oh0, oh1, ow0, ow1 } = block;
  const [rows, cols] = divisors(g, countIncludePad, override);
  let k = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = Math.max(oh * sH - pH, 0);
      const h1 = Math.min(oh * sH - pH + kH, H);
      const skip = oh >= oh0 && oh < oh1 && ow1 > ow0;
      for (let ow = 0; ow < oW; ow++, k++) {
        if (skip && ow === ow0) {
          k += ow1 - ow0;
          ow = ow1;
          if (ow === oW) break;
        }
        const w0 = Math.max(ow * sW - pW, 0);
        const w1 = Math.min(ow * sW - pW + kW, W);
        const scale = 1 / (rows[oh]! * cols[ow]!);
        if (forward) {
          let s = 0;
          for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += src[base + ih * W + iw]!;
          dst[k] = s * scale;
        } else {
          const v = src[k]! * scale;
          for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) dst[base + ih * W + iw]! += v;
        }
      }
    }
  }
}
