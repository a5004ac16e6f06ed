// The WebAssembly backend of elementwise expressions: one SIMD function per (expression, dtype,
// operand forms), generated with the run-time assembler. `kernel(in0, …, inN−1, out, bytes)`
// streams `bytes` (a whole number of 16-byte vectors: the caller pads, and the lanes past the real
// length compute garbage in padding nobody reads; float lanes cannot trap) from each vector operand
// and writes the result to `out`. A splat operand ('s') is one value, loaded once per call.
// Each node's lowering performs the same IEEE operation as its loop in run-js.ts, so both
// backends agree to the last bit (float32 exp: exp-f32.ts keeps the two in step).
import { Fn, I32, V128 } from '../wasm/assembler.js';
import { topoOrder, type Expr } from './expr.js';
import { emitExpF32 } from './exp-f32.js';

type Op = Parameters<Fn['simd']>[0];
/** Per operand: 'v' a vector stream, 's' one broadcast value. */
export type Form = 'v' | 's';

/** The function for `root` in `dtype`, named `name`; `forms[i]` is operand i's form. */
export function expressionKernel(name: string, root: Expr, f32: boolean, forms: readonly Form[]): Fn {
  const N = forms.length;
  const fn = new Fn(name, new Array<number>(N + 2).fill(I32) as typeof I32[]);
  const out = N, bytes = N + 1;
  const end = fn.local(I32);
  const v = f32 ? 'f32x4' : 'f64x2';
  const splat = f32 ? 'v128_load32_splat' : 'v128_load64_splat';
  const vconst = (x: number) => (f32 ? fn.f32x4Const(x) : fn.f64x2Const(x));
  const nodes = topoOrder(root);
  const reg = new Map<Expr, number>();
  const inputs: number[] = [];
  for (let i = 0; i < N; i++) inputs.push(fn.local(V128));
  // Splatted operands and constants are loop-invariant: computed once before the loop.
  for (let i = 0; i < N; i++) if (forms[i] === 's') fn.get(i).vmem(splat).set(inputs[i]!);
  for (const e of nodes) {
    if (e.k === 'in') reg.set(e, inputs[e.i]!);
    else if (e.k === 'const') {
      const r = fn.local(V128);
      vconst(e.v).set(r);
      reg.set(e, r);
    } else reg.set(e, fn.local(V128));
  }
  const R = (e: Expr) => reg.get(e)!;
  fn.get(out).get(bytes).op('i32_add').set(end);
  fn.block(() => {
    fn.get(out).get(end).op('i32_ge_u').brIf(0);
    fn.loop(() => {
      for (let i = 0; i < N; i++) if (forms[i] === 'v') fn.get(i).vmem('v128_load').set(inputs[i]!);
      for (const e of nodes) {
        if (e.k === 'in' || e.k === 'const') continue;
        const r = R(e);
        switch (e.k) {
          case 'neg': case 'abs': case 'sqrt':
            fn.get(R(e.a)).simd(`${v}_${e.k}` as Op).set(r); break;
          case 'square': fn.get(R(e.a)).get(R(e.a)).simd(`${v}_mul` as Op).set(r); break;
          // The bits ANDed with the mask of !(x <= 0): −0 gives +0 and NaN stays, as `v <= 0 ? 0 : v`.
          case 'relu': fn.get(R(e.a)).get(R(e.a)).v128Zero().simd(`${v}_le` as Op).simd('v128_not').simd('v128_and').set(r); break;
          case 'exp': fn.get(R(e.a)).set(r); emitExpF32(fn, r); break;
          case 'add': case 'sub': case 'mul': case 'div': case 'max': case 'min':
            fn.get(R(e.a)).get(R(e.b)).simd(`${v}_${e.k}` as Op).set(r); break;
          // All-ones lanes ANDed with 1.0 give 1.0, the others +0, as `+(u > v)`.
          case 'eq': case 'ne': case 'lt': case 'le': case 'gt': case 'ge':
            fn.get(R(e.a)).get(R(e.b)).simd(`${v}_${e.k}` as Op);
            vconst(1).simd('v128_and').set(r); break;
          // c !== 0 ? a : b: bitselect takes b's bits where c == 0 (−0 included; NaN is non-zero).
          case 'select':
            fn.get(R(e.b)).get(R(e.a)).get(R(e.c)).v128Zero().simd(`${v}_eq` as Op).simd('v128_bitselect').set(r); break;
          default: throw new Error(`expressionKernel: no SIMD lowering for ${e.k}`);
        }
      }
      fn.get(out).get(R(root)).vmem('v128_store');
      for (let i = 0; i < N; i++) if (forms[i] === 'v') fn.inc(i, 16);
      fn.inc(out, 16);
      fn.get(out).get(end).op('i32_lt_u').brIf(0);
    });
  });
  return fn;
}
