// conv.ts's three float32 kernels with every intermediate kept in the gemm's WebAssembly memory
// (gemm-wasm.ts `arena`). Windows without padding (the forward and input gradient also need unit
// column stride and output rows of whole 8-position strips) run as implicit gemms
// (conv-implicit.ts); the rest here: the images (or output gradients) are copied in once per chunk of
// images, im2col writes the patch panel where the gemm packs it from, the gemm leaves its product
// where `unpanel` (forward) or col2im (input gradient) reads it, and only the result is copied
// out. The TypeScript path in conv.ts copied each panel and product across three memories. Every
// step is the same arithmetic in the same order as that path (the same im2col/col2im kernels,
// gemm with the same small-product cutoff, one f32 add for the bias), so results are identical.
// Returns false, having done nothing, for float64, empty shapes, without WebAssembly SIMD or
// when the memory cannot grow; conv.ts then runs its own loops.
import type { TypedArray } from '../../dtype.js';
import { sizes, type ConvDims } from '../conv-plan.js';
import { gemmJs, WASM_MIN_MACS } from '../gemm.js';
import { isPointwise } from '../im2col.js';
import { arena, gemmAt, gemmAtBytes, instantiateOnArena, Regions, type Arena } from './gemm-wasm.js';
import { im2colModuleBytes, SWEEP, SWEEP_BYTES } from './im2col-module.js';
import { forwardFits, implicitForward, implicitInputGrad, implicitWeightGrad, weightGradFits } from './conv-implicit.js';

/**
 * Mutable so tests and benchmarks can compare against conv.ts's own path (`enabled`), the
 * implicit gemms (conv-implicit.ts) against im2col + gemm here (`implicit`) and against the
 * general col2im (`col2imValid`); not public API.
 */
export const arenaConv = { enabled: true, implicit: true, col2imValid: true };

/** Whether the arena path takes these operands and sizes at all (float32, nothing empty). */
function takes(floats: TypedArray[], d: ConvDims): boolean {
  const { L, K, Og } = sizes(d);
  return arenaConv.enabled && floats.every((f) => f instanceof Float32Array) && d.N > 0 && L > 0 && K > 0 && Og > 0;
}

type Kernels = Record<'im2col' | 'col2im' | 'unpanel' | 'run', (...args: number[]) => number>;
/** The module's exports and its id for the gemm's worker threads (-1: unshared memory, one thread); null: not here. */
let loaded: { exports: Kernels; id: number } | null | undefined;

/**
 * Sweeps (im2col or col2im over a chunk of images) of at least this many panel elements are
 * shared with the gemm's worker threads, image by image. Mutable for tests; not public API.
 */
export const sweepThreads = { minElems: 1 << 16 };

const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** The arena grown to `bytes` and the im2col module instantiated on it, or null. */
function setup(bytes: number): { a: Arena; k: Kernels } | null {
  const a = arena(bytes);
  if (!a) return null;
  if (loaded === undefined) loaded = instantiateOnArena<Kernels>(a, im2colModuleBytes);
  return loaded ? { a, k: loaded.exports } : null;
}

/** Lays out regions (given the arena's base) and grows the arena to hold them; null: use conv.ts's loops. */
function plan<T>(floats: TypedArray[], d: ConvDims, lay: (r: Regions) => T): { a: Arena; k: Kernels; at: T } | null {
  if (!takes(floats, d)) return null;
  const probe = setup(0);
  if (!probe) return null;
  const r = new Regions(probe.a.base);
  const at = lay(r);
  const s = setup(r.end);
  return s && { ...s, at };
}

/** gemm's contract on arena addresses, with gemm's own cutoff for the plain-JS loops. */
function product(v: Float32Array, m: number, n: number, k: number, aAt: number, tA: boolean, bAt: number, tB: boolean, cAt: number, acc: boolean, free: number): void {
  if (m * n * k >= WASM_MIN_MACS) gemmAt(m, n, k, aAt, tA, bAt, tB, cAt, acc, free);
  else gemmJs(m, n, k, v, aAt / 4, tA, v, bAt / 4, tB, v, cAt / 4, acc);
}

/**
 * im2col (op 0) or col2im (op 1) of `cnt` images at xAt against the panel at colsAt (image n at
 * column n·L, rows ld apart), on the worker threads too when the panel is large.
 */
function sweep(a: Arena, k: Kernels, task: number, op: 0 | 1, d: ConvDims, xAt: number, colsAt: number, cnt: number, ld: number): void {
  const { L, K, inImage } = sizes(d), g = d.geo;
  // col2im without padding and with unit column stride: the kernel with no bounds to work out.
  const kernel = op === 1 && arenaConv.col2imValid && g.pH === 0 && g.pW === 0 && g.sW === 1 ? 2 : op;
  const fields: Record<keyof typeof SWEEP, number> = {
    next: 0, chunks: cnt, op: kernel, x: xAt, cols: colsAt, xStep: inImage * 4, colStep: L * 4,
    C: d.C, H: g.H, W: g.W, kH: g.kH, kW: g.kW, sH: g.sH, sW: g.sW, pH: g.pH, pW: g.pW, dH: g.dH, dW: g.dW, oH: g.oH, oW: g.oW, ld,
  };
  for (const key in fields) a.i32[(task + SWEEP[key as keyof typeof SWEEP]) / 4] = fields[key as keyof typeof SWEEP];
  const wide = cnt > 1 && loaded!.id >= 0 && d.groups * K * ld >= sweepThreads.minElems;
  if (!(wide && a.threaded(loaded!.id, k.run, task))) k.run(task);
}

/** Patches of the `cnt` images at xAt into the panel at pAt (rows ld apart); returns where the panel is. */
function patches(a: Arena, k: Kernels, task: number, d: ConvDims, xAt: number, pAt: number, cnt: number, ld: number): number {
  if (cnt === 1 && isPointwise(d.geo)) return xAt;
  sweep(a, k, task, 0, d, xAt, pAt, cnt, ld);
  return pAt;
}

/** Output-gradient rows of the `cnt` images at gyAt as one [O, cnt·L] panel at rowsAt (conv.ts gatherRows); returns where they are. */
function rows(a: Arena, d: ConvDims, gyAt: number, rowsAt: number, cnt: number): number {
  if (cnt === 1) return gyAt;
  const { L, outImage } = sizes(d);
  for (let n = 0; n < cnt; n++) a.copyRows(gyAt + n * outImage * 4, L * 4, rowsAt + n * L * 4, cnt * L * 4, d.O, L * 4);
  return rowsAt;
}

/** conv.ts `convForward` for float32; false: not handled. */
export function convForwardArena(x: TypedArray, w: TypedArray, bias: TypedArray | null, d: ConvDims, out: TypedArray): boolean {
  if (arenaConv.implicit && forwardFits(d) && takes(bias ? [x, w, out, bias] : [x, w, out], d) && implicitForward(x, w, bias, d, out)) return true;
  const { L, K, Og, inImage, outImage, nb } = sizes(d);
  const ld = nb * L;
  const p = plan(bias ? [x, w, out, bias] : [x, w, out], d, (r) => ({
    task: r.take(SWEEP_BYTES), w: r.take(d.O * K * 4), bias: r.take(d.O * 4), x: r.take(nb * inImage * 4),
    panel: r.take(d.groups * K * ld * 4), prod: r.take(Og * ld * 4), out: r.take(nb * outImage * 4),
    free: r.take(gemmAtBytes('float32', Og, ld, K)),
  }));
  if (!p) return false;
  const { a, k, at } = p, v = a.f32;
  v.set(w.subarray(0, d.O * K), at.w / 4);
  if (bias) v.set(bias.subarray(0, d.O), at.bias / 4);
  else v.fill(0, at.bias / 4, at.bias / 4 + d.O);
  for (let n0 = 0; n0 < d.N; n0 += nb) {
    const cnt = Math.min(nb, d.N - n0), ld = cnt * L;
    v.set(x.subarray(n0 * inImage, (n0 + cnt) * inImage), at.x / 4);
    const panel = patches(a, k, at.task, d, at.x, at.panel, cnt, ld);
    if (cnt === 1) {
      // As conv.ts: the product rows are the output rows, seeded with the bias.
      if (bias) for (let o = 0; o < d.O; o++) v.fill(bias[o]!, at.out / 4 + o * L, at.out / 4 + (o + 1) * L);
      for (let gr = 0; gr < d.groups; gr++) product(v, Og, L, K, at.w + gr * Og * K * 4, false, panel + gr * K * L * 4, false, at.out + gr * Og * L * 4, bias !== null, at.free);
    } else {
      for (let gr = 0; gr < d.groups; gr++) {
        product(v, Og, ld, K, at.w + gr * Og * K * 4, false, panel + gr * K * ld * 4, false, at.prod, false, at.free);
        k.unpanel(at.prod, at.out + gr * Og * L * 4, at.bias + gr * Og * 4, Og, L, cnt, ld, outImage);
      }
    }
    out.set(v.subarray(at.out / 4, at.out / 4 + cnt * outImage), n0 * outImage);
  }
  return true;
}

/** conv.ts `convInputGrad` for float32 (`dx` must be zeroed); false: not handled. */
export function convInputGradArena(gy: TypedArray, w: TypedArray, d: ConvDims, dx: TypedArray): boolean {
  if (arenaConv.implicit && forwardFits(d) && takes([gy, w, dx], d) && implicitInputGrad(gy, w, d, dx)) return true;
  const { L, K, Og, inImage, outImage, nb } = sizes(d);
  const ld = nb * L;
  const p = plan([gy, w, dx], d, (r) => ({
    task: r.take(SWEEP_BYTES),
    w: r.take(d.O * K * 4), gy: r.take(nb * outImage * 4), rows: r.take(d.O * ld * 4), panel: r.take(d.groups * K * ld * 4),
    dx: r.take(nb * inImage * 4), free: r.take(gemmAtBytes('float32', K, ld, Og)),
  }));
  if (!p) return false;
  const { a, k, at } = p, v = a.f32;
  v.set(w.subarray(0, d.O * K), at.w / 4);
  for (let n0 = 0; n0 < d.N; n0 += nb) {
    const cnt = Math.min(nb, d.N - n0), ld = cnt * L;
    v.set(gy.subarray(n0 * outImage, (n0 + cnt) * outImage), at.gy / 4);
    const rowsAt = rows(a, d, at.gy, at.rows, cnt);
    for (let g = 0; g < d.groups; g++) product(v, K, ld, Og, at.w + g * Og * K * 4, true, rowsAt + g * Og * ld * 4, false, at.panel + g * K * ld * 4, false, at.free);
    v.set(dx.subarray(n0 * inImage, (n0 + cnt) * inImage), at.dx / 4);
    sweep(a, k, at.task, 1, d, at.dx, at.panel, cnt, ld);
    dx.set(v.subarray(at.dx / 4, at.dx / 4 + cnt * inImage), n0 * inImage);
  }
  return true;
}

/** conv.ts `convWeightGrad` for float32 (`dw` must be zeroed); false: not handled. */
export function convWeightGradArena(x: TypedArray, gy: TypedArray, d: ConvDims, dw: TypedArray): boolean {
  if (arenaConv.implicit && weightGradFits(d) && takes([x, gy, dw], d) && implicitWeightGrad(x, gy, d, dw)) return true;
  const { L, K, Og, inImage, outImage, nb } = sizes(d);
  const ld = nb * L;
  const p = plan([x, gy, dw], d, (r) => ({
    task: r.take(SWEEP_BYTES), x: r.take(nb * inImage * 4), panel: r.take(d.groups * K * ld * 4),
    gy: r.take(nb * outImage * 4), rows: r.take(d.O * ld * 4), dw: r.take(d.O * K * 4), free: r.take(gemmAtBytes('float32', Og, K, ld)),
  }));
  if (!p) return false;
  const { a, k, at } = p, v = a.f32;
  v.set(dw.subarray(0, d.O * K), at.dw / 4);
  for (let n0 = 0; n0 < d.N; n0 += nb) {
    const cnt = Math.min(nb, d.N - n0), ld = cnt * L;
    v.set(x.subarray(n0 * inImage, (n0 + cnt) * inImage), at.x / 4);
    const panel = patches(a, k, at.task, d, at.x, at.panel, cnt, ld);
    v.set(gy.subarray(n0 * outImage, (n0 + cnt) * outImage), at.gy / 4);
    const rowsAt = rows(a, d, at.gy, at.rows, cnt);
    for (let gr = 0; gr < d.groups; gr++) product(v, Og, K, ld, rowsAt + gr * Og * ld * 4, false, panel + gr * K * ld * 4, true, at.dw + gr * Og * K * 4, true, at.free);
  }
  dw.set(v.subarray(at.dw / 4, at.dw / 4 + d.O * K), 0);
  return true;
}
