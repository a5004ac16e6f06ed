// Generates the WebAssembly SIMD elementwise kernels for one dtype (f32x4 or f64x2). Every kernel
// takes byte addresses and a byte count that the caller has rounded up to a whole vector (16
// bytes): the lanes past the real length compute garbage in padding nobody reads, so the loops
// need no scalar tail. Float lanes cannot trap, so garbage is harmless.
import { assemble, Fn, I32, V128 } from './assembler.js';

export type SimdBinary = 'add' | 'sub' | 'mul' | 'div';
export type SimdUnary = 'neg' | 'abs' | 'sqrt' | 'relu' | 'exp';
/** vv: both operands contiguous; vs: b is one broadcast value; sv: a is one broadcast value. */
export type SimdForm = 'vv' | 'vs' | 'sv';

export const BINARY: readonly SimdBinary[] = ['add', 'sub', 'mul', 'div'];
export const FORMS: readonly SimdForm[] = ['vv', 'vs', 'sv'];

/** Unary kernels per dtype: float64 exp stays on Math.exp (a polynomial would not match its ~1 ulp). */
export function unaryKinds(f32: boolean): SimdUnary[] {
  return f32 ? ['neg', 'abs', 'sqrt', 'relu', 'exp'] : ['neg', 'abs', 'sqrt', 'relu'];
}

type Op = Parameters<Fn['simd']>[0];

/** `name(a, b, o, bytes)`: o = a ∘ b, each operand either a vector stream or a splatted scalar. */
function binary(kind: SimdBinary, form: SimdForm, f32: boolean): Fn {
  const f = new Fn(`${kind}_${form}`, [I32, I32, I32, I32]);
  const [a, b, o, bytes] = [0, 1, 2, 3];
  const end = f.local(I32);
  const sa = f.local(V128), sb = f.local(V128);
  const splat = f32 ? 'v128_load32_splat' : 'v128_load64_splat';
  // A broadcast operand is loaded once, splatted, and kept in a register.
  if (form === 'sv') f.get(a).vmem(splat).set(sa);
  if (form === 'vs') f.get(b).vmem(splat).set(sb);
  f.get(o).get(bytes).op('i32_add').set(end);
  const op = `${f32 ? 'f32x4' : 'f64x2'}_${kind}` as Op;
  f.block(() => {
    f.get(o).get(end).op('i32_ge_u').brIf(0);
    f.loop(() => {
      f.get(o);
      if (form === 'sv') f.get(sa); else f.get(a).vmem('v128_load');
      if (form === 'vs') f.get(sb); else f.get(b).vmem('v128_load');
      f.simd(op).vmem('v128_store');
      if (form !== 'sv') f.inc(a, 16);
      if (form !== 'vs') f.inc(b, 16);
      f.inc(o, 16);
      f.get(o).get(end).op('i32_lt_u').brIf(0);
    });
  });
  return f;
}

/**
 * exp on f32x4 by range reduction: x = k·ln2 + r with k = round(x·log2 e), |r| ≤ ln2/2, then
 * e^r by its Taylor series to degree 7 (truncation r⁸/8! ≤ 5e-9, well under half an ulp) and
 * 2^k built in the exponent bits. ln2 is split Cody–Waite style into a 9-bit head (k·head is
 * exact for |k| < 2^15) and a tail, so r keeps its accuracy for large |x|. 2^k is applied as two
 * factors 2^(k>>1)·2^(k−(k>>1)), each a normal float for k ∈ [−150, 129]: the first product is
 * exact and the second rounds once, also when the result is subnormal or overflows to Infinity.
 * x is clamped to [−104, 89] first (exp is 0 below and Infinity above in float32); pmin/pmax keep
 * NaN, which then flows through as NaN.
 */
function expF32(f: Fn, x: number): void {
  const k = f.local(V128), t = f.local(V128), r = f.local(V128), p = f.local(V128), k1 = f.local(V128);
  // pmin/pmax (b < a ? b : a, a < b ? b : a) return x itself when it is NaN, and are one
  // instruction each on x64, where V8 expands min/max to about seven.
  f.get(x).f32x4Const(89).simd('f32x4_pmin').f32x4Const(-104).simd('f32x4_pmax').set(x);
  f.get(x).f32x4Const(Math.LOG2E).simd('f32x4_mul').simd('f32x4_nearest').tee(t).simd('i32x4_trunc_sat_f32x4_s').set(k);
  f.get(x).get(t).f32x4Const(0.693359375).simd('f32x4_mul').simd('f32x4_sub');
  f.get(t).f32x4Const(Math.LN2 - 0.693359375).simd('f32x4_mul').simd('f32x4_sub').set(r);
  // Horner from 1/7! down to 1/0!.
  const inv = [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040];
  f.f32x4Const(inv[7]!).set(p);
  for (let i = 6; i >= 0; i--) f.get(p).get(r).simd('f32x4_mul').f32x4Const(inv[i]!).simd('f32x4_add').set(p);
  // Scale factors as bit patterns: (e + 127) << 23 is 2^e for e ∈ [−126, 127].
  f.get(k).i32(1).simd('i32x4_shr_s').set(k1);
  f.get(p);
  f.get(k1).i32x4Const(127).simd('i32x4_add').i32(23).simd('i32x4_shl').simd('f32x4_mul');
  f.get(k).get(k1).simd('i32x4_sub').i32x4Const(127).simd('i32x4_add').i32(23).simd('i32x4_shl').simd('f32x4_mul');
  f.set(x);
}

/** `name(a, o, bytes)`: o = op(a), streaming (o may equal a). */
function unary(kind: SimdUnary, f32: boolean): Fn {
  const f = new Fn(kind, [I32, I32, I32]);
  const [a, o, bytes] = [0, 1, 2];
  const end = f.local(I32);
  const x = f.local(V128);
  const v = f32 ? 'f32x4' : 'f64x2';
  f.get(o).get(bytes).op('i32_add').set(end);
  f.block(() => {
    f.get(o).get(end).op('i32_ge_u').brIf(0);
    f.loop(() => {
      f.get(a).vmem('v128_load').set(x);
      if (kind === 'exp') expF32(f, x);
      // relu like reluBits: the bits ANDed with the mask of !(x <= 0), so −0 gives +0 and NaN stays.
      else if (kind === 'relu') f.get(x).get(x).v128Zero().simd(`${v}_le` as Op).simd('v128_not').simd('v128_and').set(x);
      else f.get(x).simd(`${v}_${kind}` as Op).set(x);
      f.get(o).get(x).vmem('v128_store');
      f.inc(a, 16).inc(o, 16);
      f.get(o).get(end).op('i32_lt_u').brIf(0);
    });
  });
  return f;
}

/** The module for one dtype, importing a plain (unshared) `env.mem`. */
export function elementwiseModuleBytes(dtype: 'float32' | 'float64'): Uint8Array {
  const f32 = dtype === 'float32';
  const fns: Fn[] = [];
  for (const kind of BINARY) for (const form of FORMS) fns.push(binary(kind, form, f32));
  for (const kind of unaryKinds(f32)) fns.push(unary(kind, f32));
  return assemble(fns);
}
