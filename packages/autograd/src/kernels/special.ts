// Special functions with float64 accuracy, for gelu and erf.

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** erf(x): Taylor series below |x| = 3 (terms stay small enough to lose < 1e-13), continued fraction above. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 3) {
    const x2 = x * x;
    let term = x;
    let total = x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      total += add;
      if (Math.abs(add) < 1e-17 * Math.abs(total)) break;
    }
    return TWO_OVER_SQRT_PI * total;
  }
  const r = 1 - erfcLarge(ax);
  return x < 0 ? -r : r;
}

/** erfc(x) for x >= 3 by the Laplace continued fraction, evaluated bottom-up. */
function erfcLarge(x: number): number {
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / (f * Math.sqrt(Math.PI));
}

/**
 * erfc(x) = 1 − erf(x) without the cancellation: below |x| = 1 the difference loses under one
 * digit; from 1 on the Laplace continued fraction (200 terms reach float64 precision at x = 1).
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 1) return 1 - erf(x);
  let f = x;
  for (let k = 200; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / (f * Math.sqrt(Math.PI));
}
