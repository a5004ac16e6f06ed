// The bad inputs issue 9 names for autograd, each with the error it now gets (a message starting
// with the function's name, never a bare TypeError/RangeError, and never a wrong answer), plus the
// plain-int shapes PyTorch accepts.
import { describe, expect, it } from 'vitest';
import * as ag from '@tapegrad/autograd';
import { tensor, type Tensor } from '@tapegrad/autograd';

const f64 = { dtype: 'float64' } as const;
const x45 = () => ag.arange(20, undefined, undefined, f64).reshape([4, 5]);

/** Runs `f`, requiring an Error (not TypeError/RangeError) whose message starts with `name: `. */
function refuses(name: string, f: () => unknown): string {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error, `${name} did not throw`).toBeInstanceOf(Error);
  expect(error).not.toBeInstanceOf(TypeError);
  expect(error).not.toBeInstanceOf(RangeError);
  expect((error as Error).message.startsWith(`${name}: `), (error as Error).message).toBe(true);
  return (error as Error).message;
}

describe('issue 9: unvalidated arguments', () => {
  it('slice specs', () => {
    refuses('slice', () => x45().slice([1, 3], [0, 5, 2], [0, 1]));
    refuses('slice', () => ag.slice(x45(), [0.5, 2]));
    refuses('slice', () => ag.slice(x45(), [[1, 3]] as never));
    refuses('slice', () => ag.slice(x45(), [0, 2, 0]));
  });
  it('creation', () => {
    refuses('arange', () => ag.arange(0, NaN));
    refuses('arange', () => ag.arange(0, Infinity));
    refuses('fromTyped', () => ag.fromTyped(new Float32Array(3), [2, 2]));
    refuses('full', () => ag.full([2], 'x' as never));
    refuses('zeros', () => ag.zeros([1e6, 1e6]));
    refuses('tensor', () => tensor(['1', '2'] as never));
    expect(refuses('tensor', () => tensor(['1', '2'] as never))).toMatch(/string/);
  });
  it('shapes as PyTorch takes them: a plain int is a 1-d shape', () => {
    expect(ag.zeros(5).shape).toEqual([5]);
    expect(ag.ones(0).shape).toEqual([0]);
    expect(ag.reshape(ag.arange(20), 20).shape).toEqual([20]);
    expect(ag.arange(20).reshape([4, -1]).shape).toEqual([4, 5]);
  });
  it('pad beyond the size, clamp with a string, wrong-typed operands', () => {
    refuses('pad', () => ag.pad(ag.arange(4), [-5, 3]));
    refuses('clamp', () => ag.clamp(x45(), 'a' as never));
    refuses('add', () => ag.add(x45(), 'abc' as never));
    expect(refuses('add', () => ag.add(x45(), 'abc' as never))).not.toMatch(/dtype mismatch/);
    refuses('exp', () => ag.exp([1, 2, 3] as never));
  });
  it('index arithmetic and flags', () => {
    refuses('unravelIndex', () => ag.unravelIndex(5, [2, 2]));
    refuses('setDetectAnomaly', () => ag.setDetectAnomaly('off' as never));
    expect(ag.isAnomalyEnabled()).toBe(false);
  });
});

describe('issue 9: transforms', () => {
  it('a tangent of the wrong shape or dtype is refused, not broadcast', () => {
    const p = tensor([1, 2, 3], f64);
    refuses('jvp', () => ag.jvp((t: Tensor) => t.square(), [p], [tensor([1], f64)]));
    refuses('hvp', () => ag.hvp((t: Tensor) => t.pow(3).sum(), [p], [tensor([1], f64)]));
    refuses('hvp', () => ag.hvp((t: Tensor) => t.pow(3).sum(), [p], [tensor([1, 1, 1])]));
    refuses('linearize', () => ag.linearize((t: Tensor) => t.sin(), p)[1](tensor([1, 1], f64)));
  });
  it('callbacks are checked when the transform is built, under its own name', () => {
    for (const [name, make] of [
      ['grad', () => ag.grad('notfn' as never)], ['valueAndGrad', () => ag.valueAndGrad(3 as never)], ['jacfwd', () => ag.jacfwd(null as never)],
      ['jacrev', () => ag.jacrev({} as never)], ['jacobian', () => ag.jacobian(true as never)], ['hessian', () => ag.hessian('f' as never)],
      ['vmap', () => ag.vmap(1 as never)], ['customVjp', () => ag.customVjp(null as never, null as never, null as never)],
      ['customJvp', () => ag.customJvp(null as never, null as never)], ['checkpoint', () => ag.checkpoint('f' as never)],
    ] as const) refuses(name, make);
    refuses('grad', () => ag.grad((t: Tensor) => t.sum(), -1 as never));
    refuses('grad', () => ag.grad((t: Tensor) => t.sum(), { argnum: 0 } as never));
  });
  it('functions that return non-tensors are named', () => {
    refuses('grad', () => ag.grad((_t: Tensor) => 3 as never)(tensor([1], f64)));
    refuses('vjp', () => ag.vjp((_t: Tensor) => 'x' as never, tensor([1], f64))[1]('x' as never));
    refuses('gradcheck', () => ag.gradcheck(() => 3 as never, [tensor([1], { ...f64, requiresGrad: true })]));
  });
});

describe('issue 9: defineOp rules that return the wrong thing', () => {
  it('a vjp returning a wrong count or shape is an error naming the op, not a dropped gradient', () => {
    const bad = (vjp: (g: Tensor) => unknown) => ag.defineOp({ name: 'twice', forward: (t: Tensor) => t.mul(2), vjp: vjp as never });
    for (const rule of [() => [42], () => [], (g: Tensor) => [g, g], (g: Tensor) => [g.sum()], () => 'g']) {
      const op = bad(rule);
      const x = tensor([1, 2], { ...f64, requiresGrad: true });
      expect(() => op(x).sum().backward()).toThrow(/twice/);
      expect(x.grad ?? null).toBeNull();
    }
  });
});
