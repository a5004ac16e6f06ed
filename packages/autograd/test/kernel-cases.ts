// Shared pieces of the kernel tests that compare a fast path with its reference bit for bit:
// window geometries drawn around a kernel's size, seeded float inputs and an exact comparison.
import { expect } from 'vitest';
import fc from 'fast-check';
import { outputLength, type Geometry } from '../src/kernels/im2col.js';

/** Two integers in [min, max] (a height/width pair). */
export const pair = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));

/** Window, stride, padding and dilation pairs, plus a margin added to the smallest valid input. */
export interface WindowDraw {
  k: [number, number];
  s: [number, number];
  p: [number, number];
  dl: [number, number];
  extra: [number, number];
}

/** The geometry of an input just large enough for the (dilated, padded) window plus the margin. */
export function windowGeometry(r: WindowDraw): Geometry {
  const size = (a: 0 | 1) => Math.max(1, r.dl[a] * (r.k[a] - 1) + 1 - 2 * r.p[a]) + r.extra[a];
  const H = size(0), W = size(1);
  return {
    H, W, kH: r.k[0], kW: r.k[1], sH: r.s[0], sW: r.s[1], pH: r.p[0], pW: r.p[1], dH: r.dl[0], dW: r.dl[1],
    oH: outputLength(H, r.k[0], r.s[0], r.p[0], r.dl[0]), oW: outputLength(W, r.k[1], r.s[1], r.p[1], r.dl[1]),
  };
}

/** `n` floats in about [−1.3, 1.6) from a linear congruential generator: the same for the same seed. */
export function seededFloats(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed | 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    a[i] = ((s >>> 8) % 20001) / 7000 - 1.3;
  }
  return a;
}

/** Identical values: NaN matches NaN, −0 is distinct from +0; the first difference is reported. */
export function expectSameBits(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) expect([i, got[i]]).toEqual([i, want[i]]);
}
