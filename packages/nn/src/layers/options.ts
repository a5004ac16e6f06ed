// Options and argument checks shared by the layers.
import { zeros, type DType, type Generator, type Tensor, checkTensor } from '@tapegrad/autograd';
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

/** Throws unless `value` is an integer of at least `min`, naming the layer and the argument. */
export function checkInt(layer: string, name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${layer}: ${name} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
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

/** Throws, naming the layer, when `options` holds a key outside `known` (a misspelt option must not be silently ignored). */
export function checkOptions(layer: string, options: object | undefined, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') throw new Error(`${layer}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${layer}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}
