// Convolution layers over NCHW images and NCL sequences (Conv1d/Conv2d), with PyTorch's
// constructor arguments, defaults, weight layout, initialization and padding modes.
import { conv1d, conv2d, describeValue, pad, type Tensor, checkTensor } from '@tapegrad/autograd';
import type { Module } from '../module.js';
import { ConvNd } from './conv-base.js';
import type { Parameter } from '../parameter.js';
import { fmtShape, shortName } from '../format.js';
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

/** Normalizes a 1-d size (a number or `[n]`) to a checked integer of at least `min`. */
export function single(layer: string, name: string, value: number | readonly [number], min: number): number {
  const n = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw new Error(`${layer}: ${name} must be an integer of at least ${min}, got ${describeValue(value)}`);
  return n;
}

/**
 * How a convolution layer fills its padding, as PyTorch's `padding_mode`: zeros, or the
 * {@link pad} modes `reflect`, `replicate` and `circular`.
 *
 * @example
 * ```ts
 * new Conv2d(3, 8, 3, { padding: 1, paddingMode: 'reflect' });
 * ```
 * @category Layers
 */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];
const CONV_KEYS = ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', 'dtype', 'generator'];

/**
 * Options of {@link Conv2d} (defaults as PyTorch: stride 1, padding 0, dilation 1, groups 1, bias,
 * padding mode zeros).
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
  /** Padding on both sides of each spatial axis, or `'same'` (stride 1 only) or `'valid'`. */
  padding?: Size2 | 'same' | 'valid';
  /** Spacing between kernel taps. */
  dilation?: Size2;
  /** Split input and output channels into this many independent groups (both must divide by it). */
  groups?: number;
  /** Add a learned bias per output channel (default `true`). */
  bias?: boolean;
  /** What the padding holds (default `'zeros'`). */
  paddingMode?: PaddingMode;
}

/**
 * Options of {@link Conv1d}: as {@link Conv2dLayerOptions} with one number per setting.
 *
 * @example
 * ```ts
 * new Conv1d(16, 32, 5, { padding: 'same', paddingMode: 'circular' });
 * ```
 * @category Layers
 */
export interface Conv1dLayerOptions extends LayerOptions {
  /** Step between windows. */
  stride?: number | readonly [number];
  /** Padding on both ends, or `'same'` (stride 1 only) or `'valid'`. */
  padding?: number | readonly [number] | 'same' | 'valid';
  /** Spacing between kernel taps. */
  dilation?: number | readonly [number];
  /** Split input and output channels into this many independent groups. */
  groups?: number;
  /** Add a learned bias per output channel (default `true`). */
  bias?: boolean;
  /** What the padding holds (default `'zeros'`). */
  paddingMode?: PaddingMode;
}

/** Checks the options every convolution layer shares; returns groups and the padding mode. */
export function convCommon(layer: string, inChannels: number, outChannels: number, options: object, keys = CONV_KEYS): { groups: number; paddingMode: PaddingMode; bias: boolean } {
  const o = checkOptions(layer, options as Record<string, unknown>, keys);
  checkInt(layer, 'inChannels', inChannels);
  checkInt(layer, 'outChannels', outChannels);
  const groups = checkInt(layer, 'groups', (o.groups ?? 1) as number);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(`${layer}: inChannels (${inChannels}) and outChannels (${outChannels}) must both be divisible by groups (${groups})`);
  }
  const paddingMode = (o.paddingMode ?? 'zeros') as PaddingMode;
  if (!PADDING_MODES.includes(paddingMode)) throw new Error(`${layer}: paddingMode must be one of ${PADDING_MODES.map((m) => `'${m}'`).join(', ')}, got ${describeValue(o.paddingMode)}`);
  const bias = (o.bias ?? true) as boolean;
  return { groups, paddingMode, bias };
}

/**
 * The [before, after] padding per spatial axis, in F.pad order (last axis first): symmetric for
 * numbers, PyTorch's split of dilation·(kernel − 1) for 'same' (the extra one after).
 */
function padAmounts(padding: Padding, kernel: readonly number[], dilation: readonly number[]): number[] {
  return kernel
    .map((k, a) => {
      if (padding === 'valid') return [0, 0];
      if (padding === 'same') {
        const total = dilation[a]! * (k - 1);
        return [Math.floor(total / 2), total - Math.floor(total / 2)];
      }
      return [padding[a]!, padding[a]!];
    })
    .reverse()
    .flat();
}

/** Rethrows an op's error with the layer's name in front, so every message names the layer. */
export function named<T>(layer: Module, f: () => T): T {
  try {
    return f();
  } catch (e) {
    const name = shortName(layer);
    // The op's own name (lower camelCase) gives way to the layer's.
    if (e instanceof Error && !e.message.startsWith(name)) throw new Error(`${name}: ${e.message.replace(/^[a-z]\w*: /, '')}`);
    throw e;
  }
}

type Padding = readonly number[] | 'same' | 'valid';

/** Weight [out, in/groups, ...kernel] and bias of a Conv1d/Conv2d, after the shared checks. */
function convParameters(layer: string, inChannels: number, outChannels: number, kernel: readonly number[], stride: readonly number[], padding: Padding, options: Conv1dLayerOptions | Conv2dLayerOptions) {
  const c = convCommon(layer, inChannels, outChannels, options);
  if (padding === 'same' && stride.some((s) => s !== 1)) throw new Error(`${layer}: padding 'same' is not supported for strided convolutions (stride ${fmtShape(stride)})`);
  return { ...c, ...defaultWeightAndBias([outChannels, inChannels / c.groups, ...kernel], c.bias, options) };
}

/** The layer's forward: input checks, then the convolution (explicit padding first for non-zero modes, as PyTorch). */
function convForward(layer: Conv1d | Conv2d, x: Tensor, padding: Padding, conv: (x: Tensor, padding: Padding) => Tensor): Tensor {
  const name = shortName(layer);
  checkTensor(name, 'x', x);
  const n = layer.kernelSize.length;
  if ((x.ndim !== n + 2 && x.ndim !== n + 1) || x.shape[x.ndim - n - 1] !== layer.inChannels) {
    const c = layer.inChannels;
    const axes = n === 2 ? 'H, W' : 'L';
    throw new Error(`${name}: expected input of shape [N, ${c}, ${axes}] or [${c}, ${axes}], got shape ${fmtShape(x.shape)}`);
  }
  checkDType(name, x, layer.weight);
  if (layer.paddingMode === 'zeros') return named(layer, () => conv(x, padding));
  const mode = layer.paddingMode;
  return named(layer, () => conv(pad(x, padAmounts(padding, layer.kernelSize, layer.dilation), mode), layer.kernelSize.map(() => 0)));
}

/**
 * 2-D convolution (cross-correlation, as PyTorch) of `[N, inChannels, H, W]` (or unbatched
 * `[inChannels, H, W]`) to `[N, outChannels, H', W']`, with
 * H' = ⌊(H + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1. `weight` is
 * `[outChannels, inChannels / groups, kH, kW]`, initialized as PyTorch does. `paddingMode` other
 * than `'zeros'` pads with {@link pad}'s modes first, as PyTorch.
 *
 * @example
 * ```ts
 * const conv = new Conv2d(1, 8, 3, { padding: 1 });
 * conv.forward(randn([16, 1, 8, 8])).shape; // [16, 8, 8, 8]
 * new Conv2d(1, 8, 4, { padding: 'same', paddingMode: 'reflect' }).forward(randn([1, 1, 8, 8])).shape; // [1, 8, 8, 8]
 * ```
 * @category Layers
 */
export class Conv2d extends ConvNd<[number, number]> {
  /** A convolution from `inChannels` to `outChannels` with a `kernelSize` window. */
  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Conv2dLayerOptions = {}) {
    const kernel = pair('Conv2d', 'kernelSize', kernelSize, 1);
    const stride = pair('Conv2d', 'stride', options?.stride ?? 1, 1);
    const p = options?.padding ?? 0;
    const padding = p === 'same' || p === 'valid' ? p : pair('Conv2d', 'padding', p, 0);
    const c = convParameters('Conv2d', inChannels, outChannels, kernel, stride, padding, options);
    const dilation = pair('Conv2d', 'dilation', options.dilation ?? 1, 1);
    super({ ...c, inChannels, outChannels, kernelSize: kernel, stride, padding, outputPadding: [0, 0], dilation });
  }

  /** Convolves `x` of shape `[N, inChannels, H, W]` or `[inChannels, H, W]`. */
  forward(x: Tensor): Tensor {
    return convForward(this, x, this.padding, (input, padding) => {
      const p = typeof padding === 'string' ? padding : ([padding[0]!, padding[1]!] as const);
      return conv2d(input, this.weight, this.bias, { stride: this.stride, padding: p, dilation: this.dilation, groups: this.groups });
    });
  }
}

/**
 * 1-D convolution (as PyTorch's `Conv1d`) of `[N, inChannels, L]` (or `[inChannels, L]`) to
 * `[N, outChannels, L']`; `weight` is `[outChannels, inChannels / groups, kernelSize]`, initialized
 * as PyTorch does. Same options as {@link Conv2d}, one number each.
 *
 * @example
 * ```ts
 * const conv = new Conv1d(4, 8, 3, { padding: 1 });
 * conv.forward(randn([2, 4, 16])).shape; // [2, 8, 16]
 * ```
 * @category Layers
 */
export class Conv1d extends ConvNd<[number]> {
  /** A convolution from `inChannels` to `outChannels` with a window of `kernelSize`. */
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number], options: Conv1dLayerOptions = {}) {
    const kernel: [number] = [single('Conv1d', 'kernelSize', kernelSize, 1)];
    const stride: [number] = [single('Conv1d', 'stride', options?.stride ?? 1, 1)];
    const p = options?.padding ?? 0;
    const padding: [number] | 'same' | 'valid' = p === 'same' || p === 'valid' ? p : [single('Conv1d', 'padding', p, 0)];
    const c = convParameters('Conv1d', inChannels, outChannels, kernel, stride, padding, options);
    const dilation: [number] = [single('Conv1d', 'dilation', options.dilation ?? 1, 1)];
    super({ ...c, inChannels, outChannels, kernelSize: kernel, stride, padding, outputPadding: [0], dilation });
  }

  /** Convolves `x` of shape `[N, inChannels, L]` or `[inChannels, L]`. */
  forward(x: Tensor): Tensor {
    return convForward(this, x, this.padding, (input, padding) => {
      const p = typeof padding === 'string' ? padding : padding[0]!;
      return conv1d(input, this.weight, this.bias, { stride: this.stride[0], padding: p, dilation: this.dilation[0], groups: this.groups });
    });
  }
}
