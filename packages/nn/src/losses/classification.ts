// Multi-class losses on class-index targets: nllLoss on log-probabilities, and crossEntropy on
// logits through logSoftmax (stable for any logits), with class weights, ignored targets and
// label smoothing as PyTorch defines them.
import { defineOp, describeValue, fromTyped, softmaxCrossEntropy, unravelIndex, type Tensor, checkTensor } from '@tapegrad/autograd';
import { fmtShape } from '../format.js';
import { perChannel } from '../layers/options.js';
import { checkOptionalTensor, checkReduction, checkSameShape, lossOptions, reduce, type LossOptions, type Reduction } from './reduction.js';

/**
 * Options of {@link nllLoss}.
 *
 * @example
 * ```ts
 * nllLoss(logp, targets, { weight: tensor([1, 2, 1]), ignoreIndex: 0 });
 * ```
 * @category Losses
 */
export interface NllLossOptions extends LossOptions {
  /** Per-class weights `[C]`; the mean is then weighted (divided by the sum of the targets' weights). */
  weight?: Tensor;
  /** Targets equal to this contribute nothing, not even to the mean's count (default -100). */
  ignoreIndex?: number;
}

/**
 * Options of {@link crossEntropy}.
 *
 * @example
 * ```ts
 * crossEntropy(logits, targets, { labelSmoothing: 0.1 });
 * ```
 * @category Losses
 */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: (1 − ε)·onehot + ε / C (default 0). */
  labelSmoothing?: number;
}

/** Class-index targets checked once: safe indices (ignored ones set to 0) and a keep mask. */
interface ClassTargets {
  readonly safe: Tensor;
  readonly keep: Tensor;
}


const isFloat = (t: Tensor) => t.dtype === 'float32' || t.dtype === 'float64';

/** Brings an unbatched `[C]` input (target 0-d) to `[1, C]`, and checks targets are `[N, ...spatial]`. */
function batched(loss: string, input: Tensor, targets: Tensor): { input: Tensor; targets: Tensor; unbatched: boolean } {
  // As PyTorch: a bool tensor is a mask, not class indices (true would silently be class 1).
  if (targets.dtype === 'bool') {
    throw new Error(`${loss}: targets are bool; expected int32 class indices, e.g. targets.toDType('int32')`);
  }
  if (input.ndim === 1 && targets.ndim === 0) return { input: input.unsqueeze(0), targets: targets.reshape([1]), unbatched: true };
  const expected = [input.shape[0]!, ...input.shape.slice(2)];
  if (input.ndim < 1 || fmtShape(targets.shape) !== fmtShape(expected)) {
    throw new Error(
      `${loss}: expected input [N, C] or [N, C, ...] with class-index targets [N] or [N, ...] (or [C] with a 0-d target); ` +
        `got input ${fmtShape(input.shape)} and targets ${fmtShape(targets.shape)}` + (input.ndim >= 2 ? ` (targets should be ${fmtShape(expected)})` : ''),
    );
  }
  return { input, targets, unbatched: false };
}

// The check and the safe indices as an op, so that under vmap (per-example targets, as in
// per-sample gradients) it runs once on every example's targets instead of reading one example.
const safeTargets = defineOp({
  name: 'classTargets',
  acceptsIntegers: true,
  forward: (targets: Tensor, numClasses: number, ignoreIndex: number, loss: string) => {
    const values = targets.contiguousData();
    const safe = new Int32Array(values.length);
    values.forEach((v, i) => {
      if (v === ignoreIndex) return;
      if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
        throw new Error(
          `${loss}: target ${v} at ${fmtShape(unravelIndex(i, targets.shape))} is not a class index for ${numClasses} classes; ` +
            `expected an integer in 0..${numClasses - 1} (or ignoreIndex ${ignoreIndex})`,
        );
      }
      safe[i] = v;
    });
    return fromTyped(safe, targets.shape);
  },
  vjp: () => [null, null, null, null],
  jvp: () => null,
  batch: ([targets, numClasses, ignoreIndex, loss], [d], { op }) => [op(targets, numClasses, ignoreIndex, loss), d],
});

function classTargets(loss: string, targets: Tensor, numClasses: number, ignoreIndex: number, like: Tensor): ClassTargets {
  const safe = safeTargets(targets, numClasses, ignoreIndex, loss);
  return { safe, keep: targets.ne(ignoreIndex).toDType(like.dtype) };
}

/** ignoreIndex: an integer (PyTorch's int), usually negative so that it is never a class. */
function checkIgnoreIndex(loss: string, ignoreIndex: unknown): void {
  if (typeof ignoreIndex !== 'number' || !Number.isSafeInteger(ignoreIndex)) {
    throw new Error(`${loss}: ignoreIndex must be an integer (got ${describeValue(ignoreIndex)}, expected an integer such as -100)`);
  }
}

function checkWeight(loss: string, weight: Tensor | undefined, numClasses: number, input: Tensor): void {
  if (weight === undefined) return;
  if (weight.ndim !== 1 || weight.shape[0] !== numClasses) {
    throw new Error(`${loss}: weight must have shape [${numClasses}] (one per class), got ${fmtShape(weight.shape)}`);
  }
  if (weight.dtype !== input.dtype) throw new Error(`${loss}: weight is ${weight.dtype} but input is ${input.dtype}; convert one with toDType`);
}

/** −w[t]·logp[t] per element and the weights w[t] (0 where ignored), which the mean divides by. */
function pickedNll(logp: Tensor, t: ClassTargets, weight: Tensor | undefined): { perElement: Tensor; weights: Tensor } {
  const picked = logp.gather(1, t.safe.unsqueeze(1)).squeeze(1);
  const weights = weight ? weight.indexSelect(0, t.safe.reshape([t.safe.size])).reshape(t.safe.shape).mul(t.keep) : t.keep;
  return { perElement: picked.mul(weights).neg(), weights };
}

/** Reduction where the mean is over the targets' weights (PyTorch's weighted mean). */
function reduceWeighted(perElement: Tensor, weights: Tensor, reduction: Reduction): Tensor {
  return reduction === 'mean' ? perElement.sum().div(weights.sum()) : reduce(perElement, reduction);
}

/**
 * Negative log-likelihood of class-index targets given log-probabilities `[N, C]` or
 * `[N, C, ...]` (e.g. from `logSoftmax(1)`): −logp[n, target[n]], reduced. Targets are class
 * indices, an int32 tensor (integer-valued float targets are still accepted but deprecated); any
 * other value (except `ignoreIndex`) is an error naming it.
 *
 * @example
 * ```ts
 * const logp = tensor([[0.2, 0.8], [0.6, 0.4]]).log();
 * nllLoss(logp, tensor([1, 0], { dtype: 'int32' })); // −(log 0.8 + log 0.6) / 2 = 0.367
 * ```
 * @category Losses
 */
export function nllLoss(logProbs: Tensor, targets: Tensor, options: NllLossOptions = {}): Tensor {
  checkTensor('nllLoss', 'logProbs', logProbs);
  checkTensor('nllLoss', 'targets', targets);
  const { weight, ignoreIndex = -100, reduction = 'mean' } = lossOptions<NllLossOptions>('nllLoss', options, ['weight', 'ignoreIndex', 'reduction']);
  checkOptionalTensor('nllLoss', 'weight', weight);
  checkIgnoreIndex('nllLoss', ignoreIndex);
  checkReduction('nllLoss', reduction);
  const b = batched('nllLoss', logProbs, targets);
  const C = b.input.shape[1]!;
  checkWeight('nllLoss', weight, C, b.input);
  const { perElement, weights } = pickedNll(b.input, classTargets('nllLoss', b.targets, C, ignoreIndex, b.input), weight);
  const out = reduceWeighted(perElement, weights, reduction);
  return b.unbatched && reduction === 'none' ? out.squeeze(0) : out;
}

/**
 * Cross-entropy of `logits` `[N, C]` or `[N, C, ...]` (unnormalized scores) with class-index
 * targets `[N]` / `[N, ...]` (int32; integer-valued float targets are deprecated), computed through logSoftmax so any logits, even ±1000, give a
 * finite loss and gradient. Targets of the logits' own shape are taken as class probabilities.
 * Options as PyTorch: `weight`, `ignoreIndex`, `labelSmoothing`, `reduction`.
 *
 * @example
 * ```ts
 * const logits = tensor([[2, 0, -1], [0, 3, 0]]);
 * crossEntropy(logits, tensor([0, 1], { dtype: 'int32' }));  // 0.1324
 * crossEntropy(logits, tensor([0, 1]), { labelSmoothing: 0.1 });
 * ```
 * @category Losses
 */
export function crossEntropy(logits: Tensor, targets: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkTensor('crossEntropy', 'logits', logits);
  checkTensor('crossEntropy', 'targets', targets);
  const { weight, ignoreIndex = -100, labelSmoothing = 0, reduction = 'mean' } =
    lossOptions<CrossEntropyOptions>('crossEntropy', options, ['weight', 'ignoreIndex', 'labelSmoothing', 'reduction']);
  checkReduction('crossEntropy', reduction);
  checkOptionalTensor('crossEntropy', 'weight', weight);
  checkIgnoreIndex('crossEntropy', ignoreIndex);
  if (!(typeof labelSmoothing === 'number' && labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new Error(`crossEntropy: labelSmoothing must be in [0, 1] (got ${describeValue(labelSmoothing)}, expected a number in [0, 1])`);
  }
  if (logits.ndim >= 1 && targets.dtype !== 'int32' && fmtShape(targets.shape) === fmtShape(logits.shape)) return softCrossEntropy(logits, targets, options);
  const b = batched('crossEntropy', logits, targets);
  const C = b.input.shape[1]!;
  checkWeight('crossEntropy', weight, C, b.input);
  if (weight === undefined && labelSmoothing === 0 && b.input.ndim === 2 && C > 0 && isFloat(b.input)) {
    // One op for the common case (the same values and gradients as the composed ops below).
    safeTargets(b.targets, C, ignoreIndex, 'crossEntropy');
    const out = softmaxCrossEntropy(b.input, b.targets, { ignoreIndex, reduction });
    return b.unbatched && reduction === 'none' ? out.squeeze(0) : out;
  }
  const logp = b.input.logSoftmax(1);
  const t = classTargets('crossEntropy', b.targets, C, ignoreIndex, b.input);
  const { perElement, weights } = pickedNll(logp, t, weight);
  let out = reduceWeighted(perElement, weights, reduction);
  if (labelSmoothing > 0) {
    // The uniform part: −Σ_c w_c·logp_c per element, reduced with the same denominator as the nll part.
    const weighted = weight ? logp.mul(perChannel(weight, logp.ndim)) : logp;
    const smooth = weighted.sum(1).neg().mul(t.keep);
    out = out.mul(1 - labelSmoothing).add(reduceWeighted(smooth, weights, reduction).mul(labelSmoothing / C));
  }
  return b.unbatched && reduction === 'none' ? out.squeeze(0) : out;
}

/** Cross-entropy against class probabilities (same shape as the logits); the mean is over samples. */
function softCrossEntropy(logits: Tensor, probs: Tensor, { weight, labelSmoothing = 0, reduction = 'mean' }: CrossEntropyOptions): Tensor {
  checkSameShape('crossEntropy', logits, probs, 'probability targets');
  const classAxis = logits.ndim === 1 ? 0 : 1;
  const C = logits.shape[classAxis]!;
  checkWeight('crossEntropy', weight, C, logits);
  const q = labelSmoothing > 0 ? probs.mul(1 - labelSmoothing).add(labelSmoothing / C) : probs;
  let terms = logits.logSoftmax(classAxis).mul(q);
  if (weight) terms = terms.mul(classAxis === 0 ? weight : perChannel(weight, logits.ndim));
  return reduce(terms.sum(classAxis).neg(), reduction);
}
