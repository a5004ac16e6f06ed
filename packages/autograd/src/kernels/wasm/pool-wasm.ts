// Runs the WebAssembly max pooling (pool-module.ts) for float32: the input is copied into the
// streaming kernels' memory (simd-memory.ts) in one piece, one call computes the block of windows
// that lie wholly inside the input in every plane, four outputs at a time, and values and
// positions are copied out in one piece each. Returns the block it computed, or null (having
// written nothing) for float64, without WebAssembly SIMD, when memory cannot grow or when the
// block is narrower than one vector; the caller computes every other output.
import type { TypedArray } from '../../dtype.js';
import type { Geometry } from '../im2col.js';
import { poolModuleBytes } from './pool-module.js';
import { avgPoolModuleBytes } from './pool-avg-module.js';
import { ensureMemory, instantiate, memoryView } from './simd-memory.js';

/** Mutable so tests can compare against the TypeScript loops; not public API. */
export const simdPool = { enabled: true };

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

/**
 * Max pooling of `planes` planes of x (float32) into out/idx as kernels/pool.ts's loops define it,
 * for the returned block of outputs only (whole vectors of windows that need no bounds tests).
 */
export function maxPoolBlock(x: TypedArray, planes: number, g: Geometry, out: TypedArray, idx: Int32Array): Block | null {
  if (!simdPool.enabled || !(x instanceof Float32Array) || !(out instanceof Float32Array) || planes === 0) return null;
  const [oh0, oh1] = inside(g.H, g.kH, g.sH, g.pH, g.dH, g.oH);
  const [ow0, owAll] = inside(g.W, g.kW, g.sW, g.pW, g.dW, g.oW);
  const ow1 = ow0 + ((owAll - ow0) & ~3);
  if (oh1 === oh0 || ow1 === ow0) return null;
  if (kernels === undefined) kernels = instantiate(poolModuleBytes());
  if (!kernels) return null;
  const nx = planes * g.H * g.W, n = out.length;
  // The stride-2 loads read up to one element past a row's last tap: 16 bytes of slack.
  const xAt = 64, outAt = xAt + pad(nx * 4 + 16), idxAt = outAt + pad(n * 4);
  if (!ensureMemory(idxAt + n * 4)) return null;
  const v = memoryView('float32') as Float32Array;
  v.set(x.subarray(0, nx), xAt / 4);
  const kernel = g.sW === 1 ? kernels.maxPool_1! : g.sW !== 2 ? kernels.maxPool_any! : g.kW !== 2 || g.dW !== 1 ? kernels.maxPool_2!
    : g.kH === 2 && g.dH === 1 ? kernels.maxPool_square! : kernels.maxPool_pair!;
  kernel(xAt, outAt, idxAt, planes, g.H, g.W, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW, g.oH, g.oW, oh0, oh1, ow0, ow1);
  out.set(v.subarray(outAt / 4, outAt / 4 + n));
  idx.set(new Int32Array(v.buffer, idxAt, n));
  return { oh0, oh1, ow0, ow1 };
}

/**
 * The adjoint of max pooling into a zeroed float32 `dx`, given the output gradient `g` and the
 * argmax positions `idx` of the forward with geometry `geo`, for the returned block of outputs
 * only (whole vectors of windows wholly inside the input), and only when windows do not overlap.
 * Null (nothing written) otherwise.
 */
export function maxPoolAdjointBlock(g: TypedArray, idx: Int32Array, planes: number, geo: Geometry, dx: TypedArray): Block | null {
  if (!simdPool.enabled || !(g instanceof Float32Array) || !(dx instanceof Float32Array) || planes === 0) return null;
  if (geo.dH * (geo.kH - 1) + 1 > geo.sH || geo.dW * (geo.kW - 1) + 1 > geo.sW) return null;
  const [oh0, oh1] = inside(geo.H, geo.kH, geo.sH, geo.pH, geo.dH, geo.oH);
  const [ow0, owAll] = inside(geo.W, geo.kW, geo.sW, geo.pW, geo.dW, geo.oW);
  const ow1 = ow0 + ((owAll - ow0) & ~3);
  if (oh1 === oh0 || ow1 === ow0) return null;
  if (kernels === undefined) kernels = instantiate(poolModuleBytes());
  if (!kernels) return null;
  const nx = planes * geo.H * geo.W, n = idx.length;
  const gAt = 64, idxAt = gAt + pad(n * 4), dxAt = idxAt + pad(n * 4);
  if (!ensureMemory(dxAt + nx * 4)) return null;
  const v = memoryView('float32') as Float32Array;
  v.set(g.subarray(0, n), gAt / 4);
  new Int32Array(v.buffer, idxAt, n).set(idx);
  // Taps outside every window of the block must read back as the zeros dx holds, unless the
  // block's windows tile the input (the usual kernel = stride without padding; dilation would
  // have made them overlap).
  const tiles = (k: number, s: number, o: number, n: number, lo: number, hi: number) => k === s && lo === 0 && hi === o && o * s === n;
  if (!tiles(geo.kH, geo.sH, geo.oH, geo.H, oh0, oh1) || !tiles(geo.kW, geo.sW, geo.oW, geo.W, ow0, ow1)) v.fill(0, dxAt / 4, dxAt / 4 + nx);
  const kernel = geo.kW === 2 && geo.sW === 2 && geo.dW === 1 ? kernels.maxPoolAdjoint_pair! : kernels.maxPoolAdjoint_any!;
  kernel(dxAt, gAt, idxAt, planes, geo.H, geo.W, geo.kH, geo.kW, geo.sH, geo.sW, geo.pH, geo.pW, geo.dH, geo.dW, geo.oH, geo.oW, oh0, oh1, ow0, ow1);
  dx.set(v.subarray(dxAt / 4, dxAt / 4 + nx));
  return { oh0, oh1, ow0, ow1 };
}

/**
 * Average pooling of float32 `src` as kernels/pool.ts's avgPool (`forward`), or its adjoint into a
 * zeroed `dst`, for the returned block of outputs only: whole pairs of windows wholly inside the
 * input, for the adjoint only when windows do not overlap. Null (nothing written) otherwise.
 */
export function avgPoolBlock(src: TypedArray, planes: number, g: Geometry, override: number | null, dst: TypedArray, forward: boolean): Block | null {
  if (!simdPool.enabled || !(src instanceof Float32Array) || !(dst instanceof Float32Array) || planes === 0) return null;
  if (!forward && (g.kH > g.sH || g.kW > g.sW)) return null;
  const [oh0, oh1] = inside(g.H, g.kH, g.sH, g.pH, 1, g.oH);
  const [ow0, owAll] = inside(g.W, g.kW, g.sW, g.pW, 1, g.oW);
  const ow1 = ow0 + ((owAll - ow0) & ~1);
  if (oh1 === oh0 || ow1 === ow0) return null;
  if (avgKernels === undefined) avgKernels = instantiate(avgPoolModuleBytes());
  if (!avgKernels) return null;
  const nx = planes * g.H * g.W, n = planes * g.oH * g.oW;
  const [nSrc, nDst] = forward ? [nx, n] : [n, nx];
  const srcAt = 64, dstAt = srcAt + pad(nSrc * 4);
  if (!ensureMemory(dstAt + nDst * 4)) return null;
  const v = memoryView('float32') as Float32Array;
  v.set(src.subarray(0, nSrc), srcAt / 4);
  // Taps outside every window of the block must read back as the zeros dst holds.
  if (!forward) v.fill(0, dstAt / 4, dstAt / 4 + nDst);
  // The divisor of a window wholly inside the input, as the loop computes its reciprocal.
  const scale = 1 / (override === null ? g.kH * g.kW : override * 1);
  const pair = g.kW === 2 && g.sW === 2 ? 'pair' : 'any';
  avgKernels[`avgPool${forward ? '' : 'Adjoint'}_${pair}`]!(srcAt, dstAt, planes, g.H, g.W, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.oH, g.oW, oh0, oh1, ow0, ow1, scale);
  dst.set(v.subarray(dstAt / 4, dstAt / 4 + nDst));
  return { oh0, oh1, ow0, ow1 };
}
