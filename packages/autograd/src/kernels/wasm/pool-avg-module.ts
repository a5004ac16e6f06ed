// Generates average pooling (kernels/pool.ts's avgPool) for float32 in WebAssembly SIMD, over the
// windows that lie wholly inside the input, two adjacent outputs at a time. The TypeScript loop
// sums a window in float64 from 0 in tap order and multiplies by 1/divisor (a float64, the same for
// every inside window), rounding to float32 once; so do these kernels, in f64x2 lanes, so results
// are bit-identical. The adjoint runs only for windows that do not overlap: there every input tap
// receives one gradient, 0 + g·scale rounded to float32, whatever the order.
import { assemble, F64, Fn, I32, V128 } from './assembler.js';
import { blockNest } from './pool-module.js';

/**
 * Parameters: src, dst (byte addresses), planes, H, W, kH, kW, sH, sW, pH, pW, oH, oW, the block
 * (rows [ohLo, ohHi), columns [owLo, owEnd), owEnd − owLo even) as i32, then scale (f64).
 */
const TYPES = [...new Array<number>(17).fill(I32), F64] as (typeof I32 | typeof F64)[];

/** 'pair' is the 2-wide stride-2 window, whose row of two windows is one vector of four taps. */
type Shape = 'pair' | 'any';

function avgPool(shape: Shape, forward: boolean): Fn {
  const f = new Fn(`avgPool${forward ? '' : 'Adjoint'}_${shape}`, TYPES);
  const [src, dst, planes, H, W, kH, kW, sH, sW, pH, pW, oH, oW, ohLo, ohHi, owLo, owEnd, scale] = Array.from({ length: 18 }, (_, i) => i);
  const [i, j, e, at] = Array.from({ length: 4 }, () => f.local(I32));
  const [acc, v] = [f.local(V128), f.local(V128)];
  const addr = (base: number, elem: () => void) => { f.get(base); elem(); f.i32(2).op('i32_shl').op('i32_add'); };
  blockNest(f, { planes, H, W, sH, sW, pH, pW, oH, oW, ohLo, ohHi, owLo, owEnd }, 2, (first, k) => {
    if (forward) {
      // acc = 0, then += each tap (lane 0's window at first, lane 1's sW further), row by row.
      f.fzero(F64).simd('f64x2_splat').set(acc);
      f.forRange(i, 0, kH, 1, () => {
        f.get(first).get(i).get(W).op('i32_mul').op('i32_add').set(e);
        if (shape === 'pair') {
          addr(src, () => f.get(e));
          f.vmem('v128_load').set(v);
          for (const lanes of [[0, 2], [1, 3]]) {
            f.get(acc).get(v).get(v).shuffle([...lanes, ...lanes], 4).simd('f64x2_promote_low_f32x4').simd('f64x2_add').set(acc);
          }
        } else {
          f.forRange(j, 0, kW, 1, () => {
            addr(src, () => f.get(e).get(j).op('i32_add'));
            f.tee(at).mem('f32_load').op('f64_promote_f32').simd('f64x2_splat');
            f.get(at).get(sW).i32(2).op('i32_shl').op('i32_add').mem('f32_load').op('f64_promote_f32').lane('f64x2_replace_lane', 1);
            f.get(acc).simd('f64x2_add').set(acc);
          });
        }
      });
      // Both lanes rounded to float32 and stored as one 8-byte word.
      addr(dst, () => f.get(k));
      f.get(acc).get(scale).simd('f64x2_splat').simd('f64x2_mul').simd('f32x4_demote_f64x2_zero').lane('i64x2_extract_lane', 0).mem('i64_store');
    } else {
      // v = float32(0 + g·scale) for the two outputs, in lanes 0 and 1.
      addr(src, () => f.get(k));
      f.vmem('v128_load64_splat').simd('f64x2_promote_low_f32x4').get(scale).simd('f64x2_splat').simd('f64x2_mul');
      f.fzero(F64).simd('f64x2_splat').simd('f64x2_add').simd('f32x4_demote_f64x2_zero').set(v);
      if (shape === 'pair') f.get(v).get(v).shuffle([0, 0, 1, 1], 4).set(v);
      f.forRange(i, 0, kH, 1, () => {
        f.get(first).get(i).get(W).op('i32_mul').op('i32_add').set(e);
        if (shape === 'pair') {
          addr(dst, () => f.get(e));
          f.get(v).vmem('v128_store');
        } else {
          f.forRange(j, 0, kW, 1, () => {
            addr(dst, () => f.get(e).get(j).op('i32_add'));
            f.tee(at).get(v).lane('f32x4_extract_lane', 0).mem('f32_store');
            f.get(at).get(sW).i32(2).op('i32_shl').op('i32_add').get(v).lane('f32x4_extract_lane', 1).mem('f32_store');
          });
        }
      });
    }
  });
  return f;
}

/** The module (forward and adjoint for each window shape), importing a plain (unshared) `env.mem`. */
export function avgPoolModuleBytes(): Uint8Array {
  return assemble([avgPool('pair', true), avgPool('any', true), avgPool('pair', false), avgPool('any', false)]);
}
