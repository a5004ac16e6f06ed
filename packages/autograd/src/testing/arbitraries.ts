// fast-check arbitraries for op tests: shapes, broadcastable shape tuples, and float64 tensors
// whose values stay in an op's domain and away from its kinks and ties.
import fc from 'fast-check';
import type { Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';
import { sizeOf } from '../shape.js';
import { checkBoolean, checkFinite, checkInt, checkOptions, checkShape, fail } from '../validate.js';

/**
 * Bounds for drawn shapes.
 *
 * @example
 * ```ts
 * shapeArb({ minRank: 1, maxRank: 2, maxDim: 3 });
 * ```
 * @category Testing
 */
export interface ShapeConstraints {
  minRank?: number;
  maxRank?: number;
  minDim?: number;
  maxDim?: number;
}

/**
 * Shapes with rank in [minRank, maxRank] (default 0..3) and dims in [minDim, maxDim] (default 1..4).
 *
 * @example
 * ```ts
 * fc.assert(fc.property(shapeArb(), (shape) => shape.length <= 3));
 * ```
 * @category Testing
 */
export function shapeArb(c: ShapeConstraints = {}): fc.Arbitrary<number[]> {
  const { minRank, maxRank, minDim, maxDim } = shapeConstraints('shapeArb', c);
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/**
 * `count` shapes that broadcast together: each drops some leading axes of a common shape and
 * replaces some of the rest with 1.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(broadcastShapesArb(2), ([a, b]) => true));
 * ```
 * @category Testing
 */
export function broadcastShapesArb(count = 2, c: ShapeConstraints = {}): fc.Arbitrary<number[][]> {
  checkInt('broadcastShapesArb', 'count', count, { min: 0 });
  const { minRank, maxRank, minDim, maxDim } = shapeConstraints('broadcastShapesArb', c);
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank }).chain((full) => {
    const one = fc
      .tuple(fc.integer({ min: 0, max: full.length }), fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }))
      .map(([drop, ones]) => full.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
    return fc.array(one, { minLength: count, maxLength: count });
  });
}

/**
 * Where the values of {@link tensorArb} may fall.
 *
 * @example
 * ```ts
 * tensorArb([3], { min: 0.1, max: 3, avoid: [1] });
 * ```
 * @category Testing
 */
export interface ValueConstraints {
  /** Smallest value (default -2). */
  min?: number;
  /** Largest value (default 2). */
  max?: number;
  /** Kinks to stay away from (e.g. `[0]` for relu and abs). */
  avoid?: readonly number[];
  /** Minimum distance from each kink (default 1e-3, well above the finite-difference step). */
  margin?: number;
  /** All values pairwise at least (max − min) / 1000 apart, for max/min/sort-like ops. */
  distinct?: boolean;
  /** Defaults to true. */
  requiresGrad?: boolean;
}

/**
 * Float64 tensors of a fixed shape with values in the op's domain.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(tensorArb([2, 3], { min: 0.1 }), (x) => gradcheck((x) => x.log(), [x])));
 * ```
 * @category Testing
 */
export function tensorArb(shape: readonly number[], c: ValueConstraints = {}): fc.Arbitrary<Tensor> {
  shape = checkShape('tensorArb', 'shape', shape);
  const { min, max, avoid, margin, distinct, requiresGrad } = valueConstraints('tensorArb', c);
  const n = sizeOf(shape);
  const ok = (v: number) => avoid.every((k) => Math.abs(v - k) > margin);
  let values: fc.Arbitrary<number[]>;
  if (distinct) {
    const steps = 1000;
    values = fc
      .uniqueArray(fc.integer({ min: 0, max: steps }), { minLength: n, maxLength: n })
      .map((ks) => ks.map((k) => min + ((max - min) * k) / steps))
      .filter((vs) => vs.every(ok));
  } else {
    const v = fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).filter(ok);
    values = fc.array(v, { minLength: n, maxLength: n });
  }
  return values.map((vs) => tensor(vs, { dtype: 'float64', shape, requiresGrad }));
}

/**
 * One tensor per shape, each drawn by {@link tensorArb} with the same constraints.
 *
 * @example
 * ```ts
 * broadcastShapesArb(2).chain((shapes) => tensorsArb(shapes));
 * ```
 * @category Testing
 */
export function tensorsArb(shapes: readonly (readonly number[])[], c: ValueConstraints = {}): fc.Arbitrary<Tensor[]> {
  if (!Array.isArray(shapes)) fail('tensorsArb', 'shapes must be an array of shapes', shapes, 'an array of shapes');
  shapes.forEach((shape, i) => checkShape('tensorsArb', `shapes[${i}]`, shape));
  valueConstraints('tensorsArb', c);
  return fc.tuple(...shapes.map((s) => tensorArb(s, c)));
}

/** Checks shape constraints: known keys, non-negative integers, min <= max. */
function shapeConstraints(fn: string, c: unknown): Required<ShapeConstraints> {
  const o = checkOptions(fn, c as ShapeConstraints, ['minRank', 'maxRank', 'minDim', 'maxDim']);
  const get = (k: keyof ShapeConstraints, d: number) => (o[k] === undefined ? d : checkInt(fn, k, o[k], { min: 0 }));
  const r = { minRank: get('minRank', 0), maxRank: get('maxRank', 3), minDim: get('minDim', 1), maxDim: get('maxDim', 4) };
  if (r.minRank > r.maxRank) fail(fn, 'minRank exceeds maxRank', r.minRank, `at most maxRank (${r.maxRank})`);
  if (r.minDim > r.maxDim) fail(fn, 'minDim exceeds maxDim', r.minDim, `at most maxDim (${r.maxDim})`);
  return r;
}

/** Checks value constraints: known keys, finite bounds with min < max, numbers to avoid. */
function valueConstraints(fn: string, c: unknown): Required<ValueConstraints> {
  const o = checkOptions(fn, c as ValueConstraints, ['min', 'max', 'avoid', 'margin', 'distinct', 'requiresGrad']);
  const min = o.min === undefined ? -2 : checkFinite(fn, 'min', o.min);
  const max = o.max === undefined ? 2 : checkFinite(fn, 'max', o.max);
  if (!(min < max)) fail(fn, 'min must be below max', min, `a number < max (${max})`);
  const avoid = o.avoid ?? [];
  if (!Array.isArray(avoid)) fail(fn, 'avoid must be an array of numbers', avoid, 'an array of finite numbers');
  avoid.forEach((k, i) => checkFinite(fn, `avoid[${i}]`, k));
  const margin = o.margin === undefined ? 1e-3 : checkFinite(fn, 'margin', o.margin);
  if (margin < 0) fail(fn, 'margin must be non-negative', margin, 'a finite number >= 0');
  return {
    min,
    max,
    avoid,
    margin,
    distinct: o.distinct === undefined ? false : checkBoolean(fn, 'distinct', o.distinct),
    requiresGrad: o.requiresGrad === undefined ? true : checkBoolean(fn, 'requiresGrad', o.requiresGrad),
  };
}
