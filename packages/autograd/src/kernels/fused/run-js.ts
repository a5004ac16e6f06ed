// The TypeScript backend of elementwise expressions: a block interpreter. The output is walked
// row-major in blocks of up to BLOCK elements; per block every operand is gathered through its
// strides (a contiguous one is used in place), then each node runs as one tight loop with a
// literal operation over registers of the computing dtype. So a Float32Array register rounds after
// every node, exactly as the f32x4 kernel does, and a chain of nodes needs no buffer of the full size.
import type { NdArray } from 'ndarray';
import type { TypedArray } from '../../dtype.js';
import { loopPlan } from '../loop-plan.js';
import { children, topoOrder, type Expr, type WorkDType } from './expr.js';
import { expF32 } from './exp-f32.js';

type Nd = NdArray<TypedArray>;
type Reg = Float32Array | Float64Array | Int32Array;
type Arr = Reg | Uint8Array;

const BLOCK = 1024;

/** An expression flattened to instructions: node i writes register i; `ops` are operand register indices. */
interface Program { readonly nodes: readonly Expr[]; readonly ops: readonly (readonly number[])[] }
const programs = new WeakMap<Expr, Program>();

function program(root: Expr): Program {
  let p = programs.get(root);
  if (!p) {
    const nodes = topoOrder(root);
    const index = new Map(nodes.map((e, i) => [e, i]));
    p = { nodes, ops: nodes.map((e) => children(e).map((c) => index.get(c)!)) };
    programs.set(root, p);
  }
  return p;
}

// Registers are reused across calls (an evaluation never re-enters: `call` functions are scalar).
const pools: Record<'f32' | 'f64' | 'i32', Reg[]> = { f32: [], f64: [], i32: [] };
function registers(work: WorkDType, count: number): Reg[] {
  const key = work === 'float32' ? 'f32' : work === 'float64' ? 'f64' : 'i32';
  const pool = pools[key];
  while (pool.length < count) pool.push(key === 'f32' ? new Float32Array(BLOCK) : key === 'f64' ? new Float64Array(BLOCK) : new Int32Array(BLOCK));
  return pool;
}

/** Runs node `e` over the first m lanes: r = e(a, b, c). One loop per kind, so V8 compiles each tight. */
function step(e: Expr, f32: boolean, r: Arr, a: Arr, b: Arr, c: Arr, m: number, args: Arr[]): void {
  switch (e.k) {
    case 'const': r.fill(e.v, 0, m); return;
    case 'neg': for (let i = 0; i < m; i++) r[i] = -a[i]!; return;
    case 'abs': for (let i = 0; i < m; i++) r[i] = Math.abs(a[i]!); return;
    case 'sqrt': for (let i = 0; i < m; i++) r[i] = Math.sqrt(a[i]!); return;
    case 'square': for (let i = 0; i < m; i++) { const v = a[i]!; r[i] = v * v; } return;
    // v <= 0 gives +0 (also for −0) and NaN passes, as in PyTorch.
    case 'relu': for (let i = 0; i < m; i++) { const v = a[i]!; r[i] = v <= 0 ? 0 : v; } return;
    case 'exp':
      if (f32) for (let i = 0; i < m; i++) r[i] = expF32(a[i]!);
      else for (let i = 0; i < m; i++) r[i] = Math.exp(a[i]!);
      return;
    case 'log': for (let i = 0; i < m; i++) r[i] = Math.log(a[i]!); return;
    case 'log1p': for (let i = 0; i < m; i++) r[i] = Math.log1p(a[i]!); return;
    case 'expm1': for (let i = 0; i < m; i++) r[i] = Math.expm1(a[i]!); return;
    case 'sin': for (let i = 0; i < m; i++) r[i] = Math.sin(a[i]!); return;
    case 'cos': for (let i = 0; i < m; i++) r[i] = Math.cos(a[i]!); return;
    case 'tanh': for (let i = 0; i < m; i++) r[i] = Math.tanh(a[i]!); return;
    case 'add': for (let i = 0; i < m; i++) r[i] = a[i]! + b[i]!; return;
    case 'sub': for (let i = 0; i < m; i++) r[i] = a[i]! - b[i]!; return;
    case 'mul': for (let i = 0; i < m; i++) r[i] = a[i]! * b[i]!; return;
    case 'div': for (let i = 0; i < m; i++) r[i] = a[i]! / b[i]!; return;
    case 'max': for (let i = 0; i < m; i++) r[i] = Math.max(a[i]!, b[i]!); return;
    case 'min': for (let i = 0; i < m; i++) r[i] = Math.min(a[i]!, b[i]!); return;
    case 'pow': for (let i = 0; i < m; i++) r[i] = Math.pow(a[i]!, b[i]!); return;
    // `+(u > v)` compiles without a branch (random signs mispredict half the time).
    case 'eq': for (let i = 0; i < m; i++) r[i] = +(a[i]! === b[i]!); return;
    case 'ne': for (let i = 0; i < m; i++) r[i] = +(a[i]! !== b[i]!); return;
    case 'lt': for (let i = 0; i < m; i++) r[i] = +(a[i]! < b[i]!); return;
    case 'le': for (let i = 0; i < m; i++) r[i] = +(a[i]! <= b[i]!); return;
    case 'gt': for (let i = 0; i < m; i++) r[i] = +(a[i]! > b[i]!); return;
    case 'ge': for (let i = 0; i < m; i++) r[i] = +(a[i]! >= b[i]!); return;
    case 'select': for (let i = 0; i < m; i++) r[i] = a[i]! !== 0 ? b[i]! : c[i]!; return;
    case 'call': {
      const fn = e.f;
      if (args.length === 1) for (let i = 0; i < m; i++) r[i] = fn(a[i]!);
      else if (args.length === 2) for (let i = 0; i < m; i++) r[i] = fn(a[i]!, b[i]!);
      else for (let i = 0; i < m; i++) r[i] = fn(...args.map((x) => x[i]!));
      return;
    }
    case 'in': return;
  }
}

const NO_ARGS: Arr[] = [];
const scalarValues = new Float64Array(64);

/**
 * One element (the tiny ops of scalar code): each node once, rounded to the computing dtype as a
 * register store rounds (Math.fround for float32, ToInt32 for int32 and bool), so the result is
 * the block loop's. Values live in `scalarValues` (grown for long expressions).
 */
function runOne(nodes: readonly Expr[], ops: readonly (readonly number[])[], inputs: readonly Nd[], work: WorkDType, out: TypedArray): void {
  const v = nodes.length <= scalarValues.length ? scalarValues : new Float64Array(nodes.length);
  const f32 = work === 'float32', f64 = work === 'float64';
  for (let i = 0; i < nodes.length; i++) {
    const e = nodes[i]!, op = ops[i]!;
    const a = v[op[0]!]!, b = v[op[1]!]!;
    let r: number;
    switch (e.k) {
      case 'in': { const x = inputs[e.i]!; r = x.data[x.offset]!; break; }
      case 'const': r = e.v; break;
      case 'neg': r = -a; break;
      case 'abs': r = Math.abs(a); break;
      case 'sqrt': r = Math.sqrt(a); break;
      case 'square': r = a * a; break;
      case 'relu': r = a <= 0 ? 0 : a; break;
      case 'exp': r = f32 ? expF32(a) : Math.exp(a); break;
      case 'log': r = Math.log(a); break;
      case 'log1p': r = Math.log1p(a); break;
      case 'expm1': r = Math.expm1(a); break;
      case 'sin': r = Math.sin(a); break;
      case 'cos': r = Math.cos(a); break;
      case 'tanh': r = Math.tanh(a); break;
      case 'add': r = a + b; break;
      case 'sub': r = a - b; break;
      case 'mul': r = a * b; break;
      case 'div': r = a / b; break;
      case 'max': r = Math.max(a, b); break;
      case 'min': r = Math.min(a, b); break;
      case 'pow': r = Math.pow(a, b); break;
      case 'eq': r = +(a === b); break;
      case 'ne': r = +(a !== b); break;
      case 'lt': r = +(a < b); break;
      case 'le': r = +(a <= b); break;
      case 'gt': r = +(a > b); break;
      case 'ge': r = +(a >= b); break;
      case 'select': r = a !== 0 ? b : v[op[2]!]!; break;
      case 'call': r = op.length === 1 ? e.f(a) : op.length === 2 ? e.f(a, b) : e.f(...op.map((j) => v[j]!)); break;
    }
    v[i] = f32 ? Math.fround(r) : f64 ? r : r | 0;
  }
  const res = v[nodes.length - 1]!;
  out[0] = out instanceof Uint8Array ? +(res !== 0) : res;
}

/**
 * out[·] = root(inputs[0][·], inputs[1][·], …) for same-shape views (any strides, stride 0 for
 * broadcast), computed in `work`, stored row-major into `out` (length = the shape's size). A bool
 * `out` receives 1 for every non-zero result (bool arithmetic: add is or, mul is and).
 */
export function runJs(root: Expr, inputs: readonly Nd[], shape: readonly number[], work: WorkDType, out: TypedArray): void {
  const n = out.length;
  if (n === 0) return;
  const { nodes, ops } = program(root);
  if (n === 1) return runOne(nodes, ops, inputs, work, out);
  const { dims, steps } = loopPlan(shape, inputs.map((x) => x.stride));
  const D = dims.length - 1;
  const inner = dims[D]!;
  const pool = registers(work, nodes.length);
  const f32 = work === 'float32';
  const regType = pool[0]!.constructor;
  const outBool = out instanceof Uint8Array;
  const direct = !outBool && out.constructor === regType && root.k !== 'in';
  const cur: Arr[] = pool.slice(0, nodes.length);
  const pos = inputs.map((x) => x.offset);
  const idx = new Array<number>(D).fill(0);
  const last = nodes.length - 1;
  for (let o = 0; o < n; o += inner) {
    for (let s = 0; s < inner; s += BLOCK) {
      const m = Math.min(BLOCK, inner - s);
      for (let i = 0; i < nodes.length; i++) {
        const e = nodes[i]!;
        if (e.k === 'in') {
          const x = inputs[e.i]!, d = x.data, st = steps[e.i]![D]!, p = pos[e.i]! + s * st;
          if (st === 1 && d.constructor === regType) { cur[i] = d.subarray(p, p + m); continue; }
          const r = (cur[i] = pool[i]!);
          if (st === 1) r.set(d.subarray(p, p + m));
          else if (st === 0) r.fill(d[p]!, 0, m);
          else for (let j = 0, q = p; j < m; j++, q += st) r[j] = d[q]!;
          continue;
        }
        const r = (cur[i] = i === last && direct ? out.subarray(o + s, o + s + m) : pool[i]!);
        const op = ops[i]!;
        step(e, f32, r, cur[op[0]!]!, cur[op[1]!]!, cur[op[2]!]!, m, e.k === 'call' ? op.map((j) => cur[j]!) : NO_ARGS);
      }
      const res = cur[last]!;
      if (outBool) for (let j = 0; j < m; j++) out[o + s + j] = +(res[j] !== 0);
      else if (!direct) out.set(res.subarray(0, m), o + s);
    }
    // Odometer over the outer dimensions: step the last one, carry (and rewind) on overflow.
    for (let d = D - 1; d >= 0; d--) {
      for (let k = 0; k < pos.length; k++) pos[k]! += steps[k]![d]!;
      if (++idx[d]! < dims[d]!) break;
      for (let k = 0; k < pos.length; k++) pos[k]! -= steps[k]![d]! * dims[d]!;
      idx[d] = 0;
    }
  }
}
