// Builders for elementwise ops (internal): a scalar kernel for the forward and the vjp in tensor
// ops beside it, so every op they make is differentiable twice when its vjp is.
import { Tensor, type TensorLike } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { fusedEvaluate } from '../kernels/fused/lazy.js';
import { call, input, type WorkDType } from '../kernels/fused/expr.js';
import { isFloating } from '../dtype.js';
import { promotedType } from './promotion.js';
import { noGrad } from '../grad-mode.js';
import { UNARY, BINARY, COMPARE } from './primitives.js';
import { broadcastOperands } from './broadcast.js';
import { zeros } from './creation.js';
import { batchElementwise } from './batch-rules.js';
import { checkFinite, checkInt, checkTensor, checkTensorLike } from '../validate.js';

const X = input(0), Y = input(1);

/**
 * The op of a unary primitive (primitives.ts): its forward evaluates the row's expression, its
 * rules are the row's vjp (a diagonal Jacobian is its own transpose, so the jvp is the vjp applied
 * to the tangent) and an elementwise batch rule.
 */
export function primitiveUnary(name: keyof typeof UNARY): (x: Tensor) => Tensor {
  const row = UNARY[name];
  const expr = row.expr(X);
  const keepsInt = row.keepsInt === true;
  const op = defineOp({
    name,
    acceptsIntegers: keepsInt,
    forward: (x: Tensor) => new Tensor(fusedEvaluate(expr, [x.data], x.dtype as WorkDType)),
    vjp: (g, { args: [x], output }) => [row.vjp(g, x, output)],
    jvp: ([t], { args: [x], output }) => (t ? row.vjp(t, x, output) : null),
    batch: ([x], [d], { op }) => [op(x), d],
  });
  return (x: Tensor): Tensor => {
    checkTensor(name, 'x', x);
    if (isFloating(x.dtype)) return op(x);
    if (!keepsInt) return op(x.toDType('float32'));
    // On bool, sign is the identity, square counts in int32, neg and abs are errors.
    if (x.dtype === 'bool') {
      if (name === 'sign') return x;
      if (name === 'square') return op(x.toDType('int32'));
      throw new Error(`${name}: not defined for bool tensors (shape [${x.shape.join(',')}]); convert with toDType('int32')`);
    }
    return op(x);
  };
}

/** The op of a binary primitive: operands promote (by the row's dtype rule) and broadcast first, so its rules see one dtype and shape. */
export function primitiveBinary(name: keyof typeof BINARY): (a: TensorLike, b: TensorLike) => Tensor {
  const row = BINARY[name];
  const expr = row.expr(X, Y);
  const op = defineOp({
    name,
    acceptsIntegers: true,
    forward: (a: Tensor, b: Tensor) => new Tensor(fusedEvaluate(expr, [a.data, b.data], a.dtype)),
    vjp: (g, { args: [a, b], output }) => row.vjp(g, a, b, output),
    jvp: ([ta, tb], { args: [a, b], output }) => row.jvp(ta, tb, a, b, output),
    batch: batchElementwise,
  });
  return (a: TensorLike, b: TensorLike): Tensor => {
    let dtype = promotedType([a, b]);
    if (row.dtype === 'float' && !isFloating(dtype)) dtype = 'float32';
    if (row.dtype === 'noBool' && dtype === 'bool') throw new Error(`${name}: not defined for two bool operands; convert one with toDType('int32') (or use logical ops)`);
    const [x, y] = broadcastOperands(name, [a, b], dtype);
    if (name === 'pow' && dtype === 'int32' && y!.contiguousData().some((v) => v < 0)) {
      throw new Error(`pow: integers to negative integer powers are not allowed (int32 base, exponent ${Math.min(...y!.contiguousData())}); convert the base with toDType('float32')`);
    }
    return op(x!, y!);
  };
}

/** A comparison: an op (so jvp and vmap see it) called without recording, since a mask never requires grad. */
export function primitiveCompare(name: keyof typeof COMPARE): (a: TensorLike, b: TensorLike) => Tensor {
  const expr = COMPARE[name](X, Y);
  const op = defineOp({
    name,
    acceptsIntegers: true,
    forward: (x: Tensor, y: Tensor) => new Tensor(fusedEvaluate(expr, [x.data, y.data], x.dtype, 'bool')),
    vjp: () => [null, null],
    jvp: () => null,
    batch: batchElementwise,
  });
  return (a: TensorLike, b: TensorLike): Tensor =>
    noGrad(() => {
      const [x, y] = broadcastOperands(name, [a, b]);
      return op(x!, y!);
    });
}

/** An elementwise op of one tensor given by an opaque scalar function (a JavaScript-only primitive): `f` per value, `vjp(g, x, out)` in tensor ops. */
export function unaryOp(name: string, f: (x: number) => number, vjp: (g: Tensor, x: Tensor, out: Tensor) => Tensor | null): (x: Tensor) => Tensor {
  const expr = call(name, f, X);
  const op = defineOp({
    name,
    forward: (x: Tensor) => new Tensor(fusedEvaluate(expr, [x.data], x.dtype as WorkDType)),
    vjp: (g, { args: [x], output }) => [vjp(g, x, output)],
    // A diagonal Jacobian is its own transpose: J·t is the vjp applied to t.
    jvp: ([t], { args: [x], output }) => (t ? vjp(t, x, output) : null),
    batch: ([x], [d], { op }) => [op(x), d],
  });
  return (x: Tensor): Tensor => {
    checkTensor(name, 'x', x);
    return op(x);
  };
}

/**
 * An elementwise op of two broadcast operands, given by its partial derivatives ∂out/∂a and
 * ∂out/∂b as tensors (the rules only ever see operands of the output's shape): the vjp is
 * [g·∂a, g·∂b] and the jvp ta·∂a + tb·∂b.
 */
export function binaryOp(
  name: string,
  f: (a: number, b: number) => number,
  partials: { a: (a: Tensor, b: Tensor, out: Tensor) => Tensor; b: (a: Tensor, b: Tensor, out: Tensor) => Tensor },
): (a: TensorLike, b: TensorLike) => Tensor {
  const expr = call(name, f, X, Y);
  const op = defineOp({
    name,
    forward: (a: Tensor, b: Tensor) => new Tensor(fusedEvaluate(expr, [a.data, b.data], a.dtype as WorkDType)),
    vjp: (g, { args: [a, b], output }) => [need(a, () => g.mul(partials.a(a, b, output))), need(b, () => g.mul(partials.b(a, b, output)))],
    jvp: ([ta, tb], { args: [a, b], output }) => {
      const da = ta ? ta.mul(partials.a(a, b, output)) : null;
      const db = tb ? tb.mul(partials.b(a, b, output)) : null;
      return da && db ? da.add(db) : (da ?? db);
    },
    batch: batchElementwise,
  });
  return (a: TensorLike, b: TensorLike): Tensor => {
    checkTensorLike(name, 'a', a);
    checkTensorLike(name, 'b', b);
    const [x, y] = broadcastOperands(name, [a, b]);
    return op(x!, y!);
  };
}

/** The gradient of a piecewise-constant op: zeros, as PyTorch returns (not `null`, so `.grad` is set). */
export const zerosGrad = (g: Tensor): Tensor => zeros(g.shape, { dtype: g.dtype });

/** Runs `grad` only for an operand that requires grad. */
export const need = (t: Tensor, grad: () => Tensor): Tensor | null => (t.requiresGrad ? grad() : null);

/** The validation vocabulary's finite-number check, as an assertion. */
export function assertFiniteNumber(op: string, name: string, value: unknown): asserts value is number {
  checkFinite(op, name, value);
}

/** The validation vocabulary's integer check (at least `min`), as an assertion. */
export function assertInteger(op: string, name: string, value: unknown, min = -Infinity): asserts value is number {
  checkInt(op, name, value, { min });
}
