// Builders for elementwise ops (internal): a scalar kernel for the forward and the vjp in tensor
// ops beside it, so every op they make is differentiable twice when its vjp is.
import { Tensor, type TensorLike } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { map1, map2 } from '../kernels/elementwise.js';
import { broadcastOperands } from './broadcast.js';
import { zeros } from './creation.js';
import { batchElementwise } from './batch-rules.js';
import { checkFinite, checkInt, checkTensor, checkTensorLike } from '../validate.js';

/** An elementwise op of one tensor: `f` per value, `vjp(g, x, out)` in tensor ops. */
export function unaryOp(name: string, f: (x: number) => number, vjp: (g: Tensor, x: Tensor, out: Tensor) => Tensor | null): (x: Tensor) => Tensor {
  const op = defineOp({
    name,
    forward: (x: Tensor) => new Tensor(map1(x.data, f)),
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
  const op = defineOp({
    name,
    forward: (a: Tensor, b: Tensor) => new Tensor(map2(a.data, b.data, f)),
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
