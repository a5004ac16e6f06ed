// Pytrees: nested arrays and plain objects whose leaves are tensors (JAX's pytrees, torch.func's
// dicts of parameters). Transforms flatten their inputs and outputs to tensor lists and rebuild them.
import { Tensor } from '../tensor.js';

/**
 * A tensor, or arrays and plain objects nesting tensors (other values are kept as they are and
 * are not differentiated).
 *
 * @example
 * ```ts
 * const params: Tree = { w: randn([3, 2]), layers: [{ b: zeros([2]) }] };
 * ```
 * @category Transforms
 */
export type Tree = Tensor | readonly Tree[] | { readonly [key: string]: Tree } | number | string | boolean | null | undefined;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The tensors of a tree in a fixed order (array order, then object keys in insertion order). */
export function treeLeaves(tree: unknown): Tensor[] {
  const out: Tensor[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Tensor) out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (isPlainObject(v)) for (const key of Object.keys(v)) walk(v[key]);
  };
  walk(tree);
  return out;
}

/**
 * A tree of the same structure with each tensor replaced by `f(tensor, index)` (index in
 * {@link treeLeaves} order). Non-tensor leaves are copied over.
 */
export function treeMap<T>(tree: T, f: (t: Tensor, i: number) => unknown): T {
  let i = 0;
  const walk = (v: unknown): unknown => {
    if (v instanceof Tensor) return f(v, i++);
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) out[key] = walk(v[key]);
      return out;
    }
    return v;
  };
  return walk(tree) as T;
}

/** Rebuilds `tree` with its tensors replaced, in order, by `leaves`. */
export function treeUnflatten<T>(tree: T, leaves: readonly Tensor[]): T {
  return treeMap(tree, (_, i) => leaves[i]);
}

/** Describes a tree's structure for error messages. */
export function treeShape(tree: unknown): string {
  if (tree instanceof Tensor) return `Tensor[${tree.shape.join(',')}]`;
  if (Array.isArray(tree)) return `[${tree.map(treeShape).join(', ')}]`;
  if (isPlainObject(tree)) return `{${Object.keys(tree).map((k) => `${k}: ${treeShape(tree[k])}`).join(', ')}}`;
  return typeof tree;
}

/** Throws unless `a` and `b` have the same structure (same keys, lengths and tensor positions). */
export function assertSameStructure(op: string, what: string, a: unknown, b: unknown): void {
  const same = (x: unknown, y: unknown): boolean => {
    if (x instanceof Tensor || y instanceof Tensor) return x instanceof Tensor && y instanceof Tensor;
    if (Array.isArray(x) || Array.isArray(y)) return Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => same(v, y[i]));
    if (isPlainObject(x) || isPlainObject(y)) {
      if (!isPlainObject(x) || !isPlainObject(y)) return false;
      const kx = Object.keys(x);
      const ky = Object.keys(y);
      return kx.length === ky.length && kx.every((k) => k in y && same(x[k], y[k]));
    }
    return true;
  };
  if (!same(a, b)) throw new Error(`${op}: ${what} must have the same structure, got ${treeShape(a)} and ${treeShape(b)}`);
}
