// Random tensors from a seedable generator (the global one unless one is passed).
import { allocate } from '../dtype.js';
import { sizeOf } from '../shape.js';
import { checkBoolean, checkInt, checkOptions, checkShape, fail } from '../validate.js';
import { defaultGenerator, Generator } from '../rng.js';
import type { Tensor } from '../tensor.js';
import { assertGradDType, dtypeFrom } from '../dtype.js';
import { fromTyped, type CreateOptions } from './creation.js';
import { belowLevel, innermostVmap, levelAt, type VmapLevel } from '../transform-levels.js';
import { makeTracer } from '../op-dispatch.js';

/**
 * Options of the random creation functions.
 *
 * @example
 * ```ts
 * randn([3], { generator: new Generator(1) });
 * ```
 * @category Creation
 */
export interface RandomOptions extends CreateOptions {
  /** Source of randomness; the global one (see `manualSeed`) by default. */
  generator?: Generator;
}

function random(op: string, shapeArg: number | readonly number[], options: RandomOptions | undefined, draw: (g: Generator) => number, integers = false): Tensor {
  const shape = checkShape(op, 'shape', shapeArg);
  const opts = checkOptions(op, options, ['dtype', 'requiresGrad', 'generator']);
  if (opts.generator !== undefined && !(opts.generator instanceof Generator)) fail(op, 'generator must be a Generator', opts.generator, 'a Generator (or undefined for the global one)');
  if (opts.requiresGrad !== undefined) checkBoolean(op, 'requiresGrad', opts.requiresGrad);
  // Under vmap with randomness 'different', every example gets its own draw: one tensor of
  // [size, ...shape] drawn in order from the generator, seen per example as a batched value.
  const k = innermostVmap();
  if (k >= 0) {
    const level = levelAt(k) as VmapLevel;
    if (level.randomness === 'error') {
      throw new Error(`${op}: random values inside vmap need a choice: pass { randomness: 'different' } (a draw per example) or 'same' (one draw shared) to vmap`);
    }
    if (level.randomness === 'different') {
      const all = belowLevel(k, () => random(op, [level.size, ...shape], { ...opts, requiresGrad: false }, draw, integers));
      const logical = makeTracer(level, all, 0);
      return opts?.requiresGrad ? logical.requiresGrad_() : logical;
    }
  }
  const gen = opts?.generator ?? defaultGenerator;
  const dtype = dtypeFrom(op, opts);
  if (dtype === 'bool' || (!integers && dtype === 'int32')) {
    throw new Error(`${op}: dtype '${dtype}' is not supported; ${integers ? "use 'int32' or a float dtype" : "use 'float32' or 'float64' (randint draws integers)"}`);
  }
  assertGradDType(op, dtype, opts?.requiresGrad);
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(gen);
  return fromTyped(data, shape, opts?.requiresGrad ?? false);
}

/**
 * Uniform samples in [0, 1).
 *
 * @example
 * ```ts
 * manualSeed(0);
 * rand([2, 2]);
 * ```
 * @category Creation
 */
export function rand(shape: number | readonly number[], opts?: RandomOptions): Tensor {
  return random('rand', shape, opts, (g) => g.uniform());
}

/**
 * Standard normal samples.
 *
 * @example
 * ```ts
 * randn([3, 4], { dtype: 'float64' });
 * ```
 * @category Creation
 */
export function randn(shape: number | readonly number[], opts?: RandomOptions): Tensor {
  return random('randn', shape, opts, (g) => g.normal());
}

/**
 * Uniform integers in [low, high): float32 unless `dtype` says otherwise (`'int32'` for class labels
 * or indices; PyTorch's default is an integer type).
 *
 * @example
 * ```ts
 * randint(0, 10, [8]);
 * randint(0, 10, [8], { dtype: 'int32' });
 * ```
 * @category Creation
 */
export function randint(low: number, high: number, shape: number | readonly number[], opts?: RandomOptions): Tensor {
  checkInt('randint', 'low', low);
  checkInt('randint', 'high', high);
  if (!(high > low)) fail('randint', `high must be greater than low (${low})`, high, `an integer > ${low}`);
  return random('randint', shape, opts, (g) => low + g.int(high - low), true);
}

