// The WebAssembly gemm's summation order written out, for the tests that pin its bits: tiles,
// cache blocks, packing and threads may change how the work is split, never the bits of C.
import { expect } from 'vitest';

type Floats = Float32Array | Float64Array;

/**
 * C (+)= op(A)·op(B) with `gemm`'s contract, each entry summed from 0 (or from C when
 * accumulating) over p = 0, 1, … in order, every product and every sum rounded to the array's
 * dtype (no fused multiply-add).
 */
export function gemmSequential(
  m: number, n: number, k: number,
  a: Floats, aOff: number, transA: boolean,
  b: Floats, bOff: number, transB: boolean,
  c: Floats, cOff: number, accumulate: boolean,
): void {
  const r = c instanceof Float32Array ? Math.fround : (x: number) => x;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = accumulate ? c[cOff + i * n + j]! : 0;
      for (let p = 0; p < k; p++) {
        const x = a[aOff + (transA ? p * m + i : i * k + p)]!;
        const y = b[bOff + (transB ? j * k + p : p * n + j)]!;
        s = r(s + r(x * y));
      }
      c[cOff + i * n + j] = s;
    }
  }
}

/** Asserts two float arrays hold the same bits, entry by entry. */
export function expectSameBits(got: Floats, want: Floats, message?: string): void {
  const bits = (x: Floats): (number | bigint)[] =>
    x instanceof Float32Array ? Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length)) : Array.from(new BigUint64Array(x.buffer, x.byteOffset, x.length));
  expect(bits(got), message).toEqual(bits(want));
}
