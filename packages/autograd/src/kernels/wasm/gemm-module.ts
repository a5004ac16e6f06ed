// Generates the WebAssembly gemm kernels for one dtype: two panel packers (pack.ts), a
// macro-kernel that sweeps a register-tiled SIMD micro-kernel over packed panels (the
// BLIS/GotoBLAS scheme) and `run`, which hands chunks of C to the macro-kernel on any thread.
//
// Packed layouts (element = float32 or float64, `kcPad` = a k-block's length rounded up to the
// unroll factor, zero-filled):
//   A: per k-block, strips of MR rows of op(A); a strip is kcPad steps × MR values, so step p of
//      the strip holds op(A)[i0..i0+MR, p] contiguously (rows past m are zero).
//   B: per k-block, strips of NR columns of op(B); step p holds op(B)[p, j0..j0+NR] (columns past
//      n are zero).
// Zero padding makes every tile full-sized, so the micro-kernel has no edge cases; the padded rows
// and columns of C land in a padded C buffer (row stride ldc ≥ n) that the caller never reads.
import { assemble, Fn, I32, V128 } from './assembler.js';
import { copyRows, packer } from './pack.js';
import { tileGeometry, type TileConfig } from './tile.js';

export { tileGeometry, type TileConfig } from './tile.js';

/**
 * `macro(a, b, c, ldc, mStrips, nStrips, kc, first)`: C += Ã·B̃ over mStrips packed A strips
 * (from byte address a) and nStrips packed B strips (from b) of one k-block of kc (padded)
 * steps, C at byte address c with row stride ldc bytes. With `first` the tiles are overwritten
 * (C = Ã·B̃) instead, which saves zeroing C before the first k-block.
 *
 * The micro-kernel keeps MR×nv accumulators, nv B vectors and one broadcast A value in
 * registers: V8 on x64 allocates xmm0–xmm14, and measured 4×2 (11 registers) fastest; larger
 * tiles spill. Its k loop is not unrolled here because TurboFan unrolls it (manual unrolling
 * made it spill).
 *
 * Tile order: a row of tiles per A strip, so the A strip (kc×MR) stays in L1 while the B strips
 * of the block stream past from L2, and C is written a row of tiles at a time. Sweeping a column
 * of tiles per B strip instead (BLIS's order) measured the same at large k, but 3× slower at small
 * k when C's row stride is a multiple of 2 KiB: the rows of a tile column share L1 sets.
 */
function macroKernel(t: TileConfig): Fn {
  const { es, lanes, nr } = tileGeometry(t);
  const { mr, nv, unroll } = t;
  const f32 = t.dtype === 'float32';
  const f = new Fn('macro', [I32, I32, I32, I32, I32, I32, I32, I32]);
  const [a, b, c, ldc, mStrips, nStrips, kc, first] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [i, j, ap, bp, aStrip, bStrip, cOuter, cp, cr, pEnd] = Array.from({ length: 10 }, () => f.local(I32));
  const acc = Array.from({ length: mr }, () => Array.from({ length: nv }, () => f.local(V128)));
  const bv = Array.from({ length: nv }, () => f.local(V128));
  const av = f.local(V128);
  const eachTile = (body: (r: number, v: number) => void) => {
    f.get(cp).set(cr);
    for (let r = 0; r < mr; r++) {
      for (let v = 0; v < nv; v++) body(r, v);
      if (r < mr - 1) f.get(cr).get(ldc).op('i32_add').set(cr);
    }
  };
  /** One MR×NR tile of C at cp from the strips at aStrip and bStrip; leaves ap/pEnd past them. */
  const tile = () => {
    f.get(first).ifElse(
      () => acc.flat().forEach((x) => f.v128Zero().set(x)),
      () => eachTile((r, v) => f.get(cr).vmem('v128_load', v * 16).set(acc[r]![v]!)),
    );
    f.get(aStrip).set(ap).get(bStrip).set(bp);
    f.get(bStrip).get(kc).i32(nr * es).op('i32_mul').op('i32_add').set(pEnd);
    f.loop(() => {
      for (let u = 0; u < unroll; u++) {
        for (let v = 0; v < nv; v++) f.get(bp).vmem('v128_load', (u * nr + v * lanes) * es).set(bv[v]!);
        for (let r = 0; r < mr; r++) {
          f.get(ap).vmem(f32 ? 'v128_load32_splat' : 'v128_load64_splat', (u * mr + r) * es).set(av);
          for (let v = 0; v < nv; v++) {
            if (t.madd) f.get(av).get(bv[v]!).get(acc[r]![v]!).simd(f32 ? 'f32x4_relaxed_madd' : 'f64x2_relaxed_madd');
            else f.get(acc[r]![v]!).get(av).get(bv[v]!).simd(f32 ? 'f32x4_mul' : 'f64x2_mul').simd(f32 ? 'f32x4_add' : 'f64x2_add');
            f.set(acc[r]![v]!);
          }
        }
      }
      f.inc(ap, unroll * mr * es).inc(bp, unroll * nr * es);
      f.get(bp).get(pEnd).op('i32_lt_u').brIf(0);
    });
    eachTile((r, v) => f.get(cr).get(acc[r]![v]!).vmem('v128_store', v * 16));
  };
  f.get(a).set(aStrip).get(c).set(cOuter);
  f.forRange(i, 0, mStrips, 1, () => {
    f.get(b).set(bStrip).get(cOuter).set(cp);
    f.forRange(j, 0, nStrips, 1, () => {
      tile();
      f.get(pEnd).set(bStrip);
      f.inc(cp, nr * es);
    });
    f.get(ap).set(aStrip);
    f.get(cOuter).get(ldc).i32(mr).op('i32_mul').op('i32_add').set(cOuter);
  });
  return f;
}

/**
 * Byte offsets of the i32 fields of a task record, which `run` reads: one gemm whose operands are
 * packed by the task's pack jobs, with C split into chunks of `chunkStrips` A strips (MR rows) ×
 * `nc` columns (one B block), numbered row-major over `colBlocks` column blocks. Addresses are in
 * bytes, sizes in elements; `next` is the chunk counter that every thread increments atomically.
 * Pack jobs: `packJobs` records of {@link JOB} from byte address `jobs`, claimed through
 * `packNext`; `packDone` counts finished jobs, and chunks start once all are done. A thread stops
 * waiting for them when the i32 at `failed` (the threads' error flag) is set.
 */
export const TASK = {
  next: 0, chunks: 4, chunkStrips: 8, mStrips: 12, kBlocks: 16, kc: 20, kLastPad: 24,
  ap: 28, bp: 32, c: 36, ldc: 40, mPad: 44, nPad: 48, nc: 52, first: 56, colBlocks: 60,
  packJobs: 64, packNext: 68, packDone: 72, jobs: 76, failed: 80,
} as const;
export const TASK_BYTES = 128;

/**
 * Byte offsets of a pack job's i32 fields: the packer's arguments (`packer` in pack.ts: `fn` 0
 * packs strips of MR, 1 strips of NR; `kc` comes from the task).
 */
export const JOB = { fn: 0, src: 4, sR: 8, sP: 12, extent: 16, k: 20, dst: 24 } as const;
export const JOB_BYTES = 32;

/**
 * `run(task) → chunks done`: claims chunks of C from the task's counter until none is left and
 * computes each over every k-block in order, so a chunk's result does not depend on which thread
 * ran it. The main thread and any workers call it on the same task.
 */
function runTask(t: TileConfig, packAIndex: number, packBIndex: number, macroIndex: number): Fn {
  const { es, nr } = tileGeometry(t);
  const f = new Fn('run', [I32], [I32]);
  const task = 0;
  const v = Object.fromEntries(Object.keys(TASK).map((k) => [k, f.local(I32)])) as Record<keyof typeof TASK, number>;
  const [chunk, s0, sN, kb, kcPad, j0, nStr, done, job, jp] = Array.from({ length: 10 }, () => f.local(I32));
  const min = (a: () => void, b: () => void) => {
    a(); b(); a(); b();
    f.op('i32_lt_s').op('select');
  };
  const mul = (...xs: (number | (() => void))[]) => {
    xs.forEach((x, i) => {
      if (typeof x === 'number') f.i32(x);
      else x();
      if (i > 0) f.op('i32_mul');
    });
  };
  const get = (l: number) => () => f.get(l);
  for (const [name, off] of Object.entries(TASK)) f.get(task).mem('i32_load', off).set(v[name as keyof typeof TASK]);
  f.i32(0).set(done);
  // Pack jobs, claimed like chunks.
  f.block(() => f.loop(() => {
    f.get(task).i32(1).atomicAdd(TASK.packNext).tee(job).get(v.packJobs).op('i32_ge_s').brIf(1);
    f.get(v.jobs).get(job).i32(JOB_BYTES).op('i32_mul').op('i32_add').set(jp);
    const args = () => {
      for (const field of ['src', 'sR', 'sP', 'extent', 'k'] as const) f.get(jp).mem('i32_load', JOB[field]);
      f.get(v.kc).get(jp).mem('i32_load', JOB.dst);
    };
    f.get(jp).mem('i32_load', JOB.fn).ifElse(() => { args(); f.call(packBIndex); }, () => { args(); f.call(packAIndex); });
    f.get(task).i32(1).atomicAdd(TASK.packDone).op('drop');
    f.br(0);
  }));
  // Every chunk reads every packed strip of its rows and columns: wait for all pack jobs (each
  // is short, and the last ones are already running), unless another thread failed.
  f.block(() => f.loop(() => {
    f.get(v.failed).atomicLoad().ifElse(() => f.i32(0).ret());
    f.get(task).atomicLoad(TASK.packDone).get(v.packJobs).op('i32_ge_s').brIf(1).br(0);
  }));
  f.block(() => f.loop(() => {
    f.get(task).i32(1).atomicAdd(TASK.next).tee(chunk).get(v.chunks).op('i32_ge_s').brIf(1);
    f.get(chunk).get(v.colBlocks).op('i32_div_u').tee(s0).get(v.chunkStrips).op('i32_mul').set(s0);
    f.get(chunk).get(v.colBlocks).op('i32_rem_u').get(v.nc).op('i32_mul').set(j0);
    min(get(v.chunkStrips), () => f.get(v.mStrips).get(s0).op('i32_sub'));
    f.set(sN);
    min(get(v.nc), () => f.get(v.nPad).get(j0).op('i32_sub'));
    f.i32(nr).op('i32_div_u').set(nStr);
    f.forRange(kb, 0, v.kBlocks, 1, () => {
      f.get(v.kc).get(v.kLastPad).get(kb).i32(1).op('i32_add').get(v.kBlocks).op('i32_lt_s').op('select').set(kcPad);
      // macro(a, b, c, ldc, mStrips, nStrips, kc, first) on rows s0… of block kb, columns j0…
      f.get(v.ap);
      mul(get(kb), get(v.kc), get(v.mPad), es);
      f.op('i32_add');
      mul(get(s0), t.mr, get(kcPad), es);
      f.op('i32_add');
      f.get(v.bp);
      mul(get(kb), get(v.kc), get(v.nPad), es);
      f.op('i32_add');
      mul(get(j0), get(kcPad), es);
      f.op('i32_add');
      f.get(v.c);
      mul(get(s0), t.mr, get(v.ldc));
      f.op('i32_add');
      mul(get(j0), es);
      f.op('i32_add');
      f.get(v.ldc).get(sN).get(nStr).get(kcPad);
      f.get(kb).op('i32_eqz').get(v.first).op('i32_and');
      f.call(macroIndex);
    });
    f.inc(done, 1).br(0);
  }));
  f.get(done);
  return f;
}

/** The module bytes: exports `packA` (strips of MR), `packB` (strips of NR), `macro`, `copyRows` and `run`. */
export function gemmModuleBytes(t: TileConfig, memory: { shared?: boolean; maxPages?: number } = {}): Uint8Array {
  const { nr } = tileGeometry(t);
  return assemble([packer(t, t.mr, 'packA'), packer(t, nr, 'packB'), macroKernel(t), copyRows(), runTask(t, 0, 1, 2)], memory);
}
