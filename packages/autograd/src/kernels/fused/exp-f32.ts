// float32 exp, written twice side by side: as f32x4 WebAssembly and as its scalar twin, which
// performs the same float32 operations in the same order (each rounded with Math.fround), so the
// SIMD kernel and the TypeScript loop agree to the last bit and a float32 exp does not depend on
// the tensor's size or on whether it was fused. Within 1 ulp of Math.exp rounded to float32.
import type { Fn } from '../wasm/assembler.js';
import { V128 } from '../wasm/assembler.js';

/*
 * The method: x = k·ln2 + r with k = round(x·log2 e), |r| ≤ ln2/2, then e^r by its Taylor series to
 * degree 7 (truncation r⁸/8! ≤ 5e-9, well under half an ulp) and 2^k built in the exponent bits.
 * ln2 is split Cody–Waite style into a 9-bit head (k·head is exact for |k| < 2^15) and a tail, so r
 * keeps its accuracy for large |x|. 2^k is applied as two factors 2^(k>>1)·2^(k−(k>>1)), each a
 * normal float for k ∈ [−150, 129]: the first product is exact and the second rounds once, also
 * when the result is subnormal or overflows to Infinity. x is clamped to [−104, 89] first (exp is
 * 0 below and Infinity above in float32); pmin/pmax keep NaN, which then flows through as NaN.
 */
const HI = 89, LO = -104;
const LN2_HEAD = 0.693359375;
const LN2_TAIL = Math.LN2 - LN2_HEAD;
/** 1/i! for i = 0…7 (Horner runs from 1/7! down). */
const INV = [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040];

const f = Math.fround;
const L2E32 = f(Math.LOG2E), HEAD32 = f(LN2_HEAD), TAIL32 = f(LN2_TAIL);
const INV32 = INV.map(f);

/** Round half to even, as f32x4.nearest. */
function nearest(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The scalar twin of the SIMD kernel (float32 arithmetic throughout). */
export function expF32(x: number): number {
  // pmin(x, 89) = 89 < x ? 89 : x; pmax(·, −104) = · < −104 ? −104 : · (NaN passes).
  x = HI < x ? HI : x;
  x = x < LO ? LO : x;
  const t = nearest(f(x * L2E32));
  const k = t | 0;
  const r = f(f(x - f(t * HEAD32)) - f(t * TAIL32));
  let p = INV32[7]!;
  for (let i = 6; i >= 0; i--) p = f(f(p * r) + INV32[i]!);
  const k1 = k >> 1;
  return f(f(p * 2 ** k1) * 2 ** (k - k1));
}

/** Emits exp on the f32x4 in local `x` (replaced by the result). */
export function emitExpF32(fn: Fn, x: number): void {
  const k = fn.local(V128), t = fn.local(V128), r = fn.local(V128), p = fn.local(V128), k1 = fn.local(V128);
  // pmin/pmax (b < a ? b : a, a < b ? b : a) return x itself when it is NaN, and are one
  // instruction each on x64, where V8 expands min/max to about seven.
  fn.get(x).f32x4Const(HI).simd('f32x4_pmin').f32x4Const(LO).simd('f32x4_pmax').set(x);
  fn.get(x).f32x4Const(Math.LOG2E).simd('f32x4_mul').simd('f32x4_nearest').tee(t).simd('i32x4_trunc_sat_f32x4_s').set(k);
  fn.get(x).get(t).f32x4Const(LN2_HEAD).simd('f32x4_mul').simd('f32x4_sub');
  fn.get(t).f32x4Const(LN2_TAIL).simd('f32x4_mul').simd('f32x4_sub').set(r);
  fn.f32x4Const(INV[7]!).set(p);
  for (let i = 6; i >= 0; i--) fn.get(p).get(r).simd('f32x4_mul').f32x4Const(INV[i]!).simd('f32x4_add').set(p);
  // Scale factors as bit patterns: (e + 127) << 23 is 2^e for e ∈ [−126, 127].
  fn.get(k).i32(1).simd('i32x4_shr_s').set(k1);
  fn.get(p);
  fn.get(k1).i32x4Const(127).simd('i32x4_add').i32(23).simd('i32x4_shl').simd('f32x4_mul');
  fn.get(k).get(k1).simd('i32x4_sub').i32x4Const(127).simd('i32x4_add').i32(23).simd('i32x4_shl').simd('f32x4_mul');
  fn.set(x);
}
