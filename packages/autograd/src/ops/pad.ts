// Padding (negative amounts crop): the constant mode here, the others in pad-modes.ts. Constant: The vjp is the matching slice of the gradient, or,
// when something was cropped, the opposite padding of it with zeros.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { allocate } from '../dtype.js';
import { fmt, sizeOf } from '../shape.js';
import { wrap } from '../kernels/layout.js';
import { copyBlock } from '../kernels/indexing.js';
import { slice } from './movement.js';
import { checkNumber, checkTensor, fail } from '../validate.js';
import { toFront } from './batch-rules.js';
import { checkModePads, padModeOp, PAD_MODES, type PadMode } from './pad-modes.js';

export type { PadMode } from './pad-modes.js';

/**
 * Padding amounts for {@link pad}, in one of two layouts:
 * - a flat list as in PyTorch's `F.pad`, in pairs starting from the **last** axis:
 *   `[left, right]` pads the last axis, `[left, right, top, bottom]` the last two, and so on;
 *   axes not reached are left alone;
 * - a list of `[before, after]` pairs, one per axis **starting from axis 0**, as in NumPy's
 *   `np.pad` (it must have exactly one pair per axis).
 *
 * Negative amounts crop instead of padding.
 *
 * @example
 * ```ts
 * const lastAxis: PadSpec = [1, 2];                // 1 before, 2 after on the last axis
 * const perAxis: PadSpec = [[0, 0], [1, 2]];       // the same for a 2-D tensor, NumPy style
 * ```
 * @category Indexing
 */
export type PadSpec = readonly number[] | readonly (readonly [number, number])[];

const padOp: Op<[Tensor, readonly number[], readonly number[], number]> = defineOp({
  name: 'pad',
  acceptsIntegers: true,
  forward: (x: Tensor, before: readonly number[], after: readonly number[], value: number) => {
    const shape = x.shape.map((n, d) => n + before[d]! + after[d]!);
    const data = allocate(x.dtype, sizeOf(shape));
    if (value !== 0) data.fill(x.dtype === 'bool' ? 1 : value);
    const out = wrap(data, shape);
    // The part of x that survives cropping, and where it lands.
    const from = before.map((b) => Math.max(0, -b));
    const to = before.map((b) => Math.max(0, b));
    const size = x.shape.map((n, d) => Math.max(0, n - from[d]! - Math.max(0, -after[d]!)));
    copyBlock(out, to, x.data, from, size);
    return new Tensor(out);
  },
  vjp: (g, { args: [x, before, after] }) => {
    if (before.every((b) => b >= 0) && after.every((a) => a >= 0)) {
      return [slice(g, ...x.shape.map((n, d) => [before[d]!, before[d]! + n] as const)), null, null, null];
    }
    return [padOp(g, before.map((b) => -b), after.map((a) => -a), 0), null, null, null];
  },
  // Affine in x: the fill value is a constant, so the tangent is padded with zeros.
  jvp: ([t], { args: [, before, after], op }) => (t ? op(t, before, after, 0) : null),
  batch: ([x, before, after, value], [d], { op, size }) => [op(toFront(x, d, size), [0, ...before], [0, ...after], value), 0],
});

/** Per-axis (before, after) amounts from either layout of {@link PadSpec}. */
function resolvePads(x: Tensor, pads: PadSpec): [number[], number[]] {
  const before = x.shape.map(() => 0);
  const after = x.shape.map(() => 0);
  if (!Array.isArray(pads)) fail('pad', 'pads must be an array', pads, 'an array of integers or of [before, after] pairs');
  const shown = JSON.stringify(pads);
  if (pads.length > 0 && Array.isArray(pads[0])) {
    if (pads.length !== x.ndim || !pads.every((p) => Array.isArray(p) && p.length === 2)) {
      throw new Error(`pad: per-axis padding ${shown} must have one [before, after] pair for each of the ${x.ndim} axes of ${fmt(x.shape)}`);
    }
    (pads as readonly (readonly [number, number])[]).forEach(([b, a], d) => {
      before[d] = b;
      after[d] = a;
    });
  } else {
    const flat = pads as readonly unknown[];
    if (flat.some((p) => typeof p !== 'number')) throw new Error(`pad: padding ${shown} mixes numbers and [before, after] pairs`);
    if (flat.length % 2 !== 0 || flat.length > 2 * x.ndim) {
      throw new Error(`pad: padding ${shown} must have an even length of at most ${2 * x.ndim} (two per axis of ${fmt(x.shape)}, from the last axis)`);
    }
    for (let i = 0; i < flat.length / 2; i++) {
      before[x.ndim - 1 - i] = flat[2 * i] as number;
      after[x.ndim - 1 - i] = flat[2 * i + 1] as number;
    }
  }
  if (![...before, ...after].every(Number.isInteger)) throw new Error(`pad: padding amounts must be integers, got ${shown}`);
  x.shape.forEach((n, d) => {
    // As in PyTorch, the crops (negative amounts) apply first and may remove at most the whole axis.
    if (n + Math.min(before[d]!, 0) + Math.min(after[d]!, 0) < 0) {
      throw new Error(`pad: padding ${shown} crops more than the ${n} element(s) of axis ${d} of ${fmt(x.shape)} (got ${before[d]} before and ${after[d]} after, expected crops totalling at most ${n})`);
    }
    if (n + before[d]! + after[d]! < 0) {
      throw new Error(`pad: padding ${shown} would give axis ${d} of ${fmt(x.shape)} a negative size (${n + before[d]! + after[d]!})`);
    }
  });
  return [before, after];
}

/**
 * Pads `x`, like PyTorch's `F.pad(x, pads, mode, value)`; negative amounts crop. See
 * {@link PadSpec} for the two layouts of `pads`. The third argument is the {@link PadMode}
 * (default `'constant'`) or, as a shorthand, the constant `value` itself:
 * - `'constant'`: fill with `value` (default 0);
 * - `'reflect'`: mirror without repeating the edge (`[1, 2, 3]` → `[3, 2, 1, 2, 3, 2]` for `[2, 1]`); each amount must be less than the axis size;
 * - `'replicate'`: repeat the edge element;
 * - `'circular'`: wrap around (each amount at most the axis size; crops apply first, as PyTorch).
 *
 * Unlike PyTorch, the non-constant modes are not limited to the last 1–3 axes of 2- to 5-d inputs.
 *
 * @example
 * ```ts
 * pad(tensor([1, 2]), [1, 2]);                     // [0, 1, 2, 0, 0]
 * pad(tensor([[1, 2]]), [[1, 0], [0, 1]], 9);     // [[9, 9, 9], [1, 2, 9]]
 * pad(tensor([1, 2, 3]), [-1, 0]);                 // [2, 3]
 * pad(tensor([1, 2, 3]), [2, 1], 'reflect');       // [3, 2, 1, 2, 3, 2]
 * pad(tensor([1, 2, 3]), [2, 1], 'replicate');     // [1, 1, 1, 2, 3, 3]
 * pad(tensor([1, 2, 3]), [2, 1], 'circular');      // [2, 3, 1, 2, 3, 1]
 * ```
 * @category Indexing
 */
export function pad(x: Tensor, pads: PadSpec, mode: PadMode | number = 'constant', value?: number): Tensor {
  checkTensor('pad', 'x', x);
  if (typeof mode === 'number') {
    if (value !== undefined) fail('pad', 'a value was given twice (as the mode argument and as value)', value, "pad(x, pads, 'constant', value) or pad(x, pads, value)");
    return pad(x, pads, 'constant', mode);
  }
  if (!PAD_MODES.includes(mode)) fail('pad', 'unknown mode', mode, `a number (the constant value) or one of ${PAD_MODES.map((m) => `'${m}'`).join(', ')}`);
  if (mode !== 'constant' && value !== undefined && value !== 0) {
    throw new Error(`pad: mode '${mode}' takes no value (got ${value}); only 'constant' padding fills with a value`);
  }
  checkNumber('pad', 'value', value ?? 0);
  const [before, after] = resolvePads(x, pads);
  if (mode === 'constant') return padOp(x, before, after, value ?? 0);
  checkModePads(x, before, after, mode, JSON.stringify(pads));
  return padModeOp(x, before, after, mode);
}
