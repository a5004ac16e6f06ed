// conv-wasm.ts's three kernels as implicit gemms (conv-module.ts) for windows without padding:
// the products read the images through tap-offset tables, so no patch panel is written; the
// forward adds the bias as it stores each tile in the output's own [N, O, L] layout, the input
// gradient adds each tile into dx where col2im would, and every chunk of work (including what
// used to be packing) is shared with the gemm's worker threads. Same sums in the same order as
// im2col + gemm (+ col2im), so results are bit-identical.
import type { TypedArray } from '../../dtype.js';
import type { ConvDims } from '../conv-plan.js';
import { sizes } from '../conv-plan.js';
import { WASM_MIN_MACS } from '../gemm.js';
import { arena, instantiateOnArena, Regions, type Arena } from './gemm-wasm.js';
import { threading } from './gemm-threads.js';
import { CONV_TASK, CONV_TASK_BYTES, convModuleBytes } from './conv-module.js';

type Kernels = Record<'run' | 'packW' | 'packWT' | 'transpose', (...args: number[]) => number>;
/** The module's exports and its id for the gemm's worker threads (-1: unshared memory, one thread); null: not here. */
let loaded: { exports: Kernels; id: number } | null | undefined;

const align = (bytes: number) => Math.ceil(bytes / 64) * 64;
const up = (n: number, q: number) => Math.ceil(n / q) * q;

/** The arena grown to hold the regions `lay` takes, with the module instantiated on it; null: not here. */
function plan<T>(lay: (r: Regions) => T): { a: Arena; k: Kernels; at: T } | null {
  const probe = arena(0);
  if (!probe) return null;
  if (loaded === undefined) loaded = instantiateOnArena<Kernels>(probe, convModuleBytes);
  if (!loaded) return null;
  const r = new Regions(probe.base);
  const at = lay(r);
  const a = arena(r.end);
  return a && { a, k: loaded.exports, at };
}

/**
 * Writes the task's fields and runs it, on the worker threads too when `wide` (products of gemm's
 * threading size, `threading.minMacs`; packing passes of {@link PACK_THREADS} elements).
 */
function runTask(a: Arena, k: Kernels, task: number, fields: Partial<Record<keyof typeof CONV_TASK, number>>, wide: boolean): void {
  for (const key in CONV_TASK) {
    const name = key as keyof typeof CONV_TASK;
    a.i32[(task + CONV_TASK[name]) / 4] = fields[name] ?? 0;
  }
  const threads = wide && loaded!.id >= 0 && a.i32[(task + CONV_TASK.chunks) / 4]! > 1;
  if (!(threads && a.threaded(loaded!.id, k.run, task))) k.run(task);
}

/** Packing passes of at least this many elements are shared with the worker threads. Mutable for tests; not public API. */
export const PACK_THREADS = { minElems: 1 << 16 };

/**
 * Byte offset of every tap (c, i, j) of group `gr` from a window's top-left input element, `n`
 * entries from `at` (taps past the group's K repeat its first: they fill a last partial strip).
 */
function tapTable(a: Arena, d: ConvDims, gr: number, at: number, n: number): void {
  const g = d.geo, cg = d.C / d.groups;
  let t = at / 4;
  for (let c = gr * cg; c < (gr + 1) * cg; c++) {
    for (let i = 0; i < g.kH; i++) for (let j = 0; j < g.kW; j++) a.i32[t++] = (c * g.H * g.W + i * g.dH * g.W + j * g.dW) * 4;
  }
  a.i32.fill(gr * cg * g.H * g.W * 4, t, at / 4 + n);
}

/** Strips of 8 output positions per forward chunk, for about 16 chunks. */
const CHUNKS = 16;

/**
 * Whether every chunk's product is at or above gemm's small-product cutoff: below it conv.ts
 * runs the plain-JS gemm, whose terms are double products (and whose transposed-B form adds each
 * dot product to the output as a whole), so its bits differ from the SIMD kernels'.
 */
function aboveCutoff(d: ConvDims): boolean {
  const { L, K, Og, nb } = sizes(d), last = d.N - Math.floor((d.N - 1) / nb) * nb;
  return Og * K * last * L >= WASM_MIN_MACS;
}

/**
 * Whether the forward runs here: no padding, unit column stride, output rows a whole number of
 * 8-position strips (so a strip's taps are 8 adjacent input floats), products above the cutoff.
 */
export function forwardFits(d: ConvDims): boolean {
  const g = d.geo;
  return g.sW === 1 && g.pH === 0 && g.pW === 0 && g.oW % 8 === 0 && aboveCutoff(d);
}

/** conv.ts `convForward` on float32 for shapes {@link forwardFits} accepts (sizes ≥ 1); false: arena unavailable. */
export function implicitForward(x: TypedArray, w: TypedArray, bias: TypedArray | null, d: ConvDims, out: TypedArray): boolean {
  const { L, K, Og, inImage, outImage, nb } = sizes(d);
  const mStrips = Math.ceil(Og / 4), g = d.geo;
  const p = plan((r) => ({
    task: r.take(CONV_TASK_BYTES), offs: r.take(d.groups * K * 4), w: r.take(d.O * K * 4),
    wp: r.take(d.groups * mStrips * K * 16), bias: r.take(d.groups * mStrips * 16),
    x: r.take(nb * inImage * 4), out: r.take(nb * outImage * 4),
  }));
  if (!p) return false;
  const { a, k, at } = p, v = a.f32;
  v.set(w.subarray(0, d.O * K), at.w / 4);
  v.fill(0, at.bias / 4, at.bias / 4 + d.groups * mStrips * 4);
  for (let gr = 0; gr < d.groups; gr++) {
    tapTable(a, d, gr, at.offs + gr * K * 4, K);
    k.packW(at.w + gr * Og * K * 4, at.wp + gr * mStrips * K * 16, Og, K, mStrips);
    if (bias) v.set(bias.subarray(gr * Og, (gr + 1) * Og), at.bias / 4 + gr * mStrips * 4);
  }
  for (let n0 = 0; n0 < d.N; n0 += nb) {
    const cnt = Math.min(nb, d.N - n0), nStrips = (cnt * L) / 8;
    v.set(x.subarray(n0 * inImage, (n0 + cnt) * inImage), at.x / 4);
    const perChunk = Math.ceil(nStrips / CHUNKS);
    for (let gr = 0; gr < d.groups; gr++) {
      runTask(a, k, at.task, {
        chunks: Math.ceil(nStrips / perChunk), op: 0, x: at.x, a: at.wp + gr * mStrips * K * 16, b: at.offs + gr * K * 4,
        c: at.out + gr * Og * L * 4, bias: at.bias + gr * mStrips * 16, K, mStrips, rows: Og, L, oW: g.oW,
        rowStep: g.sH * g.W * 4, inImage: inImage * 4, outImage: outImage * 4, nStrips, perChunk,
        // One image per chunk: conv.ts seeds the output rows with the bias (see conv.ts).
        seed: cnt === 1 ? 1 : 0,
      }, Og * K * cnt * L >= threading.minMacs);
    }
    out.set(v.subarray(at.out / 4, at.out / 4 + cnt * outImage), n0 * outImage);
  }
  return true;
}

/**
 * conv.ts `convInputGrad` on float32 for shapes {@link forwardFits} accepts (sizes ≥ 1; `dx`
 * accumulates); false: arena unavailable. One chunk per image.
 */
export function implicitInputGrad(gy: TypedArray, w: TypedArray, d: ConvDims, dx: TypedArray): boolean {
  const { L, K, Og, inImage, outImage, nb } = sizes(d);
  const g = d.geo, cg = d.C / d.groups, kHW = g.kH * g.kW, mStrips = Math.ceil(cg / 4) * kHW, plane = g.H * g.W;
  const p = plan((r) => ({
    task: r.take(CONV_TASK_BYTES), w: r.take(d.O * K * 4), wp: r.take(d.groups * mStrips * Og * 16),
    gy: r.take(nb * outImage * 4), dx: r.take(nb * inImage * 4),
  }));
  if (!p) return false;
  const { a, k, at } = p, v = a.f32;
  v.set(w.subarray(0, d.O * K), at.w / 4);
  for (let gr = 0; gr < d.groups; gr++) k.packWT(at.w + gr * Og * K * 4, at.wp + gr * mStrips * Og * 16, Og, K, cg, kHW, mStrips);
  for (let n0 = 0; n0 < d.N; n0 += nb) {
    const cnt = Math.min(nb, d.N - n0);
    v.set(gy.subarray(n0 * outImage, (n0 + cnt) * outImage), at.gy / 4);
    v.set(dx.subarray(n0 * inImage, (n0 + cnt) * inImage), at.dx / 4);
    for (let gr = 0; gr < d.groups; gr++) {
      runTask(a, k, at.task, {
        chunks: cnt, op: 2, x: at.dx + gr * cg * plane * 4, a: at.wp + gr * mStrips * Og * 16, c: at.gy + gr * Og * L * 4,
        K: Og, mStrips, rows: cg, L, oW: g.oW, rowStep: g.sH * g.W * 4, inImage: inImage * 4, outImage: outImage * 4,
        nStrips: L / 8, kHW, kW: g.kW, tapRow: g.dH * g.W * 4, tapCol: g.dW * 4, plane: plane * 4,
      }, Og * K * cnt * L >= threading.minMacs);
    }
    dx.set(v.subarray(at.dx / 4, at.dx / 4 + cnt * inImage), n0 * inImage);
  }
  return true;
}

const positionTables = new Map<string, Int32Array>();

/**
 * Byte address of the top-left input element of every output position of `nb` images from xAt
 * (a smaller last chunk reads a prefix). The last few tables are kept: every training step asks
 * for the same one per layer.
 */
function positions(xAt: number, nb: number, inImage: number, g: ConvDims['geo']): Int32Array {
  const key = [xAt, nb, inImage, g.oH, g.oW, g.sH, g.sW, g.W].join();
  const kept = positionTables.get(key);
  if (kept) return kept;
  const table = new Int32Array(nb * g.oH * g.oW);
  let t = 0;
  for (let n = 0; n < nb; n++) {
    for (let oh = 0; oh < g.oH; oh++) {
      const row = xAt + (n * inImage + oh * g.sH * g.W) * 4;
      for (let ow = 0; ow < g.oW; ow++) table[t++] = row + ow * g.sW * 4;
    }
  }
  if (positionTables.size >= 16) positionTables.clear();
  positionTables.set(key, table);
  return table;
}

/** Whether the weight gradient runs here: no padding (every tap inside the input), products above the cutoff. */
export function weightGradFits(d: ConvDims): boolean {
  return d.geo.pH === 0 && d.geo.pW === 0 && aboveCutoff(d);
}

/** Positions per block of the weight gradient's sweep (its packed gy block stays in L1). */
const KC = 256;

/** conv.ts `convWeightGrad` on float32 for windows without padding (sizes ≥ 1; `dw` accumulates); false: arena unavailable. */
export function implicitWeightGrad(x: TypedArray, gy: TypedArray, d: ConvDims, dw: TypedArray): boolean {
  const { L, K, Og, inImage, outImage, nb } = sizes(d);
  const g = d.geo, mStrips = Math.ceil(K / 4), nStrips = Math.ceil(Og / 8), ldc = nStrips * 8;
  const p = plan((r) => ({
    task: r.take(CONV_TASK_BYTES), offs: r.take(d.groups * mStrips * 16), pos: r.take(nb * L * 4),
    x: r.take(nb * inImage * 4), gy: r.take(nb * outImage * 4), gyp: r.take(nStrips * nb * L * 32),
    dw: r.take(d.O * K * 4), dwT: r.take(d.groups * mStrips * 4 * ldc * 4),
  }));
  if (!p) return false;
  const { a, k, at } = p, v = a.f32;
  a.i32.set(positions(at.x, nb, inImage, g), at.pos / 4);
  // dwᵀ per group ([taps][channels], rows past K and columns past Og unused) starts from dw.
  const dwT = (gr: number) => at.dwT + gr * mStrips * 4 * ldc * 4, dwAt = (gr: number) => at.dw + gr * Og * K * 4;
  v.set(dw.subarray(0, d.O * K), at.dw / 4);
  for (let gr = 0; gr < d.groups; gr++) {
    tapTable(a, d, gr, at.offs + gr * mStrips * 16, mStrips * 4);
    k.transpose(dwAt(gr), K * 4, dwT(gr), ldc * 4, Og, K);
  }
  for (let n0 = 0; n0 < d.N; n0 += nb) {
    const cnt = Math.min(nb, d.N - n0), ld = cnt * L;
    v.set(x.subarray(n0 * inImage, (n0 + cnt) * inImage), at.x / 4);
    v.set(gy.subarray(n0 * outImage, (n0 + cnt) * outImage), at.gy / 4);
    for (let gr = 0; gr < d.groups; gr++) {
      runTask(a, k, at.task, {
        chunks: nStrips * cnt, op: 3, x: at.gy + gr * Og * L * 4, c: at.gyp, rows: Og, L, outImage: outImage * 4, ld, cnt,
      }, Og * ld >= PACK_THREADS.minElems);
      const perChunk = Math.max(1, Math.floor((mStrips * nStrips) / CHUNKS));
      runTask(a, k, at.task, {
        chunks: Math.ceil(mStrips / perChunk) * nStrips, op: 1, x: at.x, a: at.pos, b: at.offs + gr * mStrips * 16,
        c: dwT(gr), gyp: at.gyp, ld, kc: KC, mStrips, nStrips, perChunk, ldc: ldc * 4,
      }, Og * K * ld >= threading.minMacs);
    }
  }
  for (let gr = 0; gr < d.groups; gr++) k.transpose(dwT(gr), ldc * 4, dwAt(gr), K * 4, K, Og);
  dw.set(v.subarray(at.dw / 4, at.dw / 4 + d.O * K), 0);
  return true;
}
