// Generates max pooling (kernels/pool.ts) for float32 in WebAssembly SIMD: four adjacent outputs
// of a row at a time, over the windows that lie wholly inside the input (the caller computes the
// rest with the TypeScript loop). Each lane runs the reference's comparison sequence tap by tap
// in the same order (a tap replaces the maximum when greater, or when it is NaN and the maximum is
// not), selecting value and position with bitselect, so values and argmax positions are
// bit-identical to the TypeScript loops, first-maximum ties and NaN included.
import { assemble, Fn, I32, V128 } from './assembler.js';

/**
 * Parameters (i32): x, out, idx (byte addresses), planes, H, W, kH, kW, sH, sW, pH, pW, dH, dW,
 * oH, oW, the block of outputs to compute in every plane: rows [ohLo, ohHi), columns [owLo,
 * owEnd) with owEnd − owLo a multiple of 4, and base, the position of x's first element in the
 * whole input (positions are counted from there, so a call can take a chunk of the planes).
 */
const PARAMS = 21;

/** Sets `step` to [base, base + sW, base + 2·sW, base + 3·sW]: each lane's position offset. */
function laneSteps(f: Fn, step: number, sW: number, base: number): void {
  f.get(base).simd('i32x4_splat');
  for (let l = 1; l < 4; l++) f.get(base).get(sW).i32(l).op('i32_mul').op('i32_add').lane('i32x4_replace_lane', l);
  f.set(step);
}

/**
 * How four lanes' taps, sW elements apart, are loaded: one vector (sW = 1), two and a shuffle
 * (sW = 2) or four scalars; 'pair' is the usual 2-wide window (kW = 2, sW = 2, dW = 1), whose two
 * taps of a row come from the same two vectors, and 'square' the commonest of all, the 2×2 window
 * (also kH = 2, dH = 1) unrolled.
 */
type Stride = 1 | 2 | 'any' | 'pair' | 'square';

/** Parameter indices of the geometry and the block, as {@link blockNest} reads them. */
export interface BlockParams {
  planes: number; H: number; W: number; sH: number; sW: number; pH: number; pW: number; oH: number; oW: number;
  ohLo: number; ohHi: number; owLo: number; owEnd: number;
}

/**
 * The loop over every plane's block of outputs, `lanes` adjacent outputs of a row at a time:
 * `body(first, k)` gets locals holding the element index of the first tap of the first lane's
 * window (in x) and of that output (in out).
 */
export function blockNest(f: Fn, P: BlockParams, lanes: number, body: (first: number, k: number) => void): void {
  const [p, oh, ow, planeE, rowE, kRow, first, k] = Array.from({ length: 8 }, () => f.local(I32));
  f.forRange(p, 0, P.planes, 1, () => {
    f.get(p).get(P.H).op('i32_mul').get(P.W).op('i32_mul').set(planeE);
    f.forRange(oh, () => f.get(P.ohLo), P.ohHi, 1, () => {
      // rowE = planeE + (oh·sH − pH)·W − pW; kRow = (p·oH + oh)·oW
      f.get(planeE).get(oh).get(P.sH).op('i32_mul').get(P.pH).op('i32_sub').get(P.W).op('i32_mul').op('i32_add').get(P.pW).op('i32_sub').set(rowE);
      f.get(p).get(P.oH).op('i32_mul').get(oh).op('i32_add').get(P.oW).op('i32_mul').set(kRow);
      f.forRange(ow, () => f.get(P.owLo), P.owEnd, lanes, () => {
        f.get(rowE).get(ow).get(P.sW).op('i32_mul').op('i32_add').set(first);
        f.get(kRow).get(ow).op('i32_add').set(k);
        body(first, k);
      });
    });
  });
}

/**
 * Max pooling; with `relu`, of relu(x) (x ≤ 0 read as +0, NaN kept: the fused kernels' relu
 * bit for bit), for a pending relu whose result nothing else reads.
 */
function maxPool(stride: Stride, relu: boolean): Fn {
  const f = new Fn(`maxPool_${stride}${relu ? '_relu' : ''}`, new Array<number>(PARAMS).fill(I32) as (typeof I32)[]);
  const [x, out, idx, planes, H, W, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW, ohLo, ohHi, owLo, owEnd, base] = Array.from({ length: PARAMS }, (_, i) => i);
  const [i, j, e0, ei, e, at] = Array.from({ length: 6 }, () => f.local(I32));
  const [step, best, arg, v, m, va, vb, r] = Array.from({ length: 8 }, () => f.local(V128));
  /** With `relu`, replaces the vector on the stack by relu of it: v & ~(v ≤ 0). */
  const activate = () => {
    if (relu) f.set(r).get(r).get(r).v128Zero().simd('f32x4_le').simd('v128_not').simd('v128_and');
  };
  /** Pushes the four lanes' taps at element e (lane l reads element e + l·sW). */
  const load = () => {
    f.get(x).get(e).i32(2).op('i32_shl').op('i32_add').set(at);
    if (stride === 1) f.get(at).vmem('v128_load');
    else if (stride === 2) f.get(at).vmem('v128_load').get(at).vmem('v128_load', 16).shuffle([0, 2, 4, 6], 4);
    else {
      f.get(at).mem('f32_load').simd('f32x4_splat');
      for (let l = 1; l < 4; l++) f.get(at).get(sW).i32(l * 4).op('i32_mul').op('i32_add').mem('f32_load').lane('f32x4_replace_lane', l);
    }
    activate();
  };
  /** Lanes where the tap in `v` (at element e + offset) replaces the maximum take its value and position. */
  const take = (offset: number) => {
    // taken = v > best, or v is NaN and best is not
    f.get(v).get(best).simd('f32x4_gt');
    f.get(v).get(v).simd('f32x4_ne').get(best).get(best).simd('f32x4_eq').simd('v128_and');
    f.simd('v128_or').set(m);
    f.get(v).get(best).get(m).simd('v128_bitselect').set(best);
    f.get(e).i32(offset).op('i32_add').simd('i32x4_splat').get(step).simd('i32x4_add').get(arg).get(m).simd('v128_bitselect').set(arg);
  };
  /** The window at e0 = e, tap by tap in the reference's order. */
  const taps = () => {
    load();
    f.set(best);
    f.get(e0).simd('i32x4_splat').get(step).simd('i32x4_add').set(arg);
    // Tap (0, 0) again compares the maximum with itself, which changes nothing.
    f.forRange(i, 0, kH, 1, () => {
      f.get(e0).get(i).get(dH).op('i32_mul').get(W).op('i32_mul').op('i32_add').set(ei);
      f.forRange(j, 0, kW, 1, () => {
        f.get(ei).get(j).get(dW).op('i32_mul').op('i32_add').set(e);
        load();
        f.set(v);
        take(0);
      });
    });
  };
  /** The 2-wide window at e0 = e: row by row, the even lanes of two vectors (tap j = 0), then the odd ones (j = 1). */
  const pairs = () => {
    const row = () => {
      f.get(x).get(e).i32(2).op('i32_shl').op('i32_add').tee(at).vmem('v128_load');
      activate();
      f.set(va);
      f.get(at).vmem('v128_load', 16);
      activate();
      f.set(vb);
      f.get(va).get(vb).shuffle([0, 2, 4, 6], 4);
    };
    row();
    f.set(best);
    f.get(e0).simd('i32x4_splat').get(step).simd('i32x4_add').set(arg);
    f.get(va).get(vb).shuffle([1, 3, 5, 7], 4).set(v);
    take(1);
    const next = () => {
      row();
      f.set(v);
      take(0);
      f.get(va).get(vb).shuffle([1, 3, 5, 7], 4).set(v);
      take(1);
    };
    if (stride === 'square') {
      f.get(e0).get(W).op('i32_add').set(e);
      next();
    } else {
      f.forRange(i, 1, kH, 1, () => {
        f.get(e0).get(i).get(dH).op('i32_mul').get(W).op('i32_mul').op('i32_add').set(e);
        next();
      });
    }
  };
  laneSteps(f, step, sW, base);
  blockNest(f, { planes, H, W, sH, sW, pH, pW, oH, oW, ohLo, ohHi, owLo, owEnd }, 4, (first, k) => {
    f.get(first).tee(e0).set(e);
    if (stride === 'pair' || stride === 'square') pairs();
    else taps();
    f.get(out).get(k).i32(2).op('i32_shl').op('i32_add').get(best).vmem('v128_store');
    f.get(idx).get(k).i32(2).op('i32_shl').op('i32_add').get(arg).vmem('v128_store');
  });
  return f;
}

/**
 * The adjoint of max pooling where windows do not overlap (each input tap lies in at most one
 * window): every tap of a block window is written, 0 + g where it is the window's argmax and 0
 * elsewhere, which is what adding each gradient into a zeroed dx gives. Parameters as maxPool's,
 * with g (the output gradient) for x and dx for out; 'pair' writes a row of two-tap windows as two
 * interleaved vectors, 'any' each tap of each lane on its own.
 */
function maxPoolAdjoint(shape: 'pair' | 'any', relu = false): Fn {
  // With `relu`, a 22nd parameter: the byte address of the relu's input, laid out as dx, whose
  // mask (x > 0 ? 1 : 0) multiplies each vector as it is stored (relu's vjp, fused).
  const f = new Fn(`maxPoolAdjoint_${shape}${relu ? '_relu' : ''}`, new Array<number>(PARAMS + (relu ? 1 : 0)).fill(I32) as (typeof I32)[]);
  const [dx, g, idx, planes, H, W, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW, ohLo, ohHi, owLo, owEnd, base] = Array.from({ length: PARAMS }, (_, i) => i);
  const xr = PARAMS;
  /** Multiplies the vector on the stack by the mask of the relu's input at dx's byte address `at` + offset. */
  const mask = (at: number, offset: number) => {
    if (!relu) return;
    multiplyByReluMask(f, () => f.get(at).get(dx).op('i32_sub').get(xr).op('i32_add'), offset);
  };
  const [i, j, e, at] = Array.from({ length: 4 }, () => f.local(I32));
  const [step, gv, iv, v0, v1] = Array.from({ length: 5 }, () => f.local(V128));
  /** Pushes gv where iv holds element e + offset (+ the lane's step), else 0. */
  const routed = (offset: number) => {
    f.get(gv).get(iv).get(e).i32(offset).op('i32_add').simd('i32x4_splat').get(step).simd('i32x4_add').simd('i32x4_eq').simd('v128_and');
  };
  laneSteps(f, step, sW, base);
  blockNest(f, { planes, H, W, sH, sW, pH, pW, oH, oW, ohLo, ohHi, owLo, owEnd }, 4, (first, k) => {
    // gv = 0 + g (turns −0 into +0, as the reference's addition into a zero does)
    f.v128Zero().get(g).get(k).i32(2).op('i32_shl').op('i32_add').vmem('v128_load').simd('f32x4_add').set(gv);
    f.get(idx).get(k).i32(2).op('i32_shl').op('i32_add').vmem('v128_load').set(iv);
    f.forRange(i, 0, kH, 1, () => {
      f.get(first).get(i).get(dH).op('i32_mul').get(W).op('i32_mul').op('i32_add').set(e);
      if (shape === 'pair') {
        routed(0);
        f.set(v0);
        routed(1);
        f.set(v1);
        f.get(dx).get(e).i32(2).op('i32_shl').op('i32_add').tee(at).get(v0).get(v1).shuffle([0, 4, 1, 5], 4);
        mask(at, 0);
        f.vmem('v128_store');
        f.get(at).get(v0).get(v1).shuffle([2, 6, 3, 7], 4);
        mask(at, 16);
        f.vmem('v128_store', 16);
      } else {
        f.forRange(j, 0, kW, 1, () => {
          routed(0);
          f.set(v0);
          for (let l = 0; l < 4; l++) {
            f.get(dx).get(e).get(sW).i32(l).op('i32_mul').op('i32_add').i32(2).op('i32_shl').op('i32_add');
            f.get(v0).lane('f32x4_extract_lane', l).mem('f32_store');
          }
          f.get(e).get(dW).op('i32_add').set(e);
        });
      }
    });
  });
  return f;
}

/**
 * relu's vjp on the vector on the stack: multiplies it by (x > 0 ? 1 : 0) lane by lane, x loaded
 * from the address `address` pushes, plus `offset`.
 */
function multiplyByReluMask(f: Fn, address: () => void, offset: number): void {
  f.f32x4Const(1).v128Zero();
  address();
  f.vmem('v128_load', offset).v128Zero().simd('f32x4_gt').simd('v128_bitselect').simd('f32x4_mul');
}

/**
 * relu's vjp on an adjoint's result: dx[i] ·= (x[i] > 0 ? 1 : 0) for i < n rounded up to a whole
 * vector (dx, x: byte addresses of float32), the product g·(x > 0) as the tensor ops compute it.
 */
function reluMask(): Fn {
  const f = new Fn('reluMask', [I32, I32, I32]);
  const [dx, x, n] = [0, 1, 2];
  const [i, at] = [f.local(I32), f.local(I32)];
  f.forRange(i, 0, n, 4, () => {
    f.get(i).i32(2).op('i32_shl').set(at);
    f.get(dx).get(at).op('i32_add');
    f.get(dx).get(at).op('i32_add').vmem('v128_load');
    multiplyByReluMask(f, () => f.get(x).get(at).op('i32_add'), 0);
    f.vmem('v128_store');
  });
  return f;
}

/** The module (max pooling for each load pattern, and its adjoints), importing a plain (unshared) `env.mem`. */
export function poolModuleBytes(): Uint8Array {
  const strides: Stride[] = [1, 2, 'any', 'pair', 'square'];
  return assemble([
    ...strides.map((s) => maxPool(s, false)), ...strides.map((s) => maxPool(s, true)), maxPoolAdjoint('pair'), maxPoolAdjoint('any'), reluMask(),
    maxPoolAdjoint('pair', true),
  ]);
}
