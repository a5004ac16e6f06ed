// Elementwise loops over an opaque closure, for the ops that are not (yet) primitives with an
// expression (those run through kernels/fused/). Operands of a binary kernel already have the
// same shape: broadcasting happened as an expand view (stride 0). The loops walk every operand
// through its own strides, so a broadcast operand is never materialized at full size: the output
// is produced row-major, the innermost (merged) dimension is a tight loop and the outer indices
// advance by an odometer. No autograd in here.
import type { NdArray } from 'ndarray';
import { allocate, dtypeOf, type TypedArray } from '../dtype.js';
import { contiguousData, wrap } from './layout.js';
import { loopPlan } from './loop-plan.js';

type Nd = NdArray<TypedArray>;

function like(src: TypedArray, n: number): TypedArray {
  return allocate(dtypeOf(src), n);
}

/** out[i] = f(x[i]) as a new contiguous array of x's dtype. */
export function map1(x: Nd, f: (v: number) => number): Nd {
  const src = contiguousData(x);
  const n = src.length;
  const out = like(src, n);
  for (let i = 0; i < n; i++) out[i] = f(src[i]!);
  return wrap(out, x.shape);
}

/**
 * out = f(a, b) elementwise for same-shape views (any strides, including broadcast stride 0), as
 * a new contiguous array of a's dtype.
 */
export function map2(a: Nd, b: Nd, f: (u: number, v: number) => number): Nd {
  const out = like(a.data, a.size);
  if (a.size === 0) return wrap(out, a.shape);
  const { dims, steps: [sa, sb] } = loopPlan(a.shape, [a.stride, b.stride]);
  const D = dims.length - 1;
  const inner = dims[D]!, ia = sa![D]!, ib = sb![D]!;
  const idx = new Array<number>(D).fill(0);
  const da = a.data, db = b.data;
  let pa = a.offset, pb = b.offset;
  for (let o = 0; o < out.length; o += inner) {
    for (let i = 0, ja = pa, jb = pb; i < inner; i++, ja += ia, jb += ib) out[o + i] = f(da[ja]!, db[jb]!);
    // Odometer over the outer dimensions: step the last one, carry (and rewind) on overflow.
    for (let d = D - 1; d >= 0; d--) {
      pa += sa![d]!; pb += sb![d]!;
      if (++idx[d]! < dims[d]!) break;
      pa -= sa![d]! * dims[d]!; pb -= sb![d]! * dims[d]!;
      idx[d] = 0;
    }
  }
  return wrap(out, a.shape);
}

/** out = f(a, b, c) elementwise for same-shape views (where, fused gradients), in b's dtype. */
export function map3(a: Nd, b: Nd, c: Nd, f: (u: number, v: number, w: number) => number): Nd {
  const out = like(b.data, b.size);
  if (b.size === 0) return wrap(out, b.shape);
  const { dims, steps: [sa, sb, sc] } = loopPlan(b.shape, [a.stride, b.stride, c.stride]);
  const D = dims.length - 1;
  const inner = dims[D]!, ia = sa![D]!, ib = sb![D]!, ic = sc![D]!;
  const idx = new Array<number>(D).fill(0);
  const da = a.data, db = b.data, dc = c.data;
  let pa = a.offset, pb = b.offset, pc = c.offset;
  for (let o = 0; o < out.length; o += inner) {
    for (let i = 0, ja = pa, jb = pb, jc = pc; i < inner; i++, ja += ia, jb += ib, jc += ic) out[o + i] = f(da[ja]!, db[jb]!, dc[jc]!);
    for (let d = D - 1; d >= 0; d--) {
      pa += sa![d]!; pb += sb![d]!; pc += sc![d]!;
      if (++idx[d]! < dims[d]!) break;
      pa -= sa![d]! * dims[d]!; pb -= sb![d]! * dims[d]!; pc -= sc![d]! * dims[d]!;
      idx[d] = 0;
    }
  }
  return wrap(out, b.shape);
}

/** The reference for map2/map3: materialize every operand row-major, then one closure loop. */
export function mapReference(args: Nd[], f: (...v: number[]) => number, outDtypeOf = 0): Nd {
  const data = args.map((x) => contiguousData(x));
  const n = data[0]!.length;
  const out = like(data[outDtypeOf]!, n);
  for (let i = 0; i < n; i++) out[i] = f(...data.map((d) => d[i]!));
  return wrap(out, args[0]!.shape);
}
