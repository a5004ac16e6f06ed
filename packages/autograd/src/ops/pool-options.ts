// Options of the pooling ops (1-d and 2-d), parsed and checked up front so every error names the
// op and the values given, as PyTorch's checks do. 1-d pools run as 2-d ones over a height of 1.
import type { Tensor } from '../tensor.js';
import { fmt } from '../shape.js';
import { outputLength } from '../kernels/im2col.js';
import { checkBoolean, checkOptions, fail } from '../validate.js';
import type { Pair, Window } from './conv-args.js';

/**
 * Options shared by {@link maxPool2d} and {@link avgPool2d}; each size is a number or `[h, w]`.
 *
 * @example
 * ```ts
 * const o: Pool2dOptions = { kernelSize: 3, stride: 2, padding: 1, ceilMode: true };
 * ```
 * @category Convolution
 */
export interface Pool2dOptions {
  /** Window size. */
  kernelSize: number | readonly [number, number];
  /** Step between windows (default: the kernel size). */
  stride?: number | readonly [number, number];
  /** Implicit padding on both sides of each spatial axis, at most half the kernel size (default 0). */
  padding?: number | readonly [number, number];
  /** Round the output size up instead of down, keeping a last partial window that starts inside the input (default false). */
  ceilMode?: boolean;
}

/**
 * Options of {@link maxPool2d}: {@link Pool2dOptions} plus `dilation` and `returnIndices`.
 *
 * @example
 * ```ts
 * const o: MaxPool2dOptions = { kernelSize: 2, dilation: 2, returnIndices: true };
 * ```
 * @category Convolution
 */
export interface MaxPool2dOptions extends Pool2dOptions {
  /** Spacing between window taps (default 1). */
  dilation?: number | readonly [number, number];
  /** Also return, for each output, the flat position (h·W + w) of its maximum within its input plane, as int32 (default false). */
  returnIndices?: boolean;
}

/**
 * Options of {@link avgPool2d}: {@link Pool2dOptions} plus `countIncludePad` and `divisorOverride`.
 *
 * @example
 * ```ts
 * const o: AvgPool2dOptions = { kernelSize: 3, padding: 1, countIncludePad: false };
 * ```
 * @category Convolution
 */
export interface AvgPool2dOptions extends Pool2dOptions {
  /** Whether padded zeros count in the divisor (default true, as in PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window sum by this (a non-zero integer) instead of the window size. */
  divisorOverride?: number;
}

/**
 * Options of {@link maxPool1d}: as {@link MaxPool2dOptions} with one number per setting.
 *
 * @example
 * ```ts
 * const o: MaxPool1dOptions = { kernelSize: 3, stride: 2, padding: 1 };
 * ```
 * @category Convolution
 */
export interface MaxPool1dOptions {
  /** Window size. */
  kernelSize: number | readonly [number];
  /** Step between windows (default: the kernel size). */
  stride?: number | readonly [number];
  /** Implicit padding on both sides, at most half the kernel size (default 0). */
  padding?: number | readonly [number];
  /** Spacing between window taps (default 1). */
  dilation?: number | readonly [number];
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Also return the position of each maximum along the input, as int32 (default false). */
  returnIndices?: boolean;
}

/**
 * Options of {@link avgPool1d}: as {@link AvgPool2dOptions} with one number per setting (PyTorch's
 * `avg_pool1d` has no divisor override).
 *
 * @example
 * ```ts
 * const o: AvgPool1dOptions = { kernelSize: 3, padding: 1, countIncludePad: false };
 * ```
 * @category Convolution
 */
export interface AvgPool1dOptions {
  /** Window size. */
  kernelSize: number | readonly [number];
  /** Step between windows (default: the kernel size). */
  stride?: number | readonly [number];
  /** Implicit padding on both sides, at most half the kernel (default 0). */
  padding?: number | readonly [number];
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Whether padded zeros count in the divisor (default true). */
  countIncludePad?: boolean;
}

/** A pooling window over the last two axes (1-d pools use a height of 1), with the averaging settings. */
export interface PoolSpec extends Window {
  readonly ceil: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
}

const MAX_KEYS = ['kernelSize', 'stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'];
const AVG2_KEYS = ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'];
const AVG1_KEYS = ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad'];

/** Reads an n-tuple option (a number stands for all axes), each an integer of at least `min`. */
function tupleOf(op: string, name: string, value: unknown, fallback: readonly number[], min: number, n: number): number[] {
  if (value === undefined) return [...fallback];
  const list = typeof value === 'number' ? Array<number>(n).fill(value) : value;
  if (!Array.isArray(list) || list.length !== n || !list.every((d) => Number.isInteger(d) && d >= min)) {
    const what = min > 0 ? 'a positive integer' : 'a non-negative integer';
    fail(op, `${name} must be ${what}${n > 1 ? ' or a pair of them' : ''}`, value, n > 1 ? `${what} or [h, w]` : what);
  }
  return list as number[];
}

/** The spatial axes (the last `n`) of an input of rank n + 2 (batched) or n + 1; anything else is an error. */
export function poolBatched(op: string, x: Tensor, n: number): boolean {
  if (x.ndim === n + 2) return true;
  if (x.ndim === n + 1) return false;
  const names = n === 2 ? 'H, W' : 'L';
  throw new Error(`${op}: expected input of shape [N, C, ${names}] or [C, ${names}], got ${fmt(x.shape)}`);
}

/**
 * Parses pooling options for an n-d pool (n = 1 or 2) of `x` and checks the window fits, returning
 * the 2-d spec and whether `x` has a batch axis. `kind` selects the allowed keys.
 */
export function poolSpec(op: string, x: Tensor, options: unknown, n: 1 | 2, kind: 'max' | 'avg'): { spec: PoolSpec; batched: boolean; returnIndices: boolean } {
  const keys = kind === 'max' ? MAX_KEYS : n === 2 ? AVG2_KEYS : AVG1_KEYS;
  if (options === undefined || options === null) fail(op, 'options must be an object with kernelSize', options, `an object with keys among ${keys.join(', ')}`);
  const o = checkOptions(op, options as Record<string, unknown>, keys);
  if (o.kernelSize === undefined) fail(op, 'kernelSize is required', undefined, n === 2 ? 'a positive integer or [kH, kW]' : 'a positive integer');
  const kernel = tupleOf(op, 'kernelSize', o.kernelSize, [], 1, n);
  const stride = tupleOf(op, 'stride', o.stride, kernel, 1, n);
  const padding = tupleOf(op, 'padding', o.padding, Array<number>(n).fill(0), 0, n);
  const dilation = tupleOf(op, 'dilation', o.dilation, Array<number>(n).fill(1), 1, n);
  const ceil = o.ceilMode === undefined ? false : checkBoolean(op, 'ceilMode', o.ceilMode);
  const countIncludePad = o.countIncludePad === undefined ? true : checkBoolean(op, 'countIncludePad', o.countIncludePad);
  const returnIndices = o.returnIndices === undefined ? false : checkBoolean(op, 'returnIndices', o.returnIndices);
  const divisorOverride = o.divisorOverride === undefined ? null : (o.divisorOverride as number);
  if (divisorOverride !== null && (!Number.isSafeInteger(divisorOverride) || divisorOverride === 0)) {
    fail(op, 'divisorOverride must be a non-zero integer', o.divisorOverride, 'a non-zero integer');
  }
  const shown = (a: readonly number[]) => (n === 1 ? String(a[0]) : fmt(a));
  const span = kernel.map((k, i) => dilation[i]! * (k - 1) + 1);
  // Past half a kernel a window could hold only padding: PyTorch refuses it (for max pooling too,
  // against the kernel size, not the dilated span).
  if (padding.some((p, i) => p > kernel[i]! / 2)) {
    throw new Error(`${op}: padding ${shown(padding)} must be at most half the kernel size ${shown(kernel)}`);
  }
  const batched = poolBatched(op, x, n);
  const sizes = x.shape.slice(-n);
  const out = sizes.map((s, i) => outputLength(s, kernel[i]!, stride[i]!, padding[i]!, dilation[i]!, ceil));
  if (out.some((s) => s < 1)) {
    throw new Error(
      `${op}: kernel of size ${shown(span)}${dilation.some((d) => d > 1) ? ' (after dilation)' : ''} is larger than the padded input of size ` +
        `${shown(sizes.map((s, i) => s + 2 * padding[i]!))} (input ${fmt(x.shape)}, padding ${shown(padding)})`,
    );
  }
  const two = (a: readonly number[], pad: number): Pair => (n === 2 ? [a[0]!, a[1]!] : [pad, a[0]!]);
  const spec: PoolSpec = {
    kernel: two(kernel, 1), stride: two(stride, 1), padding: two(padding, 0), dilation: two(dilation, 1), ceil, countIncludePad, divisorOverride,
  };
  return { spec, batched, returnIndices };
}
