// The elementwise primitives as data: per op its scalar meaning as an expression (kernels/fused/
// expr.ts), from which the TypeScript loop and the WebAssembly SIMD kernel are generated, and
// beside it its rules (vjp; the jvp of a unary op is its vjp applied to the tangent, the batch
// rule moves nothing). The ops themselves are made from these rows in pointwise.ts and exported,
// documented, from unary.ts, elementwise.ts and compare.ts.
import type { Tensor } from '../tensor.js';
import { bin, call, constant, select, un, type Expr } from '../kernels/fused/expr.js';
import { erf as erfScalar } from '../kernels/special.js';

/** A unary primitive: its expression of the operand, its vjp, and whether an int32 input keeps its dtype. */
export interface UnaryPrimitive {
  readonly expr: (x: Expr) => Expr;
  readonly vjp: (g: Tensor, x: Tensor, out: Tensor) => Tensor | null;
  /** int32 inputs keep their dtype (as in PyTorch); otherwise integer and bool inputs compute in float32. */
  readonly keepsInt?: boolean;
}

const need = (t: Tensor, grad: () => Tensor): Tensor | null => (t.requiresGrad ? grad() : null);
/** The sum of the tangent terms present (`null` terms are zero). */
const plus = (...terms: (Tensor | null)[]): Tensor | null => terms.reduce<Tensor | null>((s, t) => (t === null ? s : s === null ? t : s.add(t)), null);
/** `t` mapped by `f`, or null for a zero tangent. */
const lin = (t: Tensor | null, f: (t: Tensor) => Tensor): Tensor | null => (t === null ? null : f(t));

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const rsqrtScalar = (v: number) => 1 / Math.sqrt(v);

const unaryRows = {
  neg: { expr: (x) => un('neg', x), vjp: (g) => g.neg(), keepsInt: true },
  exp: { expr: (x) => un('exp', x), vjp: (g, _x, out) => g.mul(out) },
  log: { expr: (x) => un('log', x), vjp: (g, x) => g.div(x) },
  log1p: { expr: (x) => un('log1p', x), vjp: (g, x) => g.div(x.add(1)) },
  sqrt: { expr: (x) => un('sqrt', x), vjp: (g, _x, out) => g.div(out.mul(2)) },
  // 1/√x in float64, rounded once (two float32 roundings could differ in the last bit).
  rsqrt: { expr: (x) => call('rsqrt', rsqrtScalar, x), vjp: (g, _x, out) => g.mul(out.pow(3)).mul(-0.5) },
  square: { expr: (x) => un('square', x), vjp: (g, x) => g.mul(x).mul(2), keepsInt: true },
  abs: { expr: (x) => un('abs', x), vjp: (g, x) => g.mul(x.sign()), keepsInt: true },
  // NaN and ±0 give 0.
  sign: { expr: (x) => select(bin('gt', x, constant(0)), constant(1), select(bin('lt', x, constant(0)), constant(-1), constant(0))), vjp: () => null, keepsInt: true },
  sin: { expr: (x) => un('sin', x), vjp: (g, x) => g.mul(x.cos()) },
  cos: { expr: (x) => un('cos', x), vjp: (g, x) => g.mul(x.sin()).neg() },
  tanh: { expr: (x) => un('tanh', x), vjp: (g, _x, out) => g.mul(out.square().neg().add(1)) },
  erf: { expr: (x) => call('erf', erfScalar, x), vjp: (g, x) => g.mul(x.square().neg().exp()).mul(TWO_OVER_SQRT_PI) },
  // NaN stays NaN and −0 gives +0, as in PyTorch; the gradient at 0 is 0.
  relu: { expr: (x) => un('relu', x), vjp: (g, x) => g.mul(x.gt(0)) },
} satisfies Record<string, UnaryPrimitive>;
export const UNARY: Readonly<Record<keyof typeof unaryRows, UnaryPrimitive>> = unaryRows;

type BinaryVjp = (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => [Tensor | null, Tensor | null];
type BinaryJvp = (ta: Tensor | null, tb: Tensor | null, a: Tensor, b: Tensor, out: Tensor) => Tensor | null;

/**
 * A binary primitive of two operands already promoted and broadcast to one dtype and shape.
 * `dtype`: 'float' computes integer operands in float32 (true division); 'noBool' rejects two
 * bool operands (sub, pow have no boolean meaning, as in PyTorch).
 */
export interface BinaryPrimitive {
  readonly expr: (a: Expr, b: Expr) => Expr;
  readonly vjp: BinaryVjp;
  readonly jvp: BinaryJvp;
  readonly dtype?: 'float' | 'noBool';
}

// Ties split the gradient evenly between both sides, as PyTorch does.
const pickMask = (a: Tensor, b: Tensor) => a.gt(b).toDType(a.dtype).add(a.eq(b).toDType(a.dtype).mul(0.5));

const binaryRows = {
  add: { expr: (a, b) => bin('add', a, b), vjp: (g, a, b) => [need(a, () => g), need(b, () => g)], jvp: (ta, tb) => plus(ta, tb) },
  sub: {
    expr: (a, b) => bin('sub', a, b),
    vjp: (g, a, b) => [need(a, () => g), need(b, () => g.neg())],
    jvp: (ta, tb) => plus(ta, lin(tb, (t) => t.neg())),
    dtype: 'noBool',
  },
  mul: {
    expr: (a, b) => bin('mul', a, b),
    vjp: (g, a, b) => [need(a, () => g.mul(b)), need(b, () => g.mul(a))],
    jvp: (ta, tb, a, b) => plus(lin(ta, (t) => t.mul(b)), lin(tb, (t) => t.mul(a))),
  },
  div: {
    expr: (a, b) => bin('div', a, b),
    vjp: (g, a, b) => [need(a, () => g.div(b)), need(b, () => g.mul(a).div(b.square()).neg())],
    jvp: (ta, tb, a, b) => plus(lin(ta, (t) => t.div(b)), lin(tb, (t) => t.mul(a).div(b.square()).neg())),
    dtype: 'float',
  },
  pow: {
    expr: (a, b) => bin('pow', a, b),
    vjp: (g, a, b, out) => [need(a, () => g.mul(b).mul(a.pow(b.sub(1)))), need(b, () => g.mul(out).mul(a.log()))],
    jvp: (ta, tb, a, b, out) => plus(lin(ta, (t) => t.mul(b).mul(a.pow(b.sub(1)))), lin(tb, (t) => t.mul(out).mul(a.log()))),
    dtype: 'noBool',
  },
  maximum: {
    expr: (a, b) => bin('max', a, b),
    vjp: (g, a, b) => {
      const m = pickMask(a, b);
      return [need(a, () => g.mul(m)), need(b, () => g.mul(m.neg().add(1)))];
    },
    jvp: (ta, tb, a, b) => {
      const m = pickMask(a, b);
      return plus(lin(ta, (t) => t.mul(m)), lin(tb, (t) => t.mul(m.neg().add(1))));
    },
  },
  minimum: {
    expr: (a, b) => bin('min', a, b),
    vjp: (g, a, b) => {
      const m = pickMask(b, a);
      return [need(a, () => g.mul(m)), need(b, () => g.mul(m.neg().add(1)))];
    },
    jvp: (ta, tb, a, b) => {
      const m = pickMask(b, a);
      return plus(lin(ta, (t) => t.mul(m)), lin(tb, (t) => t.mul(m.neg().add(1))));
    },
  },
} satisfies Record<string, BinaryPrimitive>;
export const BINARY: Readonly<Record<keyof typeof binaryRows, BinaryPrimitive>> = binaryRows;

/** Comparisons: bool masks of two promoted, broadcast operands; not differentiable. */
export const COMPARE = {
  eq: (a: Expr, b: Expr) => bin('eq', a, b),
  ne: (a: Expr, b: Expr) => bin('ne', a, b),
  lt: (a: Expr, b: Expr) => bin('lt', a, b),
  le: (a: Expr, b: Expr) => bin('le', a, b),
  gt: (a: Expr, b: Expr) => bin('gt', a, b),
  ge: (a: Expr, b: Expr) => bin('ge', a, b),
} satisfies Record<string, (a: Expr, b: Expr) => Expr>;
