// Elementwise expressions as data: the scalar meaning of an elementwise primitive (and of a chain
// of them) written once as a small tree, from which both backends are generated: the TypeScript
// block interpreter (run-js.ts) and the WebAssembly SIMD kernels (wasm-codegen.ts). A tree may be
// a DAG: a node object used twice is computed once. No autograd in here.

/** One-operand node kinds. The ones in SIMD_UNARY also have a WebAssembly lowering. */
export type UnaryKind =
  | 'neg' | 'abs' | 'sqrt' | 'square' | 'relu' | 'exp'
  | 'log' | 'log1p' | 'expm1' | 'sin' | 'cos' | 'tanh';

/** Two-operand node kinds; the comparisons give 1 or 0 in the computing dtype. */
export type BinaryKind = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow' | CompareKind;
export type CompareKind = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/**
 * A node. `in` reads operand `i` (every operand has the output's shape, possibly through stride-0
 * broadcast views); `select` is `c !== 0 ? a : b`; `call` applies an opaque scalar function of
 * float64 values (JavaScript only: an expression holding one has no SIMD kernel).
 */
export type Expr =
  | { readonly k: 'in'; readonly i: number }
  | { readonly k: 'const'; readonly v: number }
  | { readonly k: UnaryKind; readonly a: Expr }
  | { readonly k: BinaryKind; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'select'; readonly c: Expr; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'call'; readonly name: string; readonly f: (...v: number[]) => number; readonly args: readonly Expr[] };

/** The dtypes an expression computes in: float32 and float64 (SIMD-able), int32, and bool (computed as int32). */
export type WorkDType = 'float32' | 'float64' | 'int32' | 'bool';

export const input = (i: number): Expr => ({ k: 'in', i });
export const constant = (v: number): Expr => ({ k: 'const', v });
export const un = (k: UnaryKind, a: Expr): Expr => ({ k, a });
export const bin = (k: BinaryKind, a: Expr, b: Expr): Expr => ({ k, a, b });
export const select = (c: Expr, a: Expr, b: Expr): Expr => ({ k: 'select', c, a, b });
export const call = (name: string, f: (...v: number[]) => number, ...args: Expr[]): Expr => ({ k: 'call', name, f, args });

const UNARY = new Set<string>(['neg', 'abs', 'sqrt', 'square', 'relu', 'exp', 'log', 'log1p', 'expm1', 'sin', 'cos', 'tanh']);
export const isUnary = (k: string): k is UnaryKind => UNARY.has(k);
const COMPARE = new Set<string>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
export const isCompare = (k: string): k is CompareKind => COMPARE.has(k);

/** The operands of a node, in evaluation order. */
export function children(e: Expr): readonly Expr[] {
  switch (e.k) {
    case 'in': case 'const': return [];
    case 'select': return [e.c, e.a, e.b];
    case 'call': return e.args;
    default: return 'b' in e ? [e.a, e.b] : [e.a];
  }
}

const orders = new WeakMap<Expr, readonly Expr[]>();

/** Every distinct node once, operands before their users (post-order, by object identity). */
export function topoOrder(root: Expr): readonly Expr[] {
  // Expressions are immutable, and one fused call asks for the order of the same root several
  // times (the fusion cap, the kernel key, the program), so each root's order is computed once.
  const known = orders.get(root);
  if (known) return known;
  const seen = new Set<Expr>();
  const out: Expr[] = [];
  const visit = (e: Expr): void => {
    if (seen.has(e)) return;
    seen.add(e);
    for (const c of children(e)) visit(c);
    out.push(e);
  };
  visit(root);
  orders.set(root, out);
  return out;
}

/** The number of operands an expression reads (1 + its largest `in` index). */
export function arity(root: Expr): number {
  let n = 0;
  for (const e of topoOrder(root)) if (e.k === 'in') n = Math.max(n, e.i + 1);
  return n;
}

/** Node kinds with a SIMD lowering in each float dtype (float64 exp stays on Math.exp, which a polynomial would not match). */
const SIMD_KINDS = new Set<string>(['in', 'const', 'neg', 'abs', 'sqrt', 'square', 'relu', 'add', 'sub', 'mul', 'div', 'max', 'min', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'select']);

/** Whether every node of the expression has a SIMD lowering for `dtype`. */
export function simdLowerable(root: Expr, dtype: WorkDType): boolean {
  if (dtype !== 'float32' && dtype !== 'float64') return false;
  return topoOrder(root).every((e) => SIMD_KINDS.has(e.k) || (e.k === 'exp' && dtype === 'float32'));
}

/**
 * A structural key (kinds, constants, operand indices, shared nodes), so equal expressions share
 * one compiled kernel. Opaque `call` nodes key by name: the caller keeps names unique per function.
 */
export function exprKey(root: Expr): string {
  const order = topoOrder(root);
  const id = new Map<Expr, number>(order.map((e, i) => [e, i]));
  return order.map((e) => {
    switch (e.k) {
      case 'in': return `i${e.i}`;
      case 'const': return `c${Object.is(e.v, -0) ? '-0' : e.v}`;
      case 'call': return `${e.name}(${e.args.map((a) => id.get(a)).join(',')})`;
      default: return `${e.k}(${children(e).map((a) => id.get(a)).join(',')})`;
    }
  }).join(';');
}
