// Activation functions. Forwards are fused scalar kernels (stable for large |x|); vjps are written
// in tensor ops so every smooth activation is differentiable twice. Kinked ones (relu, leakyRelu,
// elu) multiply by constant masks, which are locally exact away from the kink.
import { describeValue } from '../validate.js';
import { Tensor } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { map1 } from '../kernels/elementwise.js';
import { fusedEvaluate } from '../kernels/fused/lazy.js';
import { input, type WorkDType } from '../kernels/fused/expr.js';
import { UNARY } from './primitives.js';
import * as k from '../kernels/activation.js';
import { gt } from './compare.js';
import { where } from './elementwise.js';
import { checkTensor } from '../validate.js';
import { batchElementwise, diagonalJvp } from './batch-rules.js';
import { reluGradOfPool, reluIs } from './relu-pool-grad.js';

const mapped = (x: Tensor, f: (v: number) => number) => new Tensor(map1(x.data, f));
const RELU = UNARY.relu.expr(input(0));

function assertFinite(op: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${op}: ${name} must be a finite number, got ${value}`);
}

const sigmoidOp = defineOp({
  name: 'sigmoid',
  forward: (x: Tensor) => mapped(x, k.sigmoid),
  // σ' = σ(1 − σ), read off the output so no exponential is recomputed.
  vjp: (g, { output }) => [g.mul(output.mul(output.neg().add(1)))],
  jvp: diagonalJvp,
  batch: batchElementwise,
});

/**
 * The logistic function 1 / (1 + e^-x), finite for any input.
 *
 * @example
 * ```ts
 * sigmoid(tensor([0, 2, -1000])); // [0.5, 0.8808, 0]
 * ```
 * @category Activation
 */
export function sigmoid(x: Tensor): Tensor {
  checkTensor('sigmoid', 'x', x);
  return sigmoidOp(x);
}

const logSigmoidOp = defineOp({
  name: 'logSigmoid',
  forward: (x: Tensor) => mapped(x, k.logSigmoid),
  // d/dx log σ(x) = 1 − σ(x) = σ(−x), which does not cancel for large x.
  vjp: (g, { args: [x] }) => [g.mul(sigmoid(x.neg()))],
  jvp: diagonalJvp,
  batch: batchElementwise,
});

/**
 * log σ(x), computed without forming σ(x), so it stays exact where σ underflows.
 *
 * @example
 * ```ts
 * logSigmoid(tensor([0, -1000])); // [-0.6931, -1000]
 * ```
 * @category Activation
 */
export function logSigmoid(x: Tensor): Tensor {
  checkTensor('logSigmoid', 'x', x);
  return logSigmoidOp(x);
}

const reluOp = defineOp({
  name: 'relu',
  forward: (x: Tensor) => new Tensor(fusedEvaluate(RELU, [x.data], x.dtype as WorkDType)),
  vjp: (g, { args: [x], output }) => [reluGradOfPool(g, x, output) ?? UNARY.relu.vjp(g, x, output)],
  jvp: diagonalJvp,
  batch: batchElementwise,
});
reluIs(reluOp.record);

/**
 * max(x, 0).
 *
 * @example
 * ```ts
 * relu(tensor([-1, 0, 2])); // [0, 0, 2]
 * ```
 * @category Activation
 */
export function relu(x: Tensor): Tensor {
  checkTensor('relu', 'x', x);
  return reluOp(x);
}

const leakyReluOp = defineOp({
  name: 'leakyRelu',
  forward: (x: Tensor, slope: number) => mapped(x, (v) => (v > 0 ? v : v * slope)),
  vjp: (g, { args: [x, slope] }) => [g.mul(gt(x, 0).toDType(x.dtype).mul(1 - slope).add(slope)), null],
  jvp: diagonalJvp,
  batch: batchElementwise,
});

/**
 * x for x > 0 and `negativeSlope · x` otherwise.
 *
 * @example
 * ```ts
 * leakyRelu(tensor([-2, 3]), 0.1); // [-0.2, 3]
 * ```
 * @category Activation
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkTensor('leakyRelu', 'x', x);
  assertFinite('leakyRelu', 'negativeSlope', negativeSlope);
  return leakyReluOp(x, negativeSlope);
}

const eluOp = defineOp({
  name: 'elu',
  forward: (x: Tensor, alpha: number) => mapped(x, (v) => k.elu(v, alpha)),
  // For x ≤ 0 the slope α·e^x equals out + α; using the output avoids e^x, which overflows in the
  // unused x > 0 branch and would turn a zero second-order gradient into 0 · Inf = NaN.
  vjp: (g, { args: [x, alpha], output }) => [g.mul(where(gt(x, 0), 1, output.add(alpha))), null],
  jvp: diagonalJvp,
  batch: batchElementwise,
});

/**
 * Exponential linear unit: x for x > 0, α(e^x − 1) otherwise.
 *
 * @example
 * ```ts
 * elu(tensor([-1, 2])); // [-0.6321, 2]
 * ```
 * @category Activation
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkTensor('elu', 'x', x);
  assertFinite('elu', 'alpha', alpha);
  return eluOp(x, alpha);
}

const geluExactOp = defineOp({
  name: 'gelu',
  forward: (x: Tensor) => mapped(x, k.geluExact),
  // d/dx xΦ(x) = Φ(x) + xφ(x), with φ the standard normal density.
  vjp: (g, { args: [x] }) => {
    const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
    const pdf = x.square().mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
    return [g.mul(cdf.add(x.mul(pdf)))];
  },
  jvp: diagonalJvp,
  batch: batchElementwise,
});

const geluTanhOp = defineOp({
  name: 'gelu',
  forward: (x: Tensor) => mapped(x, k.geluTanh),
  // y = ½x(1 + t), t = tanh(u), u = K(x + Cx³): y' = ½(1 + t) + ½x(1 − t²)·K(1 + 3Cx²).
  // Beyond |x| = 10, u > 40 and tanh is exactly ±1 in float32 and float64, so clamping x there
  // changes nothing but keeps x² and x³ from overflowing into 0 · Inf = NaN.
  vjp: (g, { args: [x] }) => {
    const xc = x.clamp(-10, 10);
    const x2 = xc.square();
    const t = xc.add(x2.mul(xc).mul(k.GELU_C)).mul(k.GELU_K).tanh();
    const du = x2.mul(3 * k.GELU_C).add(1).mul(k.GELU_K);
    return [g.mul(t.add(1).mul(0.5).add(xc.mul(0.5).mul(t.square().neg().add(1)).mul(du)))];
  },
  jvp: diagonalJvp,
  batch: batchElementwise,
});

/**
 * Gaussian error linear unit x·Φ(x); `approximate: 'tanh'` uses PyTorch's tanh approximation.
 *
 * @example
 * ```ts
 * gelu(tensor([1, -1]));         // [0.8413, -0.1587]
 * gelu(tensor([1]), 'tanh');     // [0.8412]
 * ```
 * @category Activation
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  checkTensor('gelu', 'x', x);
  if (approximate === 'none') return geluExactOp(x);
  if (approximate === 'tanh') return geluTanhOp(x);
  throw new Error(`gelu: approximate must be 'none' or 'tanh', got ${describeValue(approximate)}`);
}

const softplusOp = defineOp({
  name: 'softplus',
  forward: (x: Tensor, beta: number, threshold: number) => mapped(x, (v) => k.softplus(v, beta, threshold)),
  // σ(βx) below the threshold, 1 in the linear region (PyTorch's choice).
  vjp: (g, { args: [x, beta, threshold] }) => [g.mul(where(gt(x.mul(beta), threshold), 1, sigmoid(x.mul(beta)))), null, null],
  jvp: diagonalJvp,
  batch: batchElementwise,
});

/**
 * log(1 + e^(βx)) / β, a smooth relu; it returns x itself where βx > `threshold`, as PyTorch does.
 *
 * @example
 * ```ts
 * softplus(tensor([0, 1000])); // [0.6931, 1000]
 * softplus(tensor([1]), 2);    // [1.0635]
 * ```
 * @category Activation
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  checkTensor('softplus', 'x', x);
  assertFinite('softplus', 'beta', beta);
  if (beta === 0) throw new Error('softplus: beta must be non-zero (it divides the result), got 0');
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new Error(`softplus: threshold must be a number, got ${threshold}`);
  return softplusOp(x, beta, threshold);
}

const siluOp = defineOp({
  name: 'silu',
  forward: (x: Tensor) => mapped(x, k.silu),
  // d/dx xσ(x) = σ(x)(1 + x(1 − σ(x))).
  vjp: (g, { args: [x] }) => {
    const s = sigmoid(x);
    return [g.mul(s.mul(x.mul(s.neg().add(1)).add(1)))];
  },
  jvp: diagonalJvp,
  batch: batchElementwise,
});

/**
 * Sigmoid linear unit (swish) x·σ(x).
 *
 * @example
 * ```ts
 * silu(tensor([0, 1, -1000])); // [0, 0.7311, -0]
 * ```
 * @category Activation
 */
export function silu(x: Tensor): Tensor {
  checkTensor('silu', 'x', x);
  return siluOp(x);
}
