// Option parsing and up-front shape checks shared by the convolution family, so every op fails
// with its own name and the shapes involved before any kernel runs.
import type { Tensor } from '../tensor.js';
import { fmt } from '../shape.js';
import { outputLength, type Geometry } from '../kernels/im2col.js';
import type { ConvDims } from '../kernels/conv.js';
import { checkOptions, describeValue, fail } from '../validate.js';
import type { Conv2dOptions } from './conv.js';

/** A per-axis setting, [height, width]. */
export type Pair = readonly [number, number];

/** A sliding window: kernel size, stride, zero padding and dilation per axis. */
export interface Window {
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  /** Pooling's ceilMode: a last partial window is kept (default false). */
  readonly ceil?: boolean;
}

/** Reads a number-or-pair option, checking it is an integer (pair) of at least `min`. */
export function pairOf(op: string, name: string, value: number | readonly number[] | undefined, fallback: number, min: number): Pair {
  const v = value ?? fallback;
  const p: readonly number[] = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= min)) {
    const what = min > 0 ? 'a positive integer' : 'a non-negative integer';
    throw new Error(`${op}: ${name} must be ${what} or a pair of them, got ${Array.isArray(value) && value.every((d) => typeof d === 'number') ? `[${value.join(',')}]` : describeValue(value)}`);
  }
  return [p[0]!, p[1]!];
}

/** True for 4-D (batched) input, false for 3-D (unbatched); anything else is an error. */
export function isBatched(op: string, x: Tensor): boolean {
  if (x.ndim === 4) return true;
  if (x.ndim === 3) return false;
  throw new Error(`${op}: expected input of shape [N, C, H, W] or [C, H, W], got ${fmt(x.shape)}`);
}

/** Geometry of `win` over the last two axes of `shape`; throws when the window does not fit the padded input. */
export function geometryOf(op: string, shape: readonly number[], win: Window): Geometry {
  const [H, W] = shape.slice(-2) as [number, number];
  const [kH, kW] = win.kernel;
  const [sH, sW] = win.stride;
  const [pH, pW] = win.padding;
  const [dH, dW] = win.dilation;
  const oH = outputLength(H, kH, sH, pH, dH, win.ceil);
  const oW = outputLength(W, kW, sW, pW, dW, win.ceil);
  if (oH < 1 || oW < 1) {
    const span = [dH * (kH - 1) + 1, dW * (kW - 1) + 1];
    throw new Error(
      `${op}: kernel of size ${fmt(span)}${dH > 1 || dW > 1 ? ' (after dilation)' : ''} is larger than the padded input of size ${fmt([H + 2 * pH, W + 2 * pW])} ` +
        `(input ${fmt(shape)}, padding ${fmt(win.padding)})`,
    );
  }
  return { H, W, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW };
}

/** Throws unless every tensor has the dtype of the first; `names` label them in the message. */
export function sameDType(op: string, tensors: readonly Tensor[], names: readonly string[]): void {
  const dtype = tensors[0]!.dtype;
  tensors.forEach((t, i) => {
    if (t.dtype !== dtype) {
      throw new Error(`${op}: dtype mismatch: ${names[0]} is ${dtype} but ${names[i]} is ${t.dtype}; convert one side (e.g. ${names[i]}.toDType('${dtype}'))`);
    }
  });
}

/** Parsed conv options (numeric padding, symmetric). */
export interface ConvSpec {
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly groups: number;
}

const CONV_KEYS = ['stride', 'padding', 'dilation', 'groups'];

/**
 * Parses conv options. String padding is resolved against the kernel `[kH, kW]`: 'same' gives
 * per-axis [before, after] amounts (after = before or before + 1) in `extra`, the part beyond the
 * symmetric padding that the caller pads explicitly (PyTorch does the same).
 */
export function specOf(op: string, options: Conv2dOptions | undefined, kernel?: Pair): ConvSpec & { extra: Pair } {
  const o = checkOptions(op, options, CONV_KEYS);
  const groups = o.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${describeValue(o.groups)}`);
  const stride = pairOf(op, 'stride', o.stride, 1, 1);
  const dilation = pairOf(op, 'dilation', o.dilation, 1, 1);
  if (typeof o.padding === 'string') {
    if (o.padding === 'valid') return { stride, padding: [0, 0], dilation, groups, extra: [0, 0] };
    if (o.padding !== 'same') fail(op, 'padding must be a number, a pair, \'same\' or \'valid\'', o.padding, "a non-negative integer, [h, w], 'same' or 'valid'");
    if (kernel === undefined) fail(op, "padding 'same' is only for conv1d/conv2d", o.padding, 'numeric padding');
    if (stride[0] !== 1 || stride[1] !== 1) throw new Error(`${op}: padding 'same' needs stride 1 (got stride ${fmt(stride)}), as in PyTorch`);
    const total = [dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)];
    const before: Pair = [Math.floor(total[0]! / 2), Math.floor(total[1]! / 2)];
    return { stride, padding: before, dilation, groups, extra: [total[0]! - 2 * before[0], total[1]! - 2 * before[1]] };
  }
  return { stride, padding: pairOf(op, 'padding', o.padding, 0, 0), dilation, groups, extra: [0, 0] };
}


/** Checks an input shape (4-D) against a weight; `shown` is the input shape as the user passed it. */
export function checkConv(op: string, x: readonly number[], shown: readonly number[], w: readonly number[], s: ConvSpec): ConvDims {
  const C = x[1]!;
  if (C % s.groups !== 0) throw new Error(`${op}: input channels (${C}) are not divisible by groups (${s.groups}) for input ${fmt(shown)}`);
  const Cg = C / s.groups;
  if (w.length !== 4 || w[1] !== Cg || !w.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`${op}: expected weight of shape [O, C/groups, kH, kW] with C/groups = ${Cg}, got ${fmt(w)} for input ${fmt(shown)} and groups ${s.groups}`);
  }
  const O = w[0]!;
  if (O % s.groups !== 0) throw new Error(`${op}: output channels (${O}) of weight ${fmt(w)} are not divisible by groups (${s.groups})`);
  const geo = geometryOf(op, shown, { kernel: [w[2]!, w[3]!], stride: s.stride, padding: s.padding, dilation: s.dilation });
  return { N: x[0]!, C, O, groups: s.groups, geo };
}

