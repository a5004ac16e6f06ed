// fast-check arbitraries for op tests: shapes, broadcastable shape tuples, and float64 tensors
// whose values stay in an op's domain and away from its kinks and ties.
import fc from 'fast-check';
import type { Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';
import { sizeOf } from '../shape.js';

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
  const { minRank = 0, maxRank = 3, minDim = 1, maxDim = 4 } = c;
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
  return shapeArb(c).chain((full) => {
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
  const { min = -2, max = 2, avoid = [], margin = 1e-3, distinct = false, requiresGrad = true } = c;
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
  return fc.tuple(...shapes.map((s) => tensorArb(s, c)));
}
