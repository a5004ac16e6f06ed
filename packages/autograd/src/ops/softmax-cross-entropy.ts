// Cross-entropy of [N, C] logits against class indices as one op: the log-softmax, the picked
// log-probabilities, the ignored targets and the reduction in one forward, and the whole gradient
// (scatter of the picked entries, then the log-softmax's vjp) in one pass, where the same loss
// written with tensor ops records about twenty ops and runs fifteen backward nodes. Every value
// is the composed ops' bit for bit: the same roundings in the same order (`composed` below is
// that chain, used as the vjp under createGraph or a transform, and as the jvp).
import { Tensor } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { isGradEnabled } from '../grad-mode.js';
import { visibleLevels } from '../transform-levels.js';
import { allocate, isFloating, type TypedArray } from '../dtype.js';
import { wrap } from '../kernels/layout.js';
import { fmt, unravelIndex } from '../shape.js';
import { logSoftmax } from './softmax.js';
import { scatterAdd } from './indexing.js';
import { zeros } from './creation.js';
import { toFront } from './batch-rules.js';
import { checkInt, checkOptions, checkTensor, describeValue } from '../validate.js';

/**
 * Options of {@link softmaxCrossEntropy}.
 *
 * @example
 * ```ts
 * softmaxCrossEntropy(logits, targets, { ignoreIndex: 0, reduction: 'sum' });
 * ```
 * @category Reduction
 */
export interface SoftmaxCrossEntropyOptions {
  /** Targets equal to this contribute nothing, not even to the mean's count (default -100). */
  ignoreIndex?: number;
  /** `'mean'` over the targets not ignored (default), `'sum'`, or `'none'` (one loss per row, 0 where ignored). */
  reduction?: 'mean' | 'sum' | 'none';
}

type Reduction = NonNullable<SoftmaxCrossEntropyOptions['reduction']>;

interface Saved {
  readonly logp: Tensor; // log-softmax of the logits
  readonly safe: Int32Array; // class per row, 0 where ignored
  readonly keep: TypedArray; // 1 per row counted, 0 where ignored (the logits' dtype)
  readonly count: number; // Σ keep, rounded to the logits' dtype (the mean's denominator)
}

const identity = (v: number) => v;

/** Checked class indices (ignored ones set to 0) of `targets` for `numClasses` classes. */
function classIndices(targets: Tensor, numClasses: number, ignoreIndex: number): Int32Array {
  const values = targets.contiguousData();
  const safe = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === ignoreIndex) continue;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new Error(
        `softmaxCrossEntropy: target ${v} at ${fmt(unravelIndex(i, targets.shape))} is not a class index for ${numClasses} classes; ` +
          `expected an integer in 0..${numClasses - 1} (or ignoreIndex ${ignoreIndex})`,
      );
    }
    safe[i] = v;
  }
  return safe;
}

/**
 * The loss as the composed tensor ops compute it: per row −(logp[t]·keep), summed left to right,
 * the mean divided by Σ keep, each step rounded to the logits' dtype.
 */
function forward(x: Tensor, targets: Tensor, ignoreIndex: number, reduction: Reduction): { output: Tensor; saved: Saved } {
  const [N, C] = x.shape as [number, number];
  const safe = classIndices(targets, C, ignoreIndex);
  const logpTensor = logSoftmax(x, 1);
  const logp = logpTensor.contiguousData();
  const round = x.dtype === 'float32' ? Math.fround : identity;
  const raw = targets.contiguousData();
  const keep = allocate(x.dtype, N);
  const per = allocate(x.dtype, N);
  let total = 0, count = 0;
  for (let n = 0; n < N; n++) {
    keep[n] = raw[n] !== ignoreIndex ? 1 : 0;
    per[n] = -round(logp[n * C + safe[n]!]! * keep[n]!);
    total += per[n]!;
    count += keep[n]!;
  }
  count = round(count);
  const saved: Saved = { logp: logpTensor, safe, keep, count };
  if (reduction === 'none') return { output: new Tensor(wrap(per, [N])), saved };
  const value = reduction === 'sum' ? round(total) : round(round(total) / count);
  const out = allocate(x.dtype, 1);
  out[0] = value;
  return { output: new Tensor(wrap(out, [])), saved };
}

/**
 * The gradient in one pass, as the composed chain's vjps compute it: g spread over the rows (÷ Σ
 * keep for the mean), negated and masked (v), scattered into zeros (G), then G − exp(logp)·ΣG.
 */
function fusedGrad(g: Tensor, x: Tensor, reduction: Reduction, s: Saved): Tensor {
  const [N, C] = x.shape as [number, number];
  const gv = g.contiguousData();
  const e = s.logp.exp().contiguousData();
  const out = allocate(x.dtype, N * C);
  if (x.dtype === 'float32') gradRows(Math.fround, gv, e, s, reduction, N, C, out);
  else gradRows(identity, gv, e, s, reduction, N, C, out);
  return new Tensor(wrap(out, [N, C]));
}

/**
 * out = G − round(e·ΣG) row by row, each step rounded by `round`. A row of G holds one value,
 * `picked` = 0 + v at the target (+0 when v is −0), so its sum (0 + … + picked + … + 0) is
 * `picked` exactly.
 */
function gradRows(round: (v: number) => number, gv: TypedArray, e: TypedArray, s: Saved, reduction: Reduction, N: number, C: number, out: TypedArray): void {
  const spread = reduction === 'mean' ? round(gv[0]! / s.count) : gv[0]!;
  const perRow = reduction === 'none';
  for (let n = 0, i = 0; n < N; n++) {
    const v = round(-(perRow ? gv[n]! : spread) * s.keep[n]!);
    const picked = round(0 + v);
    const t = s.safe[n]!;
    for (let c = 0; c < C; c++, i++) out[i] = round((c === t ? picked : 0) - round(e[i]! * picked));
  }
}

/**
 * The composed chain's class indices (ignored ones read class 0), keep mask and Σ keep, as tensor
 * ops on the targets: under vmap the targets may differ per example and no residuals are saved.
 */
function masks(x: Tensor, targets: Tensor, ignoreIndex: number): { index: Tensor; keep: Tensor; count: Tensor } {
  const counted = targets.ne(ignoreIndex);
  const keep = counted.toDType(x.dtype);
  return { index: targets.mul(counted).toDType('int32').unsqueeze(1), keep, count: keep.sum() };
}

/**
 * The gradient with tensor ops: the vjps of div, sum, neg, mul, gather and logSoftmax in the
 * composed chain's order, so it is recorded under createGraph (twice differentiable) and runs
 * under transforms. The log-softmax is recomputed from `x` so that it is part of the graph.
 */
function composedGrad(g: Tensor, x: Tensor, targets: Tensor, ignoreIndex: number, reduction: Reduction): Tensor {
  const [N, C] = x.shape as [number, number];
  const { index, keep, count } = masks(x, targets, ignoreIndex);
  const spread = reduction === 'none' ? g : (reduction === 'mean' ? g.div(count) : g).reshape([1]).expand([N]);
  const v = spread.neg().mul(keep);
  const G = scatterAdd(zeros([N, C], { dtype: x.dtype }), 1, index, v.reshape([N, 1]));
  const logp = logSoftmax(x, 1);
  return G.sub(logp.exp().mul(G.sum(1, true)));
}

const softmaxCrossEntropyOp = defineOp({
  name: 'softmaxCrossEntropy',
  acceptsIntegers: true, // the targets; the logits are checked to be floating before the call
  forward,
  // The one-pass gradient needs plain values: under createGraph or a transform (where g or the
  // targets may be batched or carry tangents, and nothing is saved) the composed chain runs instead.
  vjp: (g, { args: [x, targets, ignoreIndex, reduction], saved }) => [
    !x.requiresGrad ? null
      : saved === undefined || isGradEnabled() || visibleLevels() > 0 ? composedGrad(g, x, targets, ignoreIndex, reduction)
        : fusedGrad(g, x, reduction, saved),
    null,
    null,
    null,
  ],
  // The composed chain's jvps: logSoftmax's, then the linear steps (gather, mask, negate, reduce).
  jvp: ([t], { args: [x, targets, ignoreIndex, reduction] }) => {
    if (!t) return null;
    const [N] = x.shape as [number, number];
    const { index, keep, count } = masks(x, targets, ignoreIndex);
    const logp = logSoftmax(x, 1);
    const dlogp = t.sub(logp.exp().mul(t).sum(1, true));
    const per = dlogp.gather(1, index).reshape([N]).mul(keep).neg();
    return reduction === 'none' ? per : reduction === 'sum' ? per.sum() : per.sum().div(count);
  },
  // The examples' rows stacked into one batch of rows; each example then reduces its own rows.
  batch: ([x, targets, ignoreIndex, reduction], [dx, dt], { op, size }) => {
    const xb = toFront(x, dx, size);
    const [B, N, C] = xb.shape as [number, number, number];
    const labels = toFront(targets, dt, size);
    const per = op(xb.reshape([B * N, C]), labels.reshape([B * N]), ignoreIndex, 'none').reshape([B, N]);
    if (reduction === 'none') return [per, 0];
    if (reduction === 'sum') return [per.sum(1), 0];
    const counted = labels.ne(ignoreIndex).toDType(x.dtype);
    return [per.sum(1).div(counted.sum(1)), 0];
  },
});

/**
 * Cross-entropy of logits `[N, C]` with class-index targets `[N]` (int32, or integer-valued
 * floats): −log softmax(logits)[n, target[n]] per row, reduced. The same values and gradients as
 * `logits.logSoftmax(1)` followed by picking, masking and reducing with tensor ops, computed as one
 * op (one pass forward, one backward). `@tapegrad/nn`'s `crossEntropy` uses it when no class
 * weights or label smoothing are given.
 *
 * @example
 * ```ts
 * const logits = tensor([[2, 0, -1], [0, 3, 0]], { requiresGrad: true });
 * const loss = softmaxCrossEntropy(logits, tensor([0, 1], { dtype: 'int32' })); // 0.1324
 * loss.backward(); // logits.grad = (softmax(logits) − onehot) / 2
 * ```
 * @category Reduction
 */
export function softmaxCrossEntropy(logits: Tensor, targets: Tensor, options: SoftmaxCrossEntropyOptions = {}): Tensor {
  checkTensor('softmaxCrossEntropy', 'logits', logits);
  checkTensor('softmaxCrossEntropy', 'targets', targets);
  const { ignoreIndex = -100, reduction = 'mean' } = checkOptions('softmaxCrossEntropy', options, ['ignoreIndex', 'reduction']);
  checkInt('softmaxCrossEntropy', 'ignoreIndex', ignoreIndex);
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new Error(`softmaxCrossEntropy: reduction must be 'mean', 'sum' or 'none' (got ${describeValue(reduction)})`);
  }
  if (!isFloating(logits.dtype)) throw new Error(`softmaxCrossEntropy: logits must be floating-point, got ${logits.dtype}; convert with toDType('float32')`);
  if (targets.dtype === 'bool') throw new Error(`softmaxCrossEntropy: targets must be class indices (int32), got a bool tensor of shape ${fmt(targets.shape)}`);
  if (logits.ndim !== 2 || targets.ndim !== 1 || targets.shape[0] !== logits.shape[0]) {
    throw new Error(`softmaxCrossEntropy: expected logits [N, C] and targets [N], got ${fmt(logits.shape)} and ${fmt(targets.shape)}`);
  }
  if (logits.shape[1] === 0) throw new Error(`softmaxCrossEntropy: logits ${fmt(logits.shape)} have no classes`);
  return softmaxCrossEntropyOp(logits, targets, ignoreIndex, reduction);
}
