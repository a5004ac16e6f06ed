// Weight initializers, in place and seedable (a Generator, or the global one `manualSeed` resets).
// They follow torch.nn.init: same fan computation, gains and bounds, so the same recipes carry over.
import { noGrad, rand, randn, type Generator, type Tensor } from '@tapegrad/autograd';
import { fmtShape } from './format.js';

/**
 * A nonlinearity whose recommended gain {@link calculateGain} knows (PyTorch's names; `leakyRelu`
 * is also accepted as `leaky_relu`).
 *
 * @example
 * ```ts
 * const n: Nonlinearity = 'relu';
 * ```
 * @category Init
 */
export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'leaky_relu' | 'selu';

/**
 * Where random initializers draw from: a {@link Generator}, or the global one when omitted.
 *
 * @example
 * ```ts
 * init.normal(w, { std: 0.02, generator: new Generator(1) });
 * ```
 * @category Init
 */
export interface InitOptions {
  /** Source of randomness (default: the global generator, see `manualSeed`). */
  generator?: Generator;
}

/**
 * Options of the Kaiming (He) initializers.
 *
 * @example
 * ```ts
 * init.kaimingNormal(w, { mode: 'fanOut', nonlinearity: 'relu' });
 * ```
 * @category Init
 */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky relu that follows (default 0). */
  a?: number;
  /** Preserve the variance of activations (`'fanIn'`, default) or of gradients (`'fanOut'`). */
  mode?: 'fanIn' | 'fanOut';
  /** Default `'leakyRelu'` (with slope `a`), as PyTorch. */
  nonlinearity?: Nonlinearity;
}

/**
 * The recommended gain for a nonlinearity, as `torch.nn.init.calculate_gain`: 1 for linear,
 * conv and sigmoid, 5/3 for tanh, √2 for relu, √(2 / (1 + slope²)) for leaky relu, 3/4 for selu.
 *
 * @example
 * ```ts
 * init.calculateGain('relu');            // 1.4142
 * init.calculateGain('leakyRelu', 0.2);  // 1.3868
 * ```
 * @category Init
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'selu': return 3 / 4;
    case 'leakyRelu': case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (!Number.isFinite(slope)) throw new Error(`calculateGain: negative slope must be a finite number, got ${slope}`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    default: throw new Error(`calculateGain: unknown nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/**
 * Fan-in and fan-out of a weight: `[in · receptive field, out · receptive field]` for a weight of
 * shape `[out, in, ...kernel]`, as PyTorch computes them (Linear: `[in, out]`).
 *
 * @example
 * ```ts
 * init.fans(zeros([16, 3, 3, 3])); // [27, 144]
 * ```
 * @category Init
 */
export function fans(t: Tensor): [fanIn: number, fanOut: number] {
  if (t.ndim < 2) throw new Error(`init: fan in and fan out need a tensor with at least 2 dimensions, got shape ${fmtShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

/** Writes `values` into `t` in place (outside the tape, so it works on parameters). */
function fill<T extends Tensor>(t: T, values: Tensor | number): T {
  noGrad(() => t.copy_(values));
  return t;
}

/**
 * Fills `t` in place with samples from U(low, high) (default U(0, 1)).
 *
 * @example
 * ```ts
 * init.uniform(w, { low: -0.1, high: 0.1 });
 * ```
 * @category Init
 */
export function uniform<T extends Tensor>(t: T, { low = 0, high = 1, generator }: InitOptions & { low?: number; high?: number } = {}): T {
  if (!(high >= low)) throw new Error(`init.uniform: high (${high}) must be at least low (${low})`);
  return fill(t, rand(t.shape, { dtype: t.dtype, generator }).mul(high - low).add(low));
}

/**
 * Fills `t` in place with samples from N(mean, std²) (default N(0, 1)).
 *
 * @example
 * ```ts
 * init.normal(embedding.weight, { std: 0.02 });
 * ```
 * @category Init
 */
export function normal<T extends Tensor>(t: T, { mean = 0, std = 1, generator }: InitOptions & { mean?: number; std?: number } = {}): T {
  if (!(std >= 0)) throw new Error(`init.normal: std must be non-negative, got ${std}`);
  return fill(t, randn(t.shape, { dtype: t.dtype, generator }).mul(std).add(mean));
}

/**
 * Fills `t` in place with `value`.
 *
 * @example
 * ```ts
 * init.constant(bias, 0.1);
 * ```
 * @category Init
 */
export function constant<T extends Tensor>(t: T, value: number): T {
  return fill(t, value);
}

/**
 * Fills `t` in place with zeros.
 *
 * @example
 * ```ts
 * init.zeros(linear.bias!);
 * ```
 * @category Init
 */
export function zeros<T extends Tensor>(t: T): T {
  return fill(t, 0);
}

/**
 * Fills `t` in place with ones.
 *
 * @example
 * ```ts
 * init.ones(norm.weight!);
 * ```
 * @category Init
 */
export function ones<T extends Tensor>(t: T): T {
  return fill(t, 1);
}

/**
 * Glorot uniform: U(−b, b) with b = gain · √(6 / (fanIn + fanOut)).
 *
 * @example
 * ```ts
 * init.xavierUniform(linear.weight, { gain: init.calculateGain('tanh') });
 * ```
 * @category Init
 */
export function xavierUniform<T extends Tensor>(t: T, { gain = 1, generator }: InitOptions & { gain?: number } = {}): T {
  const [fanIn, fanOut] = fans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, { low: -bound, high: bound, generator });
}

/**
 * Glorot normal: N(0, std²) with std = gain · √(2 / (fanIn + fanOut)).
 *
 * @example
 * ```ts
 * init.xavierNormal(linear.weight);
 * ```
 * @category Init
 */
export function xavierNormal<T extends Tensor>(t: T, { gain = 1, generator }: InitOptions & { gain?: number } = {}): T {
  const [fanIn, fanOut] = fans(t);
  return normal(t, { std: gain * Math.sqrt(2 / (fanIn + fanOut)), generator });
}

function kaimingStd(t: Tensor, { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu' }: KaimingOptions): number {
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new Error(`init.kaiming: mode must be 'fanIn' or 'fanOut', got ${JSON.stringify(mode)}`);
  const [fanIn, fanOut] = fans(t);
  const fan = mode === 'fanIn' ? fanIn : fanOut;
  if (fan === 0) throw new Error(`init.kaiming: cannot initialize a tensor with a zero-size fan (shape ${fmtShape(t.shape)})`);
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/**
 * He uniform: U(−b, b) with b = √3 · gain / √fan. PyTorch's Linear and Conv2d use it with
 * `a = √5`, which gives b = 1 / √fanIn.
 *
 * @example
 * ```ts
 * init.kaimingUniform(conv.weight, { nonlinearity: 'relu' });
 * ```
 * @category Init
 */
export function kaimingUniform<T extends Tensor>(t: T, options: KaimingOptions = {}): T {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform(t, { low: -bound, high: bound, generator: options.generator });
}

/**
 * He normal: N(0, std²) with std = gain / √fan.
 *
 * @example
 * ```ts
 * init.kaimingNormal(linear.weight, { mode: 'fanOut', nonlinearity: 'relu' });
 * ```
 * @category Init
 */
export function kaimingNormal<T extends Tensor>(t: T, options: KaimingOptions = {}): T {
  return normal(t, { std: kaimingStd(t, options), generator: options.generator });
}
