// Runs the WebAssembly pooling kernels (pool-module.ts: max pooling and its adjoint;
// pool-avg-module.ts: average pooling and its adjoint) for float32 on the streaming kernels'
// memory (simd-memory.ts): a chunk of planes at a time (about 1 MiB of input, so that memory stays
// small; it never shrinks) is copied in, one call computes the block of windows that lie wholly
// inside the input in every plane of the chunk, and the results are copied out. Each entry returns
// the block it computed, or null (having written nothing) for float64, without WebAssembly SIMD,
// when memory cannot grow or when the block is empty; the caller computes every other output.
import type { TypedArray } from '../../dtype.js';
import type { Geometry } from '../im2col.js';
import { poolModuleBytes } from './pool-module.js';
import { avgPoolModuleBytes } from './pool-avg-module.js';
import { ensureMemory, instantiate, memoryView } from './simd-memory.js';

/**
 * enabled: whether the kernels run; chunk: input elements per call (whole planes, at least one);
 * relu: whether max pooling applies a pending relu itself (maxPoolReluWhole). Mutable so tests and
 * benchmarks can compare against the TypeScript loops and force many chunks; not public API.
 */
export const simdPool = { enabled: true, chunk: 1 << 18, relu: true };

let kernels: ReturnType<typeof instantiate> | undefined;
let avgKernels: ReturnType<typeof instantiate> | undefined;
const pad = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** Rows [oh0, oh1) and columns [ow0, ow1) of every plane's output. */
export interface Block { readonly oh0: number; readonly oh1: number; readonly ow0: number; readonly ow1: number }

/** Outputs t in [lo, hi) whose window start t·s − p and last tap t·s − p + d·(k − 1) lie in [0, n). */
function inside(n: number, k: number, s: number, p: number, d: number, o: number): [number, number] {
  const lo = Math.ceil(p / s);
  const hi = Math.min(o, Math.floor((n - 1 - d * (k - 1) + p) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

/** The block of a geometry (columns cut to a multiple of `lanes`), or null when it is empty. */
function blockOf(g: Geometry, lanes: number): Block | null {
  const [oh0, oh1] = inside(g.H, g.kH, g.sH, g.pH, g.dH, g.oH);
  const [ow0, owAll] = inside(g.W, g.kW, g.sW, g.pW, g.dW, g.oW);
  const ow1 = ow0 + (owAll - ow0) - ((owAll - ow0) % lanes);
  return oh1 === oh0 || ow1 === ow0 ? null : { oh0, oh1, ow0, ow1 };
}

/** Planes per call: whole planes of about simdPool.chunk input elements, at least one. */
const planesPerChunk = (g: Geometry) => Math.max(1, Math.floor(simdPool.chunk / (g.H * g.W)));

const geometry = (g: Geometry) => [g.H, g.W, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW, g.oH, g.oW] as const;

/**
 * Max pooling of `planes` planes of x (float32; with `relu`, of relu(x)) into out/idx as
 * kernels/pool.ts's loops define it, for the returned block of outputs only (whole vectors of
 * windows that need no bounds tests).
 */
export function maxPoolBlock(x: TypedArray, planes: number, g: Geometry, out: TypedArray, idx: Int32Array, relu = false): Block | null {
  if (!simdPool.enabled || !(x instanceof Float32Array) || !(out instanceof Float32Array) || planes === 0) return null;
  const block = blockOf(g, 4);
  if (!block) return null;
  if (kernels === undefined) kernels = instantiate(poolModuleBytes());
  if (!kernels) return null;
  const per = Math.min(planes, planesPerChunk(g)), inPlane = g.H * g.W, outPlane = g.oH * g.oW;
  // The stride-2 loads read up to one element past a row's last tap: 16 bytes of slack.
  const xAt = 64, outAt = xAt + pad(per * inPlane * 4 + 16), idxAt = outAt + pad(per * outPlane * 4);
  if (!ensureMemory(idxAt + per * outPlane * 4)) return null;
  const v = memoryView('float32') as Float32Array;
  const i32 = new Int32Array(v.buffer);
  const stride = g.sW === 1 ? '1' : g.sW !== 2 ? 'any' : g.kW !== 2 || g.dW !== 1 ? '2' : g.kH === 2 && g.dH === 1 ? 'square' : 'pair';
  const kernel = kernels[`maxPool_${stride}${relu ? '_relu' : ''}`]!;
  for (let p0 = 0; p0 < planes; p0 += per) {
    const cnt = Math.min(per, planes - p0), n = cnt * outPlane, k0 = p0 * outPlane;
    v.set(x.subarray(p0 * inPlane, (p0 + cnt) * inPlane), xAt / 4);
    kernel(xAt, outAt, idxAt, cnt, ...geometry(g), block.oh0, block.oh1, block.ow0, block.ow1, p0 * inPlane);
    out.set(v.subarray(outAt / 4, outAt / 4 + n), k0);
    idx.set(i32.subarray(idxAt / 4, idxAt / 4 + n), k0);
  }
  return block;
}

/**
 * maxPoolBlock of relu(x) when its block is every output (no border left for the TypeScript loop,
 * which pools plain values); false (nothing written) otherwise.
 */
export function maxPoolReluWhole(x: TypedArray, planes: number, g: Geometry, out: TypedArray, idx: Int32Array): boolean {
  if (!simdPool.relu) return false;
  const block = blockOf(g, 4);
  if (!block || block.oh0 !== 0 || block.oh1 !== g.oH || block.ow0 !== 0 || block.ow1 !== g.oW) return false;
  return maxPoolBlock(x, planes, g, out, idx, true) !== null;
}

/**
 * The adjoint of max pooling into a zeroed float32 `dx`, given the output gradient `g` and the
 * argmax positions `idx` of the forward with geometry `geo`, for the returned block of outputs
 * only (whole vectors of windows wholly inside the input), and only when windows do not overlap.
 * Null (nothing written) otherwise.
 */
export function maxPoolAdjointBlock(g: TypedArray, idx: Int32Array, planes: number, geo: Geometry, dx: TypedArray, reluOf?: Float32Array): Block | null {
  if (!simdPool.enabled || !(g instanceof Float32Array) || !(dx instanceof Float32Array) || planes === 0) return null;
  if (geo.dH * (geo.kH - 1) + 1 > geo.sH || geo.dW * (geo.kW - 1) + 1 > geo.sW) return null;
  const block = blockOf(geo, 4);
  if (!block) return null;
  if (kernels === undefined) kernels = instantiate(poolModuleBytes());
  if (!kernels) return null;
  const per = Math.min(planes, planesPerChunk(geo)), inPlane = geo.H * geo.W, outPlane = geo.oH * geo.oW;
  const gAt = 64, idxAt = gAt + pad(per * outPlane * 4), dxAt = idxAt + pad(per * outPlane * 4);
  // The relu's input, when its mask is applied too (the mask runs over whole vectors: 16 bytes of slack).
  const xAt = dxAt + pad(per * inPlane * 4 + 16);
  if (!ensureMemory(reluOf ? xAt + pad(per * inPlane * 4 + 16) : dxAt + per * inPlane * 4)) return null;
  const v = memoryView('float32') as Float32Array;
  const i32 = new Int32Array(v.buffer);
  // Taps outside every window of the block must read back as the zeros dx holds, unless the
  // block's windows tile the input (the usual kernel = stride without padding; dilation would
  // have made them overlap).
  const tiles = (k: number, s: number, o: number, n: number, lo: number, hi: number) => k === s && lo === 0 && hi === o && o * s === n;
  const { oh0, oh1, ow0, ow1 } = block;
  const zero = !tiles(geo.kH, geo.sH, geo.oH, geo.H, oh0, oh1) || !tiles(geo.kW, geo.sW, geo.oW, geo.W, ow0, ow1);
  const pair = geo.kW === 2 && geo.sW === 2 && geo.dW === 1;
  const kernel = pair ? kernels.maxPoolAdjoint_pair! : kernels.maxPoolAdjoint_any!;
  for (let p0 = 0; p0 < planes; p0 += per) {
    const cnt = Math.min(per, planes - p0), n = cnt * outPlane, nx = cnt * inPlane, k0 = p0 * outPlane;
    v.set(g.subarray(k0, k0 + n), gAt / 4);
    i32.set(idx.subarray(k0, k0 + n), idxAt / 4);
    if (zero) v.fill(0, dxAt / 4, dxAt / 4 + nx);
    if (reluOf) v.set(reluOf.subarray(p0 * inPlane, p0 * inPlane + nx), xAt / 4);
    // The 2-wide windows mask each vector as they store it (taps outside every window hold +0,
    // which the mask keeps); other windows take a pass after.
    if (reluOf && pair) kernels.maxPoolAdjoint_pair_relu!(dxAt, gAt, idxAt, cnt, ...geometry(geo), oh0, oh1, ow0, ow1, p0 * inPlane, xAt);
    else {
      kernel(dxAt, gAt, idxAt, cnt, ...geometry(geo), oh0, oh1, ow0, ow1, p0 * inPlane);
      if (reluOf) kernels.reluMask!(dxAt, xAt, nx);
    }
    dx.set(v.subarray(dxAt / 4, dxAt / 4 + nx), p0 * inPlane);
  }
  return block;
}

/**
 * relu's vjp applied to max pooling's adjoint, (adjoint of g)·(x > 0) into a zeroed float32 `dx`,
 * where `x` is the relu's input, when maxPoolAdjointBlock's block is every output (no border
 * left for the TypeScript loop); false (nothing written) otherwise.
 */
export function maxPoolAdjointReluWhole(g: TypedArray, idx: Int32Array, planes: number, geo: Geometry, dx: TypedArray, x: TypedArray): boolean {
  if (!(x instanceof Float32Array) || x.length !== dx.length) return false;
  const block = blockOf(geo, 4);
  if (!block || block.oh0 !== 0 || block.oh1 !== geo.oH || block.ow0 !== 0 || block.ow1 !== geo.oW) return false;
  return maxPoolAdjointBlock(g, idx, planes, geo, dx, x) !== null;
}

/**
 * Average pooling of float32 `src` as kernels/pool.ts's avgPool (`forward`), or its adjoint into a
 * zeroed `dst`, for the returned block of outputs only: whole pairs of windows wholly inside the
 * input, for the adjoint only when windows do not overlap. Null (nothing written) otherwise.
 */
export function avgPoolBlock(src: TypedArray, planes: number, g: Geometry, override: number | null, dst: TypedArray, forward: boolean): Block | null {
  if (!simdPool.enabled || !(src instanceof Float32Array) || !(dst instanceof Float32Array) || planes === 0) return null;
  if (!forward && (g.kH > g.sH || g.kW > g.sW)) return null;
  const block = blockOf(g, 2);
  if (!block) return null;
  if (avgKernels === undefined) avgKernels = instantiate(avgPoolModuleBytes());
  if (!avgKernels) return null;
  const per = Math.min(planes, planesPerChunk(g)), inPlane = g.H * g.W, outPlane = g.oH * g.oW;
  const [srcPlane, dstPlane] = forward ? [inPlane, outPlane] : [outPlane, inPlane];
  const srcAt = 64, dstAt = srcAt + pad(per * srcPlane * 4);
  if (!ensureMemory(dstAt + per * dstPlane * 4)) return null;
  const v = memoryView('float32') as Float32Array;
  // The divisor of a window wholly inside the input, as the loop computes its reciprocal.
  const scale = 1 / (override === null ? g.kH * g.kW : override * 1);
  const kernel = avgKernels[`avgPool${forward ? '' : 'Adjoint'}_${g.kW === 2 && g.sW === 2 ? 'pair' : 'any'}`]!;
  for (let p0 = 0; p0 < planes; p0 += per) {
    const cnt = Math.min(per, planes - p0);
    v.set(src.subarray(p0 * srcPlane, (p0 + cnt) * srcPlane), srcAt / 4);
    // Taps outside every window of the block must read back as the zeros dst holds.
    if (!forward) v.fill(0, dstAt / 4, dstAt / 4 + cnt * dstPlane);
    kernel(srcAt, dstAt, cnt, g.H, g.W, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.oH, g.oW, block.oh0, block.oh1, block.ow0, block.ow1, scale);
    dst.set(v.subarray(dstAt / 4, dstAt / 4 + cnt * dstPlane), p0 * dstPlane);
  }
  return block;
}
