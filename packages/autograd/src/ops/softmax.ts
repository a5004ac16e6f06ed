// The softmax family: stable fused forwards (shifted by the maximum) with vjps in tensor ops.
import { Tensor } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { wrap } from '../kernels/layout.js';
import { logSoftmaxRun, logSumExpRun, mapRuns, softmaxRun } from '../kernels/reduce.js';
import { expandReduced, reduceWith, reductionAxes, type Axes } from './reduce-axes.js';
import { checkTensor } from '../validate.js';
import { batchAxes, reductionJvp } from './batch-rules.js';

const logSumExpOp = defineOp({
  name: 'logSumExp',
  forward: (x: Tensor, axes: readonly number[], keepDims: boolean) => reduceWith(x, axes, keepDims, logSumExpRun),
  // The softmax weights exp(x − out) never overflow, and -Inf entries get weight 0.
  vjp: (g, { args: [x, axes], output }) => [expandReduced(g, x, axes).mul(x.sub(expandReduced(output, x, axes)).exp()), null, null],
  jvp: reductionJvp,
  batch: batchAxes,
});

/**
 * log Σ exp(x) over `axis` (all axes when omitted), shifted by the maximum so it cannot overflow.
 *
 * @example
 * ```ts
 * tensor([1000, 1000]).logSumExp(); // 1000.6931
 * tensor([[0, -Infinity]]).logSumExp(1); // [0]
 * ```
 * @category Reduction
 */
export function logSumExp(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  checkTensor('logSumExp', 'x', x);
  return logSumExpOp(x, reductionAxes('logSumExp', axis, x), keepDims);
}

// softmax and logSoftmax carry the axis as a list: [a], or [] for a 0-d tensor (a run of one).
const softmaxOp = defineOp({
  name: 'softmax',
  forward: (x: Tensor, axes: readonly number[]) => new Tensor(wrap(mapRuns(x.data, axes, softmaxRun), x.shape)),
  vjp: (g, { args: [, axes], output }) => [output.mul(g.sub(g.mul(output).sum(axes, true))), null],
  // The softmax Jacobian diag(y) − y yᵀ is symmetric: J·t is the vjp applied to t.
  jvp: ([t], { args: [, axes], output }) => (t ? output.mul(t.sub(t.mul(output).sum(axes, true))) : null),
  batch: batchAxes,
});

const logSoftmaxOp = defineOp({
  name: 'logSoftmax',
  forward: (x: Tensor, axes: readonly number[]) => new Tensor(wrap(mapRuns(x.data, axes, logSoftmaxRun), x.shape)),
  vjp: (g, { args: [, axes], output }) => [g.sub(output.exp().mul(g.sum(axes, true))), null],
  jvp: ([t], { args: [, axes], output }) => (t ? t.sub(output.exp().mul(t).sum(axes, true)) : null),
  batch: batchAxes,
});

function singleAxis(op: string, axis: number, x: Tensor): number[] {
  if (typeof axis !== 'number') throw new Error(`${op}: axis must be a single number, got [${String(axis)}]`);
  return reductionAxes(op, axis, x);
}

/**
 * exp(x) / Σ exp(x) along `axis` (default last), computed from x − max so large inputs are safe.
 *
 * @example
 * ```ts
 * tensor([1000, -1000]).softmax(); // [1, 0]
 * tensor([[0, Math.log(3)]]).softmax(-1); // [[0.25, 0.75]]
 * ```
 * @category Reduction
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  checkTensor('softmax', 'x', x);
  return softmaxOp(x, singleAxis('softmax', axis, x));
}

/**
 * log softmax(x) along `axis` (default last), exact far into the tails.
 *
 * @example
 * ```ts
 * tensor([1000, -1000]).logSoftmax(); // [0, -2000]
 * ```
 * @category Reduction
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  checkTensor('logSoftmax', 'x', x);
  return logSoftmaxOp(x, singleAxis('logSoftmax', axis, x));
}
