// Pooling and flattening: layers without parameters that reshape feature maps.
import { avgPool2d, maxPool2d, type Tensor, checkTensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { fmtShape, pyBool, shortName } from '../format.js';
import { checkInt, checkOptions } from './options.js';
import { pair, type Size2 } from './conv.js';

/**
 * Options of {@link MaxPool2d} and {@link AvgPool2d}.
 *
 * @example
 * ```ts
 * new MaxPool2d(3, { stride: 2, padding: 1 });
 * ```
 * @category Layers
 */
export interface Pool2dLayerOptions {
  /** Step between windows (default: the kernel size). */
  stride?: Size2;
  /** Padding on both sides, at most half the kernel (default 0). */
  padding?: Size2;
  /** AvgPool2d only: count padded zeros in the divisor (default `true`, as PyTorch). */
  countIncludePad?: boolean;
}

interface PoolWindow {
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number];
}

function windowOf(layer: string, kernelSize: Size2, options: Pool2dLayerOptions): PoolWindow {
  checkOptions(layer, options, layer === 'MaxPool2d' ? ['stride', 'padding'] : ['stride', 'padding', 'countIncludePad']);
  const k = pair(layer, 'kernelSize', kernelSize, 1);
  const w = { kernelSize: k, stride: pair(layer, 'stride', options.stride ?? k, 1), padding: pair(layer, 'padding', options.padding ?? 0, 0) };
  // Past half a kernel a window could hold only padding (PyTorch refuses it too).
  if (w.padding[0] > k[0] / 2 || w.padding[1] > k[1] / 2) {
    throw new Error(`${layer}: padding ${fmtShape(w.padding)} must be at most half the kernel size ${fmtShape(k)}`);
  }
  return w;
}

function checkPoolInput(layer: Module, w: PoolWindow, x: Tensor): void {
  const [H, W] = x.shape.slice(-2) as [number, number];
  if ((x.ndim !== 4 && x.ndim !== 3) || H + 2 * w.padding[0] < w.kernelSize[0] || W + 2 * w.padding[1] < w.kernelSize[1]) {
    throw new Error(`${shortName(layer)}: expected input of shape [N, C, H, W] or [C, H, W] with H, W at least the kernel ${fmtShape(w.kernelSize)} after padding, got shape ${fmtShape(x.shape)}`);
  }
}

/** As PyTorch prints a size given as one number: `2`, else `(2, 3)`. */
const size = (p: [number, number]) => (p[0] === p[1] ? `${p[0]}` : `(${p[0]}, ${p[1]})`);
const windowRepr = (w: PoolWindow) => `kernel_size=${size(w.kernelSize)}, stride=${size(w.stride)}, padding=${size(w.padding)}`;

/**
 * 2-D max pooling: the largest value of each window of `[N, C, H, W]` (or `[C, H, W]`).
 *
 * @example
 * ```ts
 * new MaxPool2d(2).forward(randn([1, 8, 8, 8])).shape; // [1, 8, 4, 4]
 * ```
 * @category Layers
 */
export class MaxPool2d extends Module<[Tensor], Tensor> {
  /** `[kH, kW]`. */
  readonly kernelSize: [number, number];
  /** `[sH, sW]`. */
  readonly stride: [number, number];
  /** `[pH, pW]`. */
  readonly padding: [number, number];

  /** Pools with a `kernelSize` window (stride defaults to the kernel size). */
  constructor(kernelSize: Size2, options: Omit<Pool2dLayerOptions, 'countIncludePad'> = {}) {
    super();
    ({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding } = windowOf('MaxPool2d', kernelSize, options));
  }

  /** Max over each window. */
  forward(x: Tensor): Tensor {
    checkTensor('MaxPool2d', 'x', x);
    checkPoolInput(this, this, x);
    return maxPool2d(x, { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding });
  }

  /** `kernel_size=2, stride=2, padding=0`. */
  override extraRepr(): string {
    return windowRepr(this);
  }
}

/**
 * 2-D average pooling: the mean of each window of `[N, C, H, W]` (or `[C, H, W]`).
 *
 * @example
 * ```ts
 * new AvgPool2d(2).forward(randn([1, 8, 8, 8])).shape; // [1, 8, 4, 4]
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
  /** Whether padded zeros count in the divisor. */
  readonly countIncludePad: boolean;

  /** Averages over a `kernelSize` window (stride defaults to the kernel size). */
  constructor(kernelSize: Size2, options: Pool2dLayerOptions = {}) {
    super();
    ({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding } = windowOf('AvgPool2d', kernelSize, options));
    this.countIncludePad = options.countIncludePad ?? true;
  }

  /** Mean over each window. */
  forward(x: Tensor): Tensor {
    checkTensor('AvgPool2d', 'x', x);
    checkPoolInput(this, this, x);
    return avgPool2d(x, { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad });
  }

  /** `kernel_size=2, stride=2, padding=0`, plus `count_include_pad=False` when set. */
  override extraRepr(): string {
    return windowRepr(this) + (this.countIncludePad ? '' : `, count_include_pad=${pyBool(false)}`);
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
