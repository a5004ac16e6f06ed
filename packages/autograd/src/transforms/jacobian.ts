// Jacobians and Hessians as JAX builds them: jacfwd pushes a basis of tangents through jvp under
// vmap, jacrev pulls a basis of cotangents through vjp under vmap, hessian is jacfwd of jacrev.
import { Tensor } from '../tensor.js';
import { fromTyped, zeros } from '../ops/creation.js';
import { allocate } from '../dtype.js';
import { gradients } from '../tape.js';
import { isGradEnabled } from '../grad-mode.js';
import { jvp, vjp, gradOptions, splitAux, checkTangents, type ArgNums, type GradOptions } from '../functional.js';
import { checkCallback, fail } from '../validate.js';
import { vmap } from './vmap.js';
import { treeLeaves, treeMap } from './pytree.js';

/**
 * Options of {@link jacobian}: those of {@link grad} plus the mode.
 *
 * @example
 * ```ts
 * const opts: JacobianOptions = { argnums: 0, mode: 'reverse' };
 * ```
 * @category Transforms
 */
export interface JacobianOptions<N extends ArgNums = ArgNums> extends GradOptions<N> {
  /** 'forward' (jacfwd), 'reverse' (jacrev) or 'auto' (default): forward when inputs have fewer elements than outputs. */
  mode?: 'auto' | 'forward' | 'reverse';
}

interface Selected {
  argnums: ArgNums;
  list: number[];
  hasAux: boolean;
  /** `f` of the selected arguments only (the others fixed), returning [output, aux]. */
  g: (...sel: unknown[]) => [unknown, unknown];
  primals: unknown[];
  inputs: Tensor[];
}

/** Checks a Jacobian transform's callback and options before anything runs. */
function parse(op: string, f: unknown, opts: unknown, extraKeys: readonly string[] = []): { argnums: ArgNums; hasAux: boolean } {
  checkCallback(op, 'f', f);
  return gradOptions(op, opts as ArgNums | GradOptions | undefined, extraKeys);
}

function select(op: string, f: (...args: never[]) => unknown, { argnums, hasAux }: { argnums: ArgNums; hasAux: boolean }, args: unknown[]): Selected {
  const list = typeof argnums === 'number' ? [argnums] : [...argnums];
  for (const i of list) {
    if (!Number.isInteger(i) || i < 0 || i >= args.length) throw new Error(`${op}: argnums ${i} is out of range for ${args.length} arguments`);
    if (treeLeaves(args[i]).length === 0) throw new Error(`${op}: argument ${i} must be a Tensor (or a tree of tensors) to differentiate with respect to it`);
  }
  const g = (...sel: unknown[]): [unknown, unknown] => {
    const full = [...args];
    list.forEach((i, k) => (full[i] = sel[k]));
    return splitAux(op, (f as (...a: unknown[]) => unknown)(...full), hasAux);
  };
  const primals = list.map((i) => args[i]);
  return { argnums, list, hasAux, g, primals, inputs: treeLeaves(primals) };
}

/** Rows offset..offset+size of a [total, size] identity block, shaped [total, ...shape]. */
function basis(like: Tensor, offset: number, total: number): Tensor {
  const m = like.size;
  const data = allocate(like.dtype, total * m);
  for (let j = 0; j < m; j++) data[(offset + j) * m + j] = 1;
  return fromTyped(data, [total, ...like.shape]);
}

function offsets(ts: readonly Tensor[]): number[] {
  let o = 0;
  return ts.map((t) => ((o += t.size), o - t.size));
}

/** Rows [o, o+m) of a stacked derivative `d` [total, ...inner], as [...lead, ...inner] (or [...inner, ...lead] when leadLast). */
function block(d: Tensor, o: number, lead: Tensor, leadLast: boolean): Tensor {
  const inner = d.shape.slice(1);
  const rows = d.slice([o, o + lead.size]).reshape([...lead.shape, ...inner]);
  if (!leadLast) return rows;
  const k = lead.ndim;
  return rows.permute([...inner.map((_, i) => k + i), ...lead.shape.map((_, i) => i)]);
}

/** The Jacobian tree: output structure, each leaf replaced by the argument structure of its blocks. */
function assemble(s: Selected, out: unknown, entry: (yi: number, y: Tensor, xj: number, x: Tensor) => Tensor): unknown {
  const xs = s.inputs;
  return treeMap(out, (y, yi) => {
    let j = 0;
    const perArg = s.primals.map((p) => treeMap(p, () => entry(yi, y, j, xs[j++]!)));
    return typeof s.argnums === 'number' ? perArg[0] : perArg;
  });
}

function withAux(s: Selected, jac: unknown, aux: unknown): unknown {
  return s.hasAux ? [jac, aux] : jac;
}

function forwardJacobian(s: Selected): unknown {
  const xs = s.inputs;
  const n = xs.reduce((a, x) => a + x.size, 0);
  const xo = offsets(xs);
  let out: unknown;
  let aux: unknown;
  const push = (...tb: Tensor[]): unknown => {
    let k = 0;
    const tangents = s.primals.map((p) => treeMap(p, () => tb[k++]!));
    const [[o, a], [t]] = jvp((...sel: unknown[]) => s.g(...sel), s.primals, tangents) as [[unknown, unknown], [unknown, unknown]];
    [out, aux] = [o, a];
    return t;
  };
  const stacked = n === 0 ? null : vmap(push)(...xs.map((x, j) => basis(x, xo[j]!, n)));
  if (n === 0) [out, aux] = s.g(...s.primals);
  const ds = stacked === null ? [] : treeLeaves(stacked);
  return withAux(
    s,
    assemble(s, out, (yi, y, xj, x) => (n === 0 ? zeros([...y.shape, ...x.shape], { dtype: y.dtype }) : block(ds[yi]!, xo[xj]!, x, true))),
    aux,
  );
}

function reverseJacobian(s: Selected, out: unknown, pullback: (ct: unknown) => unknown[], aux: unknown): unknown {
  const ys = treeLeaves(out);
  const m = ys.reduce((a, y) => a + y.size, 0);
  const yo = offsets(ys);
  const pulled = m === 0 ? null : vmap((...cts: Tensor[]) => pullback(treeMap(out, (_, i) => cts[i]!)))(...ys.map((y, i) => basis(y, yo[i]!, m)));
  const ds = pulled === null ? [] : treeLeaves(pulled);
  return withAux(
    s,
    assemble(s, out, (yi, y, xj, x) => (m === 0 ? zeros([...y.shape, ...x.shape], { dtype: y.dtype }) : block(ds[xj]!, yo[yi]!, y, false))),
    aux,
  );
}

function reverseParts(s: Selected): [unknown, (ct: unknown) => unknown[], unknown] {
  let aux: unknown;
  const [out, pullback] = vjp((...sel: unknown[]) => {
    const [o, a] = s.g(...sel);
    aux = a;
    return o;
  }, ...s.primals);
  return [out, pullback as (ct: unknown) => unknown[], aux];
}

/**
 * Forward-mode Jacobian: returns a function computing the Jacobian of `f` with respect to the
 * arguments in `argnums` by pushing one tangent per input element through `jvp` (all at once, under
 * `vmap`). For an output of shape `O` and an input of shape `I` the block has shape `[...O, ...I]`;
 * with trees, the result has the output's structure with each leaf replaced by the argument's
 * structure (a list of those for a list of argnums). With `hasAux`, returns `[jacobian, aux]`.
 * Efficient when inputs are few and outputs many.
 *
 * @example
 * ```ts
 * jacfwd((x: Tensor) => x.square())(tensor([1, 2])); // [[2, 0], [0, 4]]
 * ```
 * @category Transforms
 */
export function jacfwd<A extends unknown[]>(f: (...args: A) => unknown, options?: ArgNums | GradOptions) {
  const parsed = parse('jacfwd', f, options);
  return (...args: A): any => forwardJacobian(select('jacfwd', f as never, parsed, args));
}

/**
 * Reverse-mode Jacobian: like {@link jacfwd} but pulling one cotangent per output element back
 * through `vjp` (all at once, under `vmap`), after a single forward pass. Efficient when outputs
 * are few and inputs many.
 *
 * @example
 * ```ts
 * jacrev((x: Tensor) => x.square())(tensor([1, 2])); // [[2, 0], [0, 4]]
 * ```
 * @category Transforms
 */
export function jacrev<A extends unknown[]>(f: (...args: A) => unknown, options?: ArgNums | GradOptions) {
  const parsed = parse('jacrev', f, options);
  return (...args: A): any => {
    const s = select('jacrev', f as never, parsed, args);
    return reverseJacobian(s, ...reverseParts(s));
  };
}

/**
 * The Jacobian of `f`, choosing the mode by shape (`mode: 'auto'`, the default): the forward pass
 * runs once with the tape; if the outputs have no more elements than the inputs the Jacobian is
 * pulled back from it (reverse), otherwise it is pushed forward (forward). Same result layout as
 * {@link jacfwd}.
 *
 * @example
 * ```ts
 * jacobian((x: Tensor) => x.sum())(tensor([1, 2, 3])); // [1, 1, 1] (reverse mode)
 * ```
 * @category Transforms
 */
export function jacobian<A extends unknown[]>(f: (...args: A) => unknown, options?: ArgNums | JacobianOptions) {
  const parsed = parse('jacobian', f, options, ['mode']);
  const mode = options !== null && typeof options === 'object' && !Array.isArray(options) ? ((options as JacobianOptions).mode ?? 'auto') : 'auto';
  if (!['auto', 'forward', 'reverse'].includes(mode)) fail('jacobian', 'unknown mode', mode, "'auto', 'forward' or 'reverse'");
  return (...args: A): any => {
    const s = select('jacobian', f as never, parsed, args);
    if (mode === 'forward') return forwardJacobian(s);
    const parts = reverseParts(s);
    const m = treeLeaves(parts[0]).reduce((a, y) => a + y.size, 0);
    const n = s.inputs.reduce((a, x) => a + x.size, 0);
    return mode === 'reverse' || m <= n ? reverseJacobian(s, ...parts) : forwardJacobian(s);
  };
}

/**
 * The Hessian of a scalar `f` with respect to the arguments in `argnums`: forward over reverse
 * (`jacfwd(jacrev(f))`), shape `[...I, ...I]` for an input of shape `I` (blocks for several
 * arguments or trees, as {@link jacfwd}).
 *
 * @example
 * ```ts
 * hessian((x: Tensor) => x.pow(3).sum())(tensor([1, 2])); // [[6, 0], [0, 12]]
 * ```
 * @category Transforms
 */
export function hessian<A extends unknown[]>(f: (...args: A) => unknown, options?: ArgNums | GradOptions) {
  const { argnums, hasAux } = parse('hessian', f, options);
  return jacfwd(jacrev(f, { argnums, hasAux }), { argnums, hasAux });
}

/**
 * Evaluates `f` once at `primals` and returns its output with its linearization: a function
 * mapping tangents (one per primal, same structure) to `J·t`, the output's tangent, without
 * running `f` again (J·t is read off the recorded pass by transposing its vjp).
 *
 * @example
 * ```ts
 * const [y, fJvp] = linearize((x: Tensor) => x.sin(), tensor([0, 1]));
 * fJvp(tensor([1, 1])); // cos(x)
 * ```
 * @category Transforms
 */
export function linearize<P extends unknown[], R>(f: (...primals: P) => R, ...primals: P): [R, (...tangents: P) => R] {
  checkCallback('linearize', 'f', f);
  primals.forEach((p, i) => {
    if (treeLeaves(p).length === 0) fail('linearize', `primal ${i} must be a Tensor (or a tree of tensors)`, p, 'a Tensor');
  });
  const [y, pullback] = vjp(f, ...primals);
  const outs = treeLeaves(y);
  const us = outs.map((o) => zeros([...o.shape], { dtype: o.dtype }).requiresGrad_());
  const pulled = treeLeaves(pullback(treeMap(y, (_, i) => us[i]!) as R));
  const primalLeaves = treeLeaves(primals);
  const fJvp = (...tangents: P): R => {
    checkTangents('linearize', primals, tangents);
    const ts = treeLeaves(tangents);
    let inner: Tensor | null = null;
    pulled.forEach((g, j) => {
      if (!g.requiresGrad) return;
      const term = g.mul(ts[j]!).sum();
      inner = inner ? inner.add(term) : term;
    });
    const total = inner as Tensor | null;
    const createGraph = isGradEnabled() && (ts.some((t) => t.requiresGrad) || primalLeaves.some((p) => p.requiresGrad));
    const dy = total === null ? us.map((u) => zeros([...u.shape], { dtype: u.dtype })) : gradients([total], us, { retainGraph: true, createGraph, allowUnused: true });
    return treeMap(y, (_, i) => dy[i]!) as R;
  };
  return [y, fJvp];
}
