// Generates the WebAssembly SIMD (f32x4) optimizer updates: one pass over a chunk of a parameter,
// its gradient and its state, all in float32 arithmetic as PyTorch's float32 optimizers compute.
// Every kernel takes the byte addresses of its regions, a byte count rounded up to a whole vector
// (lanes past the real length compute garbage in padding nobody reads; float lanes cannot trap)
// and its hyper-parameters as f32 scalars, splatted once.
import { assemble, F32, Fn, I32, V128 } from './assembler.js';

/**
 * `adam(p, g, m, v, vmax, bytes, sign, l2, b1, c1, b2, c2, shrink, stepSize, bc2Sqrt, eps)`, per lane:
 * g' = sign·g + l2·p; m = b1·m + c1·g'; v = b2·v + c2·g'·g'; v̂ = max(vmax, v) (stored back into
 * vmax) when `vmax` ≠ 0, else v; p = p·shrink − (stepSize·m) / (√v̂ / bc2Sqrt + eps).
 */
function adam(): Fn {
  const f = new Fn('adam', [I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32, F32, F32, F32]);
  const [p, g, m, v, vmax, bytes] = [0, 1, 2, 3, 4, 5];
  const scalars = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const [sign, l2, b1, c1, b2, c2, shrink, stepSize, bc2, eps] = scalars.map(() => f.local(V128)) as number[];
  const end = f.local(I32);
  const gv = f.local(V128), pv = f.local(V128), mv = f.local(V128), vv = f.local(V128);
  scalars.forEach((s, i) => f.get(s).simd('f32x4_splat').set([sign, l2, b1, c1, b2, c2, shrink, stepSize, bc2, eps][i]!));
  f.get(p).get(bytes).op('i32_add').set(end);
  const step = (withMax: boolean) => f.block(() => {
    f.get(p).get(end).op('i32_ge_u').brIf(0);
    f.loop(() => {
      f.get(p).vmem('v128_load').set(pv);
      // g' = sign·g + l2·p
      f.get(sign).get(g).vmem('v128_load').simd('f32x4_mul').get(l2).get(pv).simd('f32x4_mul').simd('f32x4_add').set(gv);
      // m = b1·m + c1·g'
      f.get(m).get(b1).get(m).vmem('v128_load').simd('f32x4_mul').get(c1).get(gv).simd('f32x4_mul').simd('f32x4_add').tee(mv).vmem('v128_store');
      // v = b2·v + (c2·g')·g'
      f.get(v).get(b2).get(v).vmem('v128_load').simd('f32x4_mul').get(c2).get(gv).simd('f32x4_mul').get(gv).simd('f32x4_mul').simd('f32x4_add').tee(vv).vmem('v128_store');
      if (withMax) f.get(vmax).get(vmax).vmem('v128_load').get(vv).simd('f32x4_max').tee(vv).vmem('v128_store');
      // p = p·shrink − (stepSize·m) / (√v̂ / bc2Sqrt + eps)
      f.get(p).get(pv).get(shrink).simd('f32x4_mul');
      f.get(stepSize).get(mv).simd('f32x4_mul');
      f.get(vv).simd('f32x4_sqrt').get(bc2).simd('f32x4_div').get(eps).simd('f32x4_add');
      f.simd('f32x4_div').simd('f32x4_sub').vmem('v128_store');
      f.inc(p, 16).inc(g, 16).inc(m, 16).inc(v, 16);
      if (withMax) f.inc(vmax, 16);
      f.get(p).get(end).op('i32_lt_u').brIf(0);
    });
  });
  f.get(vmax).ifElse(() => step(true), () => step(false));
  return f;
}

/**
 * `sgd(p, g, b, bytes, first, sign, l2, lr, mu, damp, nesterov)`, per lane: g' = sign·g + l2·p;
 * when `b` ≠ 0 (momentum), b = g' on the first step (`first` ≠ 0) else b = mu·b + damp·g', and the
 * direction is g' + mu·b (`nesterov` ≠ 0) or b; without momentum it is g'. p = p − lr·direction.
 */
function sgd(): Fn {
  const f = new Fn('sgd', [I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, I32]);
  const [p, g, b, bytes, first] = [0, 1, 2, 3, 4];
  const [sign, l2, lr, mu, damp] = [5, 6, 7, 8, 9].map(() => f.local(V128)) as number[];
  const nesterov = 10;
  const end = f.local(I32);
  const gv = f.local(V128), pv = f.local(V128), bv = f.local(V128);
  [5, 6, 7, 8, 9].forEach((s, i) => f.get(s).simd('f32x4_splat').set([sign, l2, lr, mu, damp][i]!));
  f.get(p).get(bytes).op('i32_add').set(end);
  /** mode 0: no momentum; 1: b = g' (first step); 2: b = mu·b + damp·g'. */
  const pass = (mode: 0 | 1 | 2, nest: boolean) => f.block(() => {
    f.get(p).get(end).op('i32_ge_u').brIf(0);
    f.loop(() => {
      f.get(p).vmem('v128_load').set(pv);
      f.get(sign).get(g).vmem('v128_load').simd('f32x4_mul').get(l2).get(pv).simd('f32x4_mul').simd('f32x4_add').set(gv);
      if (mode === 1) f.get(b).get(gv).tee(bv).vmem('v128_store');
      if (mode === 2) f.get(b).get(mu).get(b).vmem('v128_load').simd('f32x4_mul').get(damp).get(gv).simd('f32x4_mul').simd('f32x4_add').tee(bv).vmem('v128_store');
      f.get(p).get(pv).get(lr);
      if (mode === 0) f.get(gv);
      else if (nest) f.get(gv).get(mu).get(bv).simd('f32x4_mul').simd('f32x4_add');
      else f.get(bv);
      f.simd('f32x4_mul').simd('f32x4_sub').vmem('v128_store');
      f.inc(p, 16).inc(g, 16);
      if (mode !== 0) f.inc(b, 16);
      f.get(p).get(end).op('i32_lt_u').brIf(0);
    });
  });
  const momentum = (mode: 1 | 2) => f.get(nesterov).ifElse(() => pass(mode, true), () => pass(mode, false));
  f.get(b).op('i32_eqz').ifElse(() => pass(0, false), () => f.get(first).ifElse(() => momentum(1), () => momentum(2)));
  return f;
}

/** The module, importing a plain (unshared) `env.mem`. */
export function optimModuleBytes(): Uint8Array {
  return assemble([adam(), sgd()]);
}
