// Gradient clipping, applied to `.grad` in place between backward() and step(), as
// torch.nn.utils.clip_grad_norm_ / clip_grad_value_ do.
import { Tensor, describeValue, peekGrad } from '@tapegrad/autograd';
import { checkBoolean, checkLimit, checkOptionsOf, ensure } from './checks.js';
import { readValues, writeInPlace } from './storage.js';

/**
 * Options of {@link clipGradNorm}.
 *
 * @example
 * ```ts
 * const opts: ClipGradNormOptions = { errorIfNonfinite: true };
 * ```
 * @category Clipping
 */
export interface ClipGradNormOptions {
  /** Throw instead of clipping when the total norm is NaN or infinite (default false). */
  errorIfNonfinite?: boolean;
}

function gradsOf(who: string, parameters: unknown): Tensor[] {
  const iterable = parameters !== null && typeof parameters === 'object' && Symbol.iterator in parameters;
  if (!(parameters instanceof Tensor) && !iterable) {
    throw new Error(`${who}: parameters must be a Tensor or an iterable of Tensors (got ${describeValue(parameters)}, expected e.g. model.parameters())`);
  }
  const params: unknown[] = parameters instanceof Tensor ? [parameters] : Array.from(parameters as Iterable<unknown>);
  params.forEach((p, i) => ensure(p instanceof Tensor, who, `parameters[${i}] must be a Tensor (got ${describeValue(p)}, expected a Tensor)`));
  // peekGrad: clipping reads and scales the gradients in place and keeps none of them.
  return (params as Tensor[]).map((p) => peekGrad(p)).filter((g): g is Tensor => g !== null);
}

/**
 * Rescales the gradients of `parameters` so that their total norm (the norm of all gradients
 * concatenated into one vector) is at most `maxNorm`, and returns the norm before clipping.
 * Parameters without a gradient are ignored. `normType` may be any p > 0 or `Infinity` (the
 * largest absolute value).
 *
 * Gradients are scaled by `maxNorm / (norm + 1e-6)` when that is below 1, as in PyTorch.
 *
 * @example
 * ```ts
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0);
 * if (norm > 100) console.warn(`exploding gradients: ${norm}`);
 * optimizer.step();
 * ```
 * @category Clipping
 */
export function clipGradNorm(parameters: Iterable<Tensor> | Tensor, maxNorm: number, normType = 2, options: ClipGradNormOptions = {}): number {
  checkLimit('clipGradNorm', 'maxNorm', maxNorm);
  ensure(typeof normType === 'number' && normType > 0, 'clipGradNorm', `invalid normType (got ${describeValue(normType)}, expected a number > 0 or Infinity)`);
  const { errorIfNonfinite = false } = checkOptionsOf<ClipGradNormOptions>('clipGradNorm', options, ['errorIfNonfinite']);
  checkBoolean('clipGradNorm', 'errorIfNonfinite', errorIfNonfinite);
  const grads = gradsOf('clipGradNorm', parameters);
  if (grads.length === 0) return 0;
  const total = totalNorm(grads, normType);
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new Error(`clipGradNorm: the total norm of order ${normType} of the gradients is ${total}; pass { errorIfNonfinite: false } to clip anyway`);
  }
  const coef = maxNorm / (total + 1e-6);
  // `!(coef >= 1)` also scales by a NaN coefficient, so a NaN norm shows up in every gradient as in PyTorch.
  if (!(coef >= 1)) {
    for (const g of grads) {
      writeInPlace(g, (G) => {
        for (let i = 0; i < G.length; i++) G[i] = G[i]! * coef;
      });
    }
  }
  return total;
}

function totalNorm(grads: readonly Tensor[], p: number): number {
  if (p === Infinity) {
    let max = 0;
    for (const g of grads) {
      for (const v of readValues(g)) {
        const a = Math.abs(v);
        if (a > max || Number.isNaN(a)) max = a;
      }
    }
    return max;
  }
  let sum = 0;
  for (const g of grads) {
    const G = readValues(g);
    if (p === 2) for (let i = 0; i < G.length; i++) sum += G[i]! * G[i]!;
    else if (p === 1) for (let i = 0; i < G.length; i++) sum += Math.abs(G[i]!);
    else for (let i = 0; i < G.length; i++) sum += Math.abs(G[i]!) ** p;
  }
  return p === 1 ? sum : p === 2 ? Math.sqrt(sum) : sum ** (1 / p);
}

/**
 * Clamps every gradient entry of `parameters` to `[-clipValue, clipValue]` in place.
 *
 * @example
 * ```ts
 * loss.backward();
 * clipGradValue(model.parameters(), 0.5);
 * optimizer.step();
 * ```
 * @category Clipping
 */
export function clipGradValue(parameters: Iterable<Tensor> | Tensor, clipValue: number): void {
  checkLimit('clipGradValue', 'clipValue', clipValue);
  for (const g of gradsOf('clipGradValue', parameters)) {
    writeInPlace(g, (G) => {
      for (let i = 0; i < G.length; i++) G[i] = Math.min(Math.max(G[i]!, -clipValue), clipValue);
    });
  }
}
