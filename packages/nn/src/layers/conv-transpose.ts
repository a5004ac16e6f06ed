// Transposed convolution layers (PyTorch's ConvTranspose1d/2d): weight [in, out/groups, ...kernel],
// initialized as PyTorch's _ConvNd (kaiming-uniform with a = √5 on that weight, bias bound 1/√fanIn
// where fanIn = out/groups · kernel size).
import { convTranspose1d, convTranspose2d, zeros, type Tensor, checkTensor } from '@tapegrad/autograd';
import * as init from '../init.js';
import type { Module } from '../module.js';
import { ConvNd } from './conv-base.js';
import { Parameter } from '../parameter.js';
import { fmtShape, shortName } from '../format.js';
import { checkDType, type LayerOptions } from './options.js';
import { convCommon, named, pair, single, type Size2 } from './conv.js';

const KEYS = ['stride', 'padding', 'outputPadding', 'dilation', 'groups', 'bias', 'paddingMode', 'dtype', 'generator'];

/**
 * Options of {@link ConvTranspose2d} (defaults as PyTorch: stride 1, padding 0, outputPadding 0,
 * groups 1, bias, dilation 1; only the `'zeros'` padding mode, as PyTorch).
 *
 * @example
 * ```ts
 * new ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1, outputPadding: 1 });
 * ```
 * @category Layers
 */
export interface ConvTranspose2dLayerOptions extends LayerOptions {
  /** Step between input positions in the output. */
  stride?: Size2;
  /** `dilation·(kernel − 1) − padding` zeros added on both sides of the input. */
  padding?: Size2;
  /** Extra size on one side of the output; below stride or dilation. */
  outputPadding?: Size2;
  /** Spacing between kernel taps. */
  dilation?: Size2;
  /** Split input and output channels into this many independent groups. */
  groups?: number;
  /** Add a learned bias per output channel (default `true`). */
  bias?: boolean;
  /** Only `'zeros'` (PyTorch supports no other mode for transposed convolutions). */
  paddingMode?: 'zeros';
}

/**
 * Options of {@link ConvTranspose1d}: as {@link ConvTranspose2dLayerOptions} with one number each.
 *
 * @example
 * ```ts
 * new ConvTranspose1d(16, 8, 4, { stride: 2, padding: 1 });
 * ```
 * @category Layers
 */
export interface ConvTranspose1dLayerOptions extends LayerOptions {
  /** Step between input positions in the output. */
  stride?: number | readonly [number];
  /** `dilation·(kernel − 1) − padding` zeros added on both ends of the input. */
  padding?: number | readonly [number];
  /** Extra length at one end of the output; below stride or dilation. */
  outputPadding?: number | readonly [number];
  /** Spacing between kernel taps. */
  dilation?: number | readonly [number];
  /** Split input and output channels into this many independent groups. */
  groups?: number;
  /** Add a learned bias per output channel (default `true`). */
  bias?: boolean;
  /** Only `'zeros'`. */
  paddingMode?: 'zeros';
}

/** PyTorch's _ConvNd.reset_parameters on the transposed layout (its fan-in is out/groups · kernel). */
function transposedParameters(layer: string, inChannels: number, outChannels: number, kernel: readonly number[], options: ConvTranspose1dLayerOptions | ConvTranspose2dLayerOptions) {
  const c = convCommon(layer, inChannels, outChannels, options, KEYS);
  if (c.paddingMode !== 'zeros') throw new Error(`${layer}: only paddingMode 'zeros' is supported for transposed convolutions (got '${c.paddingMode}'), as in PyTorch`);
  const { dtype, generator } = options;
  const weight = new Parameter(zeros([inChannels, outChannels / c.groups, ...kernel], { dtype }));
  if (weight.size > 0) init.kaimingUniform(weight, { a: Math.sqrt(5), generator });
  let bias: Parameter | null = null;
  if (c.bias) {
    const [fanIn] = init.fans(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    bias = init.uniform(new Parameter(zeros([outChannels], { dtype })), { low: -bound, high: bound, generator });
  }
  return { groups: c.groups, weight, bias };
}

/**
 * PyTorch's _output_padding: the outputPadding that gives `outputSize` (the spatial sizes, or the
 * whole shape), which must lie between the smallest output and that plus stride − 1.
 */
function outputPaddingFor(layer: Module, x: Tensor, outputSize: readonly number[], k: readonly number[], s: readonly number[], p: readonly number[], d: readonly number[]): number[] {
  const n = k.length;
  const name = shortName(layer);
  if (!Array.isArray(outputSize) || (outputSize.length !== n && outputSize.length !== n + 2) || !outputSize.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new Error(`${name}: outputSize must be ${n} or ${n + 2} non-negative integers, got ${JSON.stringify(outputSize)}`);
  }
  const want = outputSize.slice(-n);
  const input = x.shape.slice(-n);
  const min = input.map((v, a) => (v - 1) * s[a]! - 2 * p[a]! + d[a]! * (k[a]! - 1) + 1);
  const max = min.map((v, a) => v + s[a]! - 1);
  if (want.some((v, a) => v < min[a]! || v > max[a]!)) {
    throw new Error(`${name}: requested an output size of ${fmtShape(want)}, but valid sizes range from ${fmtShape(min)} to ${fmtShape(max)} (for an input of ${fmtShape(input)})`);
  }
  return want.map((v, a) => v - min[a]!);
}

function checkInput(layer: Module, x: Tensor, inChannels: number, n: number, weight: Tensor): void {
  const name = shortName(layer);
  checkTensor(name, 'x', x);
  if ((x.ndim !== n + 2 && x.ndim !== n + 1) || x.shape[x.ndim - n - 1] !== inChannels) {
    const axes = n === 2 ? 'H, W' : 'L';
    throw new Error(`${name}: expected input of shape [N, ${inChannels}, ${axes}] or [${inChannels}, ${axes}], got shape ${fmtShape(x.shape)}`);
  }
  checkDType(name, x, weight);
}

/**
 * 2-D transposed convolution (PyTorch's `ConvTranspose2d`, the gradient of a convolution with
 * respect to its input): `[N, inChannels, H, W]` (or unbatched) to `[N, outChannels, H', W']` with
 * H' = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1. `weight` is
 * `[inChannels, outChannels / groups, kH, kW]`, as PyTorch's, initialized as PyTorch does.
 *
 * @example
 * ```ts
 * const up = new ConvTranspose2d(8, 4, 3, { stride: 2, padding: 1, outputPadding: 1 });
 * up.forward(randn([2, 8, 5, 5])).shape; // [2, 4, 10, 10]
 * new ConvTranspose2d(8, 4, 3, { stride: 2, padding: 1 }).forward(randn([2, 8, 5, 5]), [10, 9]).shape; // [2, 4, 10, 9]
 * ```
 * @category Layers
 */
export class ConvTranspose2d extends ConvNd<[number, number], [Tensor, (readonly number[])?]> {
  /** `[pH, pW]` (numbers only: a transposed convolution has no `'same'` or `'valid'`). */
  declare readonly padding: [number, number];

  /** A transposed convolution from `inChannels` to `outChannels` with a `kernelSize` window. */
  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: ConvTranspose2dLayerOptions = {}) {
    const L = 'ConvTranspose2d';
    const kernel = pair(L, 'kernelSize', kernelSize, 1);
    const c = transposedParameters(L, inChannels, outChannels, kernel, options);
    const stride = pair(L, 'stride', options.stride ?? 1, 1);
    const padding = pair(L, 'padding', options.padding ?? 0, 0);
    const outputPadding = pair(L, 'outputPadding', options.outputPadding ?? 0, 0);
    const dilation = pair(L, 'dilation', options.dilation ?? 1, 1);
    super({ ...c, inChannels, outChannels, kernelSize: kernel, stride, padding, outputPadding, dilation, paddingMode: 'zeros' });
  }

  /**
   * Applies the transposed convolution to `[N, inChannels, H, W]` or `[inChannels, H, W]`. As in
   * PyTorch, `outputSize` (`[H', W']` or the whole shape) picks among the sizes a strided
   * convolution maps to the same input size, in place of `outputPadding`.
   */
  forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    checkInput(this, x, this.inChannels, 2, this.weight);
    const extra = outputSize === undefined ? this.outputPadding : outputPaddingFor(this, x, outputSize, this.kernelSize, this.stride, this.padding, this.dilation);
    const o = { stride: this.stride, padding: this.padding, outputPadding: [extra[0]!, extra[1]!] as const, dilation: this.dilation, groups: this.groups };
    return named(this, () => convTranspose2d(x, this.weight, this.bias, o));
  }
}

/**
 * 1-D transposed convolution (PyTorch's `ConvTranspose1d`): `[N, inChannels, L]` (or unbatched)
 * to `[N, outChannels, L']` with L' = (L − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1;
 * `weight` is `[inChannels, outChannels / groups, kernelSize]`.
 *
 * @example
 * ```ts
 * const up = new ConvTranspose1d(8, 4, 4, { stride: 2, padding: 1 });
 * up.forward(randn([2, 8, 16])).shape; // [2, 4, 32]
 * ```
 * @category Layers
 */
export class ConvTranspose1d extends ConvNd<[number], [Tensor, (readonly number[])?]> {
  /** `[p]` (a number only: a transposed convolution has no `'same'` or `'valid'`). */
  declare readonly padding: [number];

  /** A transposed convolution from `inChannels` to `outChannels` with a window of `kernelSize`. */
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number], options: ConvTranspose1dLayerOptions = {}) {
    const L = 'ConvTranspose1d';
    const kernel: [number] = [single(L, 'kernelSize', kernelSize, 1)];
    const c = transposedParameters(L, inChannels, outChannels, kernel, options);
    const stride: [number] = [single(L, 'stride', options.stride ?? 1, 1)];
    const padding: [number] = [single(L, 'padding', options.padding ?? 0, 0)];
    const outputPadding: [number] = [single(L, 'outputPadding', options.outputPadding ?? 0, 0)];
    const dilation: [number] = [single(L, 'dilation', options.dilation ?? 1, 1)];
    super({ ...c, inChannels, outChannels, kernelSize: kernel, stride, padding, outputPadding, dilation, paddingMode: 'zeros' });
  }

  /** Applies the transposed convolution to `[N, inChannels, L]` or `[inChannels, L]`; `outputSize` (`[L']` or the whole shape) as in {@link ConvTranspose2d.forward}. */
  forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    checkInput(this, x, this.inChannels, 1, this.weight);
    const extra = outputSize === undefined ? this.outputPadding : outputPaddingFor(this, x, outputSize, this.kernelSize, this.stride, this.padding, this.dilation);
    const o = { stride: this.stride[0], padding: this.padding[0], outputPadding: extra[0]!, dilation: this.dilation[0], groups: this.groups };
    return named(this, () => convTranspose1d(x, this.weight, this.bias, o));
  }
}
