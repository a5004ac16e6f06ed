// Building blocks of batching rules (see `batch` in defineOp): most rules move the batch axis of
// every argument to the front and run the op itself with its axes shifted by one.
// Only Tensor methods are used here, so this file imports no op module (no load-order cycle).
import type { Tensor } from '../tensor.js';
import type { BatchContext } from '../define-op.js';

/** `x` with its batch axis `d` moved to axis 0; an unbatched `x` is broadcast to `size` examples (a view). */
export function toFront(x: Tensor, d: number | null, size: number): Tensor {
  if (d === null) return x.unsqueeze(0).expand([size, ...x.shape]);
  if (d === 0) return x;
  const dims = x.shape.map((_, i) => i);
  dims.splice(d, 1);
  return x.permute([d, ...dims]);
}

/** `x` with its batch axis moved to 0, or `x` untouched when unbatched (for arguments that broadcast). */
export function frontOrShared(x: Tensor, d: number | null): Tensor {
  return d === null ? x : toFront(x, d, 0);
}

/**
 * The rule of an op whose tensor arguments all have the output's shape and which acts on each
 * element (or each position) alike: batch every tensor at axis 0, run the op, batch at 0.
 */
export function batchElementwise<Args extends readonly unknown[]>(args: Args, dims: readonly unknown[], ctx: BatchContext<Args>): readonly [Tensor, number] {
  const moved = args.map((a, i) => (dims[i] === undefined ? a : toFront(a as Tensor, dims[i] as number | null, ctx.size))) as unknown as Args;
  return [ctx.op(...moved), 0];
}

/** Shifts a non-negative axis (or list of axes) of the per-example tensor to the batched tensor (batch at 0). */
export function shiftAxes(axes: readonly number[]): number[] {
  return axes.map((a) => a + 1);
}

/** Per-example shape → batched shape with the batch at 0. */
export function batchedShape(shape: readonly number[], size: number): number[] {
  return [size, ...shape];
}
