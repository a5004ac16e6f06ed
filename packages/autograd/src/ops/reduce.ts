// Reductions over any axes with keepDims, and the softmax family.
import { Tensor } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { broadcastAxes, fmt, normalizeAxes, reducedShape, sameShape, sizeOf } from '../shape.js';
import { wrap } from '../kernels/layout.js';
import { noGrad } from '../grad-mode.js';
import {
  argmaxRun, argminRun, logSoftmaxRun, logSumExpRun, mapRuns, maxRun, minRun, prodOthersRun, prodRun, reduceAxes, softmaxRun, sumRun,
} from '../kernels/reduce.js';
import { eq } from './compare.js';

type Axes = number | readonly number[] | undefined;
type Run = Parameters<typeof reduceAxes>[2];

function reduceWith(x: Tensor, axes: readonly number[], keepDims: boolean, run: Run): Tensor {
  return new Tensor(wrap(reduceAxes(x.data, axes, run), reducedShape(x.shape, axes, keepDims)));
}

/** The gradient of a reduction, broadcast back over the reduced axes of `x`. */
export function expandReduced(g: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return g.reshape(reducedShape(x.shape, axes, true)).expand(x.shape);
}

const sumOp = defineOp({
  name: 'sum',
  forward: (x: Tensor, axes: readonly number[], keepDims: boolean) => reduceWith(x, axes, keepDims, sumRun),
  vjp: (g, { args: [x, axes] }) => [expandReduced(g, x, axes), null, null],
});

/**
 * Sum over `axis` (one axis, a list, or all when omitted); `keepDims` keeps reduced axes as size 1.
 *
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]).sum();     // 10
 * tensor([[1, 2], [3, 4]]).sum(0);    // [4, 6]
 * tensor([[1, 2], [3, 4]]).sum(1, true); // [[3], [7]]
 * ```
 * @category Reduction
 */
export function sum(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  return sumOp(x, reductionAxes('sum', axis, x), keepDims);
}

/**
 * Mean over `axis` (all axes when omitted).
 *
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]).mean(1); // [1.5, 3.5]
 * ```
 * @category Reduction
 */
export function mean(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  const axes = reductionAxes('mean', axis, x);
  const count = sizeOf(axes.map((a) => x.shape[a]!));
  return sumOp(x, axes, keepDims).div(count);
}

/**
 * Sums `x` down to `shape`, undoing a broadcast from `shape` to `x.shape`: the vjp of every broadcast.
 *
 * @example
 * ```ts
 * sumTo(ones([4, 2, 3]), [2, 1]); // [[12], [12]]
 * ```
 * @category Reduction
 */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const { axes } = broadcastAxes(shape, x.shape);
  if (shape.length > x.ndim || shape.some((d, i) => d !== 1 && d !== x.shape[i + x.ndim - shape.length])) {
    throw new Error(`sumTo: ${fmt(x.shape)} is not a broadcast of ${fmt(shape)}`);
  }
  return sumOp(x, axes, true).reshape(shape);
}

/** The axes a reduction named `op` covers; a 0-d tensor accepts axis 0 or -1 (as PyTorch) and reduces nothing. */
function reductionAxes(op: string, axis: Axes, x: Tensor): number[] {
  if (x.ndim > 0) return normalizeAxes(op, axis, x.ndim);
  const asZero = (a: number) => (a === -1 ? 0 : a);
  normalizeAxes(op, typeof axis === 'number' ? asZero(axis) : axis?.map(asZero), 0); // throws for anything else
  return [];
}

/** max/min/argmax have no identity, so an empty reduced axis is an error rather than ±Inf. */
function assertNonEmpty(op: string, x: Tensor, axes: readonly number[]): void {
  const empty = axes.find((a) => x.shape[a] === 0);
  if (empty !== undefined) {
    throw new Error(`${op}: cannot reduce axis ${empty} of size 0 (input shape ${fmt(x.shape)}); an empty ${op} has no value, pass a non-empty axis`);
  }
}


function extremumOp(name: string, run: Run) {
  return defineOp({
    name,
    forward: (x: Tensor, axes: readonly number[], keepDims: boolean) => reduceWith(x, axes, keepDims, run),
    // Tied extrema share the gradient evenly (as torch.amax). The weights are constants, so the
    // vjp is linear in g and its own derivative with respect to x is 0, which is exact off ties.
    vjp: (g, { args: [x, axes], output }) => {
      const weights = noGrad(() => {
        const hit = eq(x, expandReduced(output, x, axes));
        return hit.div(hit.sum(axes, true));
      });
      return [expandReduced(g, x, axes).mul(weights), null, null];
    },
  });
}

const maxOp = extremumOp('max', maxRun);
const minOp = extremumOp('min', minRun);

/**
 * Largest value over `axis` (all axes when omitted); tied maxima share the gradient evenly.
 *
 * @example
 * ```ts
 * tensor([[1, 5], [3, 2]]).max();  // 5
 * tensor([[1, 5], [3, 2]]).max(0); // [3, 5]
 * ```
 * @category Reduction
 */
export function max(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  const axes = reductionAxes('max', axis, x);
  assertNonEmpty('max', x, axes);
  return maxOp(x, axes, keepDims);
}

/**
 * Smallest value over `axis` (all axes when omitted); tied minima share the gradient evenly.
 *
 * @example
 * ```ts
 * tensor([[1, 5], [3, 2]]).min(1, true); // [[1], [2]]
 * ```
 * @category Reduction
 */
export function min(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  const axes = reductionAxes('min', axis, x);
  assertNonEmpty('min', x, axes);
  return minOp(x, axes, keepDims);
}

function argReduce(op: string, run: Run, x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  if (axis !== undefined && typeof axis !== 'number') throw new Error(`${op}: axis must be a single number or undefined, got [${String(axis)}]`);
  // With no axis, reducing every axis at once walks the row-major order: the index is into the flattened tensor.
  const axes = reductionAxes(op, axis, x);
  assertNonEmpty(op, x, axes);
  return noGrad(() => reduceWith(x, axes, keepDims, run));
}

/**
 * Index of the first largest value along `axis`, or into the flattened tensor when `axis` is
 * omitted, as a float tensor of x's dtype (no gradient).
 *
 * @example
 * ```ts
 * tensor([[1, 5], [7, 2]]).argmax();  // 2
 * tensor([[1, 5], [7, 2]]).argmax(1); // [1, 0]
 * ```
 * @category Reduction
 */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argReduce('argmax', argmaxRun, x, axis, keepDims);
}

/**
 * Index of the first smallest value along `axis` (over the flattened tensor when omitted); no gradient.
 *
 * @example
 * ```ts
 * tensor([[1, 5], [7, 2]]).argmin(0, true); // [[0, 1]]
 * ```
 * @category Reduction
 */
export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argReduce('argmin', argminRun, x, axis, keepDims);
}

/** Whether out / x is a faithful product of the other elements: no zero input, no zero or Inf output. */
function canDivide(x: Tensor, out: Tensor): boolean {
  return x.contiguousData().every((v) => v !== 0) && out.contiguousData().every((v) => v !== 0 && Number.isFinite(v));
}

const prodOp = defineOp({
  name: 'prod',
  forward: (x: Tensor, axes: readonly number[], keepDims: boolean) => {
    const output = reduceWith(x, axes, keepDims, prodRun);
    return { output, saved: canDivide(x, output) };
  },
  vjp: (g, { args: [x, axes], output, saved: divisible }) => {
    const gx = expandReduced(g, x, axes);
    // out / x is differentiable again (second order for free); with zeros it is 0/0, so fall back to
    // products of the other elements, exact to first order. Divide before multiplying by g: g · out
    // can underflow when out is subnormal even though out / x is an ordinary number.
    if (divisible) return [gx.mul(expandReduced(output, x, axes).div(x)), null, null];
    const others = noGrad(() => new Tensor(wrap(mapRuns(x.data, axes, prodOthersRun), x.shape)));
    return [gx.mul(others), null, null];
  },
});

/**
 * Product over `axis` (all axes when omitted); the gradient is exact when some inputs are zero.
 *
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]).prod();  // 24
 * tensor([[1, 2], [3, 4]]).prod(1); // [2, 12]
 * ```
 * @category Reduction
 */
export function prod(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  return prodOp(x, reductionAxes('prod', axis, x), keepDims);
}

function centeredSquares(op: string, x: Tensor, axis: Axes, keepDims: boolean, correction: number): Tensor {
  if (typeof correction !== 'number' || !Number.isFinite(correction) || correction < 0) {
    throw new Error(`${op}: correction must be a non-negative finite number (1 = unbiased), got ${correction}`);
  }
  const axes = reductionAxes(op, axis, x);
  const n = sizeOf(axes.map((a) => x.shape[a]!));
  // Two-pass (centre, then square) to avoid the cancellation of E[x²] − E[x]²; like torch, a
  // divisor n − correction ≤ 0 gives Inf/NaN rather than an error.
  return x.sub(mean(x, axes, true)).square().sum(axes, keepDims).div(Math.max(0, n - correction));
}

/**
 * Variance over `axis` with `correction` subtracted from the count (1 = unbiased, as torch.var).
 *
 * @example
 * ```ts
 * variance(tensor([1, 2, 3, 4]));          // 1.6667
 * variance(tensor([1, 2, 3, 4]), 0, false, 0); // 1.25
 * ```
 * @category Reduction
 */
export function variance(x: Tensor, axis?: Axes, keepDims = false, correction = 1): Tensor {
  return centeredSquares('variance', x, axis, keepDims, correction);
}

/**
 * Standard deviation over `axis`: the square root of {@link variance} with the same `correction`.
 *
 * @example
 * ```ts
 * std(tensor([[1, 3], [2, 6]]), 1); // [1.4142, 2.8284]
 * ```
 * @category Reduction
 */
export function std(x: Tensor, axis?: Axes, keepDims = false, correction = 1): Tensor {
  return centeredSquares('std', x, axis, keepDims, correction).sqrt();
}

const logSumExpOp = defineOp({
  name: 'logSumExp',
  forward: (x: Tensor, axes: readonly number[], keepDims: boolean) => reduceWith(x, axes, keepDims, logSumExpRun),
  // The softmax weights exp(x − out) never overflow, and -Inf entries get weight 0.
  vjp: (g, { args: [x, axes], output }) => [expandReduced(g, x, axes).mul(x.sub(expandReduced(output, x, axes)).exp()), null, null],
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
  return logSumExpOp(x, reductionAxes('logSumExp', axis, x), keepDims);
}

// softmax and logSoftmax carry the axis as a list: [a], or [] for a 0-d tensor (a run of one).
const softmaxOp = defineOp({
  name: 'softmax',
  forward: (x: Tensor, axes: readonly number[]) => new Tensor(wrap(mapRuns(x.data, axes, softmaxRun), x.shape)),
  vjp: (g, { args: [, axes], output }) => [output.mul(g.sub(g.mul(output).sum(axes, true))), null],
});

const logSoftmaxOp = defineOp({
  name: 'logSoftmax',
  forward: (x: Tensor, axes: readonly number[]) => new Tensor(wrap(mapRuns(x.data, axes, logSoftmaxRun), x.shape)),
  vjp: (g, { args: [, axes], output }) => [g.sub(output.exp().mul(g.sum(axes, true))), null],
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
  return logSoftmaxOp(x, singleAxis('logSoftmax', axis, x));
}
