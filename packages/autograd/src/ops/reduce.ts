// Reductions over any axes with keepDims. The softmax family lives in softmax.ts.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { broadcastAxes, fmt, reducedShape, sameShape, sizeOf } from '../shape.js';
import { wrap } from '../kernels/layout.js';
import { noGrad } from '../grad-mode.js';
import { argmaxRun, argminRun, mapRuns, maxRun, minRun, prodOthersRun, prodRun, sumRun } from '../kernels/reduce.js';
import { eq } from './compare.js';
import { expandReduced, reduceWith, reductionAxes, type Axes, type Run } from './reduce-axes.js';
import { checkTensor, checkShape } from '../validate.js';
import { batchAxes, reductionJvp, toFront as toFrontAxes } from './batch-rules.js';

export { softmax, logSoftmax, logSumExp } from './softmax.js';
export type { Axes } from './reduce-axes.js';

const sumOp: Op<[Tensor, readonly number[], boolean]> = defineOp({
  name: 'sum',
  acceptsIntegers: true,
  forward: (x: Tensor, axes: readonly number[], keepDims: boolean) => reduceWith(x, axes, keepDims, sumRun),
  vjp: (g, { args: [x, axes] }) => [expandReduced(g, x, axes), null, null],
  jvp: ([t], { args: [, axes, keepDims] }) => (t ? sumOp(t, axes, keepDims) : null),
  batch: batchAxes,
});

/**
 * Sum over `axis` (one axis, a list, or all when omitted); `keepDims` keeps reduced axes as size 1.
 * A bool tensor sums as int32 (a count), an int32 one in int32 (PyTorch uses int64).
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
  checkTensor('sum', 'x', x);
  return sumOp(x.dtype === 'bool' ? x.toDType('int32') : x, reductionAxes('sum', axis, x), keepDims);
}

/**
 * Mean over `axis` (all axes when omitted). Integer and bool inputs give float32 (the fraction of
 * true values for a bool mask), where PyTorch asks for a float input first.
 *
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]).mean(1); // [1.5, 3.5]
 * ```
 * @category Reduction
 */
export function mean(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  checkTensor('mean', 'x', x);
  const axes = reductionAxes('mean', axis, x);
  const count = sizeOf(axes.map((a) => x.shape[a]!));
  return sum(x, axes, keepDims).div(count);
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
  checkTensor('sumTo', 'x', x);
  shape = checkShape('sumTo', 'shape', shape);
  if (sameShape(x.shape, shape)) return x;
  const { axes } = broadcastAxes(shape, x.shape);
  if (shape.length > x.ndim || shape.some((d, i) => d !== 1 && d !== x.shape[i + x.ndim - shape.length])) {
    throw new Error(`sumTo: ${fmt(x.shape)} is not a broadcast of ${fmt(shape)}`);
  }
  return sumOp(x, axes, true).reshape(shape);
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
    acceptsIntegers: true,
    forward: (x: Tensor, axes: readonly number[], keepDims: boolean) => reduceWith(x, axes, keepDims, run),
    // Tied extrema share the gradient evenly (as torch.amax). The weights are constants, so the
    // vjp is linear in g and its own derivative with respect to x is 0, which is exact off ties.
    vjp: (g, { args: [x, axes], output }) => {
      const weights = noGrad(() => {
        const hit = eq(x, expandReduced(output, x, axes)).toDType(x.dtype);
        return hit.div(hit.sum(axes, true));
      });
      return [expandReduced(g, x, axes).mul(weights), null, null];
    },
    jvp: reductionJvp,
    batch: batchAxes,
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
  checkTensor('max', 'x', x);
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
  checkTensor('min', 'x', x);
  const axes = reductionAxes('min', axis, x);
  assertNonEmpty('min', x, axes);
  return minOp(x, axes, keepDims);
}

// Positions are not differentiable: an op (so vmap batches it) called without recording.
function argOp(name: string, run: Run) {
  return defineOp({
    name,
    acceptsIntegers: true,
    forward: (x: Tensor, axes: readonly number[], keepDims: boolean) => reduceWith(x, axes, keepDims, run, 'int32'),
    vjp: () => [null, null, null],
    jvp: () => null,
    batch: ([x, axes, keepDims], [d], { op, size }) => {
      // With every axis reduced the index is into the flattened example, so flatten it first.
      if (axes.length === x.ndim - 1 && axes.length > 1) {
        const flat = toFrontAxes(x, d, size).reshape([size, -1]);
        const out = op(flat, [1], keepDims);
        return [keepDims ? out.reshape([size, ...axes.map(() => 1)]) : out, 0];
      }
      return batchAxes([x, axes, keepDims] as const, [d, undefined, undefined], { op, size });
    },
  });
}
const argmaxOp = argOp('argmax', argmaxRun);
const argminOp = argOp('argmin', argminRun);

function argReduce(op: string, reduceOp: typeof argmaxOp, x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  if (axis !== undefined && typeof axis !== 'number') throw new Error(`${op}: axis must be a single number or undefined, got [${String(axis)}]`);
  // With no axis, reducing every axis at once walks the row-major order: the index is into the flattened tensor.
  const axes = reductionAxes(op, axis, x);
  assertNonEmpty(op, x, axes);
  if (x.dtype === 'bool') throw new Error(`${op}: bool input is not supported (as in PyTorch); convert with toDType('int32')`);
  return noGrad(() => reduceOp(x, axes, keepDims));
}

/**
 * Index of the first largest value along `axis`, or into the flattened tensor when `axis` is
 * omitted, as an int32 tensor (no gradient).
 *
 * @example
 * ```ts
 * tensor([[1, 5], [7, 2]]).argmax();  // 2
 * tensor([[1, 5], [7, 2]]).argmax(1); // [1, 0]
 * ```
 * @category Reduction
 */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  checkTensor('argmax', 'x', x);
  return argReduce('argmax', argmaxOp, x, axis, keepDims);
}

/**
 * Index of the first smallest value along `axis` (over the flattened tensor when omitted), as an int32 tensor; no gradient.
 *
 * @example
 * ```ts
 * tensor([[1, 5], [7, 2]]).argmin(0, true); // [[0, 1]]
 * ```
 * @category Reduction
 */
export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  checkTensor('argmin', 'x', x);
  return argReduce('argmin', argminOp, x, axis, keepDims);
}

/** Whether out / x is a faithful product of the other elements: no zero input, no zero or Inf output. */
function canDivide(x: Tensor, out: Tensor): boolean {
  return x.contiguousData().every((v) => v !== 0) && out.contiguousData().every((v) => v !== 0 && Number.isFinite(v));
}

const prodOp = defineOp({
  name: 'prod',
  acceptsIntegers: true,
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
    // Under vmap (no residuals: `divisible` is undefined) the products of the others come from an
    // op, which batches; reading x.data here would see one example only.
    const others = divisible === undefined ? prodOthersOp(x, axes) : noGrad(() => new Tensor(wrap(mapRuns(x.data, axes, prodOthersRun), x.shape)));
    return [gx.mul(others), null, null];
  },
  jvp: reductionJvp,
  batch: batchAxes,
});

// Products of the other elements of each reduced run (treated as a constant, as in prod's vjp).
const prodOthersOp = defineOp({
  name: 'prodOthers',
  forward: (x: Tensor, axes: readonly number[]) => new Tensor(wrap(mapRuns(x.data, axes, prodOthersRun), x.shape)),
  vjp: () => [null, null],
  jvp: () => null,
  batch: batchAxes,
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
  checkTensor('prod', 'x', x);
  return prodOp(x.dtype === 'bool' ? x.toDType('int32') : x, reductionAxes('prod', axis, x), keepDims);
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
  checkTensor('variance', 'x', x);
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
  checkTensor('std', 'x', x);
  return centeredSquares('std', x, axis, keepDims, correction).sqrt();
}

