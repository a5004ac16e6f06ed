// What every convolution layer holds, as PyTorch's _ConvNd: channels, groups, weight and bias,
// the per-axis kernel, stride, padding, output padding and dilation, and the one repr PyTorch
// prints for all of them. The layers differ only in how they check their options and convolve.
import type { Tensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import type { PaddingMode } from './conv.js';

/** A convolution layer's checked settings, as its constructor hands them to {@link ConvNd}. */
interface ConvSettings<K extends readonly number[]> {
  inChannels: number;
  outChannels: number;
  groups: number;
  weight: Parameter;
  bias: Parameter | null;
  kernelSize: K;
  stride: K;
  padding: K | 'same' | 'valid';
  outputPadding: K;
  dilation: K;
  paddingMode: PaddingMode;
}

/** A tuple as Python prints it: `(3,)`, `(3, 3)`. */
const pyTuple = (t: readonly number[]) => (t.length === 1 ? `(${t[0]},)` : `(${t.join(', ')})`);

/**
 * The base of {@link Conv1d}, {@link Conv2d}, {@link ConvTranspose1d} and
 * {@link ConvTranspose2d} (PyTorch's `_ConvNd`): the settings they share, one entry per spatial
 * axis in `K`, and the `extraRepr` PyTorch prints for them. Use it to treat convolution layers
 * alike, e.g. to find them in a model.
 *
 * @example
 * ```ts
 * const model = new Sequential(new Conv2d(1, 8, 3), new ReLU(), new Conv2d(8, 4, 3, { padding: 1 }));
 * model.modules().filter((m) => m instanceof ConvNd).map((m) => (m as ConvNd).outChannels); // [8, 4]
 * ```
 * @category Layers
 */
export abstract class ConvNd<K extends readonly number[] = readonly number[], In extends unknown[] = [Tensor]> extends Module<In, Tensor> {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output (number of filters). */
  readonly outChannels: number;
  /** Number of channel groups. */
  readonly groups: number;
  /** `[outChannels, inChannels / groups, ...kernel]`, or `[inChannels, outChannels / groups, ...kernel]` for a transposed convolution. */
  weight: Parameter;
  /** `[outChannels]`, or `null` with `bias: false`. */
  bias: Parameter | null;
  /** Window size per spatial axis. */
  readonly kernelSize: K;
  /** Step between windows per spatial axis. */
  readonly stride: K;
  /** Padding per spatial axis, or `'same'`/`'valid'` (not for transposed convolutions). */
  readonly padding: K | 'same' | 'valid';
  /** Extra output size per axis of a transposed convolution; zeros for the others, as PyTorch. */
  readonly outputPadding: K;
  /** Spacing between kernel taps per spatial axis. */
  readonly dilation: K;
  /** What the padding holds (always `'zeros'` for transposed convolutions, as PyTorch). */
  readonly paddingMode: PaddingMode;

  /** @internal takes the settings the layer's constructor checked (subclasses only). */
  protected constructor(s: ConvSettings<K>) {
    super();
    this.inChannels = s.inChannels;
    this.outChannels = s.outChannels;
    this.groups = s.groups;
    this.weight = s.weight;
    this.bias = s.bias;
    this.kernelSize = s.kernelSize;
    this.stride = s.stride;
    this.padding = s.padding;
    this.outputPadding = s.outputPadding;
    this.dilation = s.dilation;
    this.paddingMode = s.paddingMode;
  }

  /** As PyTorch prints it: `1, 8, kernel_size=(3, 3), stride=(1, 1)`, plus the settings that differ from their defaults. */
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    const p = this.padding;
    if (typeof p === 'string' || p.some((v) => v !== 0)) s += `, padding=${typeof p === 'string' ? p : pyTuple(p)}`;
    if (this.outputPadding.some((v) => v !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}
