// JAX-style composable transforms built on `gradients`. Nesting works because an argument that
// already requires grad (e.g. from an outer transform) is differentiated through, not detached.
import { checkBoolean, checkCallback, checkInt, checkOptions, fail } from './validate.js';
import { isFloating } from './dtype.js';
import { Tensor } from './tensor.js';
import { gradients } from './tape.js';
import { isGradEnabled } from './grad-mode.js';
import { zerosLike } from './ops/creation.js';
import { fmt, sameShape } from './shape.js';
import { copyLevels, isTracer, withLevel, type JvpLevel } from './transform-levels.js';
import { alias } from './transforms/alias.js';
import { assertSameStructure, treeLeaves, treeMap } from './transforms/pytree.js';
import './transforms/fallback-ops.js';

interface Prepared {
  args: unknown[];
  /** The tensors of the differentiated arguments, flattened in argnums order. */
  inputs: Tensor[];
  /** Whether a caller is differentiating through us, so our results must stay on the tape. */
  nested: boolean;
}

/** A fresh leaf for `a` that keeps its tangents and batching (so jvp/vmap of grad work). */
const freshLeaf = (a: Tensor): Tensor => copyLevels(a, new Tensor(a.data), true).requiresGrad_();

function prepare(op: string, args: readonly unknown[], argnums: readonly number[]): Prepared {
  const out = [...args];
  let nested = false;
  const inputs: Tensor[] = [];
  for (const i of argnums) {
    const a = args[i];
    if (!Number.isInteger(i) || i < 0 || i >= args.length) throw new Error(`${op}: argnums ${i} is out of range for ${args.length} arguments`);
    if (treeLeaves(a).length === 0) {
      throw new Error(`${op}: argument ${i} must be a Tensor to differentiate with respect to it, got ${describe(a)}`);
    }
    out[i] = treeMap(a, (leaf) => {
      if (leaf.requiresGrad && isGradEnabled()) {
        nested = true;
        inputs.push(leaf);
        return leaf;
      }
      const x = freshLeaf(leaf);
      inputs.push(x);
      return x;
    });
  }
  return { args: out, inputs, nested };
}

const describe = (v: unknown) => (Array.isArray(v) ? 'an array without tensors' : v !== null && typeof v === 'object' ? 'an object without tensors' : typeof v);

/** The flat gradients rebuilt into the structure of the differentiated arguments. */
function regroup(args: readonly unknown[], argnums: ArgNums, flat: readonly Tensor[]): unknown {
  let k = 0;
  const one = (i: number) => treeMap(args[i], () => flat[k++]!);
  return typeof argnums === 'number' ? one(argnums) : argnums.map(one);
}

function scalarOutput(op: string, y: unknown): Tensor {
  if (!(y instanceof Tensor) || y.size !== 1) {
    throw new Error(`${op}: the function must return a one-element Tensor, got ${y instanceof Tensor ? `shape ${fmt(y.shape)}` : typeof y}`);
  }
  return y;
}

/**
 * Whether `outputs` depend on a tensor requiring grad other than through `inputs`: a closure over
 * an outer transform's value, or over parameters. Then someone may differentiate through our
 * result (an outer grad, a gradient penalty's backward), so it must stay on the tape, as it does
 * when an argument itself requires grad.
 */
function reachesOuter(outputs: readonly Tensor[], inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  const stop = new Set(inputs);
  const seen = new Set<Tensor>();
  const stack = outputs.filter((t) => t.requiresGrad);
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (stop.has(t) || seen.has(t)) continue;
    seen.add(t);
    if (t.gradFn === null) {
      if (t.requiresGrad) return true;
      continue;
    }
    for (const x of t.gradFn.inputs) if (x.requiresGrad) stack.push(x);
  }
  return false;
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
 * What {@link grad} returns: the gradient has the type (and tree structure) of the argument it is
 * taken with respect to; a list of them for a list of `argnums`.
 *
 * @example
 * ```ts
 * const g: GradResult<[Tensor, number], 0> = grad(f)(x, 3); // Tensor
 * ```
 * @category Transforms
 */
export type GradResult<A extends readonly unknown[], N extends ArgNums> = N extends number
  ? A[N]
  : { -readonly [K in keyof N]: N[K] extends number ? A[N[K]] : never };

/**
 * Options of {@link grad} and {@link valueAndGrad} (and the Jacobian transforms): which arguments
 * to differentiate, and whether `f` returns `[output, aux]` with auxiliary data passed through.
 *
 * @example
 * ```ts
 * const opts: GradOptions = { argnums: [0, 1], hasAux: true };
 * ```
 * @category Transforms
 */
export interface GradOptions<N extends ArgNums = ArgNums> {
  /** The arguments to differentiate with respect to (default 0). Each may be a tree of tensors. */
  argnums?: N;
  /** `f` returns `[output, aux]`; aux is returned alongside, not differentiated (default false). */
  hasAux?: boolean;
}

const gradKeys = ['argnums', 'hasAux'];

/** Checks argnums: a non-negative integer or a non-empty list of distinct ones. */
function checkArgnums(op: string, a: unknown): ArgNums {
  if (typeof a === 'number') return checkInt(op, 'argnums', a, { min: 0 });
  if (!Array.isArray(a) || a.length === 0) return fail(op, 'argnums must be an index or a non-empty list of indices', a, 'an integer >= 0 or a non-empty array of them');
  a.forEach((i, k) => checkInt(op, `argnums[${k}]`, i, { min: 0 }));
  if (new Set(a).size !== a.length) fail(op, 'argnums has a repeated index', a, 'distinct indices');
  return a as number[];
}

/** Reads the `argnums` or options argument of a transform (checked before anything runs). */
export function gradOptions(op: string, o: ArgNums | GradOptions | undefined, extraKeys: readonly string[] = []): { argnums: ArgNums; hasAux: boolean } {
  if (o === undefined || o === null) return { argnums: 0, hasAux: false };
  if (typeof o === 'number' || Array.isArray(o)) return { argnums: checkArgnums(op, o), hasAux: false };
  if (typeof o !== 'object') fail(op, 'expected argnums (an index or list) or an options object', o, 'an integer, an array of integers or { argnums, hasAux }');
  const opts = checkOptions(op, o as GradOptions, [...gradKeys, ...extraKeys]);
  return {
    argnums: opts.argnums === undefined ? 0 : checkArgnums(op, opts.argnums),
    hasAux: opts.hasAux === undefined ? false : checkBoolean(op, 'hasAux', opts.hasAux),
  };
}

/** Checks `f`'s primals and tangents for jvp/hvp: arrays of one entry per argument, same structure, shapes and dtypes. */
export function checkTangents(op: string, primals: unknown, tangents: unknown): void {
  if (!Array.isArray(primals)) fail(op, 'primals must be an array (one entry per argument of f)', primals, 'an array of Tensors (or trees of them)');
  if (!Array.isArray(tangents)) fail(op, 'tangents must be an array (one entry per argument of f)', tangents, 'an array of Tensors (or trees of them)');
  if (tangents.length !== primals.length) fail(op, `got ${primals.length} primals but ${tangents.length} tangents`, tangents, `${primals.length} tangents`);
  primals.forEach((p, i) => assertSameStructure(op, `primal ${i} and tangent ${i}`, p, tangents[i]));
  const ps = treeLeaves(primals);
  const ts = treeLeaves(tangents);
  ts.forEach((t, i) => {
    const p = ps[i]!;
    if (!sameShape(t.shape, p.shape)) throw new Error(`${op}: tangent ${i} has shape ${fmt(t.shape)} but primal ${i} has shape ${fmt(p.shape)}`);
    if (t.dtype !== p.dtype) throw new Error(`${op}: tangent ${i} is ${t.dtype} but primal ${i} is ${p.dtype}`);
    // Integers cannot move infinitesimally: their only tangent is zero (JAX's float0).
    if (!isFloating(p.dtype) && !isTracer(t) && t.contiguousData().some((v) => v !== 0)) {
      throw new Error(`${op}: tangent ${i} of a ${p.dtype} primal must be zero (integer and bool values have no tangent direction); pass zerosLike(primal)`);
    }
  });
}

/** Splits `f`'s result into output and aux when `hasAux`. */
export function splitAux(op: string, r: unknown, hasAux: boolean): [unknown, unknown] {
  if (!hasAux) return [r, undefined];
  if (!Array.isArray(r) || r.length !== 2) throw new Error(`${op}: with hasAux the function must return [output, aux], got ${describe(r)}`);
  return [r[0], r[1]];
}

/**
 * Returns a function computing `f`'s value and its gradient with respect to the arguments in
 * `argnums` (default: the first), each a tensor or a tree of tensors (e.g. a record of
 * parameters; the gradient has the same structure). `f` must return a one-element tensor, or
 * `[value, aux]` with `hasAux`, in which case the result is `[[value, aux], grads]`.
 *
 * @example
 * ```ts
 * const [value, g] = valueAndGrad((x: Tensor) => x.square().sum())(tensor([1, 2]));
 * // value 5, g [2, 4]
 * const [, gp] = valueAndGrad((p: { w: Tensor; b: Tensor }) => p.w.mul(p.b).sum())({ w: tensor([1]), b: tensor([2]) });
 * // gp.w [2], gp.b [1]
 * ```
 * @category Transforms
 */
export function valueAndGrad<A extends unknown[], const N extends ArgNums = 0>(
  f: (...args: A) => unknown,
  argnums?: N | GradOptions<N>,
): (...args: A) => [Tensor, GradResult<A, N>] {
  return valueAndGradNamed('valueAndGrad', f, argnums);
}

function valueAndGradNamed<A extends unknown[], const N extends ArgNums = 0>(
  op: string,
  f: (...args: A) => unknown,
  argnums?: N | GradOptions<N>,
): (...args: A) => [Tensor, GradResult<A, N>] {
  checkCallback(op, 'f', f);
  const { argnums: nums, hasAux } = gradOptions(op, argnums);
  const list: readonly number[] = typeof nums === 'number' ? [nums] : nums;
  return (...args: A) => {
    const p = prepare(op, args, list);
    const [out, aux] = splitAux(op, f(...(p.args as A)), hasAux);
    const y = scalarOutput(op, out);
    if (!p.nested) p.nested = reachesOuter([y], p.inputs);
    const grads = gradsOf(y, p);
    const value = p.nested ? y : y.detach();
    return [(hasAux ? [value, aux] : value) as Tensor, regroup(args, nums, grads) as GradResult<A, N>];
  };
}

/**
 * Returns a function computing the gradient of `f` (which must return a one-element tensor) with
 * respect to the arguments in `argnums`, each a tensor or a tree of tensors. Composes:
 * `grad(grad(f))` is the second derivative, `vmap(grad(f))` gives per-example gradients. With
 * `{ hasAux: true }`, `f` returns `[value, aux]` and the result is `[grads, aux]`.
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
export function grad<A extends unknown[], const N extends ArgNums = 0>(f: (...args: A) => unknown, argnums?: N | GradOptions<N>): (...args: A) => GradResult<A, N> {
  checkCallback('grad', 'f', f);
  const { hasAux } = gradOptions('grad', argnums);
  const vg = valueAndGradNamed('grad', f, argnums);
  return (...args: A) => {
    const [value, g] = vg(...args);
    return (hasAux ? [g, (value as unknown as unknown[])[1]] : g) as GradResult<A, N>;
  };
}

/**
 * Evaluates `f` at `primals` and returns its output with a function mapping a cotangent (shaped
 * like the output) to the vector-Jacobian products, one per primal. Primals and the output may be
 * trees of tensors; the cotangent has the output's structure, each result its primal's.
 *
 * @example
 * ```ts
 * const [y, pullback] = vjp((x: Tensor) => x.exp(), tensor([0, 1]));
 * pullback(tensor([1, 1])); // [exp(0), exp(1)]
 * ```
 * @category Transforms
 */
export function vjp<P extends unknown[], R>(f: (...primals: P) => R, ...primals: P): [R, (cotangent: R) => P] {
  checkCallback('vjp', 'f', f);
  const p = prepare('vjp', primals, primals.map((_, i) => i));
  const y = f(...(p.args as P));
  const outs = treeLeaves(y);
  if (outs.length === 0) fail('vjp', 'f must return a Tensor (or a tree of tensors)', y, 'a Tensor');
  if (!p.nested) p.nested = reachesOuter(outs, p.inputs);
  const pullback = (ct: R): P => {
    assertSameStructure('vjp', 'the cotangent and the output', ct, y);
    const cts = treeLeaves(ct);
    const used = outs.map((o, i) => [o, cts[i]!] as const).filter(([o]) => o.requiresGrad);
    const flat =
      used.length === 0
        ? p.inputs.map((x) => zerosLike(x))
        : gradients(
            used.map(([o]) => o),
            p.inputs,
            { gradOutputs: used.map(([, c]) => c), retainGraph: true, createGraph: p.nested || cts.some((c) => c.requiresGrad), allowUnused: true },
          );
    return regroup(primals, primals.map((_, i) => i), flat) as P;
  };
  return [p.nested ? y : treeMap(y, (t) => t.detach()), pullback];
}

/**
 * Forward mode: evaluates `f` at `primals` and the Jacobian-vector product along `tangents` (one
 * per primal, same structure) in one forward pass: every op carries its input tangents forward
 * through its jvp rule (dual numbers). Primals may be tensors or trees of tensors (nested arrays and
 * plain objects), and `f` may return a tree; the tangent returned has the output's structure.
 * Composes with `grad`, `vmap` and itself in any order. An int32 or bool primal (indices, masks)
 * takes a zero tangent of its own dtype, and integer outputs get zero tangents, as JAX's float0.
 *
 * @example
 * ```ts
 * const [y, dy] = jvp((x: Tensor) => x.square(), [tensor([3])], [tensor([1])]); // y 9, dy 6
 * ```
 * @category Transforms
 */
export function jvp<P extends readonly unknown[], R>(f: (...primals: P) => R, primals: P, tangents: P): [R, R] {
  checkCallback('jvp', 'f', f);
  checkTangents('jvp', primals, tangents);
  const ts = treeLeaves(tangents);
  const level: JvpLevel = { kind: 'jvp', tangents: new WeakMap() };
  return withLevel(level, () => {
    const xs = treeMap(primals, (p, i) => {
      if (!isFloating(p.dtype)) return p; // a constant to this level
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
 * Hessian-vector products of a scalar function: returns `f(primals)` and `H·v` for each primal
 * (trees allowed), computed forward-over-reverse (the jvp of the gradient) without forming H.
 *
 * @example
 * ```ts
 * const [, [hv]] = hvp((x: Tensor) => x.pow(3).sum(), [tensor([2])], [tensor([1])]); // hv = 6x = 12
 * ```
 * @category Transforms
 */
export function hvp<P extends unknown[]>(f: (...primals: P) => Tensor, primals: P, tangents: P): [Tensor, P] {
  checkCallback('hvp', 'f', f);
  checkTangents('hvp', primals, tangents);
  const all = primals.map((_, i) => i);
  const [[value], [, hv]] = jvp((...xs: P) => valueAndGradNamed('hvp', f, all)(...xs), primals, tangents);
  return [value, hv as unknown as P];
}
