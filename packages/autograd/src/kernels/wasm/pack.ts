// Panel packing for the WebAssembly gemm (see gemm-module.ts for the packed layouts), and the
// row copy between the caller's dense C and the padded one. Generated per dtype and strip width.
import { F32, F64, Fn, I32, V128 } from './assembler.js';
import { tileGeometry, type TileConfig } from './tile.js';

/** Stores `bytes` zero bytes at the address in local `ptr` (a multiple of 4 bytes). */
function storeZeros(f: Fn, ptr: number, bytes: number): void {
  let o = 0;
  for (; o + 16 <= bytes; o += 16) f.get(ptr).v128Zero().vmem('v128_store', o);
  for (; o + 8 <= bytes; o += 8) f.get(ptr).fzero(F64).mem('f64_store', o);
  for (; o + 4 <= bytes; o += 4) f.get(ptr).fzero(F32).mem('f32_store', o);
}

/** Copies `bytes` bytes from the address in local `src` to the one in local `dst`, bit-exactly. */
function copyBytes(f: Fn, dst: number, src: number, bytes: number): void {
  let o = 0;
  for (; o + 16 <= bytes; o += 16) f.get(dst).get(src).vmem('v128_load', o).vmem('v128_store', o);
  for (; o + 8 <= bytes; o += 8) f.get(dst).get(src).mem('i64_load', o).mem('i64_store', o);
  for (; o + 4 <= bytes; o += 4) f.get(dst).get(src).mem('i32_load', o).mem('i32_store', o);
}

/**
 * Packs `lanes` consecutive k steps of a full strip whose rows are contiguous along k (at q,
 * q + sR, …): each group of `lanes` rows is loaded as `lanes` vectors and transposed in registers
 * (two shuffle rounds for f32x4, one for f64x2), so that step p's vector holds the group's values
 * at p. Step u of the block goes to dst + u·R·es; `x` is a scratch local; `v` holds `lanes` v128 locals.
 */
function transposeBlock(f: Fn, q: number, sR: number, dst: number, x: number, R: number, es: number, v: number[]): void {
  const lanes = 16 / es;
  for (let g = 0; g < R / lanes; g++) {
    f.get(q);
    if (g > 0) f.get(sR).i32(g * lanes).op('i32_mul').op('i32_add');
    f.set(x);
    for (let l = 0; l < lanes; l++) {
      f.get(x).vmem('v128_load').set(v[l]!);
      if (l < lanes - 1) f.get(x).get(sR).op('i32_add').set(x);
    }
    if (lanes === 2) {
      // v0 = (r0p0, r0p1), v1 = (r1p0, r1p1) → (r0p0, r1p0), (r0p1, r1p1).
      f.get(dst).get(v[0]!).get(v[1]!).shuffle([0, 2], 8).vmem('v128_store', g * lanes * es);
      f.get(dst).get(v[0]!).get(v[1]!).shuffle([1, 3], 8).vmem('v128_store', (R + g * lanes) * es);
    } else {
      // Interleave rows pairwise, then pairs of pairs: lane u of row r ends in vector u, lane r.
      const [v0, v1, v2, v3] = v as [number, number, number, number];
      f.get(v0).get(v1).shuffle([0, 4, 1, 5], 4).get(v0).get(v1).shuffle([2, 6, 3, 7], 4);
      f.get(v2).get(v3).shuffle([0, 4, 1, 5], 4).get(v2).get(v3).shuffle([2, 6, 3, 7], 4);
      f.set(v3).set(v2).set(v1).set(v0); // v0 = r0r1 low, v1 = r0r1 high, v2 = r2r3 low, v3 = r2r3 high
      const halves: [number, number, number[]][] = [[v0, v2, [0, 1, 4, 5]], [v0, v2, [2, 3, 6, 7]], [v1, v3, [0, 1, 4, 5]], [v1, v3, [2, 3, 6, 7]]];
      halves.forEach(([lo, hi, idx], u) => {
        f.get(dst).get(lo).get(hi).shuffle(idx, 4).vmem('v128_store', (u * R + g * lanes) * es);
      });
    }
  }
}

/**
 * `name(src, sR, sP, extent, k, kc, dst)`: packs a whole operand into strips of `R` along its
 * free axis, k-block by k-block. Element (r, p) is read at byte address src + r·sR + p·sP, so one
 * packer serves both op(A) (r = row of C) and op(B) (r = column of C) with or without transposes.
 * Full strips take a vector path: a vector copy per k step when the strip is contiguous (sR =
 * element size: op(A) = Aᵀ, op(B) = B), register transposes of lanes×lanes blocks when k is
 * (sP = element size: op(A) = A, op(B) = Bᵀ; the gather it replaces took 10–27% of the time of
 * MLP/conv-sized products). Edge strips and leftover steps are gathered element by element.
 */
export function packer(t: TileConfig, R: number, name: string): Fn {
  const { es } = tileGeometry(t);
  const ld = es === 4 ? 'f32_load' : 'f64_load';
  const st = es === 4 ? 'f32_store' : 'f64_store';
  const lanes = 16 / es;
  const f = new Fn(name, [I32, I32, I32, I32, I32, I32, I32]);
  const vecs = Array.from({ length: lanes }, () => f.local(V128));
  const [src, sR, sP, extent, k, kc, dst] = [0, 1, 2, 3, 4, 5, 6];
  const [p0, kcCur, kcPad, s0, rows, q, p, rr, x, d2, fast, across] = Array.from({ length: 12 }, () => f.local(I32));
  const min = (a: () => void, b: () => void) => {
    a(); b(); a(); b();
    f.op('i32_lt_s').op('select');
  };
  f.get(sR).i32(es).op('i32_eq').set(fast);
  // Contiguous along p instead (op(A) = A, op(B) = Bᵀ): full strips go lanes×lanes blocks at a time.
  f.get(sP).i32(es).op('i32_eq').set(across);
  f.i32(0).set(p0);
  f.block(() => f.loop(() => {
    f.get(p0).get(k).op('i32_ge_s').brIf(1);
    min(() => f.get(kc), () => f.get(k).get(p0).op('i32_sub'));
    f.set(kcCur);
    f.get(kcCur).i32(t.unroll - 1).op('i32_add').i32(-t.unroll).op('i32_and').set(kcPad);
    f.i32(0).set(s0);
    f.block(() => f.loop(() => {
      f.get(s0).get(extent).op('i32_ge_s').brIf(1);
      min(() => f.i32(R), () => f.get(extent).get(s0).op('i32_sub'));
      f.set(rows);
      f.get(src).get(s0).get(sR).op('i32_mul').op('i32_add').get(p0).get(sP).op('i32_mul').op('i32_add').set(q);
      f.i32(0).set(p);
      if (R % lanes === 0) {
        f.get(across).get(rows).i32(R).op('i32_eq').op('i32_and').ifElse(() => {
          f.block(() => f.loop(() => {
            f.get(p).i32(lanes).op('i32_add').get(kcCur).op('i32_gt_s').brIf(1);
            transposeBlock(f, q, sR, dst, x, R, es, vecs);
            f.inc(dst, lanes * R * es);
            f.get(q).i32(lanes * es).op('i32_add').set(q);
            f.inc(p, lanes).br(0);
          }));
        });
      }
      f.forRange(p, () => f.get(p), kcCur, 1, () => {
        f.get(fast).get(rows).i32(R).op('i32_eq').op('i32_and');
        f.ifElse(
          () => copyBytes(f, dst, q, R * es),
          () => {
            f.get(q).set(x).get(dst).set(d2);
            f.forRange(rr, 0, rows, 1, () => {
              f.get(d2).get(x).mem(ld).mem(st);
              f.get(x).get(sR).op('i32_add').set(x);
              f.inc(d2, es);
            });
            f.block(() => f.loop(() => {
              f.get(rr).i32(R).op('i32_ge_s').brIf(1);
              f.get(d2).fzero(es === 4 ? F32 : F64).mem(st);
              f.inc(d2, es).inc(rr, 1).get(rr).i32(R).op('i32_lt_s').brIf(0);
            }));
          },
        );
        f.inc(dst, R * es);
        f.get(q).get(sP).op('i32_add').set(q);
      });
      f.forRange(p, () => f.get(kcCur), kcPad, 1, () => {
        storeZeros(f, dst, R * es);
        f.inc(dst, R * es);
      });
      f.get(s0).i32(R).op('i32_add').set(s0);
      f.br(0);
    }));
    f.get(p0).get(kc).op('i32_add').set(p0);
    f.br(0);
  }));
  return f;
}

/**
 * `copyRows(src, srcStride, dst, dstStride, rows, rowBytes)`: moves C between the caller's dense
 * layout and the padded one (row stride rounded up to NR) in a single call, where a JS loop of
 * per-row copies would allocate a view per row.
 */
export function copyRows(): Fn {
  const f = new Fn('copyRows', [I32, I32, I32, I32, I32, I32]);
  const [src, srcStride, dst, dstStride, rows, rowBytes] = [0, 1, 2, 3, 4, 5];
  const i = f.local(I32);
  f.forRange(i, 0, rows, 1, () => {
    f.get(dst).get(src).get(rowBytes).memoryCopy();
    f.get(src).get(srcStride).op('i32_add').set(src);
    f.get(dst).get(dstStride).op('i32_add').set(dst);
  });
  return f;
}
