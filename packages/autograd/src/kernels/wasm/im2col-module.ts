// Generates im2col and col2im (kernels/im2col.ts) for float32 in WebAssembly: the same loops,
// with the unit-stride row copies (im2col) and row accumulations (col2im) four lanes at a time
// (unaligned v128 loads/stores that never pass a row segment's end; a scalar loop finishes it).
// Each output element is written, and each input element accumulated, in the same order as the
// TypeScript loops, so results are bit-identical.
import { assemble, F32, Fn, I32, V128 } from './assembler.js';

/**
 * Parameters shared by both kernels (i32 each): x, cols (byte addresses), C, H, W, kH, kW, sH,
 * sW, pH, pW, dH, dW, oH, oW, ld (elements between cols rows).
 */
const PARAMS = 16;

/**
 * The loop nest over (c, i, j, oh) of both kernels. For each patch row segment it computes the
 * input row `ih` and the valid output columns [lo, hi) and calls `segment` with locals holding
 * the destination (cols) and source (x) byte addresses of column 0, `lo`, `hi` and whether the
 * input row is inside (`inside`).
 */
function nest(name: string, segment: (f: Fn, l: Record<string, number>) => void): Fn {
  const f = new Fn(name, new Array<number>(PARAMS).fill(I32) as (typeof I32)[]);
  const [x, cols, C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW, ld] = Array.from({ length: PARAMS }, (_, i) => i);
  const l: Record<string, number> = {};
  for (const k of ['c', 'i', 'j', 'oh', 'ow', 'row', 'plane', 'off', 'lo', 'hi', 'ih', 'dst', 'src', 'inside', 'end', 'tmp']) l[k] = f.local(I32);
  l.v = f.local(V128);
  Object.assign(l, { sW, oW, W });
  f.get(cols).set(l.row!);
  f.forRange(l.c!, 0, C, 1, () => {
    // plane = x + c·H·W·4
    f.get(x).get(l.c!).get(H).op('i32_mul').get(W).op('i32_mul').i32(2).op('i32_shl').op('i32_add').set(l.plane!);
    f.forRange(l.i!, 0, kH, 1, () => {
      f.forRange(l.j!, 0, kW, 1, () => {
        // off = j·dW − pW; lo = max(0, ceil(−off / sW)); hi = min(oW, floor((W − 1 − off) / sW) + 1), hi ≥ lo
        f.get(l.j!).get(dW).op('i32_mul').get(pW).op('i32_sub').set(l.off!);
        // ceil(−off/sW) for −off > 0 is (−off + sW − 1)/sW; for −off ≤ 0 the max with 0 wins.
        f.get(sW).get(l.off!).op('i32_sub').i32(1).op('i32_sub').get(sW).op('i32_div_u');
        f.get(l.off!).i32(0).op('i32_lt_s').op('i32_mul').set(l.lo!);
        // (W − 1 − off) < 0 means no valid column: hi = 0 (then raised to lo).
        f.get(W).i32(1).op('i32_sub').get(l.off!).op('i32_sub').tee(l.tmp!).i32(0).op('i32_lt_s');
        f.ifElse(() => { f.i32(0).set(l.hi!); }, () => {
          f.get(l.tmp!).get(sW).op('i32_div_u').i32(1).op('i32_add').tee(l.hi!).get(oW).op('i32_gt_s');
          f.ifElse(() => { f.get(oW).set(l.hi!); });
        });
        f.get(l.hi!).get(l.lo!).op('i32_lt_s').ifElse(() => { f.get(l.lo!).set(l.hi!); });
        f.forRange(l.oh!, 0, oH, 1, () => {
          // ih = oh·sH − pH + i·dH; dst = row + oh·oW·4; src = plane + (ih·W + off)·4
          f.get(l.oh!).get(sH).op('i32_mul').get(pH).op('i32_sub').get(l.i!).get(dH).op('i32_mul').op('i32_add').set(l.ih!);
          f.get(l.row!).get(l.oh!).get(oW).op('i32_mul').i32(2).op('i32_shl').op('i32_add').set(l.dst!);
          f.get(l.plane!).get(l.ih!).get(W).op('i32_mul').get(l.off!).op('i32_add').i32(2).op('i32_shl').op('i32_add').set(l.src!);
          f.get(l.ih!).i32(0).op('i32_ge_s').get(l.ih!).get(H).op('i32_lt_s').op('i32_and').set(l.inside!);
          segment(f, l);
        });
        // row += ld·4
        f.get(l.row!).get(ld).i32(2).op('i32_shl').op('i32_add').set(l.row!);
      });
    });
  });
  return f;
}

/** Stores 0.0 at dst + 4·ow for ow in [from, to) (locals). */
function zeros(f: Fn, l: Record<string, number>, from: number | null, to: number): void {
  f.forRange(l.ow!, from === null ? 0 : () => f.get(from), to, 1, () => {
    f.get(l.dst!).get(l.ow!).i32(2).op('i32_shl').op('i32_add').fzero(F32).mem('f32_store');
  });
}

/**
 * Copies (or, for col2im, accumulates) columns [lo, hi): four at a time while a whole vector
 * fits before hi (unit stride only), then one at a time. `body(ow)` handles one column.
 */
function columns(f: Fn, l: Record<string, number>, vector: () => void, scalar: () => void): void {
  f.get(l.lo!).set(l.ow!);
  f.get(l.sW!).i32(1).op('i32_eq').ifElse(() => {
    f.get(l.hi!).i32(3).op('i32_sub').set(l.end!);
    f.block(() => {
      f.get(l.ow!).get(l.end!).op('i32_ge_s').brIf(0);
      f.loop(() => {
        vector();
        f.inc(l.ow!, 4);
        f.get(l.ow!).get(l.end!).op('i32_lt_s').brIf(0);
      });
    });
  });
  f.block(() => {
    f.get(l.ow!).get(l.hi!).op('i32_ge_s').brIf(0);
    f.loop(() => {
      scalar();
      f.inc(l.ow!, 1);
      f.get(l.ow!).get(l.hi!).op('i32_lt_s').brIf(0);
    });
  });
}

/** Byte address dst + 4·ow. */
const dstAt = (f: Fn, l: Record<string, number>) => f.get(l.dst!).get(l.ow!).i32(2).op('i32_shl').op('i32_add');
/** Byte address src + 4·ow·sW. */
const srcAt = (f: Fn, l: Record<string, number>) => f.get(l.src!).get(l.ow!).get(l.sW!).op('i32_mul').i32(2).op('i32_shl').op('i32_add');

function im2col(): Fn {
  return nest('im2col', (f, l) => {
    f.get(l.inside!).ifElse(() => {
      zeros(f, l, null, l.lo!);
      columns(f, l,
        () => { dstAt(f, l); srcAt(f, l).vmem('v128_load'); f.vmem('v128_store'); },
        () => { dstAt(f, l); srcAt(f, l).mem('f32_load'); f.mem('f32_store'); });
      zeros(f, l, l.hi!, l.oW!);
    }, () => zeros(f, l, null, l.oW!));
  });
}

function col2im(): Fn {
  return nest('col2im', (f, l) => {
    f.get(l.inside!).ifElse(() => {
      columns(f, l,
        () => { srcAt(f, l); srcAt(f, l).vmem('v128_load'); dstAt(f, l).vmem('v128_load'); f.simd('f32x4_add').vmem('v128_store'); },
        () => { srcAt(f, l); srcAt(f, l).mem('f32_load'); dstAt(f, l).mem('f32_load'); f.op('f32_add').mem('f32_store'); });
    });
  });
}

/**
 * `col2imValid` (col2im's parameters; sW, pH and pW are ignored, being 1, 0 and 0): col2im for
 * windows without padding and with unit column stride, where every tap is inside the input, so a
 * patch row segment is added to an input row segment with no bounds to work out: pointers step
 * by one output row, four lanes at a time, a scalar loop for the rest. Each input element gets
 * the same f32 adds in the same order as in `col2im`.
 */
function col2imValid(): Fn {
  const f = new Fn('col2imValid', new Array<number>(PARAMS).fill(I32) as (typeof I32)[]);
  const [x, cols, C, H, W, kH, kW, sH, , , , dH, dW, oH, oW, ld] = Array.from({ length: PARAMS }, (_, i) => i);
  const [c, i, j, oh, ow, row, plane, src, dst, end, rowStep] = Array.from({ length: 11 }, () => f.local(I32));
  f.get(cols).set(row);
  f.get(oW).i32(3).op('i32_sub').set(end);
  // Bytes between the input rows of consecutive output rows.
  f.get(sH).get(W).op('i32_mul').i32(2).op('i32_shl').set(rowStep);
  f.forRange(c, 0, C, 1, () => {
    f.get(x).get(c).get(H).op('i32_mul').get(W).op('i32_mul').i32(2).op('i32_shl').op('i32_add').set(plane);
    f.forRange(i, 0, kH, 1, () => {
      f.forRange(j, 0, kW, 1, () => {
        f.get(row).set(src);
        // dst = plane + (i·dH·W + j·dW)·4
        f.get(plane).get(i).get(dH).op('i32_mul').get(W).op('i32_mul').get(j).get(dW).op('i32_mul').op('i32_add').i32(2).op('i32_shl').op('i32_add').set(dst);
        f.forRange(oh, 0, oH, 1, () => {
          f.i32(0).set(ow);
          f.block(() => {
            f.get(ow).get(end).op('i32_ge_s').brIf(0);
            f.loop(() => {
              f.get(dst).get(ow).i32(2).op('i32_shl').op('i32_add');
              f.get(src).get(ow).i32(2).op('i32_shl').op('i32_add').vmem('v128_load');
              f.get(dst).get(ow).i32(2).op('i32_shl').op('i32_add').vmem('v128_load');
              f.simd('f32x4_add').vmem('v128_store');
              f.inc(ow, 4);
              f.get(ow).get(end).op('i32_lt_s').brIf(0);
            });
          });
          f.block(() => {
            f.get(ow).get(oW).op('i32_ge_s').brIf(0);
            f.loop(() => {
              f.get(dst).get(ow).i32(2).op('i32_shl').op('i32_add');
              f.get(src).get(ow).i32(2).op('i32_shl').op('i32_add').mem('f32_load');
              f.get(dst).get(ow).i32(2).op('i32_shl').op('i32_add').mem('f32_load');
              f.op('f32_add').mem('f32_store');
              f.inc(ow, 1);
              f.get(ow).get(oW).op('i32_lt_s').brIf(0);
            });
          });
          f.get(src).get(oW).i32(2).op('i32_shl').op('i32_add').set(src);
          f.get(dst).get(rowStep).op('i32_add').set(dst);
        });
        f.get(row).get(ld).i32(2).op('i32_shl').op('i32_add').set(row);
      });
    });
  });
  return f;
}

/**
 * `unpanel(src, dst, bias, rows, L, cnt, ld, imageStride)`: the reorder after conv's batched
 * gemm. Row r of the product (`cnt` images side by side, rows `ld` apart at src) is split into the
 * images' rows: dst[n·imageStride + r·L + l] = src[r·ld + n·L + l] + bias[r], for every image n
 * and l < L (byte addresses; sizes in elements). One f32 add per element, as the TypeScript loop.
 */
function unpanel(): Fn {
  const f = new Fn('unpanel', [I32, I32, I32, I32, I32, I32, I32, I32]);
  const [src, dst, bias, rows, L, cnt, ld, imageStride] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [r, n, l, s, d, end] = Array.from({ length: 6 }, () => f.local(I32));
  const b = f.local(F32), bv = f.local(V128);
  f.get(L).i32(3).op('i32_sub').set(end);
  f.forRange(r, 0, rows, 1, () => {
    f.get(bias).get(r).i32(2).op('i32_shl').op('i32_add').mem('f32_load').tee(b).simd('f32x4_splat').set(bv);
    f.forRange(n, 0, cnt, 1, () => {
      // s = src + (r·ld + n·L)·4; d = dst + (n·imageStride + r·L)·4
      f.get(src).get(r).get(ld).op('i32_mul').get(n).get(L).op('i32_mul').op('i32_add').i32(2).op('i32_shl').op('i32_add').set(s);
      f.get(dst).get(n).get(imageStride).op('i32_mul').get(r).get(L).op('i32_mul').op('i32_add').i32(2).op('i32_shl').op('i32_add').set(d);
      f.i32(0).set(l);
      f.block(() => {
        f.get(l).get(end).op('i32_ge_s').brIf(0);
        f.loop(() => {
          f.get(d).get(s).vmem('v128_load').get(bv).simd('f32x4_add').vmem('v128_store');
          f.inc(s, 16).inc(d, 16).inc(l, 4);
          f.get(l).get(end).op('i32_lt_s').brIf(0);
        });
      });
      f.block(() => {
        f.get(l).get(L).op('i32_ge_s').brIf(0);
        f.loop(() => {
          f.get(d).get(s).mem('f32_load').get(b).op('f32_add').mem('f32_store');
          f.inc(s, 4).inc(d, 4).inc(l, 1);
          f.get(l).get(L).op('i32_lt_s').brIf(0);
        });
      });
    });
  });
  return f;
}

/**
 * Byte offsets of the i32 fields of a sweep task, which `run` reads: `chunks` images, image i's
 * input at x + i·xStep and its panel columns at cols + i·colStep (bytes), `op` 0 for im2col, 1
 * for col2im and 2 for col2imValid, then the remaining kernel parameters. `next` and `chunks` sit where gemm-threads.ts
 * expects them in every task.
 */
export const SWEEP = {
  next: 0, chunks: 4, op: 8, x: 12, cols: 16, xStep: 20, colStep: 24,
  C: 28, H: 32, W: 36, kH: 40, kW: 44, sH: 48, sW: 52, pH: 56, pW: 60, dH: 64, dW: 68, oH: 72, oW: 76, ld: 80,
} as const;
export const SWEEP_BYTES = 128;

/**
 * `run(task) → images done`: claims images of a sweep task from its atomic counter until none is
 * left and runs im2col or col2im on each, on whichever thread calls it. Images write disjoint
 * panel columns (im2col) or disjoint gradient images (col2im), so the split never changes a value.
 */
function runSweep(): Fn {
  const f = new Fn('run', [I32], [I32]);
  const task = 0;
  const v = Object.fromEntries(Object.keys(SWEEP).map((k) => [k, f.local(I32)])) as Record<keyof typeof SWEEP, number>;
  const [i, done] = [f.local(I32), f.local(I32)];
  for (const [name, off] of Object.entries(SWEEP)) f.get(task).mem('i32_load', off).set(v[name as keyof typeof SWEEP]);
  f.i32(0).set(done);
  const args = () => {
    f.get(v.x).get(i).get(v.xStep).op('i32_mul').op('i32_add');
    f.get(v.cols).get(i).get(v.colStep).op('i32_mul').op('i32_add');
    for (const k of ['C', 'H', 'W', 'kH', 'kW', 'sH', 'sW', 'pH', 'pW', 'dH', 'dW', 'oH', 'oW', 'ld'] as const) f.get(v[k]);
  };
  f.block(() => f.loop(() => {
    f.get(task).i32(1).atomicAdd(SWEEP.next).tee(i).get(v.chunks).op('i32_ge_s').brIf(1);
    f.get(v.op).op('i32_eqz').ifElse(() => { args(); f.call(0); }, () => {
      f.get(v.op).i32(1).op('i32_eq').ifElse(() => { args(); f.call(1); }, () => { args(); f.call(4); });
    });
    f.inc(done, 1).br(0);
  }));
  f.get(done);
  return f;
}

/**
 * The module: `im2col`, `col2im`, `unpanel`, `run` and `col2imValid`, importing `env.mem` (declared shared, with
 * `maxPages`, when `memory.shared`: conv-wasm.ts runs them on the gemm's memory).
 */
export function im2colModuleBytes(memory: { shared?: boolean; maxPages?: number } = {}): Uint8Array {
  // Order fixes the function indices `run` calls: im2col 0, col2im 1, col2imValid 4.
  return assemble([im2col(), col2im(), unpanel(), runSweep(), col2imValid()], memory);
}
