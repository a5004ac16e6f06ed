// Shape arithmetic shared by every op: broadcasting, axis normalization, strides.
import { checkAxis, checkInt, checkShape, fail } from './validate.js';

/** Formats a shape the way error messages print it: `[2,3]`. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Row-major strides for a contiguous array of this shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function assertShape(op: string, shape: readonly number[]): void {
  checkShape(op, 'shape', shape);
}

/** NumPy broadcasting of any number of shapes; the error names the op and every shape. */
export function broadcastShapes(op: string, ...shapes: (readonly number[])[]): number[] {
  let ndim = 0;
  for (const s of shapes) ndim = Math.max(ndim, s.length);
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    const lead = ndim - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const o = out[lead + i]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[lead + i] = d;
      else {
        throw new Error(
          `${op}: shapes ${shapes.map(fmt).join(' and ')} cannot be broadcast together (axis ${lead + i - ndim}: ${o} vs ${d})`,
        );
      }
    }
  }
  return out;
}

/** Resolves a possibly negative axis against `ndim`, or throws naming the op. */
export function normalizeAxis(op: string, axis: number, ndim: number): number {
  return checkAxis(op, 'axis', axis, ndim);
}

/** Normalizes an axis list (undefined = all axes), sorted and without repeats. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined | null, ndim: number): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: ndim }, (_, i) => i);
  if (typeof axes !== 'number' && !Array.isArray(axes)) fail(op, 'axis must be an integer or an array of integers', axes, 'an integer, an array of integers or undefined');
  const list = (typeof axes === 'number' ? [axes] : [...axes]).map((a) => normalizeAxis(op, a, ndim));
  const sorted = [...new Set(list)].sort((a, b) => a - b);
  if (sorted.length !== list.length) throw new Error(`${op}: repeated axis in [${list.join(',')}]`);
  return sorted;
}

/** The shape left after reducing `axes`, with size-1 axes kept when `keepDims`. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/**
 * The axes along which `from` was broadcast to reach `to`: leading axes that `from` lacks
 * and axes where `from` has size 1 but `to` does not. Summing over them undoes the broadcast.
 */
export function broadcastAxes(from: readonly number[], to: readonly number[]): { lead: number; axes: number[] } {
  const lead = to.length - from.length;
  const axes: number[] = [];
  for (let i = 0; i < to.length; i++) {
    if (i < lead || (from[i - lead] === 1 && to[i] !== 1)) axes.push(i);
  }
  return { lead, axes };
}

/**
 * The multi-index of element `flat` in a row-major tensor of `shape` (NumPy's `unravel_index`),
 * e.g. to name the element an error or a check is about.
 *
 * @example
 * ```ts
 * unravelIndex(5, [2, 3]); // [1, 2]
 * ```
 * @category Shape
 */
export function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const dims = checkShape('unravelIndex', 'shape', shape);
  checkInt('unravelIndex', 'flat', flat, { min: 0, max: Math.max(0, sizeOf(dims) - 1) });
  if (sizeOf(dims) === 0) fail('unravelIndex', 'a shape with no elements has no index', shape, 'a shape with at least one element');
  shape = dims;
  const out = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return out;
}
