// Runs the generated WebAssembly SIMD gemm: copies the operands into one growing
// WebAssembly.Memory, packs them there into panels, sweeps the macro-kernel over cache blocks and
// copies C back. Compiled lazily on first use, once per dtype; unavailable (and `gemmWasm`
// returns false) where WebAssembly SIMD is not.
import type { TypedArray } from '../../dtype.js';
import { gemmModuleBytes, tileGeometry, type TileConfig } from './gemm-module.js';

// The global WebAssembly API, typed locally: the project compiles against ES2022 + Node types,
// which declare the WebAssembly namespace's types but not the global value.
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

type I32Fn = (...args: number[]) => void;

/**
 * Cache blocking: kc k-steps per block (a multiple of every unroll), mc rows of C per macro-kernel
 * call (the unit a worker thread would take) and a packed B block of at most `bBlockBytes`
 * (kc × nc elements), so that it stays in L2 while the A strips sweep over it. Chosen by
 * measurement (bench/gemm.ts): at N ≤ 1024 anything reasonable runs at the same speed; at N = 2048
 * a B block of the whole k-block × n (4 MiB) ran ~30% slower than 512 KiB. Mutable so tests and
 * the benchmark can sweep them; not part of the public API.
 */
export const blocking = { kc: 256, mc: 96, bBlockBytes: 512 * 1024 };

/**
 * Tile per dtype (see gemm-module.ts for the register budget). 4×2 vectors measured best for
 * both (f32 4×8: 58 GFLOP/s, next best 2×4 and 3×2; 5×2, 6×2, 4×3 and manual unrolling spill).
 * Relaxed-SIMD fused multiply-add is off: behind a flag in Node 20, and 5% slower on this AMD
 * machine (FMA issues on 2 pipes, separate mul and add on 4) though it could win on Intel.
 */
export const tiles: Record<'float32' | 'float64', TileConfig> = {
  float32: { dtype: 'float32', mr: 4, nv: 2, unroll: 1, madd: false },
  float64: { dtype: 'float64', mr: 4, nv: 2, unroll: 1, madd: false },
};

interface Kernel { cfg: TileConfig; packA: I32Fn; packB: I32Fn; macro: I32Fn; copyRows: I32Fn }

const PAGE = 65536;
/** Above 2 GiB byte addresses would not fit the kernels' signed i32 arithmetic. */
const MAX_BYTES = 2 ** 31 - PAGE;

let memory: WasmMemory | null = null;
let f32: Float32Array = new Float32Array(0);
let f64: Float64Array = new Float64Array(0);
const kernels = new Map<string, Kernel | null>();

/** Grows the shared arena to at least `bytes`; false when that is impossible. */
function ensureMemory(bytes: number): boolean {
  if (bytes > MAX_BYTES || !WA) return false;
  try {
    if (!memory) memory = new WA.Memory({ initial: Math.ceil(bytes / PAGE) });
    const have = memory.buffer.byteLength;
    if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE));
  } catch {
    return false; // out of memory: the caller falls back to plain JS
  }
  if (f32.buffer !== memory.buffer) {
    f32 = new Float32Array(memory.buffer);
    f64 = new Float64Array(memory.buffer);
  }
  return true;
}

/** The compiled kernel for a tile configuration, or null when WebAssembly SIMD is unavailable. */
function kernelFor(cfg: TileConfig): Kernel | null {
  const key = JSON.stringify(cfg);
  let k = kernels.get(key);
  if (k !== undefined) return k;
  k = null;
  const bytes = gemmModuleBytes(cfg);
  if (WA && WA.validate(bytes) && ensureMemory(PAGE)) {
    const instance = new WA.Instance(new WA.Module(bytes), { env: { mem: memory } });
    const e = instance.exports as Record<keyof Kernel, I32Fn>;
    k = { cfg, packA: e.packA, packB: e.packB, macro: e.macro, copyRows: e.copyRows };
  }
  kernels.set(key, k);
  return k;
}

/** True when the WebAssembly SIMD kernel for `dtype` compiled (it is compiled on first call). */
export function wasmGemmAvailable(dtype: 'float32' | 'float64'): boolean {
  return kernelFor(tiles[dtype]) !== null;
}

const up = (x: number, q: number) => Math.ceil(x / q) * q;
const align = (bytes: number) => up(bytes, 64);

/**
 * Same contract as `gemm` (see gemm.ts); returns false, having done nothing, when the WebAssembly
 * path cannot run (no SIMD support, or the operands do not fit in memory). Requires m, n, k ≥ 1.
 */
export function gemmWasm(
  m: number, n: number, k: number,
  a: TypedArray, aOff: number, transA: boolean,
  b: TypedArray, bOff: number, transB: boolean,
  c: TypedArray, cOff: number, accumulate: boolean,
): boolean {
  const dtype = a instanceof Float64Array ? 'float64' : 'float32';
  const kern = kernelFor(tiles[dtype]);
  if (!kern) return false;
  const { mr, unroll } = kern.cfg;
  const { es, nr } = tileGeometry(kern.cfg);
  const kc = blocking.kc;
  const kBlocks = Math.ceil(k / kc);
  const kLastPad = up(k - (kBlocks - 1) * kc, unroll);
  const kTot = (kBlocks - 1) * kc + kLastPad;
  const mPad = up(m, mr);
  const nPad = up(n, nr);
  const ldc = nPad;
  // Arena layout (byte offsets, 64-aligned): padded C | dense C (only when ldc ≠ n) | A as given |
  // B as given | packed A | packed B.
  const cAt = 0;
  const dAt = align(cAt + mPad * ldc * es);
  const aAt = ldc === n ? dAt : align(dAt + m * n * es);
  const bAt = align(aAt + m * k * es);
  const apAt = align(bAt + k * n * es);
  const bpAt = align(apAt + mPad * kTot * es);
  if (!ensureMemory(bpAt + nPad * kTot * es)) return false;
  const view = dtype === 'float64' ? f64 : f32;

  view.set(a.subarray(aOff, aOff + m * k), aAt / es);
  view.set(b.subarray(bOff, bOff + k * n), bAt / es);
  if (accumulate) {
    view.set(c.subarray(cOff, cOff + m * n), (ldc === n ? cAt : dAt) / es);
    if (ldc !== n) kern.copyRows(dAt, n * es, cAt, ldc * es, m, n * es);
  }
  // Element (r, p) of op(A) / op(B)ᵀ at base + r·sR + p·sP, in bytes.
  if (transA) kern.packA(aAt, es, m * es, m, k, kc, apAt);
  else kern.packA(aAt, k * es, es, m, k, kc, apAt);
  if (transB) kern.packB(bAt, k * es, es, n, k, kc, bpAt);
  else kern.packB(bAt, es, n * es, n, k, kc, bpAt);

  const mc = up(blocking.mc, mr);
  const nc = up(Math.max(1, Math.floor(blocking.bBlockBytes / (kc * es))), nr);
  for (let kb = 0; kb < kBlocks; kb++) {
    const p0 = kb * kc;
    const kcPad = kb < kBlocks - 1 ? kc : kLastPad;
    const aBlock = apAt + p0 * mPad * es;
    const bBlock = bpAt + p0 * nPad * es;
    const first = kb === 0 && !accumulate ? 1 : 0;
    for (let j0 = 0; j0 < nPad; j0 += nc) {
      const nStrips = Math.min(nc, nPad - j0) / nr;
      for (let i0 = 0; i0 < mPad; i0 += mc) {
        const mStrips = Math.min(mc, mPad - i0) / mr;
        kern.macro(aBlock + i0 * kcPad * es, bBlock + j0 * kcPad * es, cAt + (i0 * ldc + j0) * es, ldc * es, mStrips, nStrips, kcPad, first);
      }
    }
  }

  if (ldc !== n) kern.copyRows(cAt, ldc * es, dAt, n * es, m, n * es);
  const from = (ldc === n ? cAt : dAt) / es;
  c.set(view.subarray(from, from + m * n), cOff);
  return true;
}
