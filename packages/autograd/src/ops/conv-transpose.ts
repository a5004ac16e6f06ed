// conv1d and the transposed convolutions. A transposed convolution is conv2d's input gradient
// (its adjoint), so convTranspose2d is that op with PyTorch's weight layout [Cin, Cout/groups, kH,
// kW], which is exactly conv2d's [O, C/groups, kH, kW] read the other way; 1-d ops run as 2-d ones
// over a height of 1. Every rule (vjp, jvp, batch) comes from the ops these are built from.
import type { Tensor } from '../tensor.js';
import { fmt } from '../shape.js';
import { checkOptions, checkTensor, fail } from '../validate.js';
import { pairOf, sameDType, type ConvSpec, type Pair } from './conv-args.js';
import { inputGradOp } from './conv-ops.js';
import { conv2d, type Conv2dOptions } from './conv.js';
import { pad } from './pad.js';

/**
 * Options of {@link conv1d}: stride, padding (a number, `'same'` or `'valid'`), dilation, groups.
 *
 * @example
 * ```ts
 * const o: Conv1dOptions = { stride: 2, padding: 1, groups: 2 };
 * ```
 * @category Convolution
 */
export interface Conv1dOptions {
  /** Step between windows (default 1). */
  stride?: number | readonly [number];
  /** Zeros added on both ends (default 0), or `'valid'` (none) or `'same'` (output length = input length; stride must be 1). */
  padding?: number | readonly [number] | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: number | readonly [number];
  /** Input and output channels are split into this many independent groups (default 1). */
  groups?: number;
}

/**
 * Options of {@link convTranspose2d}; each size is a number or `[h, w]`.
 *
 * @example
 * ```ts
 * const o: ConvTranspose2dOptions = { stride: 2, padding: 1, outputPadding: 1 };
 * ```
 * @category Convolution
 */
export interface ConvTranspose2dOptions {
  /** Step between input positions in the output (default 1). */
  stride?: number | readonly [number, number];
  /** `dilation·(kernel − 1) − padding` zeros are implicitly added on both sides of the input (default 0). */
  padding?: number | readonly [number, number];
  /** Extra size added to one side of the output (default 0); must be smaller than stride or dilation. */
  outputPadding?: number | readonly [number, number];
  /** Spacing between kernel taps (default 1). */
  dilation?: number | readonly [number, number];
  /** Input and output channels are split into this many independent groups (default 1). */
  groups?: number;
}

/**
 * Options of {@link convTranspose1d}: as {@link ConvTranspose2dOptions} with one number per setting.
 *
 * @example
 * ```ts
 * const o: ConvTranspose1dOptions = { stride: 2, outputPadding: 1 };
 * ```
 * @category Convolution
 */
export interface ConvTranspose1dOptions {
  /** Step between input positions in the output (default 1). */
  stride?: number | readonly [number];
  /** `dilation·(kernel − 1) − padding` zeros are implicitly added on both ends of the input (default 0). */
  padding?: number | readonly [number];
  /** Extra length added to one end of the output (default 0); must be smaller than stride or dilation. */
  outputPadding?: number | readonly [number];
  /** Spacing between kernel taps (default 1). */
  dilation?: number | readonly [number];
  /** Input and output channels are split into this many independent groups (default 1). */
  groups?: number;
}

const KEYS_1D = ['stride', 'padding', 'dilation', 'groups'];
const KEYS_T = ['stride', 'padding', 'outputPadding', 'dilation', 'groups'];

/** A 1-d setting (a number or [n]) as the [1-or-0, n] pair of the 2-d op running underneath. */
function lift(op: string, name: string, v: unknown, fallback: number, min: number, lead: number): Pair {
  if (v === undefined) return [lead, fallback];
  const n = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    fail(op, `${name} must be ${min > 0 ? 'a positive' : 'a non-negative'} integer`, v, min > 0 ? 'an integer >= 1' : 'an integer >= 0');
  }
  return [lead, n];
}

function groupsOf(op: string, v: unknown): number {
  const g = v ?? 1;
  if (typeof g !== 'number' || !Number.isInteger(g) || g < 1) fail(op, 'groups must be a positive integer', v, 'an integer >= 1');
  return g;
}

/** Shape checks of a 1-d input/weight pair, in 1-d terms, before the 2-d op runs. */
function check1d(op: string, input: Tensor, weight: Tensor): boolean {
  if (input.ndim !== 3 && input.ndim !== 2) throw new Error(`${op}: expected input of shape [N, C, L] or [C, L], got ${fmt(input.shape)}`);
  if (weight.ndim !== 3) throw new Error(`${op}: expected a 3-d weight, got ${fmt(weight.shape)}`);
  return input.ndim === 3;
}

/**
 * 1-D convolution (cross-correlation, as PyTorch's `conv1d`) of `input` [N, C, L] (or [C, L]) with
 * `weight` [O, C/groups, k], plus an optional `bias` [O]: {@link conv2d} over a height of 1, so
 * the same options (as single numbers) and the same rules.
 *
 * @example
 * ```ts
 * const x = randn([2, 4, 16]);
 * const w = randn([8, 4, 3], { requiresGrad: true });
 * conv1d(x, w, null, { padding: 'same' }).shape; // [2, 8, 16]
 * ```
 * @category Convolution
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv1dOptions = {}): Tensor {
  const op = 'conv1d';
  checkTensor(op, 'input', input);
  checkTensor(op, 'weight', weight);
  if (bias !== undefined && bias !== null) checkTensor(op, 'bias', bias);
  const o = checkOptions(op, options, KEYS_1D);
  const batched = check1d(op, input, weight);
  const stride = lift(op, 'stride', o.stride, 1, 1, 1);
  const dilation = lift(op, 'dilation', o.dilation, 1, 1, 1);
  const groups = groupsOf(op, o.groups);
  let padding: Conv2dOptions['padding'];
  if (o.padding === 'same' || o.padding === 'valid') {
    if (o.padding === 'same' && stride[1] !== 1) throw new Error(`${op}: padding 'same' needs stride 1 (got stride ${stride[1]}), as in PyTorch`);
    padding = o.padding;
  } else {
    if (typeof o.padding === 'string') fail(op, "padding must be a number, 'same' or 'valid'", o.padding, "a non-negative integer, 'same' or 'valid'");
    padding = lift(op, 'padding', o.padding, 0, 0, 0);
  }
  const [C, L] = input.shape.slice(-2) as [number, number];
  const [O, Cg, k] = weight.shape as [number, number, number];
  if (C % groups !== 0 || Cg * groups !== C) {
    throw new Error(`${op}: expected weight of shape [O, C/groups, k] with C/groups = ${C / groups}, got ${fmt(weight.shape)} for input ${fmt(input.shape)} and groups ${groups}`);
  }
  if (O % groups !== 0) throw new Error(`${op}: output channels (${O}) of weight ${fmt(weight.shape)} are not divisible by groups (${groups})`);
  const span = dilation[1] * (k - 1) + 1;
  const padded = typeof padding === 'string' ? (padding === 'same' ? L + span - 1 : L) : L + 2 * padding[1];
  if (k < 1 || padded < span) throw new Error(`${op}: kernel of size ${span} is larger than the padded input of length ${padded} (input ${fmt(input.shape)})`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new Error(`${op}: expected bias of shape [${O}], got ${fmt(bias.shape)}`);
  sameDType(op, bias ? [input, weight, bias] : [input, weight], ['input', 'weight', 'bias']);
  const y = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, { stride, padding, dilation, groups });
  return y.squeeze(batched ? 2 : 1);
}

interface TransposeSpec extends ConvSpec {
  readonly outputPadding: Pair;
}

/** Checks a 4-D input and weight against the options; returns the output shape and the conv spec. */
function transposeShape(op: string, x: readonly number[], w: readonly number[], s: TransposeSpec, shown: readonly number[], shownW: readonly number[]): number[] {
  // 1-d ops report their settings as single numbers (the height of 1 underneath is theirs alone).
  const f = (p: readonly number[]) => (shownW.length === 3 ? String(p[1]) : fmt(p));
  const [N, Cin, H, W] = x as [number, number, number, number];
  if (w.length !== 4 || w[0] !== Cin || Cin % s.groups !== 0) {
    throw new Error(`${op}: expected weight of shape [Cin, Cout/groups, ${shownW.length === 3 ? 'k' : 'kH, kW'}] with Cin = ${Cin} divisible by groups (${s.groups}), got ${fmt(shownW)} for input ${fmt(shown)}`);
  }
  [0, 1].forEach((a) => {
    const p = s.outputPadding[a]!;
    if (p >= s.stride[a]! && p >= s.dilation[a]!) {
      throw new Error(`${op}: outputPadding must be smaller than either stride or dilation, got outputPadding ${f(s.outputPadding)}, stride ${f(s.stride)}, dilation ${f(s.dilation)}`);
    }
  });
  if (H === 0 || W === 0) throw new Error(`${op}: an empty spatial axis has no transposed convolution (input ${fmt(shown)}); only the batch or channel axis may be empty, as in PyTorch`);
  const size = [H, W].map((n, a) => (n - 1) * s.stride[a]! - 2 * s.padding[a]! + s.dilation[a]! * (w[2 + a]! - 1) + s.outputPadding[a]! + 1);
  if (size.some((n) => n < 1)) throw new Error(`${op}: the output size ${f(size)} is too small for input ${fmt(shown)} and weight ${fmt(shownW)} with padding ${f(s.padding)}`);
  return [N, w[1]! * s.groups, size[0]!, size[1]!];
}

/** The transposed convolution of a checked 4-D input: conv2d's input gradient, plus the bias. */
function transposed(x: Tensor, w: Tensor, bias: Tensor | null, s: TransposeSpec, out: readonly number[]): Tensor {
  // With outputPadding >= stride (allowed when below dilation) the forward convolution over the
  // output has more positions than the input holds: those get zeros.
  const extra = [0, 1].map((a) => Math.floor(s.outputPadding[a]! / s.stride[a]!));
  const xx = extra[0]! > 0 || extra[1]! > 0 ? pad(x, [0, extra[1]!, 0, extra[0]!]) : x;
  const y = inputGradOp(xx, w, out, { stride: s.stride, padding: s.padding, dilation: s.dilation, groups: s.groups });
  return bias ? y.add(bias.reshape([1, bias.shape[0]!, 1, 1])) : y;
}

function checkBias(op: string, bias: Tensor | null | undefined, cout: number): void {
  if (bias === undefined || bias === null) return;
  checkTensor(op, 'bias', bias);
  if (bias.ndim !== 1 || bias.shape[0] !== cout) throw new Error(`${op}: expected bias of shape [${cout}] (one per output channel), got ${fmt(bias.shape)}`);
}

/**
 * 2-D transposed convolution (PyTorch's `conv_transpose2d`, the gradient of {@link conv2d} with
 * respect to its input) of `input` [N, Cin, H, W] (or [Cin, H, W]) with `weight`
 * [Cin, Cout/groups, kH, kW] plus an optional `bias` [Cout]. The output is [N, Cout, H', W'] with
 * H' = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1. Differentiable to any
 * order in input, weight and bias.
 *
 * @example
 * ```ts
 * const x = randn([1, 8, 4, 4]);
 * const w = randn([8, 3, 3, 3], { requiresGrad: true });
 * convTranspose2d(x, w, null, { stride: 2, padding: 1, outputPadding: 1 }).shape; // [1, 3, 8, 8]
 * ```
 * @category Convolution
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTranspose2dOptions = {}): Tensor {
  const op = 'convTranspose2d';
  checkTensor(op, 'input', input);
  checkTensor(op, 'weight', weight);
  const o = checkOptions(op, options, KEYS_T);
  const s: TransposeSpec = {
    stride: pairOf(op, 'stride', o.stride, 1, 1), padding: pairOf(op, 'padding', o.padding, 0, 0),
    outputPadding: pairOf(op, 'outputPadding', o.outputPadding, 0, 0), dilation: pairOf(op, 'dilation', o.dilation, 1, 1), groups: groupsOf(op, o.groups),
  };
  if (input.ndim !== 4 && input.ndim !== 3) throw new Error(`${op}: expected input of shape [N, Cin, H, W] or [Cin, H, W], got ${fmt(input.shape)}`);
  const x = input.ndim === 4 ? input : input.unsqueeze(0);
  const out = transposeShape(op, x.shape, weight.shape, s, input.shape, weight.shape);
  checkBias(op, bias, out[1]!);
  sameDType(op, bias ? [input, weight, bias] : [input, weight], ['input', 'weight', 'bias']);
  const y = transposed(x, weight, bias ?? null, s, out);
  return input.ndim === 4 ? y : y.squeeze(0);
}

/**
 * 1-D transposed convolution (PyTorch's `conv_transpose1d`) of `input` [N, Cin, L] (or [Cin, L])
 * with `weight` [Cin, Cout/groups, k] plus an optional `bias` [Cout]: {@link convTranspose2d} over
 * a height of 1. The output length is (L − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1.
 *
 * @example
 * ```ts
 * const x = randn([2, 4, 10]);
 * convTranspose1d(x, randn([4, 2, 3]), null, { stride: 2 }).shape; // [2, 2, 21]
 * ```
 * @category Convolution
 */
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTranspose1dOptions = {}): Tensor {
  const op = 'convTranspose1d';
  checkTensor(op, 'input', input);
  checkTensor(op, 'weight', weight);
  const o = checkOptions(op, options, KEYS_T);
  const batched = check1d(op, input, weight);
  const s: TransposeSpec = {
    stride: lift(op, 'stride', o.stride, 1, 1, 1), padding: lift(op, 'padding', o.padding, 0, 0, 0),
    outputPadding: lift(op, 'outputPadding', o.outputPadding, 0, 0, 0), dilation: lift(op, 'dilation', o.dilation, 1, 1, 1), groups: groupsOf(op, o.groups),
  };
  const x = (batched ? input : input.unsqueeze(0)).unsqueeze(2);
  const w = weight.unsqueeze(2);
  const out = transposeShape(op, x.shape, w.shape, s, input.shape, weight.shape);
  checkBias(op, bias, out[1]!);
  sameDType(op, bias ? [input, weight, bias] : [input, weight], ['input', 'weight', 'bias']);
  const y = transposed(x, w, bias ?? null, s, out).squeeze(2);
  return batched ? y : y.squeeze(0);
}
