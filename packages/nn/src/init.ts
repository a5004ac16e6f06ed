// Weight initializers, in place and seedable (a Generator, or the global one `manualSeed` resets).
// They follow torch.nn.init: same fan computation, gains and bounds, so the same recipes carry over.
import { checkFinite, checkNumber, checkOptions, checkTensor, fail, Generator, noGrad, rand, randn, type Tensor } from '@tapegrad/autograd';
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
    default: return fail('calculateGain', 'unknown nonlinearity', nonlinearity, "'linear', 'conv1d', 'conv2d', 'conv3d', 'sigmoid', 'tanh', 'relu', 'leakyRelu' or 'selu'");
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
export function fans(t: Tensor, fn = 'init.fans'): [fanIn: number, fanOut: number] {
  checkTensor(fn, 't', t);
  if (t.ndim < 2) throw new Error(`${fn}: fan in and fan out need a tensor with at least 2 dimensions, got shape ${fmtShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

/** Writes `values` into `t` in place (outside the tape, so it works on parameters). */
/** Checks the tensor to initialize (floating point for random fills) and the options' keys, generator and numbers. */
function args<O extends object>(fn: string, t: unknown, options: O | undefined, keys: readonly string[], random = true): Partial<O> {
  checkTensor(fn, 't', t);
  if (random && t.dtype !== 'float32' && t.dtype !== 'float64') fail(fn, 'a random fill needs a floating-point tensor', t, 'a float32 or float64 tensor');
  const o = checkOptions(fn, options, keys) as Record<string, unknown>;
  if (o.generator !== undefined && !(o.generator instanceof Generator)) fail(fn, 'generator must be a Generator', o.generator, 'a Generator');
  for (const k of ['low', 'high', 'mean', 'std', 'gain', 'a']) if (o[k] !== undefined) checkFinite(fn, k, o[k]);
  return o as Partial<O>;
}

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
export function uniform<T extends Tensor>(t: T, options: InitOptions & { low?: number; high?: number } = {}): T {
  const { low = 0, high = 1, generator } = args('init.uniform', t, options, ['low', 'high', 'generator']);
  if (!(high >= low)) fail('init.uniform', `high must be at least low (${low})`, high, `a number >= ${low}`);
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
export function normal<T extends Tensor>(t: T, options: InitOptions & { mean?: number; std?: number } = {}): T {
  const { mean = 0, std = 1, generator } = args('init.normal', t, options, ['mean', 'std', 'generator']);
  if (!(std >= 0)) fail('init.normal', 'std must be non-negative', std, 'a finite number >= 0');
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
  checkTensor('init.constant', 't', t);
  checkNumber('init.constant', 'value', value);
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
  checkTensor('init.zeros', 't', t);
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
  checkTensor('init.ones', 't', t);
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
export function xavierUniform<T extends Tensor>(t: T, options: InitOptions & { gain?: number } = {}): T {
  const { gain = 1, generator } = args('init.xavierUniform', t, options, ['gain', 'generator']);
  const [fanIn, fanOut] = fans(t, 'init.xavierUniform');
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
export function xavierNormal<T extends Tensor>(t: T, options: InitOptions & { gain?: number } = {}): T {
  const { gain = 1, generator } = args('init.xavierNormal', t, options, ['gain', 'generator']);
  const [fanIn, fanOut] = fans(t, 'init.xavierNormal');
  return normal(t, { std: gain * Math.sqrt(2 / (fanIn + fanOut)), generator });
}

function kaimingStd(fn: string, t: Tensor, options: KaimingOptions): number {
  const { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu' } = args(fn, t, options, ['a', 'mode', 'nonlinearity', 'generator']);
  if (mode !== 'fanIn' && mode !== 'fanOut') fail(fn, 'unknown mode', mode, "'fanIn' or 'fanOut'");
  const [fanIn, fanOut] = fans(t, fn);
  const fan = mode === 'fanIn' ? fanIn : fanOut;
  if (fan === 0) throw new Error(`${fn}: cannot initialize a tensor with a zero-size fan (shape ${fmtShape(t.shape)})`);
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
  const bound = Math.sqrt(3) * kaimingStd('init.kaimingUniform', t, options);
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
  return normal(t, { std: kaimingStd('init.kaimingNormal', t, options), generator: options.generator });
}
