// vmap: runs a function written for one example over a batch axis, through each op's batching rule.
import { describeValue } from '../validate.js';
import { Tensor } from '../tensor.js';
import { normalizeAxis, fmt } from '../shape.js';
import { withLevel, type Randomness, type VmapLevel } from '../transform-levels.js';
import { makeTracer } from '../op-dispatch.js';
import { treeLeaves, treeMap, treeShape } from './pytree.js';
import './fallback-ops.js';
import { checkCallback, checkOptions } from '../validate.js';

/**
 * Where the batch axis lies: a number (negative counts from the end), `null` for "not batched",
 * or, per argument (or per output), a tree of those matching its structure.
 *
 * @example
 * ```ts
 * const axes: AxisSpec = [0, null]; // first argument batched on axis 0, second shared
 * ```
 * @category Transforms
 */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [key: string]: AxisSpec };

/**
 * Options of {@link vmap}.
 *
 * @example
 * ```ts
 * const opts: VmapOptions = { inAxes: [0, null], outAxes: 0 };
 * ```
 * @category Transforms
 */
export interface VmapOptions {
  /** Batch axis of each argument: one spec for all, or a list with one entry per argument (default 0). */
  inAxes?: AxisSpec;
  /** Where the batch axis goes in each output: one for all, or a tree matching the output (default 0). */
  outAxes?: AxisSpec;
  /** The number of examples; needed only when no argument is batched. */
  axisSize?: number;
  /**
   * Random ops inside `f` (rand, randn, randint, dropout): `'different'` (default) draws independent
   * values per example (one draw of [size, ...shape] from the generator, so a seeded generator gives
   * a reproducible batch); `'same'` draws once and shares it; `'error'` refuses.
   */
  randomness?: Randomness;
}

const known = ['inAxes', 'outAxes', 'axisSize', 'randomness'];

/** Pairs each tensor of `tree` with its axis from `spec` (a prefix of the tree's structure). */
function axesOf(op: string, spec: AxisSpec | undefined, tree: unknown, what: string): (number | null)[] {
  if (spec === undefined || spec === null || typeof spec === 'number') return treeLeaves(tree).map(() => spec ?? null);
  if (Array.isArray(spec)) {
    if (!Array.isArray(tree) || tree.length !== spec.length) throw new Error(`${op}: ${what} has structure ${treeShape(tree)}, which does not match axes ${describeValue(spec)}`);
    return spec.flatMap((s, i) => axesOf(op, s as AxisSpec, tree[i], `${what}[${i}]`));
  }
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree) || tree instanceof Tensor) {
    throw new Error(`${op}: ${what} has structure ${treeShape(tree)}, which does not match axes ${describeValue(spec)}`);
  }
  const obj = tree as Record<string, unknown>;
  const keys = Object.keys(spec as object);
  if (keys.length !== Object.keys(obj).length || !keys.every((k) => k in obj)) {
    throw new Error(`${op}: ${what} has keys [${Object.keys(obj).join(', ')}] but the axes name [${keys.join(', ')}]`);
  }
  return Object.keys(obj).flatMap((k) => axesOf(op, (spec as Record<string, AxisSpec>)[k], obj[k], `${what}.${k}`));
}

/** `x` with axis `from` moved to `to`. */
function moveAxis(x: Tensor, from: number, to: number): Tensor {
  if (from === to) return x;
  const dims = x.shape.map((_, i) => i).filter((i) => i !== from);
  dims.splice(to, 0, from);
  return x.permute(dims);
}

/**
 * Vectorizing map: returns a function that runs `f`, written for one example, over a batch axis
 * of its arguments, as if `f` were called on each example and the results stacked along
 * `outAxes`, but in one pass: each op runs once on the whole batch through its batching rule
 * (ops without one loop over the examples). Arguments and results may be trees of tensors.
 * Composes with `grad` (per-example gradients: `vmap(grad(loss))`), `jvp` and itself.
 *
 * @example
 * ```ts
 * const dot = (a: Tensor, b: Tensor) => a.mul(b).sum();
 * vmap(dot)(randn([8, 3]), randn([8, 3])).shape;                 // [8]
 * vmap(dot, { inAxes: [0, null] })(randn([8, 3]), randn([3])).shape; // [8]
 * ```
 * @category Transforms
 */
export function vmap<A extends unknown[], R>(f: (...args: A) => R, options: VmapOptions = {}): (...args: A) => R {
  checkCallback('vmap', 'f', f);
  const { inAxes = 0, outAxes = 0, axisSize, randomness = 'different' } = checkOptions('vmap', options, known);
  if (!['different', 'same', 'error'].includes(randomness)) throw new Error(`vmap: randomness must be 'different', 'same' or 'error', got ${describeValue(randomness)}`);
  if (axisSize !== undefined && !(Number.isInteger(axisSize) && axisSize >= 0)) throw new Error(`vmap: axisSize must be a non-negative integer, got ${axisSize}`);
  return (...args: A): R => {
    if (Array.isArray(inAxes) && inAxes.length !== args.length) {
      throw new Error(`vmap: inAxes has ${inAxes.length} entries but the function got ${args.length} arguments`);
    }
    const axes = Array.isArray(inAxes) ? axesOf('vmap', inAxes, args, 'the arguments') : treeLeaves(args).map(() => inAxes as number | null);
    const leaves = treeLeaves(args);
    let size = axisSize;
    const resolved = leaves.map((x, i) => {
      const a = axes[i]!;
      if (a === null) return null;
      const d = normalizeAxis('vmap', a, x.ndim);
      const n = x.shape[d]!;
      if (size === undefined) size = n;
      else if (n !== size) throw new Error(`vmap: batch sizes differ: argument tensor ${i} (shape ${fmt(x.shape)}) has ${n} on axis ${d}, expected ${size}`);
      return d;
    });
    if (size === undefined) throw new Error('vmap: no argument is batched (all inAxes are null); pass axisSize');
    const level: VmapLevel = { kind: 'vmap', size, randomness, tracers: new WeakMap() };
    return withLevel(level, () => {
      const inner = treeMap(args, (x, i) => (resolved[i] === null ? x : makeTracer(level, x, resolved[i]!)));
      const out = f(...inner);
      const outAx = axesOf('vmap', outAxes, out, 'the output');
      return treeMap(out, (y, i) => {
        const b = level.tracers.get(y);
        const to = outAx[i];
        if (to === null || to === undefined) {
          if (b) throw new Error(`vmap: output tensor ${i} is batched but its outAxes entry is null`);
          return y;
        }
        // An output that does not depend on the batch is repeated for every example, as in JAX.
        const phys = b ? b.physical : y.unsqueeze(0).expand([level.size, ...y.shape]);
        const from = b ? b.dim : 0;
        return moveAxis(phys, from, normalizeAxis('vmap', to, phys.ndim));
      });
    });
  };
}
