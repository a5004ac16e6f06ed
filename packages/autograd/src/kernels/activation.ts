// Scalar activation functions, written so that no branch overflows for large |x|: exponentials
// only ever see non-positive arguments. No autograd in here.
import { erf } from './special.js';

/** 1 / (1 + e^-x), from e^-|x| so neither tail overflows. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) = max(x, 0) + log1p(e^-|x|). */
export function softplusStable(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** log σ(x) = −softplus(−x); exact to the last bit in the far negative tail (log σ(−1000) = −1000). */
export function logSigmoid(x: number): number {
  return Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
}

/** PyTorch's softplus: log(1 + e^(βx)) / β, but x itself once βx exceeds the threshold. */
export function softplus(x: number, beta: number, threshold: number): number {
  const bx = beta * x;
  return bx > threshold ? x : softplusStable(bx) / beta;
}

/** x for x > 0, α(e^x − 1) otherwise; expm1 keeps precision near 0. */
export function elu(x: number, alpha: number): number {
  return x > 0 ? x : alpha * Math.expm1(x);
}

export function geluExact(x: number): number {
  return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}

/** √(2/π) and the cubic coefficient of the tanh approximation (Hendrycks & Gimpel, as in PyTorch). */
export const GELU_K = Math.sqrt(2 / Math.PI);
export const GELU_C = 0.044715;

export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_K * (x + GELU_C * x * x * x)));
}

export function silu(x: number): number {
  return x * sigmoid(x);
}
