// Building blocks of jvp and batching rules (see `jvp` and `batch` in defineOp). Most batching rules
// move the batch axis of every argument to the front and run the op itself with its axes shifted by one.
// Only Tensor methods and creation functions are used here, so no op made by defineOp is imported
// (no load-order cycle).
import type { Tensor } from '../tensor.js';
import { onesLike, zerosLike } from './creation.js';
import type { BatchContext, JvpContext, OpSpec, Tangents, VjpContext } from '../define-op.js';

/**
 * The jvp rule of an op acting on each element of its first argument alone (other arguments being
 * non-tensor parameters): its Jacobian is diagonal, hence its own transpose, so J·t is the vjp
 * applied to t. Use it as a method (`jvp: diagonalJvp`) so it reaches the op's own vjp.
 */
export function diagonalJvp<Args extends readonly unknown[], Saved>(
  this: OpSpec<Args, Saved>,
  tangents: Tangents<Args>,
  ctx: VjpContext<Args, Saved>,
): Tensor | null {
  const t = tangents[0] as unknown as Tensor | null;
  return t === null ? null : ((this.vjp(t, ctx) as readonly unknown[])[0] as Tensor | null);
}

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

/**
 * The batching rule of an op called as `op(x, axes, ...rest)` with `axes` a list of axes of `x`:
 * batch at 0 and shift the axes by one.
 */
export function batchAxes<Args extends readonly unknown[]>(args: Args, dims: readonly unknown[], ctx: BatchContext<Args>): readonly [Tensor, number] {
  const [x, axes, ...rest] = args as unknown as [Tensor, readonly number[], ...unknown[]];
  const moved = [toFront(x, dims[0] as number | null, ctx.size), shiftAxes(axes), ...rest] as unknown as Args;
  return [ctx.op(...moved), 0];
}

/**
 * The jvp rule of a reduction `op(x, axes, keepDims)`: each output element depends only on the
 * elements reduced into it, with weights ∂out/∂x that the vjp applied to ones spreads over x;
 * J·t sums t times those weights over the reduced axes.
 */
export function reductionJvp<Args extends readonly unknown[], Saved>(
  this: OpSpec<Args, Saved>,
  tangents: Tangents<Args>,
  ctx: VjpContext<Args, Saved>,
): Tensor | null {
  const t = tangents[0] as unknown as Tensor | null;
  if (t === null) return null;
  const [, axes, keepDims] = ctx.args as unknown as [Tensor, readonly number[], boolean];
  const weights = (this.vjp(onesLike(ctx.output), ctx) as readonly unknown[])[0] as Tensor;
  return weights.mul(t).sum(axes, keepDims);
}

/** Replaces the tensors of `args` at `positions` (tensor-list arguments element by element). */
function replaceAt(args: readonly unknown[], positions: readonly number[], f: (a: Tensor, i: number, j: number) => Tensor | null): unknown[] {
  return args.map((a, i) => {
    if (!positions.includes(i)) return a;
    return Array.isArray(a) ? a.map((x: Tensor, j) => f(x, i, j)) : f(a as Tensor, i, -1);
  });
}

function tangentAt(tangents: readonly unknown[], i: number, j: number): Tensor | null {
  const t = tangents[i];
  return ((j < 0 ? t : (t as readonly unknown[])[j]) ?? null) as Tensor | null;
}

/**
 * The jvp rule of an op linear in the tensor arguments at `positions` (jointly; any other tensor
 * argument, such as an index, is held fixed): J·t is the op applied to the tangents, zeros standing
 * in for missing ones.
 */
export function linearJvp(...positions: number[]) {
  return <Args extends readonly unknown[], Saved>(tangents: Tangents<Args>, ctx: JvpContext<Args, Saved>): Tensor | null => {
    const ts = tangents as readonly unknown[];
    const any = positions.some((i) => (Array.isArray(ts[i]) ? (ts[i] as unknown[]).some((t) => t) : ts[i]));
    if (!any) return null;
    const args = replaceAt(ctx.args, positions, (a, i, j) => tangentAt(ts, i, j) ?? zerosLike(a));
    return ctx.op(...(args as unknown as Args));
  };
}

/**
 * The jvp rule of an op linear in each of the tensor arguments at `positions` separately
 * (bilinear, like matmul): J·t is the sum over those arguments of the op with that one argument
 * replaced by its tangent.
 */
export function multilinearJvp(...positions: number[]) {
  return <Args extends readonly unknown[], Saved>(tangents: Tangents<Args>, ctx: JvpContext<Args, Saved>): Tensor | null => {
    const ts = tangents as readonly unknown[];
    let total: Tensor | null = null;
    for (const p of positions) {
      const t = ts[p] as Tensor | null;
      if (!t) continue;
      const args = ctx.args.map((a, i) => (i === p ? t : a)) as unknown as Args;
      const term = ctx.op(...args);
      total = total ? total.add(term) : term;
    }
    return total;
  };
}

/** For ops on [N, ...] inputs whose N items are independent: the examples folded into N ([B·N, ...]). */
export function intoN(x: Tensor, d: number | null, size: number): Tensor {
  const xb = toFront(x, d, size);
  return xb.reshape([size * xb.shape[1]!, ...xb.shape.slice(2)]);
}

/** Undoes {@link intoN} on an op's [B·N, ...] output: [B, N, ...], batch at 0. */
export function outOfN(out: Tensor, size: number): readonly [Tensor, number] {
  return [out.reshape([size, size === 0 ? 0 : out.shape[0]! / size, ...out.shape.slice(1)]), 0];
}

/** A per-example shape [N, ...] as the folded shape [B·N, ...]. */
export function shapeIntoN(shape: readonly number[], size: number): number[] {
  return [size * shape[0]!, ...shape.slice(1)];
}
