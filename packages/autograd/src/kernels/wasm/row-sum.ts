// Sums float32 rows into float64 cells in WebAssembly SIMD (the bias gradients' column sums,
// reduce-sum.ts's addRows): each cell adds its rows' values one after another in row order, as
// the TypeScript loop does, so the sums are bit-identical; four cells a vector (promoted to two
// f64x2 accumulators each), eight cells a pass so that four independent sums keep the adder busy.
// Rows are copied into the streaming kernels' memory (simd-memory.ts) a chunk at a time, with the
// cells' running sums, and the sums copied back.
import { assemble, Fn, I32, V128 } from './assembler.js';
import { ensureMemory, instantiate, memoryView } from './simd-memory.js';

/**
 * addRows8(src, rows, groups, rowBytes, acc): for each group of 8 cells (32 bytes of src, 64 of
 * acc), acc[c] += src[r][c] for r = 0 … rows−1 in order.
 */
function addRows8(): Fn {
  const f = new Fn('addRows8', [I32, I32, I32, I32, I32]);
  const [src, rows, groups, rowBytes, acc] = [0, 1, 2, 3, 4];
  const [g, r, p, a] = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const [s0, s1, s2, s3, v, w] = [f.local(V128), f.local(V128), f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  f.forRange(g, 0, groups, 1, () => {
    f.get(acc).get(g).i32(6).op('i32_shl').op('i32_add').set(a);
    f.get(a).vmem('v128_load', 0).set(s0);
    f.get(a).vmem('v128_load', 16).set(s1);
    f.get(a).vmem('v128_load', 32).set(s2);
    f.get(a).vmem('v128_load', 48).set(s3);
    f.get(src).get(g).i32(5).op('i32_shl').op('i32_add').set(p);
    f.forRange(r, 0, rows, 1, () => {
      f.get(p).vmem('v128_load', 0).set(v);
      f.get(p).vmem('v128_load', 16).set(w);
      f.get(s0).get(v).simd('f64x2_promote_low_f32x4').simd('f64x2_add').set(s0);
      f.get(s1).get(v).get(v).shuffle([2, 3, 2, 3], 4).simd('f64x2_promote_low_f32x4').simd('f64x2_add').set(s1);
      f.get(s2).get(w).simd('f64x2_promote_low_f32x4').simd('f64x2_add').set(s2);
      f.get(s3).get(w).get(w).shuffle([2, 3, 2, 3], 4).simd('f64x2_promote_low_f32x4').simd('f64x2_add').set(s3);
      f.get(p).get(rowBytes).op('i32_add').set(p);
    });
    f.get(a).get(s0).vmem('v128_store', 0);
    f.get(a).get(s1).vmem('v128_store', 16);
    f.get(a).get(s2).vmem('v128_store', 32);
    f.get(a).get(s3).vmem('v128_store', 48);
  });
  return f;
}

type Kernel = (src: number, rows: number, groups: number, rowBytes: number, acc: number) => void;
let kernel: Kernel | null | undefined;

/**
 * enabled: whether float32 rows are summed here at all; minValues: the fewest values (rows ×
 * cells) summed in WebAssembly (below, the copies and the call cost more than they save);
 * chunkBytes: rows copied in per call. Mutable for tests.
 */
export const simdRowSum = { enabled: true, minValues: 2048, chunkBytes: 256 * 1024 };

/**
 * acc[po + i] += Σ_r data[px + r·rs + i] for the first multiple of 8 of `n` cells, in WebAssembly;
 * returns how many cells it summed (0 when it did nothing: the caller's loop does the rest).
 */
export function addRowsSimd(data: Float32Array, px: number, rs: number, rows: number, n: number, acc: Float64Array, po: number): number {
  const cells = n - (n % 8);
  if (!simdRowSum.enabled || cells === 0 || rows * cells < simdRowSum.minValues) return 0;
  if (kernel === undefined) kernel = (instantiate(assemble([addRows8()]))?.addRows8 as Kernel | undefined) ?? null;
  if (kernel === null) return 0;
  const rowBytes = cells * 4;
  const chunkRows = Math.max(1, Math.min(rows, Math.floor(simdRowSum.chunkBytes / rowBytes)));
  const accAt = chunkRows * rowBytes; // a multiple of 32, so the f64 cells are aligned
  if (!ensureMemory(accAt + cells * 8)) return 0;
  const f32 = memoryView('float32') as Float32Array;
  const f64 = new Float64Array(f32.buffer);
  f64.set(acc.subarray(po, po + cells), accAt / 8);
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const m = Math.min(chunkRows, rows - r0);
    if (rs === cells) f32.set(data.subarray(px + r0 * rs, px + (r0 + m) * rs), 0);
    else for (let r = 0; r < m; r++) f32.set(data.subarray(px + (r0 + r) * rs, px + (r0 + r) * rs + cells), r * cells);
    kernel(0, m, cells / 8, rowBytes, accAt);
  }
  acc.set(f64.subarray(accAt / 8, accAt / 8 + cells), po);
  return cells;
}
