// Custom rules for composite functions (customVjp, customJvp), activation recomputation
// (checkpoint) and stopGradient. Each is an op made by defineOp, so it meets every transform.
import { Tensor } from '../tensor.js';
import { defineOp } from '../define-op.js';
import { gradients } from '../tape.js';
import { isGradEnabled, withGradMode } from '../grad-mode.js';
import { zerosLike } from '../ops/creation.js';
import { topLevelOf } from '../transform-levels.js';
import { jvp } from '../functional.js';
import { vmap } from './vmap.js';
import { checkCallback, checkTensor, fail } from '../validate.js';

function tensorsOnly(op: string, args: readonly unknown[]): Tensor[] {
  args.forEach((a, i) => checkTensor(op, `argument ${i}`, a));
  return args as Tensor[];
}

function outputOf(op: string, y: unknown): Tensor {
  if (!(y instanceof Tensor)) fail(op, 'the function must return a Tensor', y, 'a Tensor');
  return y;
}

/** Whether nothing differentiates or transforms the call (then the plain function runs). */
const untouched = (xs: readonly Tensor[]) => !(isGradEnabled() && xs.some((x) => x.requiresGrad)) && topLevelOf(xs) < 0;

/**
 * `stopGradient(x)` is `x` with no derivative flowing through it, as JAX names it: the same as
 * `x.detach()` (cut from the tape, zero tangent under `jvp`, still batched under `vmap`).
 *
 * @example
 * ```ts
 * grad((x: Tensor) => x.mul(stopGradient(x)).sum())(tensor([3])); // [3], not [6]
 * ```
 * @category Transforms
 */
export function stopGradient(x: Tensor): Tensor {
  checkTensor('stopGradient', 'x', x);
  return x.detach();
}

/**
 * A function `f` of tensors with a custom reverse-mode rule: `fwd(...args)` returns
 * `[output, residuals]` and `bwd(residuals, g)` the gradient for each argument (`null` for none),
 * written in tensor ops. Forward mode goes through `bwd` twice (it is linear in `g`) and `vmap`
 * loops over the examples. `f` runs alone when nothing differentiates the call.
 *
 * @example
 * ```ts
 * // gradient clipping inside the graph: identity forward, clipped gradient backward
 * const clipGrad = customVjp((x: Tensor) => x, (x: Tensor) => [x, null], (_r, g) => [g.clamp(-1, 1)]);
 * grad((x: Tensor) => clipGrad(x).mul(10).sum())(tensor([1])); // [1]
 * ```
 * @category Transforms
 */
export function customVjp<A extends Tensor[], R>(
  f: (...args: A) => Tensor,
  fwd: (...args: A) => readonly [Tensor, R],
  bwd: (residuals: R, g: Tensor) => readonly (Tensor | null)[],
): (...args: A) => Tensor {
  checkCallback('customVjp', 'f', f);
  checkCallback('customVjp', 'fwd', fwd);
  checkCallback('customVjp', 'bwd', bwd);
  const op = defineOp<[readonly Tensor[]], R>({
    name: 'customVjp',
    forward: (xs) => {
      const r = fwd(...(xs as A));
      if (!Array.isArray(r) || r.length !== 2) fail('customVjp', 'fwd must return [output, residuals]', r, 'an array [Tensor, residuals]');
      const [output, saved] = r;
      return { output: outputOf('customVjp', output), saved };
    },
    vjp: (g, { args: [xs], saved }) => {
      const grads = bwd(saved, g);
      if (!Array.isArray(grads) || grads.length !== xs.length) throw new Error(`customVjp: bwd must return one gradient per argument (${xs.length}), got ${Array.isArray(grads) ? grads.length : typeof grads}`);
      return [grads];
    },
  });
  return (...args: A): Tensor => {
    const xs = tensorsOnly('customVjp', args);
    return untouched(xs) ? outputOf('customVjp', f(...args)) : op(xs);
  };
}

/**
 * A function `f` of tensors with a custom forward-mode rule: `rule(primals, tangents)` returns
 * `[output, outputTangent]`, linear in the tangents and written in tensor ops (e.g. a numerically
 * stable derivative). Reverse mode transposes it (the gradient of ⟨g, J·t⟩ in t), so `grad` uses it
 * too; `vmap` loops over the examples.
 *
 * @example
 * ```ts
 * const log1pexp = customJvp(
 *   (x: Tensor) => x.exp().log1p(),
 *   ([x], [t]) => [x.exp().log1p(), t.mul(sigmoid(x))],
 * );
 * grad((x: Tensor) => log1pexp(x).sum())(tensor([100])); // [1], not NaN
 * ```
 * @category Transforms
 */
export function customJvp<A extends Tensor[]>(f: (...args: A) => Tensor, rule: (primals: A, tangents: A) => readonly [Tensor, Tensor]): (...args: A) => Tensor {
  checkCallback('customJvp', 'f', f);
  checkCallback('customJvp', 'rule', rule);
  const tangentOut = (xs: readonly Tensor[], ts: readonly (Tensor | null)[]): Tensor => {
    const filled = xs.map((x, i) => ts[i] ?? zerosLike(x)) as A;
    const r = rule(xs as A, filled);
    if (!Array.isArray(r) || r.length !== 2) fail('customJvp', 'rule must return [output, outputTangent]', r, 'an array of two Tensors');
    return outputOf('customJvp', r[1]);
  };
  const op = defineOp<[readonly Tensor[]], undefined>({
    name: 'customJvp',
    forward: (xs) => outputOf('customJvp', f(...(xs as A))),
    jvp: ([ts], { args: [xs] }) => tangentOut(xs, ts),
    vjp: (g, { args: [xs] }) =>
      withGradMode(true, () => {
        const createGraph = isGradEnabled() && (g.requiresGrad || xs.some((x) => x.requiresGrad));
        const ts = xs.map((x) => zerosLike(x).requiresGrad_());
        const inner = tangentOut(xs, ts).mul(g).sum();
        if (!inner.requiresGrad) return [xs.map(() => null)];
        return [withGradMode(createGraph, () => gradients([inner], ts, { createGraph, retainGraph: true, allowUnused: true }))];
      }),
  });
  return (...args: A): Tensor => {
    const xs = tensorsOnly('customJvp', args);
    return untouched(xs) ? outputOf('customJvp', f(...args)) : op(xs);
  };
}

/**
 * Activation recomputation: `checkpoint(fn)` computes the same as `fn`, but keeps none of `fn`'s
 * intermediates for backward; backward runs `fn` again to get them. Gradients are identical; peak
 * memory drops to the segment inputs plus one segment's intermediates. Gradients flow to `fn`'s
 * arguments only: pass the parameters it uses as arguments, not through a closure. Under `jvp` and
 * `vmap` it is `fn` itself.
 *
 * @example
 * ```ts
 * const block = checkpoint((h: Tensor, w: Tensor) => h.matmul(w).tanh());
 * const loss = block(block(x, w1), w2).sum(); // backward recomputes each block
 * ```
 * @category Transforms
 */
export function checkpoint<A extends Tensor[]>(fn: (...args: A) => Tensor): (...args: A) => Tensor {
  checkCallback('checkpoint', 'fn', fn);
  const op = defineOp<[readonly Tensor[]], undefined>({
    name: 'checkpoint',
    forward: (xs) => {
      const y = outputOf('checkpoint', fn(...(xs as A)));
      // A large elementwise result is computed on first read and holds its operands until then;
      // reading it here lets fn's intermediates go, which is the point of checkpointing.
      void y.data.data;
      return y;
    },
    vjp: (g, { args: [xs] }) => {
      // With createGraph the recomputation must stay connected to the inputs' history; otherwise
      // fresh leaves keep backward from walking the graph upstream of this segment.
      const createGraph = isGradEnabled();
      const leaves = xs.map((x) => (createGraph && x.requiresGrad ? x : new Tensor(x.data).requiresGrad_()));
      const y = withGradMode(true, () => fn(...(leaves as A)));
      if (!y.requiresGrad) return [xs.map(() => null)];
      return [gradients([y], leaves, { gradOutputs: [g], createGraph, retainGraph: createGraph, allowUnused: true })];
    },
    jvp: ([ts], { args: [xs] }) => jvp((...ys: Tensor[]) => fn(...(ys as A)), [...xs], xs.map((x, i) => ts[i] ?? zerosLike(x)))[1],
    batch: ([xs], [dims], { size }) => [vmap((...ys: Tensor[]) => fn(...(ys as A)), { inAxes: [...dims], axisSize: size })(...xs), 0],
  });
  return (...args: A): Tensor => op(tensorsOnly('checkpoint', args));
}
