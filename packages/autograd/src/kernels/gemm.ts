// General matrix multiply on row-major buffers: C[m×n] (+)= op(A)·op(B), where op(A) is A or Aᵀ.
// Transposes are handled by the loop order, not by copies. No autograd in here.
import type { TypedArray } from '../dtype.js';

/**
 * C = op(A)·op(B) (or C += when `accumulate`), with A stored row-major as m×k (k×m when `transA`)
 * starting at `aOff`, B as k×n (n×k when `transB`) at `bOff`, C as m×n at `cOff`.
 */
export function gemm(
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
