// Fused scaled dot-product attention: per batch item, one gemm for the scores Q·Kᵀ, one pass per
// row that scales, masks and turns the row into softmax weights in place (shifted by the row
// maximum), and one gemm for weights·V. The [L, S] weights of every item are returned because the
// backward pass needs them; nothing else of size L·S is kept. No autograd in here.
import type { NdArray } from 'ndarray';
import { allocate, dtypeOf, type TypedArray } from '../dtype.js';
import { sizeOf } from '../shape.js';
import { gemm } from './gemm.js';
import { prepare, type Operand } from './matmul.js';

type Nd = NdArray<TypedArray>;

/** A [..., L or 1, S or 1] tensor read element by element: batch strides plus row and column strides. */
interface Grid {
  data: TypedArray;
  offset: number;
  rowStride: number;
  colStride: number;
  batchStride: number[];
  bool: boolean;
}

function grid(x: Nd, batch: readonly number[]): Grid {
  const r = x.shape.length;
  const lead = batch.length - (r - 2);
  const stride = (i: number) => (x.shape[i] === 1 ? 0 : x.stride[i]!);
  return {
    data: x.data,
    offset: x.offset,
    rowStride: stride(r - 2),
    colStride: stride(r - 1),
    batchStride: batch.map((_, i) => (i < lead ? 0 : stride(i - lead))),
    bool: x.data instanceof Uint8Array,
  };
}

/** The inputs of attention; every tensor has rank >= 2 and its batch axes broadcast to `batch`. */
export interface AttentionArgs {
  q: Nd;
  k: Nd;
  /** Additive float mask, or bool mask (true = may attend), [..., L or 1, S or 1]; null for none. */
  mask: Nd | null;
  scale: number;
  /** Query i attends to keys 0..i only (top-left aligned, as PyTorch). */
  causal: boolean;
  batch: readonly number[];
}

/** Walks the batch axes, keeping one offset per operand (an odometer, as batchedMatmul does). */
function forEachItem(batch: readonly number[], operands: { offset: number; batchStride: number[] }[], f: (t: number, offsets: number[]) => void): void {
  const count = sizeOf(batch);
  const offsets = operands.map((o) => o.offset);
  const idx = new Array<number>(batch.length).fill(0);
  for (let t = 0; t < count; t++) {
    f(t, offsets);
    for (let d = batch.length - 1; d >= 0; d--) {
      for (let j = 0; j < operands.length; j++) offsets[j]! += operands[j]!.batchStride[d]!;
      idx[d]! += 1;
      if (idx[d]! < batch[d]!) break;
      idx[d] = 0;
      for (let j = 0; j < operands.length; j++) offsets[j]! -= operands[j]!.batchStride[d]! * batch[d]!;
    }
  }
}

/**
 * out[i·S + j] = x[xOff + i·S + j] · D[i, j] over one item's L×S block. The hot loops live in plain
 * functions like this one: written inside the per-item callbacks, V8 ran them about 4× slower.
 */
function scaleByGrid(x: TypedArray, xOff: number, out: TypedArray, D: Grid, dOff: number, L: number, S: number): void {
  const { data, rowStride, colStride } = D;
  for (let i = 0; i < L; i++) {
    const dRow = dOff + i * rowStride;
    for (let j = 0; j < S; j++) out[i * S + j] = x[xOff + i * S + j]! * data[dRow + j * colStride]!;
  }
}

/**
 * Softmax of one row of scores in place: scale, mask, subtract the maximum, exponentiate, normalise.
 * A row with no allowed key becomes zeros (PyTorch's safe softmax).
 */
function softmaxRow(w: TypedArray, row: number, S: number, limit: number, scale: number, m: Grid | null, mOff: number): void {
  let max = -Infinity;
  let nan = false;
  for (let j = 0; j < S; j++) {
    let s = -Infinity;
    if (j < limit) {
      s = w[row + j]! * scale;
      if (m) {
        const mv = m.data[mOff + j * m.colStride]!;
        if (m.bool) s = mv ? s : -Infinity;
        else s += mv;
      }
    }
    w[row + j] = s;
    if (s > max) max = s;
    else if (s !== s) nan = true;
  }
  // A NaN score (from NaN inputs) makes its row NaN below, as exp(NaN − max) propagates.
  if (max === -Infinity && !nan) {
    w.fill(0, row, row + S);
    return;
  }
  // Keys past `limit` (causal) have weight exactly 0: no exp for them.
  w.fill(0, row + limit, row + S);
  let sum = 0;
  for (let j = 0; j < limit; j++) {
    const e = Math.exp(w[row + j]! - max);
    w[row + j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = 0; j < limit; j++) w[row + j]! *= inv;
}

/** {@link softmaxRow} over the L rows of one item (its mask rows starting at `mOff`). */
function softmaxRows(w: TypedArray, wOff: number, L: number, S: number, causal: boolean, scale: number, m: Grid | null, mOff: number): void {
  for (let i = 0; i < L; i++) softmaxRow(w, wOff + i * S, S, causal ? Math.min(S, i + 1) : S, scale, m, mOff + (m ? i * m.rowStride : 0));
}

/** Softmax weights [...batch, L, S] of scale·Q·Kᵀ + mask as one contiguous buffer. */
export function attentionWeights(a: AttentionArgs): TypedArray {
  return run(a, null, null).weights;
}

/**
 * The weights (as {@link attentionWeights}) and the output (weights ∘ drop)·V, [...batch, L, Ev],
 * where `drop` ([..., L, S], float) scales each weight (inverted-dropout keep mask) or is null.
 */
export function attentionForward(a: AttentionArgs, v: Nd, drop: Nd | null): { weights: TypedArray; output: TypedArray } {
  const r = run(a, v, drop);
  return { weights: r.weights, output: r.output! };
}

function run(a: AttentionArgs, v: Nd | null, drop: Nd | null): { weights: TypedArray; output: TypedArray | null } {
  const { q, k, batch, scale, causal } = a;
  const L = q.shape[q.shape.length - 2]!;
  const E = q.shape[q.shape.length - 1]!;
  const S = k.shape[k.shape.length - 2]!;
  const Ev = v ? v.shape[v.shape.length - 1]! : 0;
  const dtype = dtypeOf(q.data);
  const count = sizeOf(batch);
  const weights = allocate(dtype, count * L * S);
  const output = v ? allocate(dtype, count * L * Ev) : null;
  if (count === 0) return { weights, output };
  const Q: Operand = prepare(q, batch);
  const K: Operand = prepare(k, batch);
  const V: Operand | null = v ? prepare(v, batch) : null;
  const M = a.mask ? grid(a.mask, batch) : null;
  const D = drop ? grid(drop, batch) : null;
  // Weights times the dropout scale, one item at a time (the weights themselves stay for backward).
  const scratch = D ? allocate(dtype, L * S) : null;
  const operands = [Q, K, V ?? Q, M ?? Q, D ?? Q];
  forEachItem(batch, operands, (t, [qOff, kOff, vOff, mOff, dOff]) => {
    const wOff = t * L * S;
    // B = K is S×E row-major (gemm's transposed operand) unless K's matrices are stored transposed.
    gemm(L, S, E, Q.data, qOff!, Q.trans, K.data, kOff!, !K.trans, weights, wOff);
    softmaxRows(weights, wOff, L, S, causal, scale, M, mOff!);
    if (!V || !output) return;
    let P: TypedArray = weights;
    let pOff = wOff;
    if (D && scratch) {
      scaleByGrid(weights, wOff, scratch, D, dOff!, L, S);
      P = scratch;
      pOff = 0;
    }
    gemm(L, Ev, S, P, pOff, false, V.data, vOff!, V.trans, output, t * L * Ev);
  });
  return { weights, output };
}

/** dS = P∘(dP − rowsum(P∘dP))·scale for the L rows of one item, in place in `ds` (holding dP). */
function softmaxGradRows(w: TypedArray, wOff: number, ds: TypedArray, L: number, S: number, scale: number): void {
  for (let i = 0; i < L; i++) {
    const row = i * S, wRow = wOff + row;
    let dot = 0;
    for (let j = 0; j < S; j++) dot += w[wRow + j]! * ds[row + j]!;
    for (let j = 0; j < S; j++) ds[row + j] = w[wRow + j]! * (ds[row + j]! - dot) * scale;
  }
}

/** Batch strides of a contiguous buffer of `shape` ([...own batch, rows, cols]) seen over `batch` (0 where broadcast). */
function contiguousOperand(shape: readonly number[], batch: readonly number[]): { offset: number; batchStride: number[] } {
  const r = shape.length;
  const lead = batch.length - (r - 2);
  const strides = new Array<number>(r).fill(1);
  for (let i = r - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  return { offset: 0, batchStride: batch.map((_, i) => (i < lead || shape[i - lead] === 1 ? 0 : strides[i - lead]!)) };
}

/** Which input gradients {@link attentionBackward} computes. */
export interface AttentionNeeds {
  q: boolean;
  k: boolean;
  v: boolean;
}

/**
 * Gradients of q, k and v (contiguous, in their own shapes; null where not needed) from the output
 * gradient `g` [...batch, L, Ev] and the saved weights P: per batch item dV = (P∘D)ᵀ·g, dP = (g·Vᵀ)∘D,
 * dS = P∘(dP − rowsum(P∘dP))·scale (in place, one pass per row), dQ = dS·K, dK = dSᵀ·Q. Broadcast
 * inputs accumulate over the items that share them.
 */
export function attentionBackward(a: AttentionArgs, v: Nd, drop: Nd | null, weights: TypedArray, g: Nd, needs: AttentionNeeds): { dq: TypedArray | null; dk: TypedArray | null; dv: TypedArray | null } {
  const { q, k, batch, scale } = a;
  const L = q.shape[q.shape.length - 2]!;
  const E = q.shape[q.shape.length - 1]!;
  const S = k.shape[k.shape.length - 2]!;
  const Ev = v.shape[v.shape.length - 1]!;
  const dtype = dtypeOf(q.data);
  const size = (x: Nd) => sizeOf(x.shape);
  const dq = needs.q ? allocate(dtype, size(q)) : null;
  const dk = needs.k ? allocate(dtype, size(k)) : null;
  const dv = needs.v ? allocate(dtype, size(v)) : null;
  if (sizeOf(batch) === 0 || L === 0 || S === 0) return { dq, dk, dv };
  const Q = prepare(q, batch), K = prepare(k, batch), V = prepare(v, batch), G = prepare(g, batch);
  const D = drop ? grid(drop, batch) : null;
  const pd = D ? allocate(dtype, L * S) : null; // P∘D of one item
  const ds = allocate(dtype, L * S); // dP, then dS, of one item
  const operands = [Q, K, V, G, D ?? Q, contiguousOperand(q.shape, batch), contiguousOperand(k.shape, batch), contiguousOperand(v.shape, batch)];
  forEachItem(batch, operands, (t, [qOff, kOff, vOff, gOff, dOff, dqOff, dkOff, dvOff]) => {
    const wOff = t * L * S;
    let P: TypedArray = weights, pOff = wOff;
    if (D && pd) {
      scaleByGrid(weights, wOff, pd, D, dOff!, L, S);
      P = pd;
      pOff = 0;
    }
    if (dv) gemm(S, Ev, L, P, pOff, true, G.data, gOff!, G.trans, dv, dvOff!, true);
    if (!dq && !dk) return;
    gemm(L, S, Ev, G.data, gOff!, G.trans, V.data, vOff!, !V.trans, ds, 0);
    if (D) scaleByGrid(ds, 0, ds, D, dOff!, L, S);
    softmaxGradRows(weights, wOff, ds, L, S, scale);
    if (dq) gemm(L, E, S, ds, 0, false, K.data, kOff!, K.trans, dq, dqOff!, true);
    if (dk) gemm(S, E, L, ds, 0, true, Q.data, qOff!, Q.trans, dk, dkOff!, true);
  });
  return { dq, dk, dv };
}
