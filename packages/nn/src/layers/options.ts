// Options and argument checks shared by the layers.
import { zeros, checkBoolean, checkOptions as checkOptionKeys, checkDType as checkDTypeName, fail, Generator, type DType, type Tensor, checkTensor } from '@tapegrad/autograd';
import * as init from '../init.js';
import { Parameter } from '../parameter.js';

/**
 * Options every layer with parameters accepts: their dtype and the generator of their initial values.
 *
 * @example
 * ```ts
 * new Linear(4, 3, { dtype: 'float64', generator: new Generator(0) });
 * ```
 * @category Layers
 */
export interface LayerOptions {
  /** Element type of the parameters and buffers (default `'float32'`). */
  dtype?: DType;
  /** Source of the random initial values (default: the global generator, see `manualSeed`). */
  generator?: Generator;
}

/**
 * Checks a layer's integer argument with the shared message form:
 * `Linear: inFeatures must be a positive integer (got -1, expected an integer >= 1)`.
 */
export function checkInt(layer: string, name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const what = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : min === -Infinity ? 'an integer' : `an integer >= ${min}`;
    fail(layer, `${name} must be ${what}`, value, min === -Infinity ? 'an integer' : `an integer >= ${min}`);
  }
  return value;
}

/**
 * PyTorch's default for Linear and Conv: kaiming_uniform with a = √5 for the weight (bound
 * 1/√fanIn) and U(−1/√fanIn, 1/√fanIn) for the bias.
 */
export function defaultWeightAndBias(
  weightShape: readonly number[],
  withBias: boolean,
  { dtype, generator }: LayerOptions,
): { weight: Parameter; bias: Parameter | null } {
  const weight = new Parameter(zeros(weightShape, { dtype }));
  // A layer with zero inputs or outputs has nothing to draw (PyTorch only warns), so skip the init.
  if (weight.size > 0) init.kaimingUniform(weight, { a: Math.sqrt(5), generator });
  if (!withBias) return { weight, bias: null };
  const [fanIn] = init.fans(weight);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  const bias = init.uniform(new Parameter(zeros([weightShape[0]!], { dtype })), { low: -bound, high: bound, generator });
  return { weight, bias };
}

/** Reshapes a per-channel vector [C] to broadcast along axis 1 of an input of rank `ndim`. */
export function perChannel(v: Tensor, ndim: number): Tensor {
  checkTensor('perChannel', 'v', v);
  return v.reshape([v.shape[0]!, ...Array<number>(Math.max(0, ndim - 2)).fill(1)]);
}

/** Throws, naming the layer, when the input's dtype differs from the layer's parameters. */
export function checkDType(layerName: string, x: Tensor, reference: Tensor | null): void {
  checkTensor('checkDType', 'x', x);
  if (reference && x.dtype !== reference.dtype) {
    throw new Error(`${layerName}: input is ${x.dtype} but the layer's parameters are ${reference.dtype}; convert one (layer.toDType('${x.dtype}') or x.toDType('${reference.dtype}'))`);
  }
}

/**
 * Checks a layer's options with the shared vocabulary: an object (or undefined) whose keys are all
 * in `known` (a misspelt option must not be silently ignored), and, where present, a known `dtype`,
 * a `Generator`, and booleans for the flags every layer spells the same way.
 */
export function checkOptions<T extends object>(layer: string, options: T | undefined, known: readonly string[]): Partial<T> {
  const o = checkOptionKeys(layer, options, known) as Record<string, unknown>;
  if (o.dtype !== undefined) {
    const dtype = checkDTypeName(layer, 'dtype', o.dtype);
    if (dtype !== 'float32' && dtype !== 'float64') fail(layer, 'parameters need a floating-point dtype', dtype, "'float32' or 'float64'");
  }
  if (o.generator !== undefined && !(o.generator instanceof Generator)) fail(layer, 'generator must be a Generator', o.generator, 'a Generator (or undefined for the global one)');
  for (const flag of BOOLEAN_OPTIONS) if (o[flag] !== undefined) checkBoolean(layer, flag, o[flag]);
  for (const k of ['eps']) {
    if (o[k] !== undefined && (typeof o[k] !== 'number' || !(o[k] >= 0) || !Number.isFinite(o[k]))) fail(layer, `${k} must be a non-negative finite number`, o[k], 'a finite number >= 0');
  }
  return o as Partial<T>;
}

/** Options that are flags wherever a layer takes them. */
const BOOLEAN_OPTIONS = ['bias', 'affine', 'trackRunningStats', 'elementwiseAffine', 'batchFirst', 'bidirectional', 'addBiasKv', 'addZeroAttn', 'normFirst', 'ceilMode', 'countIncludePad', 'alignCorners', 'scaleGradByFreq', 'isCausal', 'needWeights', 'averageAttnWeights', 'inplace'];
