// Fused optimizer updates over flat arrays: one pass over a parameter, its gradient and its state,
// with no tensor temporaries. float32 runs the WebAssembly SIMD kernels (wasm/optim-module.ts) in
// float32 arithmetic, as PyTorch's float32 optimizers do; the TypeScript loops below round every
// operation to float32 the same way and are the bit-for-bit reference (and the fallback without
// WebAssembly SIMD). float64 runs in float64 throughout.
import type { TypedArray } from '../dtype.js';
import { optimModuleBytes } from './wasm/optim-module.js';
import { ensureMemory, instantiate, memoryView } from './wasm/simd-memory.js';

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
 * loop); chunk: elements per copy-in/compute/copy-out round. Mutable for tests; not public API.
 */
export const simdOptim = { enabled: true, minSize: 64, chunk: 16384 };

let kernels: Record<string, (...args: number[]) => number> | null | undefined;
const pad = (bytes: number) => Math.ceil(bytes / 64) * 64;
const f = Math.fround;

function simd(n: number, arrays: readonly (TypedArray | null)[]): ReturnType<typeof instantiate> {
  if (!simdOptim.enabled || n < simdOptim.minSize) return null;
  if (!arrays.every((a) => a === null || a instanceof Float32Array)) return null;
  if (kernels === undefined) kernels = instantiate(optimModuleBytes());
  return kernels;
}

function checkLengths(name: string, n: number, arrays: Record<string, TypedArray | null | undefined>): void {
  for (const [k, a] of Object.entries(arrays)) {
    if (a && a.length !== n) throw new Error(`${name}: ${k} has ${a.length} elements, param has ${n}`);
  }
}

/**
 * Copies the arrays in chunk by chunk (region i at i·region bytes), runs `kernel` on each chunk
 * and copies the `written` ones back out. Null arrays get address 0 (the kernel skips them).
 */
function chunked(n: number, arrays: readonly (Float32Array | null)[], written: readonly boolean[], kernel: (at: readonly number[], bytes: number) => void): boolean {
  const chunk = Math.min(n, simdOptim.chunk);
  const region = pad(chunk * 4);
  // Region 0 is never a null array's: address 0 means "absent" to the kernels, so start at 64.
  const base = 64;
  if (!ensureMemory(base + arrays.length * region)) return false;
  const v = memoryView('float32') as Float32Array;
  const at = arrays.map((a, i) => (a === null ? 0 : base + i * region));
  for (let s = 0; s < n; s += chunk) {
    const len = Math.min(chunk, n - s);
    arrays.forEach((a, i) => { if (a) v.set(a.subarray(s, s + len), at[i]! / 4); });
    kernel(at, pad(len * 4));
    arrays.forEach((a, i) => { if (a && written[i]) a.set(v.subarray(at[i]! / 4, at[i]! / 4 + len), s); });
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
  const k = simd(n, [param, grad, expAvg, expAvgSq, maxExpAvgSq]);
  if (k) {
    const arrays = [param, grad, expAvg, expAvgSq, maxExpAvgSq] as (Float32Array | null)[];
    const run = k.adam!;
    const done = chunked(n, arrays, [true, false, true, true, true], (at, bytes) =>
      run(at[0]!, at[1]!, at[2]!, at[3]!, at[4]!, bytes, sign, l2, b1, 1 - b1, b2, 1 - b2, shrink, stepSize, bc2Sqrt, eps));
    if (done) return;
  }
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
  const k = simd(n, [param, grad, momentumBuffer]);
  if (k) {
    const run = k.sgd!;
    const done = chunked(n, [param, grad, momentumBuffer] as (Float32Array | null)[], [true, false, true], (at, bytes) =>
      run(at[0]!, at[1]!, at[2]!, bytes, h.first ? 1 : 0, h.sign, h.l2, h.lr, h.momentum, 1 - h.dampening, h.nesterov ? 1 : 0));
    if (done) return;
  }
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
