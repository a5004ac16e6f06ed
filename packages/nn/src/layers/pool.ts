// Pooling and flattening: layers without parameters that reshape feature maps.
import {
  avgPool1d, avgPool2d, checkTensor, maxPool1d, maxPool2d, noGrad, zeros, type AvgPool1dOptions, type AvgPool2dOptions,
  type MaxPool1dOptions, type MaxPool2dOptions, type Tensor,
} from '@tapegrad/autograd';
import { Module } from '../module.js';
import { fmtShape, pyBool, shortName } from '../format.js';
import { checkInt, checkOptions } from './options.js';
import { named, pair, single, type Size2 } from './conv.js';

/**
 * Options of {@link MaxPool2d} and {@link AvgPool2d} (each as in PyTorch; the ones of the other
 * layer are refused).
 *
 * @example
 * ```ts
 * new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true });
 * ```
 * @category Layers
 */
export interface Pool2dLayerOptions {
  /** Step between windows (default: the kernel size). */
  stride?: Size2;
  /** Padding on both sides, at most half the kernel (default 0). */
  padding?: Size2;
  /** Keep a last partial window (round the output size up; default `false`). */
  ceilMode?: boolean;
  /** MaxPool2d only: spacing between window taps (default 1). */
  dilation?: Size2;
  /** MaxPool2d only: also return each maximum's flat position in its plane (forward returns `[values, indices]`). */
  returnIndices?: boolean;
  /** AvgPool2d only: count padded zeros in the divisor (default `true`, as PyTorch). */
  countIncludePad?: boolean;
  /** AvgPool2d only: divide by this instead of the window size. */
  divisorOverride?: number;
}

/**
 * Options of {@link MaxPool1d} and {@link AvgPool1d}: as {@link Pool2dLayerOptions} with one number each.
 *
 * @example
 * ```ts
 * new MaxPool1d(3, { stride: 2, padding: 1 });
 * ```
 * @category Layers
 */
export interface Pool1dLayerOptions {
  /** Step between windows (default: the kernel size). */
  stride?: number;
  /** Padding on both ends, at most half the kernel (default 0). */
  padding?: number;
  /** Keep a last partial window (default `false`). */
  ceilMode?: boolean;
  /** MaxPool1d only: spacing between window taps (default 1). */
  dilation?: number;
  /** MaxPool1d only: also return each maximum's position (forward returns `[values, indices]`). */
  returnIndices?: boolean;
  /** AvgPool1d only: count padded zeros in the divisor (default `true`). */
  countIncludePad?: boolean;
}

const MAX_KEYS = ['stride', 'padding', 'ceilMode', 'dilation', 'returnIndices'];
const AVG_KEYS = ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'];

/**
 * Checks the settings by running the op once on a small probe, so the layer refuses at
 * construction what the op would refuse at forward (with the layer's name).
 */
function probe(layer: string, run: (x: Tensor) => unknown, kernel: readonly number[], dilation: readonly number[]): void {
  const size = kernel.map((k, i) => dilation[i]! * (k - 1) + 1 + k);
  try {
    noGrad(() => run(zeros([1, ...size])));
  } catch (e) {
    throw new Error(`${layer}: ${(e as Error).message.replace(/^\w+: /, '')}`);
  }
}

/** As PyTorch prints a size given as one number: `2`, else `(2, 3)`. */
const size = (p: readonly number[]) => (p.every((v) => v === p[0]) ? `${p[0]}` : `(${p.join(', ')})`);

/**
 * 2-D max pooling: the largest value of each window of `[N, C, H, W]` (or `[C, H, W]`), with
 * PyTorch's options (`stride`, `padding`, `dilation`, `ceilMode`, `returnIndices`). With
 * `returnIndices: true` the forward returns `[values, indices]` (int32 flat positions per plane).
 *
 * @example
 * ```ts
 * new MaxPool2d(2).forward(randn([1, 8, 8, 8])).shape; // [1, 8, 4, 4]
 * const [values, indices] = new MaxPool2d(2, { returnIndices: true }).forward(randn([1, 8, 8, 8]));
 * ```
 * @category Layers
 */
export class MaxPool2d<R extends boolean = false> extends Module<[Tensor], R extends true ? [Tensor, Tensor] : Tensor> {
  /** `[kH, kW]`. */
  readonly kernelSize: [number, number];
  /** `[sH, sW]`. */
  readonly stride: [number, number];
  /** `[pH, pW]`. */
  readonly padding: [number, number];
  /** `[dH, dW]`. */
  readonly dilation: [number, number];
  /** Whether a last partial window is kept. */
  readonly ceilMode: boolean;
  /** Whether forward also returns the indices. */
  readonly returnIndices: R;

  /** Pools with a `kernelSize` window (stride defaults to the kernel size). */
  constructor(kernelSize: Size2, options: Omit<Pool2dLayerOptions, 'countIncludePad' | 'divisorOverride' | 'returnIndices'> & { returnIndices?: R } = {}) {
    super();
    const o = checkOptions('MaxPool2d', options, MAX_KEYS);
    this.kernelSize = pair('MaxPool2d', 'kernelSize', kernelSize, 1);
    this.stride = pair('MaxPool2d', 'stride', o.stride ?? this.kernelSize, 1);
    this.padding = pair('MaxPool2d', 'padding', o.padding ?? 0, 0);
    this.dilation = pair('MaxPool2d', 'dilation', o.dilation ?? 1, 1);
    this.ceilMode = o.ceilMode ?? false;
    this.returnIndices = (o.returnIndices ?? false) as R;
    probe('MaxPool2d', (x) => maxPool2d(x, this.options()), this.kernelSize, this.dilation);
  }

  private options(): MaxPool2dOptions {
    return { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices };
  }

  /** Max over each window (and, with `returnIndices`, where each maximum was). */
  forward(x: Tensor): R extends true ? [Tensor, Tensor] : Tensor {
    checkTensor('MaxPool2d', 'x', x);
    return named(this, () => maxPool2d(x, this.options())) as R extends true ? [Tensor, Tensor] : Tensor;
  }

  /** `kernel_size=2, stride=2, padding=0`, plus non-default dilation and ceil_mode. */
  override extraRepr(): string {
    let s = `kernel_size=${size(this.kernelSize)}, stride=${size(this.stride)}, padding=${size(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${size(this.dilation)}`;
    if (this.ceilMode) s += `, ceil_mode=${pyBool(true)}`;
    return s;
  }
}

/**
 * 2-D average pooling: the mean of each window of `[N, C, H, W]` (or `[C, H, W]`), with PyTorch's
 * options (`stride`, `padding`, `ceilMode`, `countIncludePad`, `divisorOverride`).
 *
 * @example
 * ```ts
 * new AvgPool2d(2).forward(randn([1, 8, 8, 8])).shape; // [1, 8, 4, 4]
 * new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false });
 * ```
 * @category Layers
 */
export class AvgPool2d extends Module<[Tensor], Tensor> {
  /** `[kH, kW]`. */
  readonly kernelSize: [number, number];
  /** `[sH, sW]`. */
  readonly stride: [number, number];
  /** `[pH, pW]`. */
  readonly padding: [number, number];
  /** Whether a last partial window is kept. */
  readonly ceilMode: boolean;
  /** Whether padded zeros count in the divisor. */
  readonly countIncludePad: boolean;
  /** The divisor replacing the window size, or `null`. */
  readonly divisorOverride: number | null;

  /** Averages over a `kernelSize` window (stride defaults to the kernel size). */
  constructor(kernelSize: Size2, options: Omit<Pool2dLayerOptions, 'dilation' | 'returnIndices'> = {}) {
    super();
    const o = checkOptions('AvgPool2d', options, AVG_KEYS);
    this.kernelSize = pair('AvgPool2d', 'kernelSize', kernelSize, 1);
    this.stride = pair('AvgPool2d', 'stride', o.stride ?? this.kernelSize, 1);
    this.padding = pair('AvgPool2d', 'padding', o.padding ?? 0, 0);
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
    probe('AvgPool2d', (x) => avgPool2d(x, this.options()), this.kernelSize, [1, 1]);
  }

  private options(): AvgPool2dOptions {
    const o = { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad };
    return this.divisorOverride === null ? o : { ...o, divisorOverride: this.divisorOverride };
  }

  /** Mean over each window. */
  forward(x: Tensor): Tensor {
    checkTensor('AvgPool2d', 'x', x);
    return named(this, () => avgPool2d(x, this.options()));
  }

  /** `kernel_size=2, stride=2, padding=0`, plus non-default ceil_mode, count_include_pad and divisor_override. */
  override extraRepr(): string {
    let s = `kernel_size=${size(this.kernelSize)}, stride=${size(this.stride)}, padding=${size(this.padding)}`;
    if (this.ceilMode) s += `, ceil_mode=${pyBool(true)}`;
    if (!this.countIncludePad) s += `, count_include_pad=${pyBool(false)}`;
    if (this.divisorOverride !== null) s += `, divisor_override=${this.divisorOverride}`;
    return s;
  }
}

/**
 * 1-D max pooling over `[N, C, L]` (or `[C, L]`), as PyTorch's `MaxPool1d`.
 *
 * @example
 * ```ts
 * new MaxPool1d(2).forward(randn([1, 4, 10])).shape; // [1, 4, 5]
 * ```
 * @category Layers
 */
export class MaxPool1d<R extends boolean = false> extends Module<[Tensor], R extends true ? [Tensor, Tensor] : Tensor> {
  /** Window size. */
  readonly kernelSize: number;
  /** Step between windows. */
  readonly stride: number;
  /** Padding on both ends. */
  readonly padding: number;
  /** Spacing between taps. */
  readonly dilation: number;
  /** Whether a last partial window is kept. */
  readonly ceilMode: boolean;
  /** Whether forward also returns the indices. */
  readonly returnIndices: R;

  /** Pools with a window of `kernelSize` (stride defaults to it). */
  constructor(kernelSize: number, options: Omit<Pool1dLayerOptions, 'countIncludePad' | 'returnIndices'> & { returnIndices?: R } = {}) {
    super();
    const o = checkOptions('MaxPool1d', options, MAX_KEYS);
    this.kernelSize = single('MaxPool1d', 'kernelSize', kernelSize, 1);
    this.stride = single('MaxPool1d', 'stride', o.stride ?? this.kernelSize, 1);
    this.padding = single('MaxPool1d', 'padding', o.padding ?? 0, 0);
    this.dilation = single('MaxPool1d', 'dilation', o.dilation ?? 1, 1);
    this.ceilMode = o.ceilMode ?? false;
    this.returnIndices = (o.returnIndices ?? false) as R;
    probe('MaxPool1d', (x) => maxPool1d(x, this.options()), [this.kernelSize], [this.dilation]);
  }

  private options(): MaxPool1dOptions {
    return { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices };
  }

  /** Max over each window (and, with `returnIndices`, where each maximum was). */
  forward(x: Tensor): R extends true ? [Tensor, Tensor] : Tensor {
    checkTensor('MaxPool1d', 'x', x);
    return named(this, () => maxPool1d(x, this.options())) as R extends true ? [Tensor, Tensor] : Tensor;
  }

  /** `kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False`, as PyTorch prints MaxPool1d. */
  override extraRepr(): string {
    return `kernel_size=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}, dilation=${this.dilation}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/**
 * 1-D average pooling over `[N, C, L]` (or `[C, L]`), as PyTorch's `AvgPool1d`.
 *
 * @example
 * ```ts
 * new AvgPool1d(2).forward(randn([1, 4, 10])).shape; // [1, 4, 5]
 * ```
 * @category Layers
 */
export class AvgPool1d extends Module<[Tensor], Tensor> {
  /** Window size. */
  readonly kernelSize: number;
  /** Step between windows. */
  readonly stride: number;
  /** Padding on both ends. */
  readonly padding: number;
  /** Whether a last partial window is kept. */
  readonly ceilMode: boolean;
  /** Whether padded zeros count in the divisor. */
  readonly countIncludePad: boolean;

  /** Averages over a window of `kernelSize` (stride defaults to it). */
  constructor(kernelSize: number, options: Omit<Pool1dLayerOptions, 'dilation' | 'returnIndices'> = {}) {
    super();
    const o = checkOptions('AvgPool1d', options, AVG_KEYS.filter((k) => k !== 'divisorOverride'));
    this.kernelSize = single('AvgPool1d', 'kernelSize', kernelSize, 1);
    this.stride = single('AvgPool1d', 'stride', o.stride ?? this.kernelSize, 1);
    this.padding = single('AvgPool1d', 'padding', o.padding ?? 0, 0);
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    probe('AvgPool1d', (x) => avgPool1d(x, this.options()), [this.kernelSize], [1]);
  }

  private options(): AvgPool1dOptions {
    return { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad };
  }

  /** Mean over each window. */
  forward(x: Tensor): Tensor {
    checkTensor('AvgPool1d', 'x', x);
    return named(this, () => avgPool1d(x, this.options()));
  }

  /** `kernel_size=(2,), stride=(2,), padding=(0,)`, as PyTorch prints AvgPool1d. */
  override extraRepr(): string {
    return `kernel_size=(${this.kernelSize},), stride=(${this.stride},), padding=(${this.padding},)`;
  }
}

/**
 * Flattens axes `startDim..endDim` into one (default: everything but the batch axis).
 *
 * @example
 * ```ts
 * new Flatten().forward(randn([16, 8, 4, 4])).shape; // [16, 128]
 * ```
 * @category Layers
 */
export class Flatten extends Module<[Tensor], Tensor> {
  /** First axis to flatten. */
  readonly startDim: number;
  /** Last axis to flatten (negative counts from the end). */
  readonly endDim: number;

  /** Flattens `startDim..endDim` (defaults 1 and -1, as PyTorch). */
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = checkInt('Flatten', 'startDim', startDim, -Infinity);
    this.endDim = checkInt('Flatten', 'endDim', endDim, -Infinity);
  }

  /** `x` with the axes merged. */
  forward(x: Tensor): Tensor {
    checkTensor('Flatten', 'x', x);
    const norm = (d: number) => (d < 0 ? d + x.ndim : d);
    const [start, end] = [norm(this.startDim), norm(this.endDim)];
    if (start < 0 || end >= x.ndim || start > end) {
      throw new Error(`${shortName(this)}: cannot flatten axes ${this.startDim}..${this.endDim} of an input of shape ${fmtShape(x.shape)}`);
    }
    return x.flatten(start, end);
  }

  /** `start_dim=1, end_dim=-1`. */
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
