// Generates the column sum of kernels/reduce-sum.ts's sumAxes for float32 in WebAssembly SIMD:
// runs of L values, each summed into its own float64 cell (a conv bias gradient: [N, O, L] summed
// over N and L). Every cell still adds its values one at a time in run order, the order of the
// TypeScript loop, so the sums are bit-identical; the SIMD lanes are cells, not values: two runs
// share an f64x2 accumulator (lane 0 one run, lane 1 the next), and eight runs at a time keep four
// independent accumulators in flight where one would wait on its own previous add.
import { assemble, F64, Fn, I32, V128 } from './assembler.js';

/**
 * sumRuns(data, acc, A, R, L): acc[r] += Σ_l data[(a·R + r)·L + l] for a < A, r < R, l < L, in
 * that order per cell; data: float32, acc: float64 (byte addresses, acc 16-byte aligned).
 */
function sumRuns(): Fn {
  const f = new Fn('sumRuns', [I32, I32, I32, I32, I32]);
  const [data, acc, A, R, L] = [0, 1, 2, 3, 4];
  const [a, r, l, L4, slab, run, at, cell, R8, R2] = Array.from({ length: 10 }, () => f.local(I32));
  const s = Array.from({ length: 4 }, () => f.local(V128));
  const v = Array.from({ length: 8 }, () => f.local(V128));
  const single = f.local(F64);
  // L4 = L rounded down to a multiple of 4; R8, R2: R rounded down to multiples of 8 and 2.
  f.get(L).i32(-4).op('i32_and').set(L4);
  f.get(R).i32(-8).op('i32_and').set(R8);
  f.get(R).i32(-2).op('i32_and').set(R2);
  /** `pairs` accumulators over runs r … r + 2·pairs − 1 of the current slab. */
  const group = (pairs: number) => {
    // run = slab + r·L (element index of the first run); cell = acc + 8·r
    f.get(slab).get(r).get(L).op('i32_mul').op('i32_add').set(run);
    f.get(acc).get(r).i32(3).op('i32_shl').op('i32_add').set(cell);
    for (let q = 0; q < pairs; q++) f.get(cell).vmem('v128_load', 16 * q).set(s[q]!);
    f.forRange(l, 0, L4, 4, () => {
      // at = data + 4·(run + l); run j's four values at at + 4·j·L
      f.get(data).get(run).get(l).op('i32_add').i32(2).op('i32_shl').op('i32_add').set(at);
      for (let j = 0; j < 2 * pairs; j++) {
        if (j === 0) f.get(at);
        else f.get(at).get(L).i32(4 * j).op('i32_mul').op('i32_add');
        f.vmem('v128_load').set(v[j]!);
      }
      // Value t of both runs of each pair, t by t: each accumulator adds in run order.
      for (let t = 0; t < 4; t++) {
        for (let q = 0; q < pairs; q++) {
          f.get(s[q]!).get(v[2 * q]!).get(v[2 * q + 1]!).shuffle([t, 4 + t, t, 4 + t], 4).simd('f64x2_promote_low_f32x4').simd('f64x2_add').set(s[q]!);
        }
      }
    });
    f.forRange(l, () => f.get(L4), L, 1, () => {
      f.get(data).get(run).get(l).op('i32_add').i32(2).op('i32_shl').op('i32_add').set(at);
      for (let q = 0; q < pairs; q++) {
        f.get(s[q]!);
        f.get(at).get(L).i32(8 * q).op('i32_mul').op('i32_add').mem('f32_load').op('f64_promote_f32').simd('f64x2_splat');
        f.get(at).get(L).i32(8 * q + 4).op('i32_mul').op('i32_add').mem('f32_load').op('f64_promote_f32').lane('f64x2_replace_lane', 1);
        f.simd('f64x2_add').set(s[q]!);
      }
    });
    for (let q = 0; q < pairs; q++) f.get(cell).get(s[q]!).vmem('v128_store', 16 * q);
  };
  f.forRange(a, 0, A, 1, () => {
    f.get(a).get(R).op('i32_mul').get(L).op('i32_mul').set(slab);
    f.forRange(r, 0, R8, 8, () => group(4));
    f.forRange(r, () => f.get(R8), R2, 2, () => group(1));
    // An odd last run: one scalar sum.
    f.get(R2).get(R).op('i32_lt_s').ifElse(() => {
      f.get(R2).set(r);
      f.get(slab).get(r).get(L).op('i32_mul').op('i32_add').set(run);
      f.get(acc).get(r).i32(3).op('i32_shl').op('i32_add').tee(cell).mem('f64_load').set(single);
      f.forRange(l, 0, L, 1, () => {
        f.get(single).get(data).get(run).get(l).op('i32_add').i32(2).op('i32_shl').op('i32_add').mem('f32_load').op('f64_promote_f32').op('f64_add').set(single);
      });
      f.get(cell).get(single).mem('f64_store');
    });
  });
  return f;
}

let bytes: Uint8Array | undefined;

/** The module's bytes (built once). */
export function sumModuleBytes(): Uint8Array {
  return (bytes ??= assemble([sumRuns()]));
}
