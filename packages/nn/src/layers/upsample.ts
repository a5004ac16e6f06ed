// Upsampling and sub-pixel rearrangement: Upsample (nearest, linear, bilinear with PyTorch's
// coordinate rules, as products with per-axis interpolation matrices) and PixelShuffle/Unshuffle.
import { describeValue } from '@tapegrad/autograd';
import type { Tensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { fmtShape, pyBool, pyFloat, shortName } from '../format.js';
import { checkInt, checkOptions } from './options.js';
import { alongAxis, interpolationMatrix } from './resample-matrix.js';

/**
 * Options of {@link Upsample}: exactly one of `size` and `scaleFactor`.
 *
 * @example
 * ```ts
 * new Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: false });
 * ```
 * @category Layers
 */
export interface UpsampleOptions {
  /** Output spatial size: a number (every axis) or one per axis. */
  size?: number | readonly number[];
  /** Multiplier of the spatial size (output = ⌊input·scaleFactor⌋), one number or one per axis. */
  scaleFactor?: number | readonly number[];
  /** `'nearest'` (default), `'linear'` (3-D input) or `'bilinear'` (4-D input). */
  mode?: 'nearest' | 'linear' | 'bilinear';
  /** For linear modes: align the corner pixels' centres of input and output (default `false`). Not allowed with nearest. */
  alignCorners?: boolean;
}

/**
 * Resizes `[N, C, L]` (nearest, linear) or `[N, C, H, W]` (nearest, bilinear) as
 * `torch.nn.Upsample`: nearest picks input ⌊i·scale⌋; linear modes weight the two nearest inputs
 * of the source coordinate (i + 0.5)·scale − 0.5 (or i·(n−1)/(m−1) with `alignCorners`), where
 * scale is n/m, or 1/scaleFactor when a scale factor is given.
 *
 * @example
 * ```ts
 * new Upsample({ scaleFactor: 2 }).forward(randn([1, 3, 4, 4])).shape;                  // [1, 3, 8, 8]
 * new Upsample({ size: [5, 7], mode: 'bilinear' }).forward(randn([1, 3, 4, 4])).shape;  // [1, 3, 5, 7]
 * ```
 * @category Layers
 */
export class Upsample extends Module<[Tensor], Tensor> {
  /** Requested output size, or `null`. */
  readonly size: number | readonly number[] | null;
  /** Requested scale factor, or `null`. */
  readonly scaleFactor: number | readonly number[] | null;
  /** Interpolation mode. */
  readonly mode: 'nearest' | 'linear' | 'bilinear';
  /** Corner alignment of the linear modes (`null` for nearest). */
  readonly alignCorners: boolean | null;

  /** An upsampler to `size` or by `scaleFactor`. */
  constructor(options: UpsampleOptions) {
    super();
    checkOptions('Upsample', options, ['size', 'scaleFactor', 'mode', 'alignCorners']);
    const { size, scaleFactor, mode = 'nearest', alignCorners } = options;
    if ((size === undefined) === (scaleFactor === undefined)) throw new Error('Upsample: give exactly one of size and scaleFactor');
    if (mode !== 'nearest' && mode !== 'linear' && mode !== 'bilinear') throw new Error(`Upsample: mode must be 'nearest', 'linear' or 'bilinear', got ${describeValue(mode)}`);
    if (mode === 'nearest' && alignCorners !== undefined) throw new Error('Upsample: alignCorners only applies to the linear modes, not nearest');
    const sizes = size === undefined ? [] : typeof size === 'number' ? [size] : [...size];
    sizes.forEach((d) => checkInt('Upsample', 'size', d));
    const factors = scaleFactor === undefined ? [] : typeof scaleFactor === 'number' ? [scaleFactor] : [...scaleFactor];
    if (!factors.every((f) => typeof f === 'number' && f > 0 && Number.isFinite(f))) throw new Error(`Upsample: scaleFactor must be positive, got ${describeValue(scaleFactor)}`);
    this.size = size ?? null;
    this.scaleFactor = scaleFactor ?? null;
    this.mode = mode;
    this.alignCorners = mode === 'nearest' ? null : (alignCorners ?? false);
  }

  /** The resized input. */
  forward(x: Tensor): Tensor {
    const spatial = this.mode === 'linear' ? 1 : this.mode === 'bilinear' ? 2 : x.ndim - 2;
    if (x.ndim !== spatial + 2 || (spatial !== 1 && spatial !== 2)) {
      const want = this.mode === 'linear' ? '[N, C, L]' : this.mode === 'bilinear' ? '[N, C, H, W]' : '[N, C, L] or [N, C, H, W]';
      throw new Error(`${shortName(this)}: expected input ${want}, got ${fmtShape(x.shape)}`);
    }
    const per = (v: number | readonly number[], what: string): number[] => {
      const list = typeof v === 'number' ? Array<number>(spatial).fill(v) : [...v];
      if (list.length !== spatial) throw new Error(`${shortName(this)}: ${what} has ${list.length} entries for ${spatial} spatial axes`);
      return list;
    };
    const inSizes = x.shape.slice(2);
    const factors = this.scaleFactor === null ? null : per(this.scaleFactor, 'scaleFactor');
    const outSizes = this.size !== null ? per(this.size, 'size') : inSizes.map((n, i) => Math.floor(n * factors![i]!));
    if (outSizes.some((d) => d < 1)) throw new Error(`${shortName(this)}: output size ${fmtShape(outSizes)} is empty for input ${fmtShape(x.shape)}`);
    const kind = this.mode === 'nearest' ? 'nearest' : 'linear';
    const axes: ('h' | 'w')[] = spatial === 2 ? ['h', 'w'] : ['w'];
    let y = x;
    axes.forEach((axis, i) => {
      const [n, m] = [inSizes[i]!, outSizes[i]!];
      const scale = factors ? 1 / factors[i]! : n / m;
      y = alongAxis(y, axis, interpolationMatrix(n, m, kind, this.alignCorners ?? false, scale, x.dtype));
    });
    return y;
  }

  /** `scale_factor=2.0, mode='nearest'`. */
  override extraRepr(): string {
    const v = (s: number | readonly number[]) => (typeof s === 'number' ? pyFloat(s) : `(${s.map(pyFloat).join(', ')})`);
    const what = this.size !== null ? `size=${typeof this.size === 'number' ? this.size : `(${this.size.join(', ')})`}` : `scale_factor=${v(this.scaleFactor!)}`;
    return `${what}, mode='${this.mode}'${this.alignCorners === null ? '' : `, align_corners=${pyBool(this.alignCorners)}`}`;
  }
}

/**
 * Rearranges `[N, C·r², H, W]` into `[N, C, H·r, W·r]` (sub-pixel convolution's last step):
 * output (c, h·r + i, w·r + j) = input (c·r² + i·r + j, h, w).
 *
 * @example
 * ```ts
 * new PixelShuffle(2).forward(randn([1, 12, 4, 4])).shape; // [1, 3, 8, 8]
 * ```
 * @category Layers
 */
export class PixelShuffle extends Module<[Tensor], Tensor> {
  /** r. */
  readonly upscaleFactor: number;

  /** Shuffles by factor `upscaleFactor`. */
  constructor(upscaleFactor: number) {
    super();
    this.upscaleFactor = checkInt('PixelShuffle', 'upscaleFactor', upscaleFactor);
  }

  /** `[..., C, H·r, W·r]`. */
  forward(x: Tensor): Tensor {
    const r = this.upscaleFactor;
    if (x.ndim < 3 || x.shape[x.ndim - 3]! % (r * r) !== 0) throw new Error(`${shortName(this)}: expected [..., C·${r * r}, H, W], got ${fmtShape(x.shape)}`);
    const lead = x.shape.slice(0, -3);
    const [C, H, W] = x.shape.slice(-3) as [number, number, number];
    const k = lead.length;
    const y = x.reshape([...lead, C / (r * r), r, r, H, W]);
    const perm = [...lead.map((_, i) => i), k, k + 3, k + 1, k + 4, k + 2];
    return y.permute(perm).reshape([...lead, C / (r * r), H * r, W * r]);
  }

  /** `upscale_factor=2`. */
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

/**
 * The inverse of {@link PixelShuffle}: `[N, C, H·r, W·r]` into `[N, C·r², H, W]`.
 *
 * @example
 * ```ts
 * new PixelUnshuffle(2).forward(randn([1, 3, 8, 8])).shape; // [1, 12, 4, 4]
 * ```
 * @category Layers
 */
export class PixelUnshuffle extends Module<[Tensor], Tensor> {
  /** r. */
  readonly downscaleFactor: number;

  /** Unshuffles by factor `downscaleFactor`. */
  constructor(downscaleFactor: number) {
    super();
    this.downscaleFactor = checkInt('PixelUnshuffle', 'downscaleFactor', downscaleFactor);
  }

  /** `[..., C·r², H, W]`. */
  forward(x: Tensor): Tensor {
    const r = this.downscaleFactor;
    if (x.ndim < 3 || x.shape[x.ndim - 1]! % r !== 0 || x.shape[x.ndim - 2]! % r !== 0) throw new Error(`${shortName(this)}: expected [..., C, H, W] with H and W divisible by ${r}, got ${fmtShape(x.shape)}`);
    const lead = x.shape.slice(0, -3);
    const [C, H, W] = x.shape.slice(-3) as [number, number, number];
    const k = lead.length;
    const y = x.reshape([...lead, C, H / r, r, W / r, r]);
    const perm = [...lead.map((_, i) => i), k, k + 2, k + 4, k + 1, k + 3];
    return y.permute(perm).reshape([...lead, C * r * r, H / r, W / r]);
  }

  /** `downscale_factor=2`. */
  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}
