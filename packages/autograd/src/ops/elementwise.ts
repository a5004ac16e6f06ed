// Elementwise binary arithmetic, where and dtype casts (unary math is in unary.ts). Binary ops broadcast through `broadcastOperands`, so their
// kernels and vjps only ever see operands of the output's shape.
import { Tensor, type TensorLike } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { assertDType, isFloating, type DType } from '../dtype.js';
import { broadcastShapes, sameShape } from '../shape.js';
import { promotedType } from './promotion.js';
import { map2, map3, type BinaryKind } from '../kernels/elementwise.js';
import { copyToContiguous, wrap } from '../kernels/layout.js';
import { broadcastOperands } from './broadcast.js';
import { gt, eq } from './compare.js';
import { batchElementwise } from './batch-rules.js';
import { checkTensor, checkTensorLike } from '../validate.js';

export * from './unary.js';

const wrapNd = (nd: Tensor['data']) => new Tensor(nd);

// add/sub/mul/div have a dedicated loop in map2 (their name is the BinaryKind); the rest go through `f`.
const dedicated = new Set<string>(['add', 'sub', 'mul', 'div']);

type BinaryJvp = (ta: Tensor | null, tb: Tensor | null, a: Tensor, b: Tensor, out: Tensor) => Tensor | null;

/**
 * How an op treats the promoted dtype: `true` division always computes in a float dtype; `noBool`
 * ops (sub, pow) have no boolean meaning and reject two bool operands, as PyTorch does.
 */
type DTypeRule = 'any' | 'float' | 'noBool';

function binaryOp(
  name: string,
  f: (a: number, b: number) => number,
  vjp: (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => [Tensor | null, Tensor | null],
  jvp: BinaryJvp,
  rule: DTypeRule = 'any',
) {
  const kind = dedicated.has(name) ? (name as BinaryKind) : undefined;
  const op = defineOp({
    name,
    acceptsIntegers: true,
    forward: (a: Tensor, b: Tensor) => wrapNd(map2(a.data, b.data, f, kind)),
    vjp: (g, { args: [a, b], output }) => vjp(g, a, b, output),
    jvp: ([ta, tb], { args: [a, b], output }) => jvp(ta, tb, a, b, output),
    batch: batchElementwise,
  });
  return (a: TensorLike, b: TensorLike): Tensor => {
    let dtype = promotedType([a, b]);
    if (rule === 'float' && !isFloating(dtype)) dtype = 'float32';
    if (rule === 'noBool' && dtype === 'bool') throw new Error(`${name}: not defined for two bool operands; convert one with toDType('int32') (or use logical ops)`);
    const [x, y] = broadcastOperands(name, [a, b], dtype);
    if (name === 'pow' && dtype === 'int32' && y!.contiguousData().some((v) => v < 0)) {
      throw new Error(`pow: integers to negative integer powers are not allowed (int32 base, exponent ${Math.min(...y!.contiguousData())}); convert the base with toDType('float32')`);
    }
    return op(x!, y!);
  };
}


const need = (t: Tensor, grad: () => Tensor): Tensor | null => (t.requiresGrad ? grad() : null);
/** The sum of the tangent terms present (`null` terms are zero). */
const plus = (...terms: (Tensor | null)[]): Tensor | null => terms.reduce<Tensor | null>((s, t) => (t === null ? s : s === null ? t : s.add(t)), null);
/** `t` mapped by `f`, or null for a zero tangent. */
const lin = (t: Tensor | null, f: (t: Tensor) => Tensor): Tensor | null => (t === null ? null : f(t));

/**
 * `a + b`, broadcasting.
 *
 * @example
 * ```ts
 * add(tensor([1, 2]), 10); // [11, 12]
 * ```
 * @category Elementwise
 */
export const add = binaryOp('add', (a, b) => a + b, (g, a, b) => [need(a, () => g), need(b, () => g)], (ta, tb) => plus(ta, tb));

/**
 * `a - b`, broadcasting.
 *
 * @example
 * ```ts
 * sub(tensor([1, 2]), tensor([[1], [2]])); // [[0, 1], [-1, 0]]
 * ```
 * @category Elementwise
 */
export const sub = binaryOp('sub', (a, b) => a - b, (g, a, b) => [need(a, () => g), need(b, () => g.neg())], (ta, tb) => plus(ta, lin(tb, (t) => t.neg())), 'noBool');

/**
 * `a * b`, broadcasting.
 *
 * @example
 * ```ts
 * mul(tensor([1, 2]), 3); // [3, 6]
 * ```
 * @category Elementwise
 */
export const mul = binaryOp('mul', (a, b) => a * b, (g, a, b) => [need(a, () => g.mul(b)), need(b, () => g.mul(a))], (ta, tb, a, b) =>
  plus(lin(ta, (t) => t.mul(b)), lin(tb, (t) => t.mul(a))),
);

/**
 * `a / b`, broadcasting. True division: integer and bool operands give a float32 result, as in PyTorch.
 *
 * @example
 * ```ts
 * div(tensor([1, 2]), 2); // [0.5, 1]
 * ```
 * @category Elementwise
 */
export const div = binaryOp('div', (a, b) => a / b, (g, a, b) => [
  need(a, () => g.div(b)),
  need(b, () => g.mul(a).div(b.square()).neg()),
], (ta, tb, a, b) => plus(lin(ta, (t) => t.div(b)), lin(tb, (t) => t.mul(a).div(b.square()).neg())), 'float');

/**
 * `a ** b`, broadcasting; the exponent may be a tensor (its gradient needs `a > 0`) or a number.
 *
 * @example
 * ```ts
 * pow(tensor([2, 3]), 2); // [4, 9]
 * ```
 * @category Elementwise
 */
export const pow = binaryOp('pow', Math.pow, (g, a, b, out) => [
  need(a, () => g.mul(b).mul(a.pow(b.sub(1)))),
  need(b, () => g.mul(out).mul(a.log())),
], (ta, tb, a, b, out) => plus(lin(ta, (t) => t.mul(b).mul(a.pow(b.sub(1)))), lin(tb, (t) => t.mul(out).mul(a.log()))), 'noBool');

// Ties split the gradient evenly between both sides, as PyTorch does.
const pickMask = (a: Tensor, b: Tensor, wins: (a: TensorLike, b: TensorLike) => Tensor) =>
  wins(a, b).toDType(a.dtype).add(eq(a, b).toDType(a.dtype).mul(0.5));

/**
 * Elementwise maximum of `a` and `b`, broadcasting.
 *
 * @example
 * ```ts
 * maximum(tensor([1, 5]), 3); // [3, 5]
 * ```
 * @category Elementwise
 */
export const maximum = binaryOp('maximum', Math.max, (g, a, b) => {
  const m = pickMask(a, b, gt);
  return [need(a, () => g.mul(m)), need(b, () => g.mul(m.neg().add(1)))];
}, (ta, tb, a, b) => {
  const m = pickMask(a, b, gt);
  return plus(lin(ta, (t) => t.mul(m)), lin(tb, (t) => t.mul(m.neg().add(1))));
});

/**
 * Elementwise minimum of `a` and `b`, broadcasting.
 *
 * @example
 * ```ts
 * minimum(tensor([1, 5]), 3); // [1, 3]
 * ```
 * @category Elementwise
 */
export const minimum = binaryOp('minimum', Math.min, (g, a, b) => {
  const m = pickMask(b, a, gt);
  return [need(a, () => g.mul(m)), need(b, () => g.mul(m.neg().add(1)))];
}, (ta, tb, a, b) => {
  const m = pickMask(b, a, gt);
  return plus(lin(ta, (t) => t.mul(m)), lin(tb, (t) => t.mul(m.neg().add(1))));
});

const whereOp = defineOp({
  name: 'where',
  acceptsIntegers: true,
  forward: (cond: Tensor, a: Tensor, b: Tensor) => wrapNd(map3(cond.data, a.data, b.data, (c, u, v) => (c !== 0 ? u : v))),
  vjp: (g, { args: [cond, a, b] }) => {
    const zero = g.mul(0);
    return [null, need(a, () => where(cond, g, zero)), need(b, () => where(cond, zero, g))];
  },
  jvp: ([, ta, tb], { args: [cond] }) => (ta === null && tb === null ? null : where(cond, ta ?? 0, tb ?? 0)),
  batch: batchElementwise,
});

/**
 * Picks `a` where `cond` is true and `b` elsewhere, broadcasting all three; `a` and `b` promote to
 * a common dtype. `cond` is a bool mask (e.g. from `x.gt(0)`; a tensor of another dtype counts
 * non-zero as true) and gets no gradient.
 *
 * @example
 * ```ts
 * const x = tensor([-1, 2]);
 * where(x.gt(0), x, 0); // [0, 2]
 * ```
 * @category Elementwise
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', 'cond', cond);
  checkTensorLike('where', 'a', a);
  checkTensorLike('where', 'b', b);
  const dtype = a instanceof Tensor || b instanceof Tensor ? promotedType([a, b]) : 'float32';
  const [x, y] = broadcastOperands('where', [a, b], dtype);
  const shape = broadcastShapes('where', cond.shape, x!.shape);
  const fit = (t: Tensor) => (sameShape(t.shape, shape) ? t : t.expand(shape));
  return whereOp(fit(cond.detach()), fit(x!), fit(y!));
}

const toDTypeOp = defineOp({
  name: 'toDType',
  acceptsIntegers: true,
  forward: (x: Tensor, dtype: DType) => new Tensor(wrap(copyToContiguous(x.data, dtype), x.shape)),
  vjp: (g, { args: [x] }) => [need(x, () => g.toDType(x.dtype)), null],
  jvp: ([t], { args: [, dtype] }) => (t ? t.toDType(dtype) : null),
  batch: ([x, dtype], [d], { op }) => [op(x, dtype), d],
});

/**
 * Converts to another dtype (a copy; the same tensor when it already has that dtype). Floats to
 * int32 truncate toward zero; to bool, every non-zero value (NaN included) becomes true.
 *
 * @example
 * ```ts
 * tensor([1, 2]).toDType('float64');
 * ```
 * @category Elementwise
 */
export function toDType(x: Tensor, dtype: DType): Tensor {
  checkTensor('toDType', 'x', x);
  assertDType('toDType', dtype);
  return x.dtype === dtype ? x : toDTypeOp(x, dtype);
}
