// The non-constant padding modes of `pad` (reflect, replicate, circular). Each output element is
// one input element, chosen per axis by an index map, so the op is a gather and its vjp the
// matching scatter-add; the two are each other's adjoint, which closes the pair under
// differentiation.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { allocate, type TypedArray } from '../dtype.js';
import { fmt, sizeOf } from '../shape.js';
import { contiguousData, wrap } from '../kernels/layout.js';
import { linearJvp, toFront } from './batch-rules.js';

/**
 * How {@link pad} fills the new elements: a constant, a mirror image without repeating the edge
 * (`reflect`), copies of the edge (`replicate`) or the other end of the axis (`circular`).
 *
 * @example
 * ```ts
 * const m: PadMode = 'reflect';
 * ```
 * @category Indexing
 */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

export const PAD_MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

type Mode = Exclude<PadMode, 'constant'>;

/**
 * Input index of each output position along an axis of size n padded by (b, a); negative amounts
 * crop. reflect/replicate index the original axis (so a crop just shifts the window); circular,
 * as PyTorch, crops first and wraps around what is left.
 */
function axisMap(n: number, b: number, a: number, mode: Mode): Int32Array {
  const out = new Int32Array(n + b + a);
  if (mode === 'circular') {
    const m = n + Math.min(b, 0) + Math.min(a, 0);
    const c0 = Math.max(-b, 0);
    const pb = Math.max(b, 0);
    for (let i = 0; i < out.length; i++) out[i] = c0 + ((((i - pb) % m) + m) % m);
    return out;
  }
  for (let i = 0; i < out.length; i++) {
    const j = i - b;
    out[i] = mode === 'replicate' ? Math.min(Math.max(j, 0), n - 1) : j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j;
  }
  return out;
}

function mapsOf(shape: readonly number[], before: readonly number[], after: readonly number[], mode: Mode): Int32Array[] {
  return shape.map((n, d) => (before[d] === 0 && after[d] === 0 ? Int32Array.from({ length: n }, (_, i) => i) : axisMap(n, before[d]!, after[d]!, mode)));
}

/** out = x[maps[0][i0], maps[1][i1], …] over contiguous buffers, or with `scatter` its adjoint: x[…] += out. */
function walk(x: TypedArray, shape: readonly number[], maps: readonly Int32Array[], out: TypedArray, scatter: boolean): void {
  const nd = shape.length;
  if (nd === 0) {
    if (scatter) x[0]! += out[0]!;
    else out[0] = x[0]!;
    return;
  }
  const strides = shape.map((_, d) => sizeOf(shape.slice(d + 1)));
  let k = 0;
  const level = (d: number, base: number): void => {
    const map = maps[d]!;
    if (d === nd - 1) {
      if (scatter) for (let i = 0; i < map.length; i++) x[base + map[i]!]! += out[k++]!;
      else for (let i = 0; i < map.length; i++) out[k++] = x[base + map[i]!]!;
      return;
    }
    for (let i = 0; i < map.length; i++) level(d + 1, base + map[i]! * strides[d]!);
  };
  level(0, 0);
}

export const padModeOp: Op<[Tensor, readonly number[], readonly number[], Mode]> = defineOp({
  name: 'padMode',
  acceptsIntegers: true,
  forward: (x: Tensor, before: readonly number[], after: readonly number[], mode: Mode) => {
    const maps = mapsOf(x.shape, before, after, mode);
    const shape = maps.map((m) => m.length);
    const out = allocate(x.dtype, sizeOf(shape));
    walk(contiguousData(x.data), x.shape, maps, out, false);
    return new Tensor(wrap(out, shape));
  },
  vjp: (g, { args: [x, before, after, mode] }) => [padModeBackward(g, x.shape, before, after, mode), null, null, null],
  jvp: linearJvp(0),
  batch: ([x, before, after, mode], [d], { op, size }) => [op(toFront(x, d, size), [0, ...before], [0, ...after], mode), 0],
});

// The adjoint: each output gradient added back onto the input element it was read from.
const padModeBackward: Op<[Tensor, readonly number[], readonly number[], readonly number[], Mode]> = defineOp({
  name: 'padModeBackward',
  forward: (g: Tensor, shape: readonly number[], before: readonly number[], after: readonly number[], mode: Mode) => {
    const out = allocate(g.dtype, sizeOf(shape));
    walk(out, shape, mapsOf(shape, before, after, mode), contiguousData(g.data), true);
    return new Tensor(wrap(out, shape));
  },
  vjp: (v, { args: [, , before, after, mode] }) => [padModeOp(v, before, after, mode), null, null, null, null],
  jvp: linearJvp(0),
  batch: ([g, shape, before, after, mode], [d], { op, size }) => [op(toFront(g, d, size), [size, ...shape], [0, ...before], [0, ...after], mode), 0],
});

/** PyTorch's limits per padded axis: reflect below the axis size, circular at most one wrap, a non-empty result. */
export function checkModePads(x: Tensor, before: readonly number[], after: readonly number[], mode: Mode, shown: string): void {
  x.shape.forEach((n, d) => {
    const b = before[d]!;
    const a = after[d]!;
    if (b === 0 && a === 0) return;
    const where = `axis ${d} of ${fmt(x.shape)} (got ${b} before and ${a} after)`;
    if (mode === 'reflect' && (b >= n || a >= n)) {
      throw new Error(`pad: reflect padding ${shown} must be less than the size of ${where}`);
    }
    if (mode === 'circular') {
      const m = n + Math.min(b, 0) + Math.min(a, 0);
      if (b > m || a > m) throw new Error(`pad: circular padding ${shown} wraps around more than once on ${where}; each amount must be at most the axis size`);
      return;
    }
    if (n === 0) throw new Error(`pad: cannot ${mode}-pad the empty ${where}`);
    if (n + b + a < 1) throw new Error(`pad: ${mode} padding ${shown} leaves no element on ${where}`);
  });
}
