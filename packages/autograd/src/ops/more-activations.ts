// relu6, hardtanh, selu, mish and prelu. Forwards are scalar kernels that cannot overflow;
// vjps are tensor ops (masks for the kinked ones), so the smooth ones are differentiable twice.
import { Tensor } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { map1, map2 } from '../kernels/elementwise.js';
import { softplusStable } from '../kernels/activation.js';
import { fmt } from '../shape.js';
import { gt, lt } from './compare.js';
import { where } from './elementwise.js';
import { sigmoid } from './activation.js';
import { assertFiniteNumber, need } from './pointwise.js';
import { batchElementwise } from './batch-rules.js';
import { checkTensor } from '../validate.js';

const hardtanhOp = defineOp({
  name: 'hardtanh',
  forward: (x: Tensor, lo: number, hi: number) => new Tensor(map1(x.data, (v) => (v < lo ? lo : v > hi ? hi : v))),
  // The gradient passes strictly inside (lo, hi): 0 at the corners, as PyTorch's hardtanh_backward.
  vjp: (g, { args: [x, lo, hi] }) => [g.mul(gt(x, lo).mul(lt(x, hi))), null, null],
  jvp: ([t], { args: [x, lo, hi] }) => (t ? t.mul(gt(x, lo).mul(lt(x, hi))) : null),
  batch: batchElementwise,
});

/**
 * Clamps to `[minVal, maxVal]` (default [-1, 1]); the gradient is 1 strictly inside and 0 at and
 * beyond the corners, as PyTorch.
 *
 * @example
 * ```ts
 * hardtanh(tensor([-2, 0.5, 3])); // [-1, 0.5, 1]
 * hardtanh(tensor([5]), 0, 2);    // [2]
 * ```
 * @category Activation
 */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  checkTensor('hardtanh', 'x', x);
  assertFiniteNumber('hardtanh', 'minVal', minVal);
  assertFiniteNumber('hardtanh', 'maxVal', maxVal);
  if (minVal > maxVal) throw new Error(`hardtanh: minVal (${minVal}) is greater than maxVal (${maxVal})`);
  return hardtanhOp(x, minVal, maxVal);
}

/**
 * `min(max(x, 0), 6)`: {@link hardtanh} on [0, 6] (gradient 0 at 0 and 6, as PyTorch).
 *
 * @example
 * ```ts
 * relu6(tensor([-1, 3, 8])); // [0, 3, 6]
 * ```
 * @category Activation
 */
export function relu6(x: Tensor): Tensor {
  checkTensor('relu6', 'x', x);
  return hardtanhOp(x, 0, 6);
}

/** The SELU constants of Klambauer et al. (2017), to the digits PyTorch uses. */
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

const seluSlope = (x: Tensor, out: Tensor) => where(gt(x, 0), SELU_SCALE, out.add(SELU_SCALE * SELU_ALPHA));

const seluOp = defineOp({
  name: 'selu',
  forward: (x: Tensor) => new Tensor(map1(x.data, (v) => SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)))),
  // For x ≤ 0 the slope scale·α·e^x equals out + scale·α; reading it off the output avoids e^x,
  // which overflows in the unused x > 0 branch (0 · Inf = NaN in second order).
  vjp: (g, { args: [x], output }) => [g.mul(seluSlope(x, output))],
  jvp: ([t], { args: [x], output }) => (t ? t.mul(seluSlope(x, output)) : null),
  batch: batchElementwise,
});

/**
 * Scaled exponential linear unit: scale·x for x > 0, scale·α(e^x − 1) otherwise, with
 * α ≈ 1.6733 and scale ≈ 1.0507 (self-normalizing networks).
 *
 * @example
 * ```ts
 * selu(tensor([-1, 1])); // [-1.1113, 1.0507]
 * ```
 * @category Activation
 */
export function selu(x: Tensor): Tensor {
  checkTensor('selu', 'x', x);
  return seluOp(x);
}

// d/dx x·tanh(sp(x)) = t + x·σ(x)·(1 − t²), t = tanh(softplus(x)); softplus' = σ.
function mishSlope(x: Tensor): Tensor {
  const t = x.softplus(1, Infinity).tanh();
  return t.add(x.mul(sigmoid(x)).mul(t.square().neg().add(1)));
}

const mishOp = defineOp({
  name: 'mish',
  forward: (x: Tensor) => new Tensor(map1(x.data, (v) => v * Math.tanh(softplusStable(v)))),
  vjp: (g, { args: [x] }) => [g.mul(mishSlope(x))],
  jvp: ([t], { args: [x] }) => (t ? t.mul(mishSlope(x)) : null),
  batch: batchElementwise,
});

/**
 * Mish, x·tanh(softplus(x)) (Misra 2019), finite for any input.
 *
 * @example
 * ```ts
 * mish(tensor([-1, 0, 1])); // [-0.3034, 0, 0.8651]
 * ```
 * @category Activation
 */
export function mish(x: Tensor): Tensor {
  checkTensor('mish', 'x', x);
  return mishOp(x);
}

const preluOp = defineOp({
  name: 'prelu',
  // `w` arrives expanded to x's shape (a recorded broadcast whose vjp sums it back).
  forward: (x: Tensor, w: Tensor) => new Tensor(map2(x.data, w.data, (v, a) => (v > 0 ? v : a * v))),
  vjp: (g, { args: [x, w] }) => {
    const pos = gt(x, 0);
    return [need(x, () => g.mul(where(pos, 1, w))), need(w, () => g.mul(where(pos, 0, x)))];
  },
  jvp: ([tx, tw], { args: [x, w] }) => {
    const pos = gt(x, 0);
    const dx = tx ? tx.mul(where(pos, 1, w)) : null;
    const dw = tw ? tw.mul(where(pos, 0, x)) : null;
    return dx && dw ? dx.add(dw) : (dx ?? dw);
  },
  batch: batchElementwise,
});

/**
 * Parametric relu: x for x > 0 and `weight · x` otherwise, with a learned slope per channel
 * (`weight` of one element, or one per channel of axis 1 as PyTorch; inputs of rank < 2 take a
 * one-element weight). Both `x` and `weight` get gradients.
 *
 * @example
 * ```ts
 * prelu(tensor([[-2, 3], [-4, -5]]), tensor([0.1, 0.5])); // [[-0.2, 3], [-0.4, -2.5]]
 * ```
 * @category Activation
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  checkTensor('prelu', 'x', x);
  checkTensor('prelu', 'weight', weight);
  if (weight.dtype !== x.dtype) throw new Error(`prelu: weight is ${weight.dtype} but input is ${x.dtype}; convert one side (e.g. weight.toDType('${x.dtype}'))`);
  if (weight.ndim > 1) throw new Error(`prelu: weight must be 0-d or 1-D, got shape ${fmt(weight.shape)}`);
  const channels = x.ndim >= 2 ? x.shape[1]! : 1;
  if (weight.size !== 1 && weight.size !== channels) {
    throw new Error(`prelu: weight has ${weight.size} elements but the input (shape ${fmt(x.shape)}) has ${channels} channel${channels === 1 ? '' : 's'} on axis 1; pass 1 or ${channels}`);
  }
  const aligned = weight.size === 1 ? weight.reshape([]) : weight.reshape([channels, ...x.shape.slice(2).map(() => 1)]);
  return preluOp(x, aligned.expand(x.shape));
}
