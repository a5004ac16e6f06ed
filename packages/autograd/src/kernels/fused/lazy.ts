// Fusion: large elementwise results are computed on first read. An op's output is an ndarray whose
// `data` is produced on first access, from the op's expression over its operands; an elementwise
// op given such a pending operand inlines the operand's expression instead of reading it, so a
// chain (x*y + exp(x), bias + relu, a relu's gradient mask) runs as one kernel in one pass with no
// intermediate buffer. Values are identical to running the ops one by one: every node rounds to
// the computing dtype in both backends, and float32 exp is one function whatever the path.
//
// The operands of a pending result are read when it is computed, so anything that writes tensor
// storage in place calls `flushPending(target)` first (in-place ops, optimizers): each pending
// result reading that storage takes a copy of it (shared by all of them), which keeps its values
// those of its definition without computing it (a bias is 256 values; a result never read costs
// nothing). Readers are found through a registry keyed weakly by storage, not by WeakRefs, which
// would keep every pending result alive until the end of a synchronous training loop.
import type { NdArray } from 'ndarray';
import { ndView } from '../nd-view.js';
import { allocate, type DType, type TypedArray } from '../../dtype.js';
import { contiguousStrides, sizeOf } from '../../shape.js';
import { bin, constant, isCompare, topoOrder, type Expr, type WorkDType } from './expr.js';
import { evaluate, evaluateInto } from './evaluate.js';
import type { Tensor } from '../../tensor.js';
import { checkTensor } from '../../validate.js';

type Nd = NdArray<TypedArray>;

/**
 * minSize: elements from which results are deferred (below it the bookkeeping costs more than a
 * pass: the tiny-op chain stays eager). maxNodes: the largest expression a chain grows to before
 * an operand is computed on its own (keeps compile time and recomputation bounded). Mutable so
 * tests and benchmarks can switch fusion off; not part of the public API.
 */
export const fusion = { enabled: true, minSize: 4096, maxNodes: 24 };

/** What a pending result will compute; `expr` reads `inputs` (plain arrays or computed results). */
interface Pending {
  expr: Expr;
  inputs: Nd[]; // replaced by copies when flushPending sees their storage written
  readonly work: WorkDType;
  readonly out: DType;
  readonly shape: readonly number[];
}

const pending = new WeakMap<Nd, Pending>();
/** The pending results reading each storage buffer (held while the buffer lives; see flushPending). */
const readers = new WeakMap<ArrayBufferLike, Set<Pending>>();

/** The pending results holding each pending operand, to register as readers of its storage once it has one. */
const dependents = new WeakMap<Nd, Set<Pending>>();

function register(p: Pending): void {
  for (const x of p.inputs) {
    if (pending.has(x)) {
      let d = dependents.get(x);
      if (!d) dependents.set(x, (d = new Set()));
      d.add(p);
      continue;
    }
    const buf = x.data.buffer;
    let set = readers.get(buf);
    if (!set) readers.set(buf, (set = new Set()));
    set.add(p);
  }
}

function unregister(p: Pending): void {
  for (const x of p.inputs) if (!pending.has(x)) readers.get(x.data.buffer)?.delete(p);
}

/** The placeholder behind a pending ndarray: an empty array of the output's type, so `dtype` reads right. */
const EMPTY: Record<DType, TypedArray> = {
  float32: new Float32Array(0), float64: new Float64Array(0), int32: new Int32Array(0), bool: new Uint8Array(0),
};

/** The dtype of an ndarray's storage without computing a pending one. */
export function peekStorage(nd: Nd): TypedArray {
  const p = pending.get(nd);
  return p ? EMPTY[p.out] : nd.data;
}

function force(nd: Nd, p: Pending): TypedArray {
  const out = allocate(p.out, sizeOf(p.shape));
  evaluateInto(p.expr, p.inputs, p.shape, p.work, out);
  unregister(p);
  pending.delete(nd);
  Object.defineProperty(nd, 'data', { value: out, writable: true, enumerable: true, configurable: true });
  // Results still pending that hold this one now read its storage.
  const deps = dependents.get(nd);
  if (deps) {
    dependents.delete(nd);
    let set = readers.get(out.buffer);
    if (!set) readers.set(out.buffer, (set = new Set()));
    for (const q of deps) if (q.inputs.includes(nd)) set.add(q);
  }
  return out;
}

/**
 * Call before writing `target`'s values in place: every deferred elementwise result that reads
 * `target`'s storage takes a copy of it now, so it keeps the values it was defined on. Large
 * elementwise results (and chains of them, fused into one pass) are computed on first read;
 * in-place methods (`copy_`, `add_`, …) and the optimizers call this themselves, so call it only
 * before writing a tensor's storage directly (`t.data.data[i] = v`).
 *
 * @example
 * ```ts
 * const x = randn([100000]);
 * const y = x.mul(2).add(1); // deferred: nothing computed yet
 * flushPending(x);
 * x.data.data[0] = 0;        // y still reads the old x[0]
 * ```
 * @category Autograd
 */
export function flushPending(target: Tensor): void {
  checkTensor('flushPending', 'target', target);
  flushStorage(target.data.data);
}

/** {@link flushPending} for a storage buffer itself (the tape's, when it recycles one). */
export function flushStorage(data: TypedArray): void {
  const set = readers.get(data.buffer);
  if (!set || set.size === 0) return;
  readers.delete(data.buffer);
  const copies = new Map<TypedArray, TypedArray>();
  for (const p of set) {
    p.inputs = p.inputs.map((x) => {
      if (pending.has(x) || x.data.buffer !== data.buffer) return x;
      let c = copies.get(x.data);
      if (!c) copies.set(x.data, (c = x.data.slice()));
      return ndView(c, x.shape, x.stride, x.offset);
    });
  }
}

/**
 * The operand list and expression for `root` with pending operands inlined: their expressions are
 * substituted for the `in` nodes that read them (re-indexed into one deduplicated operand list).
 * A pending operand is inlined only when it computes in the same dtype and its result is that
 * dtype too (a bool mask of the same computation inlines through the cast, see castPending).
 */
function inline(root: Expr, inputs: readonly Nd[], work: WorkDType): { expr: Expr; inputs: Nd[] } {
  const leaves: Nd[] = [];
  const leaf = new Map<Nd, Expr>();
  const leafOf = (nd: Nd): Expr => {
    let e = leaf.get(nd);
    if (!e) {
      e = { k: 'in', i: leaves.length };
      leaves.push(nd);
      leaf.set(nd, e);
    }
    return e;
  };
  // Each operand's replacement: its pending expression with its own operands mapped to leaves.
  const operand = inputs.map((nd) => {
    const p = pending.get(nd);
    if (!p || p.work !== work || p.out !== work) return leafOf(nd);
    const sub = new Map<Expr, Expr>();
    return rewrite(p.expr, sub, (i) => leafOf(p.inputs[i]!));
  });
  const memo = new Map<Expr, Expr>();
  const expr = rewrite(root, memo, (i) => operand[i]!);
  // Too long a chain: the pending operands are kept as operands, computed on their own when read.
  if (topoOrder(expr).length > fusion.maxNodes) return { expr: root, inputs: inputs.slice() };
  return { expr, inputs: leaves };
}

/** `e` with every `in` node replaced by `replace(i)`, shared nodes staying shared. */
function rewrite(e: Expr, memo: Map<Expr, Expr>, replace: (i: number) => Expr): Expr {
  const hit = memo.get(e);
  if (hit) return hit;
  let r: Expr;
  switch (e.k) {
    case 'in': r = replace(e.i); break;
    case 'const': r = e; break;
    case 'select': r = { k: 'select', c: rewrite(e.c, memo, replace), a: rewrite(e.a, memo, replace), b: rewrite(e.b, memo, replace) }; break;
    case 'call': r = { ...e, args: e.args.map((a) => rewrite(a, memo, replace)) }; break;
    default: r = 'b' in e ? { k: e.k, a: rewrite(e.a, memo, replace), b: rewrite(e.b, memo, replace) } : { k: e.k, a: rewrite(e.a, memo, replace) };
  }
  memo.set(e, r);
  return r;
}

function defer(p: Pending): Nd {
  const nd = ndView(EMPTY[p.out], p.shape, contiguousStrides(p.shape), 0);
  Object.defineProperty(nd, 'data', {
    get(this: Nd) {
      const q = pending.get(this);
      return q ? force(this, q) : EMPTY[p.out];
    },
    set(this: Nd, v: TypedArray) {
      pending.delete(this);
      Object.defineProperty(this, 'data', { value: v, writable: true, enumerable: true, configurable: true });
    },
    enumerable: true,
    configurable: true,
  });
  pending.set(nd, p);
  register(p);
  return nd;
}

/**
 * root(inputs) in `work`, stored as `out`: deferred (and fused with pending operands) when large
 * enough, else computed now. The result is an ordinary contiguous ndarray either way.
 */
export function fusedEvaluate(root: Expr, inputs: readonly Nd[], work: WorkDType, out: DType = work): Nd {
  const shape = inputs[0]!.shape;
  if (!fusion.enabled || sizeOf(shape) < fusion.minSize) return evaluate(root, inputs, work, out);
  const { expr, inputs: ins } = inline(root, inputs, work);
  return defer({ expr, inputs: ins, work, out, shape: shape.slice() });
}

/**
 * A cast of a pending result without computing it, when the cast is exact on the expression: a
 * bool result read as its computing dtype is `root !== 0` there (1 or 0; a comparison already is).
 * Null when `x` is not pending or the cast is not of that kind.
 */
export function castPending(x: Nd, dtype: DType): Nd | null {
  const p = pending.get(x);
  if (!p || p.out !== 'bool' || p.work !== dtype) return null;
  const expr = isCompare(p.expr.k) ? p.expr : bin('ne', p.expr, constant(0));
  return defer({ expr, inputs: p.inputs.slice(), work: p.work, out: dtype, shape: p.shape });
}

/** Whether `x`'s values are still to be computed (tests). */
export function isPending(x: Nd): boolean {
  return pending.has(x);
}

/**
 * The operand of a pending `kind`(x), a unary primitive over one operand that is itself computed
 * (nothing fused into it), without computing the result; null otherwise. A consumer that can apply
 * the primitive as it reads (max pooling of a relu) then never materializes the result.
 */
export function pendingUnaryOperand(x: Nd, kind: string): Nd | null {
  const p = pending.get(x);
  if (!p || p.expr.k !== kind || !('a' in p.expr) || 'b' in p.expr || p.expr.a.k !== 'in' || p.inputs.length !== 1) return null;
  const operand = p.inputs[0]!;
  return pending.has(operand) ? null : operand;
}
