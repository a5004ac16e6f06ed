// The rearranging passes of conv-module.ts's kernels (no arithmetic): the output gradient as
// strips of 8 channels, the weights as strips of 4 rows or of 4 channels at one tap, and a plain
// transpose for the weight gradient's dwᵀ. Values are moved, never changed.
import { F32, Fn, I32, V128 } from './assembler.js';
import { fields } from './conv-task.js';

/**
 * `packGy(task, chunk)` (task op 3): strip j = chunk / cnt of image n = chunk mod cnt of the
 * output gradient (rows channels from x, image n at x + n·outImage bytes, channel o's L values
 * at o·L) into strip j at c + j·ld·32: position q = n·L + l holds channels 8j…8j+7 (0 past rows).
 * Four positions at a time as two 4×4 transposes of channel rows, the last L mod 4 one by one.
 */
export function packGy(): Fn {
  const f = new Fn('packGy', [I32, I32]);
  const [task, chunk] = [0, 1];
  const v = fields(f, task);
  const [j, gImg, dBase, l, end, ch] = Array.from({ length: 6 }, () => f.local(I32));
  const row = Array.from({ length: 8 }, () => f.local(I32));
  const live = Array.from({ length: 8 }, () => f.local(I32));
  const vec = Array.from({ length: 4 }, () => f.local(V128));
  const lo = f.local(V128), hi = f.local(V128), lo2 = f.local(V128), hi2 = f.local(V128);
  f.get(chunk).get(v.cnt).op('i32_div_u').set(j);
  // gImg = x + (chunk mod cnt)·outImage; dBase = c + (j·ld + n·L)·32
  f.get(chunk).get(v.cnt).op('i32_rem_u').tee(l).get(v.outImage).op('i32_mul').get(v.x).op('i32_add').set(gImg);
  f.get(v.c).get(j).get(v.ld).op('i32_mul').get(l).get(v.L).op('i32_mul').op('i32_add').i32(5).op('i32_shl').op('i32_add').set(dBase);
  // Channel u's row (channel 8j + u, or the image's first row when past rows: read, then zeroed).
  row.forEach((r, u) => {
    f.get(j).i32(3).op('i32_shl').i32(u).op('i32_add').tee(ch).get(v.rows).op('i32_lt_s').set(live[u]!);
    f.get(gImg).get(ch).i32(0).get(live[u]!).op('select').get(v.L).op('i32_mul').i32(2).op('i32_shl').op('i32_add').set(r);
  });
  f.get(v.L).i32(3).op('i32_sub').set(end);
  f.i32(0).set(l);
  f.block(() => {
    f.get(l).get(end).op('i32_ge_s').brIf(0);
    f.loop(() => {
      for (let h = 0; h < 2; h++) {
        vec.forEach((x, u) => {
          f.get(row[4 * h + u]!).get(l).i32(2).op('i32_shl').op('i32_add').vmem('v128_load');
          f.v128Zero().get(live[4 * h + u]!).op('select').set(x);
        });
        // (v0, v1, v2, v3) rows → columns: lo = (v0[0], v1[0], v0[1], v1[1]), lo2 the same of v2, v3.
        f.get(vec[0]!).get(vec[1]!).shuffle([0, 4, 1, 5], 4).set(lo);
        f.get(vec[2]!).get(vec[3]!).shuffle([0, 4, 1, 5], 4).set(lo2);
        f.get(vec[0]!).get(vec[1]!).shuffle([2, 6, 3, 7], 4).set(hi);
        f.get(vec[2]!).get(vec[3]!).shuffle([2, 6, 3, 7], 4).set(hi2);
        const store = (a: number, b: number, lanes: number[], p: number) => {
          f.get(dBase).get(l).i32(5).op('i32_shl').op('i32_add');
          f.get(a).get(b).shuffle(lanes, 4).vmem('v128_store', p * 32 + h * 16);
        };
        store(lo, lo2, [0, 1, 4, 5], 0);
        store(lo, lo2, [2, 3, 6, 7], 1);
        store(hi, hi2, [0, 1, 4, 5], 2);
        store(hi, hi2, [2, 3, 6, 7], 3);
      }
      f.inc(l, 4);
      f.get(l).get(end).op('i32_lt_s').brIf(0);
    });
  });
  f.forRange(l, () => f.get(l), v.L, 1, () => {
    row.forEach((r, u) => {
      f.get(dBase).get(l).i32(5).op('i32_shl').op('i32_add');
      f.get(r).get(l).i32(2).op('i32_shl').op('i32_add').mem('f32_load').fzero(F32).get(live[u]!).op('select').mem('f32_store', 4 * u);
    });
  });
  return f;
}

/**
 * `packW(w, dst, rows, K, strips)`: rows×K weights (row-major at w) as strips of 4 rows, strip i
 * at dst + i·K·16 holding step p's 4 values contiguously (0 past rows): the forward's A.
 */
export function packW(): Fn {
  const f = new Fn('packW', [I32, I32, I32, I32, I32]);
  const [w, dst, rows, K, strips] = [0, 1, 2, 3, 4];
  const [i, r, o, p, d, src, four] = Array.from({ length: 7 }, () => f.local(I32));
  f.i32(4).set(four);
  f.forRange(i, 0, strips, 1, () => {
    f.forRange(r, 0, four, 1, () => {
      f.get(i).i32(2).op('i32_shl').get(r).op('i32_add').set(o);
      f.get(dst).get(i).get(K).op('i32_mul').i32(4).op('i32_shl').op('i32_add').get(r).i32(2).op('i32_shl').op('i32_add').set(d);
      f.get(w).get(o).get(K).op('i32_mul').i32(2).op('i32_shl').op('i32_add').set(src);
      f.get(o).get(rows).op('i32_lt_s').ifElse(() => {
        f.forRange(p, 0, K, 1, () => {
          f.get(d).get(src).mem('f32_load').mem('f32_store');
          f.inc(src, 4).inc(d, 16);
        });
      }, () => {
        f.forRange(p, 0, K, 1, () => {
          f.get(d).fzero(F32).mem('f32_store');
          f.inc(d, 16);
        });
      });
    });
  });
  return f;
}

/**
 * `packWT(w, dst, O, K, C, kHW, strips)`: the input gradient's A from O×K weights (K = C·kHW):
 * strip st = (channel group st / kHW, tap st mod kHW) holds, for each o, w[o, 4g + r, tap] for
 * r < 4 (0 past C), 4 floats per o.
 */
export function packWT(): Fn {
  const f = new Fn('packWT', [I32, I32, I32, I32, I32, I32, I32]);
  const [w, dst, O, K, C, kHW, strips] = [0, 1, 2, 3, 4, 5, 6];
  const [st, o, c0, src] = Array.from({ length: 4 }, () => f.local(I32));
  const live = Array.from({ length: 4 }, () => f.local(I32));
  f.forRange(st, 0, strips, 1, () => {
    f.get(st).get(kHW).op('i32_div_u').i32(2).op('i32_shl').set(c0);
    live.forEach((x, r) => f.get(c0).i32(r).op('i32_add').get(C).op('i32_lt_s').set(x));
    f.forRange(o, 0, O, 1, () => {
      // src = w + (o·K + c0·kHW + tap)·4
      f.get(w).get(o).get(K).op('i32_mul').get(c0).get(kHW).op('i32_mul').op('i32_add').get(st).get(kHW).op('i32_rem_u').op('i32_add').i32(2).op('i32_shl').op('i32_add').set(src);
      live.forEach((x, r) => {
        // w[o, c0 + r, tap], or 0 past C (read at r = 0 instead, which exists)
        f.get(dst);
        f.get(src).get(kHW).i32(r * 4).op('i32_mul').i32(0).get(x).op('select').op('i32_add').mem('f32_load');
        f.fzero(F32).get(x).op('select').mem('f32_store', 4 * r);
      });
      f.inc(dst, 16);
    });
  });
  return f;
}

/** `transpose(src, srcStride, dst, dstStride, rows, cols)`: dst[c][r] = src[r][c] for float32 matrices (strides in bytes). */
export function transpose(): Fn {
  const f = new Fn('transpose', [I32, I32, I32, I32, I32, I32]);
  const [src, srcStride, dst, dstStride, rows, cols] = [0, 1, 2, 3, 4, 5];
  const [r, c, s, d] = Array.from({ length: 4 }, () => f.local(I32));
  f.forRange(r, 0, rows, 1, () => {
    f.get(src).get(r).get(srcStride).op('i32_mul').op('i32_add').set(s);
    f.get(dst).get(r).i32(2).op('i32_shl').op('i32_add').set(d);
    f.forRange(c, 0, cols, 1, () => {
      f.get(d).get(s).mem('f32_load').mem('f32_store');
      f.inc(s, 4).get(d).get(dstStride).op('i32_add').set(d);
    });
  });
  return f;
}
