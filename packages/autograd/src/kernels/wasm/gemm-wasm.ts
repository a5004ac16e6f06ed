// Runs the generated WebAssembly SIMD gemm: copies the operands into one growing
// WebAssembly.Memory (shared, when the platform allows, so worker threads can work on it), packs
// them there into panels, runs the task (chunks of rows of C, each over all cache blocks) on this
// thread and, for large products, on workers, and copies C back. Compiled lazily on first use,
// once per tile configuration; unavailable (and `gemmWasm` returns false) without WebAssembly SIMD.
import type { TypedArray } from '../../dtype.js';
import { gemmModuleBytes, JOB, JOB_BYTES, TASK, TASK_BYTES, tileGeometry, type TileConfig } from './gemm-module.js';
import { SLOT } from '../../platform/types.js';
import { CONTROL_BYTES, registerModule, runThreaded, threading } from './gemm-threads.js';

// The global WebAssembly API, typed locally: the project compiles against ES2022 + Node types,
// which declare the WebAssembly namespace's types but not the global value.
interface WasmMemory { readonly buffer: ArrayBuffer | SharedArrayBuffer; grow(pages: number): number }
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

type I32Fn = (...args: number[]) => number;

/**
 * Cache blocking: kc k-steps per block (a multiple of every unroll), mc rows of C per chunk (the
 * unit of work threads claim) and a packed B block of at most `bBlockBytes` (kc × nc elements),
 * the columns of a chunk. Measured in an idle window (bench/gemm.ts): single-threaded, kc 128–512,
 * mc 32–1024 and B blocks of 512 KiB or 4 MiB all ran at 60–62 GFLOP/s up to N = 2048, since the
 * 4×8 tile does 16 flops per 6 loads and the caches are large; the values chosen keep a chunk's
 * working set in L2 and give threads enough chunks. Mutable so tests and the benchmark can sweep
 * them; not part of the public API.
 */
export const blocking = { kc: 256, mc: 32, bBlockBytes: 512 * 1024 };

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

interface Kernel { cfg: TileConfig; id: number; packA: I32Fn; packB: I32Fn; copyRows: I32Fn; run: I32Fn }

const PAGE = 65536;
/** Above 2 GiB byte addresses would not fit the kernels' signed i32 arithmetic. */
const MAX_PAGES = 32767;
// Fixed addresses: the task record, the threads' control block, the task's pack jobs, then the
// arena of one product.
const TASK_AT = 0;
const CONTROL_AT = TASK_BYTES;
/** The pack jobs (at most MAX_JOBS: each operand's are fewer than twice its target, ≤ MAX_JOBS / 4). */
const JOBS_AT = CONTROL_AT + CONTROL_BYTES;
const MAX_JOBS = 128;
const ARENA_AT = JOBS_AT + MAX_JOBS * JOB_BYTES;

let memory: WasmMemory | null = null;
let shared = false;
let f32: Float32Array = new Float32Array(0);
let f64: Float64Array = new Float64Array(0);
let i32: Int32Array = new Int32Array(0);
const kernels = new Map<string, Kernel | null>();
/** The same kernels by configuration object, so that a call skips serialising its `tiles` entry. */
const byObject = new WeakMap<TileConfig, Kernel | null>();

/** Grows the memory to at least `bytes`; false when that is impossible. */
function ensureMemory(bytes: number): boolean {
  if (bytes > MAX_PAGES * PAGE || !WA) return false;
  try {
    if (!memory) {
      const initial = Math.ceil(bytes / PAGE);
      try {
        memory = new WA.Memory({ initial, maximum: MAX_PAGES, shared: true });
        shared = true;
      } catch {
        memory = new WA.Memory({ initial }); // no shared memory here: one thread
      }
    }
    const have = memory.buffer.byteLength;
    if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE));
  } catch {
    return false; // out of memory: the caller falls back to plain JS
  }
  if (f32.byteLength !== memory.buffer.byteLength) {
    f32 = new Float32Array(memory.buffer);
    f64 = new Float64Array(memory.buffer);
    i32 = new Int32Array(memory.buffer);
  }
  return true;
}

/** The compiled kernel for a tile configuration, or null when WebAssembly SIMD is unavailable. */
function kernelFor(cfg: TileConfig): Kernel | null {
  const known = byObject.get(cfg);
  if (known !== undefined) return known;
  const key = JSON.stringify(cfg);
  let k = kernels.get(key);
  if (k !== undefined) {
    byObject.set(cfg, k);
    return k;
  }
  k = null;
  if (WA && ensureMemory(PAGE)) {
    const bytes = gemmModuleBytes(cfg, shared ? { shared, maxPages: MAX_PAGES } : {});
    if (WA.validate(bytes)) {
      const module = new WA.Module(bytes);
      const e = new WA.Instance(module, { env: { mem: memory } }).exports as Record<string, I32Fn>;
      k = { cfg, id: shared ? registerModule(module) : -1, packA: e.packA!, packB: e.packB!, copyRows: e.copyRows!, run: e.run! };
    }
  }
  kernels.set(key, k);
  byObject.set(cfg, k);
  return k;
}

/** Chunks the last product was split into (for tests and the benchmark). */
export function lastTaskChunks(): number {
  return i32[(TASK_AT + TASK.chunks) / 4] ?? 0;
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
  const es = dtype === 'float64' ? 8 : 4;
  // Arena layout (byte offsets, 64-aligned): C (m×n, room for whole tiles of rows) | A as given |
  // B as given | the space `run` packs in.
  const mPad = up(m, tiles[dtype].mr);
  const cAt = ARENA_AT;
  const aAt = align(cAt + mPad * n * es);
  const bAt = align(aAt + m * k * es);
  const freeAt = align(bAt + k * n * es);
  if (!ensureMemory(freeAt + gemmAtBytes(dtype, m, n, k))) return false;
  const view = dtype === 'float64' ? f64 : f32;
  view.set(a.subarray(aOff, aOff + m * k), aAt / es);
  view.set(b.subarray(bOff, bOff + k * n), bAt / es);
  if (accumulate) view.set(c.subarray(cOff, cOff + m * n), cAt / es);
  run(kern, m, n, k, aAt, transA, bAt, transB, cAt, mPad, accumulate, freeAt);
  c.set(view.subarray(cAt / es, cAt / es + m * n), cOff);
  return true;
}

/** The gemm's memory as {@link arena} hands it out. */
export interface Arena {
  /** First byte address callers may use (below it: the task record and the threads' control block). */
  readonly base: number;
  readonly memory: object;
  /** Whether the memory is shared (then modules importing it must declare it shared, with `maxPages`). */
  readonly shared: boolean;
  readonly maxPages: number;
  /** Views of the whole memory, valid until it next grows. */
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  /** The gemm module's `copyRows(src, srcStride, dst, dstStride, rows, rowBytes)` (byte addresses). */
  readonly copyRows: I32Fn;
  /**
   * Runs `run(task)` of a module registered with gemm-threads.ts `registerModule` on this thread
   * and the gemm's workers (`runThreaded`); false, having run nothing, when there are none.
   */
  readonly threaded: (kernel: number, run: I32Fn, task: number) => boolean;
}

/** The float32 kernel, kept so that the arena's callers skip `kernelFor`'s lookup by configuration. */
let f32Kernel: Kernel | undefined;

const threaded = (kernel: number, run: I32Fn, task: number) =>
  shared && threading.workers > 0 && runThreaded(memory!, CONTROL_AT, kernel, run, task);

/**
 * The float32 gemm's memory for kernels that keep their operands there (conv-wasm.ts), grown to
 * at least `bytes`; null without WebAssembly SIMD or when it cannot grow. Each call may move
 * the view; everything at or above `base` is the caller's until its next gemm call.
 */
export function arena(bytes: number): Arena | null {
  const kern = f32Kernel?.cfg === tiles.float32 ? f32Kernel : (f32Kernel = kernelFor(tiles.float32) ?? undefined);
  if (!kern || !ensureMemory(bytes)) return null;
  return { base: ARENA_AT, memory: memory!, shared, maxPages: MAX_PAGES, f32, i32, copyRows: kern.copyRows, threaded };
}

/** Consecutive 64-aligned regions of the arena from `base`, for kernels that lay out their data there. */
export class Regions {
  end: number;
  constructor(base: number) { this.end = base; }
  take(bytes: number): number {
    const at = this.end;
    this.end = align(at + bytes);
    return at;
  }
}

/**
 * A module of kernels that keep their data in the gemm's memory (conv-wasm.ts, conv-implicit.ts):
 * `build` makes its bytes for the memory's declaration (shared, with its maximum, when the memory
 * is), which it imports as `env.mem`; instantiated on `a`'s memory and, when shared, registered
 * for the gemm's worker threads (`id`, else -1). Null when it does not validate or compile here.
 */
export function instantiateOnArena<T>(a: Arena, build: (memory: { shared?: boolean; maxPages?: number }) => Uint8Array): { exports: T; id: number } | null {
  try {
    const bytes = build(a.shared ? { shared: true, maxPages: a.maxPages } : {});
    if (!WA || !WA.validate(bytes)) return null;
    const module = new WA.Module(bytes);
    const exports = new WA.Instance(module, { env: { mem: a.memory } }).exports as T;
    return { exports, id: a.shared ? registerModule(module) : -1 };
  } catch {
    return null;
  }
}

/**
 * Bytes from `freeAt` that {@link gemmAt} may use for an m×n×k product: padded C (needed only
 * when n is not a multiple of NR, but counted always, so the figure never shrinks as m, n or k
 * grow) and both packed panels.
 */
export function gemmAtBytes(dtype: 'float32' | 'float64', m: number, n: number, k: number): number {
  const t = tiles[dtype];
  const { es, nr } = tileGeometry(t);
  const kc = blocking.kc;
  const kTot = (Math.ceil(k / kc) - 1) * kc + up(k - (Math.ceil(k / kc) - 1) * kc, t.unroll);
  const mPad = up(m, t.mr), nPad = up(n, nr);
  return align(mPad * nPad * es) + align(mPad * kTot * es) + nPad * kTot * es + 64;
}

/**
 * For kernels that keep their data in the gemm's memory (conv-wasm.ts): `gemm`'s product on
 * float32 operands already there. A (m×k, or k×m when `transA`), B (k×n, or n×k) and C (m×n) are
 * dense row-major at byte addresses of {@link arena}, which must already hold `freeAt` +
 * {@link gemmAtBytes} bytes; the call packs there. With `packedB`, bAt instead holds op(B)
 * already packed (the layout of gemm-module.ts, k-blocks of `blocking.kc` steps, each padded to
 * the tile's unroll factor; `transB` is then ignored). Requires m, n, k ≥ 1.
 */
export function gemmAt(
  m: number, n: number, k: number,
  aAt: number, transA: boolean, bAt: number, transB: boolean, cAt: number, accumulate: boolean, freeAt: number,
  packedB = false,
): void {
  if (f32Kernel?.cfg !== tiles.float32) f32Kernel = kernelFor(tiles.float32)!;
  run(f32Kernel, m, n, k, aAt, transA, bAt, transB, cAt, m, accumulate, freeAt, packedB);
}
/**
 * The product with C dense at byte address dAt. The kernel writes whole MR×NR tiles, so it works
 * in C itself only when C has room for `cRows` ≥ the padded row count and n is a multiple of NR;
 * otherwise in a padded copy at freeAt.
 */
function run(
  kern: Kernel, m: number, n: number, k: number,
  aAt: number, transA: boolean, bAt: number, transB: boolean, dAt: number, cRows: number, accumulate: boolean, freeAt: number,
  packedB = false,
): void {
  const { mr, unroll } = kern.cfg;
  const { es, nr } = tileGeometry(kern.cfg);
  const kc = blocking.kc;
  const kBlocks = Math.ceil(k / kc);
  const kLastPad = up(k - (kBlocks - 1) * kc, unroll);
  const kTot = (kBlocks - 1) * kc + kLastPad;
  const mPad = up(m, mr);
  const nPad = up(n, nr);
  const ldc = nPad;
  const direct = ldc === n && cRows >= mPad;
  // Layout from freeAt (64-aligned): padded C (unless direct) | packed A | packed B.
  const cAt = direct ? dAt : freeAt;
  const apAt = direct ? freeAt : align(cAt + mPad * ldc * es);
  const bpAt = packedB ? bAt : align(apAt + mPad * kTot * es);

  // Chunks: up to mc rows × one B block of columns; with threads, smaller ones until there are
  // about 4 per thread (fewer left 2 threads idle in turn at N = 128 and with few rows).
  const threads = kern.id >= 0 && m * n * k >= threading.minMacs ? threading.workers + 1 : 1;
  const mStrips = mPad / mr;
  let chunkStrips = Math.max(1, Math.round(blocking.mc / mr));
  let nc = up(Math.max(1, Math.floor(blocking.bBlockBytes / (kc * es))), nr);
  const chunks = () => Math.ceil(mStrips / chunkStrips) * Math.ceil(nPad / nc);
  while (threads > 1 && chunks() < 4 * threads && (chunkStrips > 1 || nc > 8 * nr)) {
    if (chunkStrips > 1) chunkStrips = Math.ceil(chunkStrips / 2);
    else nc = up(nc / 2, nr);
  }
  // Threaded products with cores to spare pack in jobs that the threads share like the chunks
  // (op(A), then op(B), each split into k-blocks and groups of strips about in proportion to its
  // size); otherwise this thread packs before waking the workers, so that no worker waits for
  // another (a polling thread would take the core from the one it waits for). Element (r, p) of
  // op(A) / op(B)ᵀ is at base + r·sR + p·sP, in bytes.
  const split = threads > 1 && threading.splitPacking && !threading.oversubscribed();
  const [aSR, aSP] = transA ? [es, m * es] : [k * es, es];
  const [bSR, bSP] = transB ? [k * es, es] : [es, n * es];
  let jobs = 0;
  if (split) {
    const aBytes = m * k, bBytes = packedB ? 0 : n * k;
    const perThread = Math.min(4 * threads, MAX_JOBS / 4);
    jobs = packJobs(jobs, 0, aAt, aSR, aSP, m, mr, mPad, k, kBlocks, kLastPad, es, apAt, Math.ceil((perThread * aBytes) / (aBytes + bBytes)));
    if (!packedB) jobs = packJobs(jobs, 1, bAt, bSR, bSP, n, nr, nPad, k, kBlocks, kLastPad, es, bpAt, Math.ceil((perThread * bBytes) / (aBytes + bBytes)));
  }
  const t = TASK_AT / 4;
  i32[t + TASK.next / 4] = 0;
  i32[t + TASK.chunks / 4] = chunks();
  i32[t + TASK.chunkStrips / 4] = chunkStrips;
  i32[t + TASK.mStrips / 4] = mStrips;
  i32[t + TASK.kBlocks / 4] = kBlocks;
  i32[t + TASK.kc / 4] = kc;
  i32[t + TASK.kLastPad / 4] = kLastPad;
  i32[t + TASK.ap / 4] = apAt;
  i32[t + TASK.bp / 4] = bpAt;
  i32[t + TASK.c / 4] = cAt;
  i32[t + TASK.ldc / 4] = ldc * es;
  i32[t + TASK.mPad / 4] = mPad;
  i32[t + TASK.nPad / 4] = nPad;
  i32[t + TASK.nc / 4] = nc;
  i32[t + TASK.first / 4] = accumulate ? 0 : 1;
  i32[t + TASK.colBlocks / 4] = Math.ceil(nPad / nc);
  i32[t + TASK.packJobs / 4] = jobs;
  i32[t + TASK.packNext / 4] = 0;
  i32[t + TASK.packDone / 4] = 0;
  i32[t + TASK.jobs / 4] = JOBS_AT;
  i32[t + TASK.failed / 4] = CONTROL_AT + 4 * SLOT.FAILED;
  if (accumulate && !direct) kern.copyRows(dAt, n * es, cAt, ldc * es, m, n * es);
  if (!split) {
    kern.packA(aAt, aSR, aSP, m, k, kc, apAt);
    if (!packedB) kern.packB(bAt, bSR, bSP, n, k, kc, bpAt);
  }
  const threaded = threads > 1 && runThreaded(memory!, CONTROL_AT, kern.id, kern.run, TASK_AT);
  if (!threaded) kern.run(TASK_AT);

  if (!direct) kern.copyRows(cAt, ldc * es, dAt, n * es, m, n * es);
}

/**
 * Writes the pack jobs of one operand from job number `first` and returns the next number: the
 * operand's `strips` strips of `R` (its extent padded to `extPad`) in every k-block, split into
 * about `target` jobs (runs of whole k-blocks when there are at least `target` of them, else
 * groups of strips in each k-block). Destinations follow the packed layout of
 * gemm-module.ts: block kb at dst + kb·kc·extPad, its strips kcPad·R apart.
 */
function packJobs(
  first: number, fn: number, src: number, sR: number, sP: number, extent: number, R: number, extPad: number,
  k: number, kBlocks: number, kLastPad: number, es: number, dst: number, target: number,
): number {
  const kc = blocking.kc;
  const strips = extPad / R;
  const job = (j: number, s0: number, ext: number, kb: number, kLen: number, kcPad: number) => {
    const at = (JOBS_AT + j * JOB_BYTES) / 4;
    i32[at + JOB.fn / 4] = fn;
    i32[at + JOB.src / 4] = src + s0 * R * sR + kb * kc * sP;
    i32[at + JOB.sR / 4] = sR;
    i32[at + JOB.sP / 4] = sP;
    i32[at + JOB.extent / 4] = ext;
    i32[at + JOB.k / 4] = kLen;
    i32[at + JOB.dst / 4] = dst + (kb * kc * extPad + s0 * R * kcPad) * es;
  };
  if (kBlocks >= target) {
    // Runs of whole k-blocks (every strip): contiguous in the packed layout, one packer call each.
    const per = Math.ceil(kBlocks / Math.max(1, target));
    let j = first;
    for (let kb = 0; kb < kBlocks; kb += per) job(j++, 0, extent, kb, Math.min(per * kc, k - kb * kc), kc);
    return j;
  }
  const groups = Math.min(strips, Math.ceil(target / kBlocks));
  const perGroup = Math.ceil(strips / groups);
  let j = first;
  for (let kb = 0; kb < kBlocks; kb++) {
    const kLen = Math.min(kc, k - kb * kc);
    const kcPad = kb === kBlocks - 1 ? kLastPad : kc;
    for (let s0 = 0; s0 < strips; s0 += perGroup) {
      job(j++, s0, Math.min(perGroup * R, extent - s0 * R), kb, kLen, kcPad);
    }
  }
  return j;
}
