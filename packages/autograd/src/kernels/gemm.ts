// General matrix multiply on row-major buffers: C[m×n] (+)= op(A)·op(B), where op(A) is A or Aᵀ.
// Two implementations with one contract: the WebAssembly SIMD kernel (wasm/gemm-wasm.ts) for
// every product above a small size, and the plain-JS loops below, which run everything else and
// are the reference the fast path is tested against. No autograd in here.
import type { TypedArray } from '../dtype.js';
import { gemmWasm } from './wasm/gemm-wasm.js';

/**
 * Below this many multiply-adds (m·n·k) the plain loops win: the WebAssembly path pays for
 * copying, packing and a few calls (measured: equal at 8×8×8, WebAssembly 2× faster at 12×12×12).
 */
export const WASM_MIN_MACS = 1024;

/**
 * C = op(A)·op(B) (or C += when `accumulate`), with A stored row-major as m×k (k×m when `transA`)
 * starting at `aOff`, B as k×n (n×k when `transB`) at `bOff`, C as m×n at `cOff`. Uses the
 * WebAssembly SIMD kernel when the product is large enough and the platform supports it.
 */
export function gemm(
  m: number, n: number, k: number,
  a: TypedArray, aOff: number, transA: boolean,
  b: TypedArray, bOff: number, transB: boolean,
  c: TypedArray, cOff: number, accumulate = false,
): void {
  if (m > 0 && n > 0 && k > 0 && m * n * k >= WASM_MIN_MACS && gemmWasm(m, n, k, a, aOff, transA, b, bOff, transB, c, cOff, accumulate)) return;
  gemmJs(m, n, k, a, aOff, transA, b, bOff, transB, c, cOff, accumulate);
}

/** The plain-JS kernel with `gemm`'s contract: the fallback, and the reference in tests. */
export function gemmJs(
  m: number, n: number, k: number,
  a: TypedArray, aOff: number, transA: boolean,
  b: TypedArray, bOff: number, transB: boolean,
  c: TypedArray, cOff: number, accumulate = false,
): void {
  if (!accumulate) c.fill(0, cOff, cOff + m * n);
  if (!transB) {
    // i-p-j: the inner loop streams a row of B and a row of C.
    for (let i = 0; i < m; i++) {
      const ci = cOff + i * n;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[aOff + p * m + i]! : a[aOff + i * k + p]!;
        const bp = bOff + p * n;
        for (let j = 0; j < n; j++) c[ci + j]! += av * b[bp + j]!;
      }
    }
  } else {
    // B is n×k: each C entry is a dot product of two contiguous rows (when A is not transposed).
    for (let i = 0; i < m; i++) {
      const ci = cOff + i * n;
      for (let j = 0; j < n; j++) {
        const bj = bOff + j * k;
        let s = 0;
        if (transA) for (let p = 0; p < k; p++) s += a[aOff + p * m + i]! * b[bj + p]!;
        else {
          const ai = aOff + i * k;
          for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
        }
        c[ci + j]! += s;
      }
    }
  }
}
