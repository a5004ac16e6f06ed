// MaxUnpool2d: the layer form of maxUnpool2d (PyTorch's nn.MaxUnpool2d).
import { checkTensor, maxUnpool2d, type Tensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { named, pair, type Size2 } from './conv.js';
import { checkOptions } from './options.js';

/**
 * Options of {@link MaxUnpool2d}: the pooling's stride (default: the kernel size) and padding.
 *
 * @example
 * ```ts
 * new MaxUnpool2d(2, { stride: 2, padding: 0 });
 * ```
 * @category Layers
 */
export interface MaxUnpool2dLayerOptions {
  /** Stride of the pooling undone (default: the kernel size). */
  stride?: Size2;
  /** Padding of the pooling undone (default 0). */
  padding?: Size2;
}

/**
 * Puts the maxima a `MaxPool2d` with `returnIndices: true` found back in place, zeros elsewhere
 * (PyTorch's `MaxUnpool2d`); `forward(values, indices, outputSize?)`.
 *
 * @example
 * ```ts
 * const pool = new MaxPool2d(2, { returnIndices: true });
 * const [values, indices] = pool.forward(randn([1, 3, 8, 8]));
 * new MaxUnpool2d(2).forward(values, indices).shape; // [1, 3, 8, 8]
 * ```
 * @category Layers
 */
export class MaxUnpool2d extends Module<[Tensor, Tensor, (readonly number[])?], Tensor> {
  /** `[kH, kW]`. */
  readonly kernelSize: [number, number];
  /** `[sH, sW]`. */
  readonly stride: [number, number];
  /** `[pH, pW]`. */
  readonly padding: [number, number];

  /** Undoes a max pooling with a `kernelSize` window. */
  constructor(kernelSize: Size2, options: MaxUnpool2dLayerOptions = {}) {
    super();
    const o = checkOptions('MaxUnpool2d', options, ['stride', 'padding']);
    this.kernelSize = pair('MaxUnpool2d', 'kernelSize', kernelSize, 1);
    this.stride = pair('MaxUnpool2d', 'stride', o.stride ?? this.kernelSize, 1);
    this.padding = pair('MaxUnpool2d', 'padding', o.padding ?? 0, 0);
  }

  /** Places `input`'s values at `indices` (int32, per plane) in zero planes of the default size or `outputSize`. */
  forward(input: Tensor, indices: Tensor, outputSize?: readonly number[]): Tensor {
    checkTensor('MaxUnpool2d', 'input', input);
    const o = { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding };
    return named(this, () => maxUnpool2d(input, indices, outputSize === undefined ? o : { ...o, outputSize }));
  }

  /** `kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)`, as PyTorch prints it. */
  override extraRepr(): string {
    const t = (p: readonly number[]) => `(${p.join(', ')})`;
    return `kernel_size=${t(this.kernelSize)}, stride=${t(this.stride)}, padding=${t(this.padding)}`;
  }
}
