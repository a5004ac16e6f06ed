// JAX-style composable transforms built on `gradients`. Nesting works because an argument that
// already requires grad (e.g. from an outer transform) is differentiated through, not detached.
import { Tensor } from './tensor.js';
import { gradients } from './tape.js';
import { isGradEnabled } from './grad-mode.js';
import { zerosLike } from './ops/creation.js';
import { fmt, sameShape } from './shape.js';
import { copyLevels, withLevel, type JvpLevel } from './transform-levels.js';
import { alias } from './transforms/alias.js';
import { assertSameStructure, treeLeaves, treeMap } from './transforms/pytree.js';
import './transforms/fallback-ops.js';

interface Prepared {
  args: unknown[];
  inputs: Tensor[];
  /** Whether a caller is differentiating through us, so our results must stay on the tape. */
  nested: boolean;
}

function prepare(op: string, args: readonly unknown[], argnums: readonly number[]): Prepared {
  const out = [...args];
  let nested = false;
  const inputs = argnums.map((i) => {
    const a = args[i];
    if (!(a instanceof Tensor)) throw new Error(`${op}: argument ${i} must be a Tensor to differentiate with respect to it, got ${typeof a}`);
    if (a.requiresGrad && isGradEnabled()) {
      nested = true;
      return a;
    }
    // A fresh leaf that keeps the value's tangents and batching (so jvp/vmap of grad work).
    return (out[i] = copyLevels(a, new Tensor(a.data), true).requiresGrad_());
  });
  return { args: out, inputs, nested };
}

function scalarOutput(op: string, y: unknown): Tensor {
  if (!(y instanceof Tensor) || y.size !== 1) {
    throw new Error(`${op}: the function must return a one-element Tensor, got ${y instanceof Tensor ? `shape ${fmt(y.shape)}` : typeof y}`);
  }
  return y;
}

function gradsOf(y: Tensor, p: Prepared): Tensor[] {
  if (!y.requiresGrad) return p.inputs.map((x) => zerosLike(x));
  return gradients([y], p.inputs, { createGraph: p.nested, allowUnused: true });
}

/**
 * Which arguments to differentiate with respect to: an index, or a list of indices.
 *
 * @example
 * ```ts
 * const both: ArgNums = [0, 1];
 * ```
 * @category Transforms
 */
export type ArgNums = number | readonly number[];

/**
 * What {@link grad} returns: one tensor for a single `argnums`, a list for a list.
 *
 * @example
 * ```ts
 * const g: GradResult<0> = grad(f)(x); // Tensor
 * ```
 * @category Transforms
 */
export type GradResult<N extends ArgNums> = N extends number ? Tensor : Tensor[];

/**
 * Returns a function computing `f`'s value and its gradient with respect to the arguments in
 * `argnums` (default: the first). `f` must return a one-element tensor.
 *
 * @example
 * ```ts
 * const [value, g] = valueAndGrad((x: Tensor) => x.square().sum())(tensor([1, 2]));
 * // value 5, g [2, 4]
 * ```
 * @category Transforms
 */
export function valueAndGrad<A extends unknown[], N extends ArgNums = 0>(
  f: (...args: A) => Tensor,
  argnums?: N,
): (...args: A) => [Tensor, GradResult<N>] {
  const nums = argnums ?? 0;
  const list: readonly number[] = typeof nums === 'number' ? [nums] : (nums as readonly number[]);
  return (...args: A) => {
    const p = prepare('grad', args, list);
    const y = scalarOutput('grad', f(...(p.args as A)));
    const grads = gradsOf(y, p);
    const value = p.nested ? y : y.detach();
    return [value, (typeof nums === 'number' ? grads[0]! : grads) as GradResult<N>];
  };
}

/**
 * Returns a function computing the gradient of `f` (which must return a one-element tensor) with
 * respect to the arguments in `argnums`. Composes: `grad(grad(f))` is the second derivative.
 *
 * @example
 * ```ts
 * const df = grad((x: Tensor) => x.mul(x).sin().sum());
 * df(tensor([0.5])); // 2x·cos(x²)
 * const d2f = grad((x: Tensor) => grad((y: Tensor) => y.pow(3).sum())(x).sum());
 * d2f(tensor([2])); // 12
 * ```
 * @category Transforms
 */
export function grad<A extends unknown[], N extends ArgNums = 0>(f: (...args: A) => Tensor, argnums?: N): (...args: A) => GradResult<N> {
  const vg = valueAndGrad(f, argnums);
  return (...args: A) => vg(...args)[1];
}

/**
 * Evaluates `f` at `primals` and returns its output with a function mapping a cotangent (shaped
 * like the output) to the vector-Jacobian products, one per primal.
 *
 * @example
 * ```ts
 * const [y, pullback] = vjp((x: Tensor) => x.exp(), tensor([0, 1]));
 * pullback(tensor([1, 1])); // [exp(0), exp(1)]
 * ```
 * @category Transforms
 */
export function vjp(f: (...primals: Tensor[]) => Tensor, ...primals: Tensor[]): [Tensor, (cotangent: Tensor) => Tensor[]] {
  const p = prepare('vjp', primals, primals.map((_, i) => i));
  const y = f(...(p.args as Tensor[]));
  const pullback = (ct: Tensor): Tensor[] => {
    if (!y.requiresGrad) return p.inputs.map((x) => zerosLike(x));
    return gradients([y], p.inputs, { gradOutputs: [ct], retainGraph: true, createGraph: p.nested || ct.requiresGrad, allowUnused: true });
  };
  return [p.nested ? y : y.detach(), pullback];
}

/**
 * Forward mode: evaluates `f` at `primals` and the Jacobian-vector product along `tangents` (one
 * per primal, same structure) in one forward pass: every op carries its input tangents forward
 * through its jvp rule (dual numbers). Primals may be tensors or trees of tensors (nested arrays and
 * plain objects), and `f` may return a tree; the tangent returned has the output's structure.
 * Composes with `grad`, `vmap` and itself in any order.
 *
 * @example
 * ```ts
 * const [y, dy] = jvp((x: Tensor) => x.square(), [tensor([3])], [tensor([1])]); // y 9, dy 6
 * ```
 * @category Transforms
 */
export function jvp<P extends readonly unknown[], R>(f: (...primals: P) => R, primals: P, tangents: P): [R, R] {
  if (!Array.isArray(primals) || !Array.isArray(tangents)) throw new Error('jvp: primals and tangents must be arrays (one entry per argument of f)');
  if (tangents.length !== primals.length) throw new Error(`jvp: got ${primals.length} primals but ${tangents.length} tangents`);
  primals.forEach((p, i) => assertSameStructure('jvp', `primal ${i} and tangent ${i}`, p, tangents[i]));
  const ps = treeLeaves(primals);
  const ts = treeLeaves(tangents);
  ts.forEach((t, i) => {
    const p = ps[i]!;
    if (!sameShape(t.shape, p.shape)) throw new Error(`jvp: tangent ${i} has shape ${fmt(t.shape)} but primal ${i} has shape ${fmt(p.shape)}`);
    if (t.dtype !== p.dtype) throw new Error(`jvp: tangent ${i} is ${t.dtype} but primal ${i} is ${p.dtype}`);
  });
  const level: JvpLevel = { kind: 'jvp', tangents: new WeakMap() };
  return withLevel(level, () => {
    const xs = treeMap(primals, (p, i) => {
      const x = alias(p);
      level.tangents.set(x, ts[i]!);
      return x;
    });
    const y = f(...(xs as unknown as P));
    const ty = treeMap(y, (leaf) => level.tangents.get(leaf) ?? zerosLike(leaf));
    return [y, ty];
  });
}

/**
 * Hessian-vector products of a scalar function: returns `f(primals)` and `H·v` for each primal,
 * computed as the gradient of ⟨∇f, v⟩ (reverse over reverse), without forming the Hessian.
 *
 * @example
 * ```ts
 * const [, [hv]] = hvp((x: Tensor) => x.pow(3).sum(), [tensor([2])], [tensor([1])]); // hv = 6x = 12
 * ```
 * @category Transforms
 */
export function hvp(f: (...primals: Tensor[]) => Tensor, primals: readonly Tensor[], tangents: readonly Tensor[]): [Tensor, Tensor[]] {
  if (tangents.length !== primals.length) throw new Error(`hvp: got ${primals.length} primals but ${tangents.length} tangents`);
  const p = prepare('hvp', primals, primals.map((_, i) => i));
  const y = scalarOutput('hvp', f(...(p.args as Tensor[])));
  if (!y.requiresGrad) return [y, p.inputs.map((x) => zerosLike(x))];
  const g = gradients([y], p.inputs, { createGraph: true, allowUnused: true });
  const inner = g.map((gi, i) => gi.mul(tangents[i]!).sum()).reduce((a, b) => a.add(b));
  const hv = inner.requiresGrad ? gradients([inner], p.inputs, { createGraph: p.nested, allowUnused: true }) : p.inputs.map((x) => zerosLike(x));
  return [p.nested ? y : y.detach(), hv];
}
