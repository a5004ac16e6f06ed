// Elementwise loops. Operands of a binary kernel already have the same shape: broadcasting
// happened as an expand view (stride 0), which these loops read without materializing when it
// is a plain scalar. No autograd in here.
import type { NdArray } from 'ndarray';
import type { TypedArray } from '../dtype.js';
import { contiguousData, wrap } from './layout.js';

type Nd = NdArray<TypedArray>;

function like(src: TypedArray, n: number): TypedArray {
  return src instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/** True when every element of the view is the same storage cell (a broadcast scalar). */
function isBroadcastScalar(a: Nd): boolean {
  return a.stride.every((s, i) => s === 0 || a.shape[i] === 1);
}

/** out[i] = f(x[i]) as a new contiguous array of x's dtype. */
export function map1(x: Nd, f: (v: number) => number): Nd {
  const src = contiguousData(x);
  const out = like(src, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]!);
  return wrap(out, x.shape);
}

/** out[i] = f(a[i], b[i]) for same-shape operands; a broadcast scalar operand is read once. */
export function map2(a: Nd, b: Nd, f: (u: number, v: number) => number): Nd {
  if (a.size > 1 && isBroadcastScalar(b)) {
    const v = b.data[b.offset]!;
    return map1(a, (u) => f(u, v));
  }
  if (b.size > 1 && isBroadcastScalar(a)) {
    const u = a.data[a.offset]!;
    return map1(b, (v) => f(u, v));
  }
  const da = contiguousData(a);
  const db = contiguousData(b);
  const out = like(da, da.length);
  for (let i = 0; i < da.length; i++) out[i] = f(da[i]!, db[i]!);
  return wrap(out, a.shape);
}

/** out[i] = f(a[i], b[i], c[i]) for same-shape operands (where, fused gradients). */
export function map3(a: Nd, b: Nd, c: Nd, f: (u: number, v: number, w: number) => number): Nd {
  const da = contiguousData(a);
  const db = contiguousData(b);
  const dc = contiguousData(c);
  const out = like(db, db.length);
  for (let i = 0; i < db.length; i++) out[i] = f(da[i]!, db[i]!, dc[i]!);
  return wrap(out, b.shape);
}
