// In-place updates for optimizers and initializers. They bypass the tape, so they refuse to run
// where they could corrupt it: on a tensor that requires grad while recording is on.
import { ndView } from '../kernels/nd-view.js';
import ops from 'ndarray-ops';
import type { Tensor, TensorLike } from '../tensor.js';
import { isGradEnabled, noGrad } from '../grad-mode.js';
import { broadcastShapes, fmt, sameShape } from '../shape.js';
import { assertNotTracer } from '../transform-levels.js';
import { flushPending } from '../kernels/fused/lazy.js';

function target(op: string, t: Tensor): void {
  assertNotTracer(op, t);
  if (isGradEnabled() && t.requiresGrad) {
    throw new Error(`${op}: in-place update of a tensor that requires grad (shape ${fmt(t.shape)}) would corrupt the tape; wrap it in noGrad()`);
  }
  // Deferred results read their operands when computed: compute those reading t before it changes.
  flushPending(t);
}

/** `other` as a view of `t`'s shape (broadcast only from other to t, never the reverse). */
function operand(op: string, t: Tensor, other: Tensor): Tensor['data'] {
  assertNotTracer(op, other);
  if (other.dtype !== t.dtype) throw new Error(`${op}: dtype mismatch: ${t.dtype} tensor updated with ${other.dtype}`);
  if (sameShape(other.shape, t.shape)) return other.data;
  const shape = broadcastShapes(op, t.shape, other.shape);
  if (!sameShape(shape, t.shape)) throw new Error(`${op}: cannot update a tensor of shape ${fmt(t.shape)} in place with shape ${fmt(other.shape)}`);
  return noGrad(() => other.expand(t.shape)).data;
}

function apply(op: string, t: Tensor, other: TensorLike, scalarKernel: (a: Tensor['data'], s: number) => void, kernel: (a: Tensor['data'], b: Tensor['data']) => void): Tensor {
  target(op, t);
  if (t.size === 0) return t;
  if (t.ndim === 0) {
    // ndarray-ops has no 0-d loops; a 1-element view of the same cell does the same work.
    scalarKernel(ndView(t.data.data, [1], [1], t.data.offset), typeof other === 'number' ? other : other.item());
    return t;
  }
  if (typeof other === 'number') scalarKernel(t.data, other);
  else kernel(t.data, operand(op, t, other));
  return t;
}

/** Implements {@link Tensor.copy_}. */
export function copyInPlace(t: Tensor, src: TensorLike): Tensor {
  return apply('copy_', t, src, (a, s) => ops.assigns(a, s), (a, b) => ops.assign(a, b));
}

/** Implements {@link Tensor.add_}: t += alpha·other. */
export function addInPlace(t: Tensor, other: TensorLike, alpha = 1): Tensor {
  if (typeof other === 'number') return apply('add_', t, other * alpha, (a, s) => ops.addseq(a, s), () => {});
  if (alpha === 1) return apply('add_', t, other, () => {}, (a, b) => ops.addeq(a, b));
  const scaled = noGrad(() => other.mul(alpha));
  return apply('add_', t, scaled, () => {}, (a, b) => ops.addeq(a, b));
}

/** Implements {@link Tensor.mul_}. */
export function mulInPlace(t: Tensor, other: TensorLike): Tensor {
  return apply('mul_', t, other, (a, s) => ops.mulseq(a, s), (a, b) => ops.muleq(a, b));
}
