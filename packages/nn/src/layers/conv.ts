// 2-D convolution layer over NCHW images.
import { conv2d, describeValue, type Tensor, checkTensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { fmtShape, pyPair, shortName } from '../format.js';
import { checkDType, checkInt, checkOptions, defaultWeightAndBias, type LayerOptions } from './options.js';

/**
 * A size given as one number for both spatial axes or as `[height, width]`.
 *
 * @example
 * ```ts
 * const k: Size2 = [3, 5];
 * ```
 * @category Layers
 */
export type Size2 = number | readonly [number, number];

/** Normalizes a {@link Size2} to a checked `[h, w]` pair of integers of at least `min`. */
export function pair(layer: string, name: string, value: Size2, min: number): [number, number] {
  const p = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= min)) {
    throw new Error(`${layer}: ${name} must be an integer of at least ${min} or a pair of them, got ${describeValue(value)}`);
  }
  return [p[0]!, p[1]!];
}

/**
 * Options of {@link Conv2d} (defaults as PyTorch: stride 1, padding 0, dilation 1, groups 1, bias).
 *
 * @example
 * ```ts
 * new Conv2d(16, 32, 3, { stride: 2, padding: 1, groups: 4 });
 * ```
 * @category Layers
 */
export interface Conv2dLayerOptions extends LayerOptions {
  /** Step between windows. */
  stride?: Size2;
  /** Zeros added on both sides of each spatial axis. */
  padding?: Size2;
  /** Spacing between kernel taps. */
  dilation?: Size2;
  /** Split input and output channels into this many independent groups (both must divide by it). */
  groups?: number;
  /** Add a learned bias per output channel (default `true`). */
  bias?: boolean;
}

/**
 * 2-D convolution (cross-correlation, as PyTorch) of `[N, inChannels, H, W]` (or unbatched
 * `[inChannels, H, W]`) to `[N, outChannels, H', W']`, with
 * H' = ⌊(H + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1. `weight` is
 * `[outChannels, inChannels / groups, kH, kW]`, initialized as PyTorch does.
 *
 * @example
 * ```ts
 * const conv = new Conv2d(1, 8, 3, { padding: 1 });
 * conv.forward(randn([16, 1, 8, 8])).shape; // [16, 8, 8, 8]
 * ```
 * @category Layers
 */
export class Conv2d extends Module<[Tensor], Tensor> {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output (number of filters). */
  readonly outChannels: number;
  /** `[kH, kW]`. */
  readonly kernelSize: [number, number];
  /** `[sH, sW]`. */
  readonly stride: [number, number];
  /** `[pH, pW]`. */
  readonly padding: [number, number];
  /** `[dH, dW]`. */
  readonly dilation: [number, number];
  /** Number of channel groups. */
  readonly groups: number;
  /** `[outChannels, inChannels / groups, kH, kW]`. */
  weight: Parameter;
  /** `[outChannels]`, or `null` with `bias: false`. */
  bias: Parameter | null;

  /** A convolution from `inChannels` to `outChannels` with a `kernelSize` window. */
  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Conv2dLayerOptions = {}) {
    super();
    checkOptions('Conv2d', options, ['stride', 'padding', 'dilation', 'groups', 'bias', 'dtype', 'generator']);
    this.inChannels = checkInt('Conv2d', 'inChannels', inChannels);
    this.outChannels = checkInt('Conv2d', 'outChannels', outChannels);
    this.kernelSize = pair('Conv2d', 'kernelSize', kernelSize, 1);
    this.stride = pair('Conv2d', 'stride', options.stride ?? 1, 1);
    this.padding = pair('Conv2d', 'padding', options.padding ?? 0, 0);
    this.dilation = pair('Conv2d', 'dilation', options.dilation ?? 1, 1);
    this.groups = checkInt('Conv2d', 'groups', options.groups ?? 1);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new Error(`Conv2d: inChannels (${inChannels}) and outChannels (${outChannels}) must both be divisible by groups (${this.groups})`);
    }
    const shape = [outChannels, inChannels / this.groups, ...this.kernelSize];
    ({ weight: this.weight, bias: this.bias } = defaultWeightAndBias(shape, options.bias ?? true, options));
  }

  /** Convolves `x` of shape `[N, inChannels, H, W]` or `[inChannels, H, W]`. */
  forward(x: Tensor): Tensor {
    checkTensor('Conv2d', 'x', x);
    if ((x.ndim !== 4 && x.ndim !== 3) || x.shape[x.ndim - 3] !== this.inChannels) {
      const c = this.inChannels;
      throw new Error(`${shortName(this)}: expected input of shape [N, ${c}, H, W] or [${c}, H, W], got shape ${fmtShape(x.shape)}`);
    }
    const [kH, kW] = this.kernelSize;
    const [H, W] = x.shape.slice(-2) as [number, number];
    const spanH = this.dilation[0] * (kH - 1) + 1;
    const spanW = this.dilation[1] * (kW - 1) + 1;
    if (H + 2 * this.padding[0] < spanH || W + 2 * this.padding[1] < spanW) {
      throw new Error(`${shortName(this)}: input of shape ${fmtShape(x.shape)} is smaller than the kernel span ${fmtShape([spanH, spanW])} (after padding ${fmtShape(this.padding)})`);
    }
    checkDType(shortName(this), x, this.weight);
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  /** `1, 8, kernel_size=(3, 3), stride=(1, 1)`, plus non-default padding, dilation, groups and bias. */
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyPair(this.kernelSize)}, stride=${pyPair(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${pyPair(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyPair(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }
}
