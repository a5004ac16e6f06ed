// Adaptive pooling: the window sizes follow from the requested output size, as PyTorch's
// AdaptiveAvgPool/AdaptiveMaxPool (output i covers input ⌊i·n/m⌋ .. ⌈(i+1)·n/m⌉ − 1). Averages
// are products with a constant averaging matrix per axis; maxima are taken window by window
// (a rectangle's maximum is the maximum over rows of the maximum over columns).
import { concat, describeValue, type Tensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { fmtShape, shortName } from '../format.js';
import { adaptiveAverageMatrix, adaptiveWindow, alongAxis } from './resample-matrix.js';

/**
 * An output size per spatial axis; `null` keeps that axis's input size (PyTorch's `None`).
 *
 * @example
 * ```ts
 * const size: AdaptiveSize2 = [7, null];
 * ```
 * @category Layers
 */
export type AdaptiveSize2 = number | readonly [number | null, number | null];

function parseOutputSize(layer: string, size: AdaptiveSize2): [number | null, number | null] {
  const p = typeof size === 'number' ? [size, size] : size;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => d === null || (Number.isInteger(d) && d >= 1))) {
    throw new Error(`${layer}: outputSize must be a positive integer or a pair of them (null keeps the input size), got ${describeValue(size)}`);
  }
  return [p[0] ?? null, p[1] ?? null];
}

function checkInput(m: Module, x: Tensor, rank: number, what: string): void {
  if (x.ndim !== rank && x.ndim !== rank - 1) throw new Error(`${shortName(m)}: expected input ${what}, got ${fmtShape(x.shape)}`);
  if (x.shape.slice(x.ndim - (rank - 2)).some((d) => d === 0)) throw new Error(`${shortName(m)}: spatial sizes must be at least 1, got ${fmtShape(x.shape)}`);
}

/** Max over the adaptive windows of the last (`'w'`) or second-to-last (`'h'`) axis. */
function adaptiveMax(x: Tensor, axis: 'h' | 'w', m: number): Tensor {
  const dim = axis === 'w' ? x.ndim - 1 : x.ndim - 2;
  const n = x.shape[dim]!;
  const parts: Tensor[] = [];
  for (let i = 0; i < m; i++) {
    const [s, e] = adaptiveWindow(i, n, m);
    const ranges = Array.from({ length: x.ndim }, (_, d) => (d === dim ? ([s, e] as const) : null));
    parts.push(x.slice(...ranges).max(dim, true));
  }
  return concat(parts, dim);
}

/**
 * Average pooling of `[N, C, L]` (or `[C, L]`) to `outputSize` positions, whatever L is.
 *
 * @example
 * ```ts
 * new AdaptiveAvgPool1d(4).forward(randn([2, 3, 10])).shape; // [2, 3, 4]
 * ```
 * @category Layers
 */
export class AdaptiveAvgPool1d extends Module<[Tensor], Tensor> {
  /** Output length. */
  readonly outputSize: number;

  /** Pools to `outputSize` positions. */
  constructor(outputSize: number) {
    super();
    if (!Number.isInteger(outputSize) || outputSize < 1) throw new Error(`AdaptiveAvgPool1d: outputSize must be a positive integer, got ${describeValue(outputSize)}`);
    this.outputSize = outputSize;
  }

  /** `[N, C, outputSize]`. */
  forward(x: Tensor): Tensor {
    checkInput(this, x, 3, '[N, C, L] or [C, L]');
    return alongAxis(x, 'w', adaptiveAverageMatrix(x.shape[x.ndim - 1]!, this.outputSize, x.dtype));
  }

  /** `output_size=4`. */
  override extraRepr(): string {
    return `output_size=${this.outputSize}`;
  }
}

/** The two 2-D adaptive pools share sizes and checks. */
abstract class AdaptivePool2dBase extends Module<[Tensor], Tensor> {
  /** `[outH, outW]`; `null` keeps the input size. */
  readonly outputSize: [number | null, number | null];

  protected constructor(outputSize: AdaptiveSize2) {
    super();
    this.outputSize = parseOutputSize(new.target.name, outputSize);
  }

  protected sizes(x: Tensor): [number, number] {
    checkInput(this, x, 4, '[N, C, H, W] or [C, H, W]');
    const [H, W] = x.shape.slice(-2) as [number, number];
    return [this.outputSize[0] ?? H, this.outputSize[1] ?? W];
  }

  /** `output_size=(3, 4)`. */
  override extraRepr(): string {
    const [h, w] = this.outputSize.map((d) => (d === null ? 'None' : d));
    return `output_size=(${h}, ${w})`;
  }
}

/**
 * Average pooling of `[N, C, H, W]` (or `[C, H, W]`) to `outputSize`, whatever H and W are.
 *
 * @example
 * ```ts
 * new AdaptiveAvgPool2d(1).forward(randn([2, 8, 7, 7])).shape;      // [2, 8, 1, 1] (global average)
 * new AdaptiveAvgPool2d([3, null]).forward(randn([1, 2, 10, 5])).shape; // [1, 2, 3, 5]
 * ```
 * @category Layers
 */
export class AdaptiveAvgPool2d extends AdaptivePool2dBase {
  /** Pools to `outputSize` (`[h, w]`, one number for both, `null` to keep an axis). */
  constructor(outputSize: AdaptiveSize2) {
    super(outputSize);
  }

  /** `[N, C, outH, outW]`. */
  forward(x: Tensor): Tensor {
    const [oh, ow] = this.sizes(x);
    const [H, W] = x.shape.slice(-2) as [number, number];
    const rows = alongAxis(x, 'h', adaptiveAverageMatrix(H, oh, x.dtype));
    return alongAxis(rows, 'w', adaptiveAverageMatrix(W, ow, x.dtype));
  }
}

/**
 * Max pooling of `[N, C, H, W]` (or `[C, H, W]`) to `outputSize`; the gradient goes to each
 * window's maximum.
 *
 * @example
 * ```ts
 * new AdaptiveMaxPool2d([2, 2]).forward(randn([1, 3, 5, 7])).shape; // [1, 3, 2, 2]
 * ```
 * @category Layers
 */
export class AdaptiveMaxPool2d extends AdaptivePool2dBase {
  /** Pools to `outputSize` (`[h, w]`, one number for both, `null` to keep an axis). */
  constructor(outputSize: AdaptiveSize2) {
    super(outputSize);
  }

  /** `[N, C, outH, outW]`. */
  forward(x: Tensor): Tensor {
    const [oh, ow] = this.sizes(x);
    return adaptiveMax(adaptiveMax(x, 'h', oh), 'w', ow);
  }
}
