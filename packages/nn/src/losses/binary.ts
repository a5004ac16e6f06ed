// Binary cross-entropy, on probabilities (with PyTorch's log clamp) and on logits (stable form).
import { defineOp, type Tensor, type BatchContext, checkTensor } from '@tapegrad/autograd';
import { fmtShape } from '../format.js';
import { checkOptionalTensor, checkReduction, checkSameShape, lossOptions, reduce, type LossOptions } from './reduction.js';

/**
 * Options of {@link binaryCrossEntropy}.
 *
 * @example
 * ```ts
 * binaryCrossEntropy(p, y, { weight: tensor([1, 2, 1]) });
 * ```
 * @category Losses
 */
export interface BinaryCrossEntropyOptions extends LossOptions {
  /** Per-element weights, broadcast against the input (e.g. one per class). */
  weight?: Tensor;
}

/**
 * Options of {@link binaryCrossEntropyWithLogits}.
 *
 * @example
 * ```ts
 * binaryCrossEntropyWithLogits(logits, y, { posWeight: tensor([3]) });
 * ```
 * @category Losses
 */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** Weight of the positive term per class (broadcast along the last axis): > 1 favours recall. */
  posWeight?: Tensor;
}

const clampedLog = (x: Tensor) => x.log().clamp(-100);
const clampedLog1m = (x: Tensor) => x.neg().log1p().clamp(-100);

// Its own op because composing log, clamp and mul gives 0 · ∞ = NaN gradients at p = 0 or 1; the
// vjp is PyTorch's: (p − y) / max(p(1 − p), 1e-12), finite everywhere.
const dLossDp = (p: Tensor, y: Tensor) => p.sub(y).div(p.mul(p.neg().add(1)).clamp(1e-12));
const dLossDy = (p: Tensor) => clampedLog1m(p).sub(clampedLog(p));

/** Both operands at batch axis 0 (an unbatched one broadcast along it): the op is elementwise. */
const front = (t: Tensor, d: number | null, size: number): Tensor =>
  d === null ? t.unsqueeze(0).expand([size, ...t.shape]) : d === 0 ? t : t.permute([d, ...t.shape.map((_, i) => i).filter((i) => i !== d)]);

const bceOp = defineOp({
  name: 'binaryCrossEntropy',
  forward: (p: Tensor, y: Tensor) => {
    // Checked here, on what the op really receives: under vmap that is every example, not one.
    const values = p.contiguousData();
    const bad = values.findIndex((v) => !(v >= 0 && v <= 1));
    if (bad >= 0) {
      throw new Error(`binaryCrossEntropy: input must hold probabilities in [0, 1], got ${values[bad]} at flat position ${bad}; apply sigmoid first or use binaryCrossEntropyWithLogits`);
    }
    // As PyTorch: a target outside [0, 1] (or NaN) is not a probability, and the loss of one is meaningless.
    const targets = y.contiguousData();
    const badTarget = targets.findIndex((v) => !(v >= 0 && v <= 1));
    if (badTarget >= 0) {
      throw new Error(`binaryCrossEntropy: target must hold values in [0, 1], got ${targets[badTarget]} at flat position ${badTarget} (expected probabilities or 0/1 labels)`);
    }
    return y.mul(clampedLog(p)).add(y.neg().add(1).mul(clampedLog1m(p))).neg();
  },
  vjp: (g, { args: [p, y] }) => [p.requiresGrad ? g.mul(dLossDp(p, y)) : null, y.requiresGrad ? g.mul(dLossDy(p)) : null],
  jvp: ([tp, ty], { args: [p, y] }) => {
    const a = tp ? tp.mul(dLossDp(p, y)) : null;
    const b = ty ? ty.mul(dLossDy(p)) : null;
    return a && b ? a.add(b) : (a ?? b);
  },
  batch: ([p, y], [dp, dy], { size, op }: BatchContext<[Tensor, Tensor]>) => [op(front(p, dp, size), front(y, dy, size)), 0],
});

/** True when `shape` broadcasts to `target` without enlarging it (NumPy rules, aligned on the right). */
function broadcastsTo(shape: readonly number[], target: readonly number[]): boolean {
  const offset = target.length - shape.length;
  return offset >= 0 && shape.every((d, i) => d === 1 || d === target[i + offset]);
}

function checkFactor(loss: string, name: string, factor: Tensor | undefined, input: Tensor): void {
  if (factor === undefined) return;
  if (!broadcastsTo(factor.shape, input.shape)) {
    throw new Error(`${loss}: ${name} of shape ${fmtShape(factor.shape)} does not broadcast to the input shape ${fmtShape(input.shape)}`);
  }
  if (factor.dtype !== input.dtype) throw new Error(`${loss}: ${name} is ${factor.dtype} but input is ${input.dtype}; convert one with toDType`);
}

/**
 * Binary cross-entropy of probabilities `input` in [0, 1] against targets `y` (same shape):
 * −(y·log p + (1 − y)·log(1 − p)), each log clamped at −100 as PyTorch, so p = 0 or 1 stays finite.
 * Prefer {@link binaryCrossEntropyWithLogits} on raw scores: it is stabler.
 *
 * @example
 * ```ts
 * binaryCrossEntropy(tensor([0.9, 0.2]), tensor([1, 0])); // −(log 0.9 + log 0.8) / 2 = 0.1643
 * ```
 * @category Losses
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BinaryCrossEntropyOptions = {}): Tensor {
  checkTensor('binaryCrossEntropy', 'input', input);
  checkTensor('binaryCrossEntropy', 'target', target);
  const { weight, reduction = 'mean' } = lossOptions<BinaryCrossEntropyOptions>('binaryCrossEntropy', options, ['weight', 'reduction']);
  checkOptionalTensor('binaryCrossEntropy', 'weight', weight);
  checkReduction('binaryCrossEntropy', reduction);
  checkSameShape('binaryCrossEntropy', input, target);
  checkFactor('binaryCrossEntropy', 'weight', weight, input);
  const perElement = bceOp(input, target);
  return reduce(weight ? perElement.mul(weight) : perElement, reduction);
}

/**
 * Binary cross-entropy on logits x (sigmoid folded in) against targets y (same shape):
 * max(x, 0) − x·y + log(1 + e^−|x|), finite with a finite gradient for any x (±1000 included).
 * With `posWeight` the positive term is scaled: pw·y·softplus(−x) + (1 − y)·softplus(x).
 *
 * @example
 * ```ts
 * binaryCrossEntropyWithLogits(tensor([0, 1000, -1000]), tensor([1, 1, 0]), { reduction: 'none' }); // [0.6931, 0, 0]
 * ```
 * @category Losses
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BinaryCrossEntropyWithLogitsOptions = {},
): Tensor {
  checkTensor('binaryCrossEntropyWithLogits', 'input', input);
  checkTensor('binaryCrossEntropyWithLogits', 'target', target);
  const { weight, posWeight, reduction = 'mean' } = lossOptions<BinaryCrossEntropyWithLogitsOptions>('binaryCrossEntropyWithLogits', options, ['weight', 'posWeight', 'reduction']);
  checkOptionalTensor('binaryCrossEntropyWithLogits', 'weight', weight);
  checkOptionalTensor('binaryCrossEntropyWithLogits', 'posWeight', posWeight);
  checkReduction('binaryCrossEntropyWithLogits', reduction);
  checkSameShape('binaryCrossEntropyWithLogits', input, target);
  checkFactor('binaryCrossEntropyWithLogits', 'weight', weight, input);
  checkFactor('binaryCrossEntropyWithLogits', 'posWeight', posWeight, input);
  // softplus(z) = −logSigmoid(−z) = max(z, 0) + log1p(e^−|z|): a sum of non-negative terms, so
  // y·softplus(−x) + (1 − y)·softplus(x) equals the formula above without cancellation.
  const positive = input.logSigmoid().neg().mul(target);
  const negative = input.neg().logSigmoid().neg().mul(target.neg().add(1));
  const perElement = (posWeight ? positive.mul(posWeight) : positive).add(negative);
  return reduce(weight ? perElement.mul(weight) : perElement, reduction);
}
