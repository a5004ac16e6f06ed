// Generates conv's implicit-gemm kernels for float32 (conv-wasm.ts runs them in the gemm's
// memory): register-tiled SIMD products like the gemm's micro-kernel (gemm-module.ts, 4×8 tiles),
// except that one operand is read straight from the images through a table of tap offsets
// instead of from a packed patch panel, and results land in their final layout. So the patch
// panel is never written, and all the work is in chunks that the gemm's worker threads share.
//
// Every output is the gemm's sum: a sequential f32 sum over the inner dimension in order,
// started from 0 (or from the accumulated value), each term one f32 multiply, so results are
// bit-identical to im2col + gemm (whose k-blocks only store and reload the running sum).
//   forward: out[n, o, l] = (Σₚ w[o, p]·x[n, pos(l) + tap(p)]) + bias[o], or, seeded (one image
//     per chunk, as conv.ts), bias[o] + Σₚ …; a tile is 4 output channels × 8 adjacent output
//     positions of one output row (unit column stride), so its 8 taps p are 8 adjacent floats.
//   weight gradient: dwᵀ[t, o] += Σ_q x[pos(q) + tap(t)]·gy[o, q] over positions q = n·L + l; a
//     tile is 4 taps (gathered scalars) × 8 output channels (gy packed as [q][8] strips).
//   input gradient: col2im of the panel wᵀ·gy without the panel: a tile is the panel entries of
//     one tap (i, j) of 4 input channels at 8 adjacent output positions, Σₒ w[o, c, i, j]·gy[o, q],
//     added straight into dx. Per dx element its terms arrive in col2im's order: channels never
//     share an element, and the taps of a channel come strip after strip in (i, j) order.
import { assemble, Fn, I32, V128 } from './assembler.js';
import { CONV_TASK, fields } from './conv-task.js';
import { packGy, packW, packWT, transpose } from './conv-packers.js';

export { CONV_TASK, CONV_TASK_BYTES } from './conv-task.js';

/** `dst = min(a, b)` on i32 locals/values given as emitters. */
function min(f: Fn, a: () => void, b: () => void, dst: number): void {
  a(); b(); a(); b();
  f.op('i32_lt_s').op('select').set(dst);
}

/** acc = acc + av·bv (f32x4 multiply, then add: the gemm micro-kernel's order of operands). */
function madd(f: Fn, acc: number, av: number, bv: number): void {
  f.get(acc).get(av).get(bv).simd('f32x4_mul').simd('f32x4_add').set(acc);
}

/**
 * `forward(task, chunk)`: strips of 8 output positions perChunk·chunk… of every channel strip.
 * Strip s covers positions 8s…8s+7 of the cnt images side by side (L a multiple of 8 is not
 * needed, oW is: a strip never crosses an output row).
 */
function forward(): Fn {
  const f = new Fn('forward', [I32, I32]);
  const [task, chunk] = [0, 1];
  const v = fields(f, task);
  const [i, s, s1, col, l, base, dst, ap0, ap, op, pEnd, left] = Array.from({ length: 12 }, () => f.local(I32));
  const acc = Array.from({ length: 4 }, () => [f.local(V128), f.local(V128)] as const);
  const bv = [f.local(V128), f.local(V128)] as const;
  const av = f.local(V128);
  f.get(chunk).get(v.perChunk).op('i32_mul').set(s1);
  min(f, () => f.get(s1).get(v.perChunk).op('i32_add'), () => f.get(v.nStrips), s1);
  f.forRange(i, 0, v.mStrips, 1, () => {
    // ap0 = a + i·K·16; left = rows − 4i (channels of this strip that exist)
    f.get(v.a).get(i).get(v.K).op('i32_mul').i32(4).op('i32_shl').op('i32_add').set(ap0);
    f.get(v.rows).get(i).i32(2).op('i32_shl').op('i32_sub').set(left);
    f.forRange(s, () => f.get(chunk).get(v.perChunk).op('i32_mul'), s1, 1, () => {
      // col = 8s, image col / L at position l = col mod L:
      // base = x + (col / L)·inImage + (l / oW)·rowStep + (l mod oW)·4; dst = c + (col / L)·outImage + (4i·L + l)·4
      f.get(s).i32(3).op('i32_shl').tee(col).get(v.L).op('i32_rem_u').set(l);
      f.get(v.x).get(col).get(v.L).op('i32_div_u').get(v.inImage).op('i32_mul').op('i32_add');
      f.get(l).get(v.oW).op('i32_div_u').get(v.rowStep).op('i32_mul').op('i32_add');
      f.get(l).get(v.oW).op('i32_rem_u').i32(2).op('i32_shl').op('i32_add').set(base);
      f.get(v.c).get(col).get(v.L).op('i32_div_u').get(v.outImage).op('i32_mul').op('i32_add');
      f.get(i).i32(2).op('i32_shl').get(v.L).op('i32_mul').get(l).op('i32_add').i32(2).op('i32_shl').op('i32_add').set(dst);
      // Seeded: the sum starts at the bias; otherwise at 0 and the bias is added at the end.
      acc.forEach(([a0, a1], r) => {
        f.get(v.seed).ifElse(
          () => { f.get(v.bias).get(i).i32(4).op('i32_shl').op('i32_add').vmem('v128_load32_splat', 4 * r).tee(a0).set(a1); },
          () => { f.v128Zero().tee(a0).set(a1); },
        );
      });
      f.get(ap0).set(ap).get(v.b).tee(op).get(v.K).i32(2).op('i32_shl').op('i32_add').set(pEnd);
      f.loop(() => {
        f.get(base).get(op).mem('i32_load').op('i32_add').tee(col).vmem('v128_load').set(bv[0]);
        f.get(col).vmem('v128_load', 16).set(bv[1]);
        acc.forEach(([a0, a1], r) => {
          f.get(ap).vmem('v128_load32_splat', 4 * r).set(av);
          madd(f, a0, av, bv[0]);
          madd(f, a1, av, bv[1]);
        });
        f.inc(ap, 16).inc(op, 4);
        f.get(op).get(pEnd).op('i32_lt_u').brIf(0);
      });
      acc.forEach(([a0, a1], r) => {
        f.i32(r).get(left).op('i32_lt_s').ifElse(() => {
          f.get(v.seed).op('i32_eqz').ifElse(() => {
            f.get(v.bias).get(i).i32(4).op('i32_shl').op('i32_add').vmem('v128_load32_splat', 4 * r).set(av);
            f.get(a0).get(av).simd('f32x4_add').set(a0);
            f.get(a1).get(av).simd('f32x4_add').set(a1);
          });
          f.get(dst).get(a0).vmem('v128_store');
          f.get(dst).get(a1).vmem('v128_store', 16);
          f.get(dst).get(v.L).i32(2).op('i32_shl').op('i32_add').set(dst);
        });
      });
    });
  });
  return f;
}

/**
 * `weightGrad(task, chunk)`: chunk = tap group · nStrips + channel strip j; for each block of kc
 * positions in order, each tap strip of the group adds the block's terms to its dwᵀ tile.
 */
function weightGrad(): Fn {
  const f = new Fn('weightGrad', [I32, I32]);
  const [task, chunk] = [0, 1];
  const v = fields(f, task);
  const [j, t0, t1, ts, q0, qEnd, cp, ap, bp, pEnd, p] = Array.from({ length: 11 }, () => f.local(I32));
  const off = Array.from({ length: 4 }, () => f.local(I32));
  const acc = Array.from({ length: 4 }, () => [f.local(V128), f.local(V128)] as const);
  const bv = [f.local(V128), f.local(V128)] as const;
  const av = f.local(V128);
  f.get(chunk).get(v.nStrips).op('i32_rem_u').set(j);
  f.get(chunk).get(v.nStrips).op('i32_div_u').get(v.perChunk).op('i32_mul').set(t0);
  min(f, () => f.get(t0).get(v.perChunk).op('i32_add'), () => f.get(v.mStrips), t1);
  // Blocks of kc positions: the body moves q0 to the block's end.
  f.forRange(q0, 0, v.ld, 0, () => {
    min(f, () => f.get(q0).get(v.kc).op('i32_add'), () => f.get(v.ld), qEnd);
    f.forRange(ts, () => f.get(t0), t1, 1, () => {
      // Tap offsets of the strip's 4 taps; its tile of dwᵀ at c + 4ts·ldc + 32j.
      off.forEach((o, r) => f.get(v.b).get(ts).i32(4).op('i32_shl').op('i32_add').mem('i32_load', 4 * r).set(o));
      f.get(v.c).get(ts).i32(2).op('i32_shl').get(v.ldc).op('i32_mul').op('i32_add').get(j).i32(5).op('i32_shl').op('i32_add').set(cp);
      acc.forEach(([a0, a1], r) => {
        f.get(cp).get(v.ldc).i32(r).op('i32_mul').op('i32_add').tee(p).vmem('v128_load').set(a0);
        f.get(p).vmem('v128_load', 16).set(a1);
      });
      // ap = a + q0·4 (positions); bp = gyp + (j·ld + q0)·32
      f.get(v.a).get(q0).i32(2).op('i32_shl').op('i32_add').set(ap);
      f.get(v.a).get(qEnd).i32(2).op('i32_shl').op('i32_add').set(pEnd);
      f.get(v.gyp).get(j).get(v.ld).op('i32_mul').get(q0).op('i32_add').i32(5).op('i32_shl').op('i32_add').set(bp);
      f.loop(() => {
        f.get(ap).mem('i32_load').set(p);
        f.get(bp).vmem('v128_load').set(bv[0]);
        f.get(bp).vmem('v128_load', 16).set(bv[1]);
        acc.forEach(([a0, a1], r) => {
          f.get(p).get(off[r]!).op('i32_add').vmem('v128_load32_splat').set(av);
          madd(f, a0, av, bv[0]);
          madd(f, a1, av, bv[1]);
        });
        f.inc(ap, 4).inc(bp, 32);
        f.get(ap).get(pEnd).op('i32_lt_u').brIf(0);
      });
      acc.forEach(([a0, a1], r) => {
        f.get(cp).get(v.ldc).i32(r).op('i32_mul').op('i32_add').tee(p).get(a0).vmem('v128_store');
        f.get(p).get(a1).vmem('v128_store', 16);
      });
    });
    f.get(qEnd).set(q0);
  });
  return f;
}

/**
 * `inputGrad(task, chunk)`: every strip of image `chunk`, in order, each over the image's strips
 * of 8 output positions (within one output row: unit column stride, so the 8 dx targets of a
 * tile row are adjacent).
 */
function inputGrad(): Fn {
  const f = new Fn('inputGrad', [I32, I32]);
  const [task, chunk] = [0, 1];
  const v = fields(f, task);
  const [st, s, cg, ij, left, dImg, gImg, ap0, ap, bp, pEnd, col, dst, tapBase, lb] = Array.from({ length: 15 }, () => f.local(I32));
  const acc = Array.from({ length: 4 }, () => [f.local(V128), f.local(V128)] as const);
  const bv = [f.local(V128), f.local(V128)] as const;
  const av = f.local(V128);
  f.get(v.x).get(chunk).get(v.inImage).op('i32_mul').op('i32_add').set(dImg);
  f.get(v.c).get(chunk).get(v.outImage).op('i32_mul').op('i32_add').set(gImg);
  f.get(v.L).i32(2).op('i32_shl').set(lb);
  f.forRange(st, 0, v.mStrips, 1, () => {
    // cg = st / kHW, (i, j) = st mod kHW; tapBase = dImg + 4cg·plane + i·tapRow + j·tapCol
    f.get(st).get(v.kHW).op('i32_div_u').set(cg);
    f.get(st).get(v.kHW).op('i32_rem_u').set(ij);
    f.get(v.rows).get(cg).i32(2).op('i32_shl').op('i32_sub').set(left);
    f.get(dImg).get(cg).i32(2).op('i32_shl').get(v.plane).op('i32_mul').op('i32_add');
    f.get(ij).get(v.kW).op('i32_div_u').get(v.tapRow).op('i32_mul').op('i32_add');
    f.get(ij).get(v.kW).op('i32_rem_u').get(v.tapCol).op('i32_mul').op('i32_add').set(tapBase);
    f.get(v.a).get(st).get(v.K).op('i32_mul').i32(4).op('i32_shl').op('i32_add').set(ap0);
    f.forRange(s, 0, v.nStrips, 1, () => {
      // col = 8s; dst = tapBase + (col / oW)·rowStep + (col mod oW)·4; bp = gImg + col·4
      f.get(s).i32(3).op('i32_shl').set(col);
      f.get(tapBase).get(col).get(v.oW).op('i32_div_u').get(v.rowStep).op('i32_mul').op('i32_add');
      f.get(col).get(v.oW).op('i32_rem_u').i32(2).op('i32_shl').op('i32_add').set(dst);
      f.get(gImg).get(col).i32(2).op('i32_shl').op('i32_add').set(bp);
      acc.forEach(([a0, a1]) => { f.v128Zero().tee(a0).set(a1); });
      f.get(ap0).tee(ap).get(v.K).i32(4).op('i32_shl').op('i32_add').set(pEnd);
      f.loop(() => {
        f.get(bp).vmem('v128_load').set(bv[0]);
        f.get(bp).vmem('v128_load', 16).set(bv[1]);
        acc.forEach(([a0, a1], r) => {
          f.get(ap).vmem('v128_load32_splat', 4 * r).set(av);
          madd(f, a0, av, bv[0]);
          madd(f, a1, av, bv[1]);
        });
        f.inc(ap, 16).get(bp).get(lb).op('i32_add').set(bp);
        f.get(ap).get(pEnd).op('i32_lt_u').brIf(0);
      });
      acc.forEach(([a0, a1], r) => {
        f.i32(r).get(left).op('i32_lt_s').ifElse(() => {
          // dx += the tile row, as col2im adds (panel value + dx)
          f.get(dst).get(a0).get(dst).vmem('v128_load').simd('f32x4_add').vmem('v128_store');
          f.get(dst).get(a1).get(dst).vmem('v128_load', 16).simd('f32x4_add').vmem('v128_store', 16);
          f.get(dst).get(v.plane).op('i32_add').set(dst);
        });
      });
    });
  });
  return f;
}

/** `run(task) → chunks done`: claims chunks of a forward (op 0), weight-gradient (op 1), input-gradient (op 2) or packing (op 3) task until none is left. */
function run(): Fn {
  const f = new Fn('run', [I32], [I32]);
  const task = 0;
  const [chunk, chunks, op, done] = Array.from({ length: 4 }, () => f.local(I32));
  f.get(task).mem('i32_load', CONV_TASK.chunks).set(chunks);
  f.get(task).mem('i32_load', CONV_TASK.op).set(op);
  f.i32(0).set(done);
  f.block(() => f.loop(() => {
    f.get(task).i32(1).atomicAdd(CONV_TASK.next).tee(chunk).get(chunks).op('i32_ge_s').brIf(1);
    const call = (fn: number) => () => { f.get(task).get(chunk).call(fn); };
    f.get(op).op('i32_eqz').ifElse(call(0), () => {
      f.get(op).i32(1).op('i32_eq').ifElse(call(1), () => { f.get(op).i32(2).op('i32_eq').ifElse(call(2), call(3)); });
    });
    f.inc(done, 1).br(0);
  }));
  f.get(done);
  return f;
}

/**
 * The module: `forward`, `weightGrad`, `inputGrad`, `packGy`, `packW`, `packWT`, `transpose` and
 * `run`, importing `env.mem` (shared, with `maxPages`, when `memory.shared`).
 */
export function convModuleBytes(memory: { shared?: boolean; maxPages?: number } = {}): Uint8Array {
  // Order fixes the function indices `run` calls: forward 0, weightGrad 1, inputGrad 2, packGy 3.
  return assemble([forward(), weightGrad(), inputGrad(), packGy(), packW(), packWT(), transpose(), run()], memory);
}
