// Fused optimizer updates over flat arrays: one pass over a parameter, its gradient and its state,
// with no tensor temporaries. float32 runs the WebAssembly SIMD kernels (wasm/optim-module.ts) in
// float32 arithmetic, as PyTorch's float32 optimizers do. State from optimizerState (optim-state.ts)
// is updated where it lives, in the resident memory; everything else is copied in and out by
// chunks. The TypeScript loops below round every operation to float32 the same way and are the
// bit-for-bit reference (and the fallback without WebAssembly SIMD). float64 runs in float64.
import type { TypedArray } from '../dtype.js';
import { optimModuleBytes } from './wasm/optim-module.js';
import { ensureMemory, instantiate, instantiateIn, memoryView, type ResidentArena } from './wasm/simd-memory.js';
import { residentRegion } from './optim-state.js';

/**
 * Hyper-parameters of one {@link fusedAdamUpdate} call, already resolved for this step.
 *
 * @example
 * ```ts
 * const t = 1, lr = 1e-3, [b1, b2] = [0.9, 0.999];
 * const h: FusedAdamParams = { sign: 1, l2: 0, beta1: b1, beta2: b2, shrink: 1, stepSize: lr / (1 - b1 ** t), bc2Sqrt: Math.sqrt(1 - b2 ** t), eps: 1e-8 };
 * ```
 * @category Optimizer kernels
 */
export interface FusedAdamParams {
  /** 1, or −1 to ascend (`maximize`). */
  sign: number;
  /** L2 penalty folded into the gradient (Adam's weightDecay; 0 for AdamW). */
  l2: number;
  /** Decay of the first moment. */
  beta1: number;
  /** Decay of the second moment. */
  beta2: number;
  /** Factor applied to the parameter before the step (AdamW: 1 − lr·weightDecay; Adam: 1). */
  shrink: number;
  /** lr / (1 − β₁ᵗ). */
  stepSize: number;
  /** √(1 − β₂ᵗ). */
  bc2Sqrt: number;
  /** Added to the denominator. */
  eps: number;
}

/**
 * Hyper-parameters of one {@link fusedSgdUpdate} call.
 *
 * @example
 * ```ts
 * const h: FusedSgdParams = { sign: 1, l2: 5e-4, lr: 0.1, momentum: 0.9, dampening: 0, nesterov: true, first: false };
 * ```
 * @category Optimizer kernels
 */
export interface FusedSgdParams {
  /** 1, or −1 to ascend (`maximize`). */
  sign: number;
  /** L2 penalty folded into the gradient. */
  l2: number;
  /** Learning rate. */
  lr: number;
  /** Momentum factor (used only when a momentum buffer is given). */
  momentum: number;
  /** Dampening of the gradient's contribution to the buffer. */
  dampening: number;
  /** Nesterov momentum. */
  nesterov: boolean;
  /** First step: the buffer becomes the gradient itself. */
  first: boolean;
}

/**
 * enabled/minSize: when the SIMD kernels run (below minSize elements a call costs more than the
 * loop); chunk: elements per copy-in/compute/copy-out round (rounded down to whole cache lines).
 * Mutable for tests; not public API.
 */
export const simdOptim = { enabled: true, minSize: 32, chunk: 16384 };

type Kernels = Record<string, (...args: number[]) => number>;
let moduleBytes: Uint8Array | undefined;
let streaming: Kernels | null | undefined;
const onArena = new WeakMap<ResidentArena, Kernels | null>();
const pad = (bytes: number) => Math.ceil(bytes / 64) * 64;
const f = Math.fround;

function checkLengths(name: string, n: number, arrays: Record<string, TypedArray | null | undefined>): void {
  for (const [k, a] of Object.entries(arrays)) {
    if (a && a.length !== n) throw new Error(`${name}: ${k} has ${a.length} elements, param has ${n}`);
  }
}

/**
 * Runs `kernel` over the arrays with the SIMD module, chunk by chunk; false when it cannot run here
 * (then nothing was touched). Arrays from optimizerState that live in the kernel's arena are
 * updated in place there; the others are copied into scratch regions (i at base + i·region) and the
 * `written` ones copied back. Null arrays get address 0, which the kernels read as absent.
 */
function simdRun(n: number, arrays: readonly (TypedArray | null)[], written: readonly boolean[], kernel: (k: Kernels, at: readonly number[], bytes: number) => void): boolean {
  if (!simdOptim.enabled || n < simdOptim.minSize || !arrays.every((a) => a === null || a instanceof Float32Array)) return false;
  moduleBytes ??= optimModuleBytes();
  // The kernel sees one memory: the arena of the first resident operand, else the streaming memory.
  const arena = arrays.map((a) => (a === null ? undefined : residentRegion(a))).find((r) => r !== undefined)?.arena;
  const home = arrays.map((a) => {
    const r = a === null ? undefined : residentRegion(a);
    return r !== undefined && r.arena === arena ? r.at : 0;
  });
  let k: Kernels | null | undefined;
  let chunk = Math.max(16, simdOptim.chunk - (simdOptim.chunk % 16));
  let base: number;
  if (arena !== undefined) {
    k = onArena.get(arena);
    if (k === undefined) onArena.set(arena, (k = instantiateIn(arena, moduleBytes)));
    base = arena.scratch;
    chunk = Math.min(chunk, Math.floor(arena.scratchBytes / arrays.length / 64) * 16);
  } else {
    k = streaming === undefined ? (streaming = instantiate(moduleBytes)) : streaming;
    // Region 0 is never a null array's: address 0 means "absent" to the kernels, so start at 64.
    base = 64;
  }
  chunk = Math.min(n, chunk);
  const region = pad(chunk * 4);
  if (k === null || (arena === undefined && !ensureMemory(base + arrays.length * region))) return false;
  const v = arena !== undefined ? new Float32Array(arena.memory.buffer) : (memoryView('float32') as Float32Array);
  const copied = arrays.map((a, i) => (a !== null && home[i] === 0 ? base + i * region : 0));
  const at = [...home];
  for (let s = 0; s < n; s += chunk) {
    const len = Math.min(chunk, n - s);
    arrays.forEach((a, i) => {
      if (copied[i] !== 0) v.set(a!.subarray(s, s + len), (at[i] = copied[i]!) / 4);
      else if (a !== null) at[i] = home[i]! + s * 4;
    });
    // Whole vectors: past the end, lanes compute garbage in a scratch region's or a resident
    // region's own padding (regions are whole cache lines; chunk starts are whole vectors).
    kernel(k, at, Math.ceil(len / 4) * 16);
    arrays.forEach((a, i) => { if (copied[i] !== 0 && written[i]) a!.set(v.subarray(copied[i]! / 4, copied[i]! / 4 + len), s); });
  }
  return true;
}

/**
 * One Adam/AdamW step over flat arrays, in place: with g' = sign·g + l2·p,
 * m ← β₁m + (1 − β₁)g', v ← β₂v + (1 − β₂)g'², v̂ = max(vmax, v) (kept in `maxExpAvgSq` when given,
 * AMSGrad) or v, then p ← p·shrink − stepSize·m / (√v̂ / bc2Sqrt + eps). All arrays have the
 * parameter's length and dtype. float32 computes in float32 (WebAssembly SIMD when available,
 * with identical results either way); float64 in float64.
 *
 * @example
 * ```ts
 * const p = new Float32Array([1, 2]), g = new Float32Array([0.5, -1]);
 * const m = new Float32Array(2), v = new Float32Array(2);
 * fusedAdamUpdate(p, g, m, v, null, { sign: 1, l2: 0, beta1: 0.9, beta2: 0.999, shrink: 1, stepSize: 1e-3 / 0.1, bc2Sqrt: Math.sqrt(0.001), eps: 1e-8 });
 * ```
 * @category Optimizer kernels
 */
export function fusedAdamUpdate(param: TypedArray, grad: TypedArray, expAvg: TypedArray, expAvgSq: TypedArray, maxExpAvgSq: TypedArray | null, h: FusedAdamParams): void {
  const n = param.length;
  checkLengths('fusedAdamUpdate', n, { grad, expAvg, expAvgSq, maxExpAvgSq });
  const { sign, l2, beta1: b1, beta2: b2, shrink, stepSize, bc2Sqrt, eps } = h;
  const done = simdRun(n, [param, grad, expAvg, expAvgSq, maxExpAvgSq], [true, false, true, true, true], (k, at, bytes) =>
    k.adam!(at[0]!, at[1]!, at[2]!, at[3]!, at[4]!, bytes, sign, l2, b1, 1 - b1, b2, 1 - b2, shrink, stepSize, bc2Sqrt, eps));
  if (done) return;
  if (param instanceof Float32Array) adamF32(param, grad, expAvg, expAvgSq, maxExpAvgSq, h);
  else adamF64(param, grad, expAvg, expAvgSq, maxExpAvgSq, h);
}

/** The float32 reference: every operation rounded to float32, in the kernel's order. */
export function adamF32(P: TypedArray, G: TypedArray, M: TypedArray, V: TypedArray, Vmax: TypedArray | null, h: FusedAdamParams): void {
  const [sign, l2, b1, c1, b2, c2] = [h.sign, h.l2, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2].map(f) as number[];
  const [shrink, stepSize, bc2, eps] = [h.shrink, h.stepSize, h.bc2Sqrt, h.eps].map(f) as number[];
  for (let i = 0; i < P.length; i++) {
    const p = P[i]!;
    const g = f(f(sign! * G[i]!) + f(l2! * p));
    const m = f(f(b1! * M[i]!) + f(c1! * g));
    let v = f(f(b2! * V[i]!) + f(f(c2! * g) * g));
    M[i] = m;
    V[i] = v;
    if (Vmax !== null) Vmax[i] = v = Math.max(Vmax[i]!, v);
    P[i] = f(f(p * shrink!) - f(f(stepSize! * m) / f(f(f(Math.sqrt(v)) / bc2!) + eps!)));
  }
}

/** float64: the update equations in float64. */
function adamF64(P: TypedArray, G: TypedArray, M: TypedArray, V: TypedArray, Vmax: TypedArray | null, h: FusedAdamParams): void {
  const { sign, l2, beta1: b1, beta2: b2, shrink, stepSize, bc2Sqrt, eps } = h;
  for (let i = 0; i < P.length; i++) {
    const g = sign * G[i]! + l2 * P[i]!;
    const m = (M[i] = b1 * M[i]! + (1 - b1) * g);
    let v = (V[i] = b2 * V[i]! + (1 - b2) * g * g);
    if (Vmax !== null) Vmax[i] = v = Math.max(Vmax[i]!, v);
    P[i] = P[i]! * shrink - (stepSize * m) / (Math.sqrt(v) / bc2Sqrt + eps);
  }
}

/**
 * One SGD step over flat arrays, in place: g' = sign·g + l2·p; with a momentum buffer,
 * b ← g' on the first step, else b ← momentum·b + (1 − dampening)·g', and the direction is
 * g' + momentum·b (Nesterov) or b; without one it is g'. p ← p − lr·direction. float32 computes in
 * float32 (WebAssembly SIMD when available, identical results either way); float64 in float64.
 *
 * @example
 * ```ts
 * const p = new Float32Array([1, 2]), g = new Float32Array([0.5, -1]), b = new Float32Array(2);
 * fusedSgdUpdate(p, g, b, { sign: 1, l2: 0, lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, first: true });
 * ```
 * @category Optimizer kernels
 */
export function fusedSgdUpdate(param: TypedArray, grad: TypedArray, momentumBuffer: TypedArray | null, h: FusedSgdParams): void {
  const n = param.length;
  checkLengths('fusedSgdUpdate', n, { grad, momentumBuffer });
  const done = simdRun(n, [param, grad, momentumBuffer], [true, false, true], (k, at, bytes) =>
    k.sgd!(at[0]!, at[1]!, at[2]!, bytes, h.first ? 1 : 0, h.sign, h.l2, h.lr, h.momentum, 1 - h.dampening, h.nesterov ? 1 : 0));
  if (done) return;
  sgdLoop(param, grad, momentumBuffer, h, param instanceof Float32Array ? f : (x: number) => x);
}

/** The reference loop; `r` rounds each operation (float32) or is the identity (float64). */
export function sgdLoop(P: TypedArray, G: TypedArray, B: TypedArray | null, h: FusedSgdParams, r: (x: number) => number): void {
  const [sign, l2, lr, mu, damp] = [h.sign, h.l2, h.lr, h.momentum, 1 - h.dampening].map(r) as number[];
  for (let i = 0; i < P.length; i++) {
    const p = P[i]!;
    const g = r(r(sign! * G[i]!) + r(l2! * p));
    let d = g;
    if (B !== null) {
      const b = (B[i] = h.first ? g : r(r(mu! * B[i]!) + r(damp! * g)));
      d = h.nesterov ? r(g + r(mu! * b)) : b;
    }
    P[i] = r(p - r(lr! * d));
  }
}
