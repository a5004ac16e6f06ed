// defineOp: the one way an op is made, for built-ins and library authors alike.
import { Tensor } from './tensor.js';
import { isAnomalyEnabled, isGradEnabled, swapGradEnabled } from './grad-mode.js';
import { recordNode, type OpRecord, type TapeNode } from './tape.js';
import { assertFiniteOutput } from './anomaly.js';
import { assertNotTracer, enterBase, leaveBase } from './transform-levels.js';
import { dispatch } from './op-dispatch.js';
import { isFloating, nameAllocation } from './dtype.js';
import { fmt, sameShape } from './shape.js';
import { checkCallback, checkOptions, fail } from './validate.js';

/**
 * The gradient a vjp returns for one argument: a tensor (or `null` for none) for a tensor argument,
 * one per element for a tensor-list argument, and `null`/`undefined` for anything else.
 *
 * @example
 * ```ts
 * type G = GradOf<Tensor>; // Tensor | null
 * ```
 * @category Extending
 */
export type GradOf<A> = A extends Tensor
  ? Tensor | null
  : A extends readonly Tensor[]
    ? readonly (Tensor | null)[]
    : null | undefined;

/**
 * One {@link GradOf} per argument of the op, in argument order.
 *
 * @example
 * ```ts
 * type G = Grads<[Tensor, number]>; // [Tensor | null, null | undefined]
 * ```
 * @category Extending
 */
export type Grads<Args extends readonly unknown[]> = { -readonly [K in keyof Args]: GradOf<Args[K]> };

/**
 * What a vjp sees: the op's arguments, its output and the residuals `forward` saved.
 *
 * @example
 * ```ts
 * const vjp = (g: Tensor, { args: [x], output }: VjpContext<[Tensor], undefined>) => [g.mul(output)];
 * ```
 * @category Extending
 */
export interface VjpContext<Args extends readonly unknown[], Saved> {
  /** The arguments the op was called with (tensors are the recorded inputs). */
  readonly args: Args;
  /** The op's output. */
  readonly output: Tensor;
  /** What `forward` returned as `saved` (undefined when it returned a bare tensor). */
  readonly saved: Saved;
}

/**
 * The tangent a jvp rule receives for one argument: a tensor (or `null` for a zero tangent) for a
 * tensor argument, one per element for a tensor-list argument, `undefined` for anything else.
 *
 * @example
 * ```ts
 * type T = TangentOf<Tensor>; // Tensor | null
 * ```
 * @category Extending
 */
export type TangentOf<A> = A extends Tensor
  ? Tensor | null
  : A extends readonly Tensor[]
    ? readonly (Tensor | null)[]
    : undefined;

/**
 * One {@link TangentOf} per argument of the op, in argument order.
 *
 * @example
 * ```ts
 * type T = Tangents<[Tensor, number]>; // [Tensor | null, undefined]
 * ```
 * @category Extending
 */
export type Tangents<Args extends readonly unknown[]> = { -readonly [K in keyof Args]: TangentOf<Args[K]> };

/**
 * Where the examples lie in one argument of a batching rule: the axis of a tensor argument that
 * holds the batch (`null` when the argument is the same for every example), one per element for a
 * tensor-list argument, `undefined` for anything else.
 *
 * @example
 * ```ts
 * type D = BatchDimOf<Tensor>; // number | null
 * ```
 * @category Extending
 */
export type BatchDimOf<A> = A extends Tensor
  ? number | null
  : A extends readonly Tensor[]
    ? readonly (number | null)[]
    : undefined;

/**
 * One {@link BatchDimOf} per argument of the op, in argument order.
 *
 * @example
 * ```ts
 * type D = BatchDims<[Tensor, Tensor]>; // [number | null, number | null]
 * ```
 * @category Extending
 */
export type BatchDims<Args extends readonly unknown[]> = { -readonly [K in keyof Args]: BatchDimOf<Args[K]> };

/**
 * What a batching rule sees besides the arguments: the batch size and the op itself, so a rule
 * can call it on arguments with the batch moved into an ordinary axis.
 *
 * @example
 * ```ts
 * const batch = (args: [Tensor], dims: [number | null], { op }: BatchContext<[Tensor]>) => [op(...args), dims[0]] as const;
 * ```
 * @category Extending
 */
export interface BatchContext<Args extends readonly unknown[]> {
  /** The number of examples. */
  readonly size: number;
  /** The op being batched (call it on arguments whose batch lives in an ordinary axis). */
  readonly op: Op<Args>;
}

/**
 * What a jvp rule sees: the vjp's context plus the op itself (a linear op's jvp is the op applied
 * to the tangents).
 *
 * @example
 * ```ts
 * const jvp = ([t]: Tangents<[Tensor]>, { op }: JvpContext<[Tensor], undefined>) => (t ? op(t) : null);
 * ```
 * @category Extending
 */
export interface JvpContext<Args extends readonly unknown[], Saved> extends VjpContext<Args, Saved> {
  /** The op whose tangent is computed. */
  readonly op: Op<Args>;
}

/**
 * What `forward` may return: the output alone, or the output with residuals for the vjp.
 *
 * @example
 * ```ts
 * const r: ForwardResult<number> = { output: y, saved: 3 };
 * ```
 * @category Extending
 */
export type ForwardResult<Saved> = Tensor | { readonly output: Tensor; readonly saved: Saved };

/**
 * The definition of an op: a name, a forward computation and its vector-Jacobian product.
 *
 * @example
 * ```ts
 * const spec: OpSpec<[Tensor], undefined> = {
 *   name: 'double',
 *   forward: (x) => x.mul(2),
 *   vjp: (g) => [g.mul(2)],
 * };
 * ```
 * @category Extending
 */
export interface OpSpec<Args extends readonly unknown[], Saved> {
  /** Used in error messages, `grad_fn=<nameBackward>` and graph pictures. */
  readonly name: string;
  /**
   * Whether `forward` is correct for int32 and bool tensor inputs. By default (false) such inputs
   * are rejected with an error naming the op, so a float-only kernel never reads integer storage.
   * Integer outputs are never recorded on the tape.
   */
  readonly acceptsIntegers?: boolean;
  /**
   * Computes the output. It runs without recording, so it may use tensor ops or raw kernels freely.
   * Non-tensor arguments (axes, strides, scalars) are passed through as they are.
   */
  forward(...args: Args): ForwardResult<Saved>;
  /**
   * Given `g`, the gradient of the loss with respect to the output, returns the gradient with
   * respect to each argument. Write it with tensor ops: under `backward({ createGraph: true })`
   * it is recorded, which makes the op differentiable twice for free. A vjp may skip work for
   * inputs whose `requiresGrad` is false by returning `null` for them.
   */
  vjp(g: Tensor, ctx: VjpContext<Args, Saved>): Grads<Args>;
  /**
   * Forward mode: given one tangent per argument (`null` for zero), returns the output's tangent
   * (`null` for zero), written with tensor ops so that it nests under `grad`, `jvp` and `vmap`.
   * `ctx` is the vjp's context plus the op. Without it, `jvp` goes through the vjp twice (same results, slower).
   */
  jvp?(tangents: Tangents<Args>, ctx: JvpContext<Args, Saved>): Tensor | null;
  /**
   * Batching for `vmap`: receives the arguments holding every example, with the axis of the batch in
   * each (`null` for an argument shared by all examples), and returns the output holding every example
   * and its batch axis (`null` when the output is the same for all). Most rules move the batch to
   * axis 0 and call `ctx.op`. Without it, `vmap` loops over the examples and stacks.
   */
  batch?(args: Args, dims: BatchDims<Args>, ctx: BatchContext<Args>): readonly [Tensor, number | null];
}

/**
 * A callable op made by {@link defineOp}; `op.record` is what tape nodes point to.
 *
 * @example
 * ```ts
 * const y = softsign(x); // softsign: Op<[Tensor]>
 * ```
 * @category Extending
 */
export interface Op<Args extends readonly unknown[]> {
  (...args: Args): Tensor;
  /** The record tape nodes point to (name and flattened vjp). */
  readonly record: OpRecord;
  /** Whether the op has a forward-mode rule (else `jvp` goes through its vjp twice). */
  readonly hasJvp: boolean;
  /** Whether the op has a batching rule (else `vmap` loops over the examples). */
  readonly hasBatch: boolean;
}

/**
 * Every op made by defineOp so far, in creation order (internal: a test enumerates the built-ins
 * to prove each has its jvp and batching rules).
 */
const defined: Op<never>[] = [];
export function definedOps(): readonly Op<never>[] {
  return defined;
}

/** Flattens the vjp's per-argument result to one entry per recorded input, checking its structure. */
export function flattenGrads(name: string, args: readonly unknown[], grads: readonly unknown[]): (Tensor | null)[] {
  if (!Array.isArray(grads) || grads.length !== args.length) {
    throw new Error(`${name}: vjp must return one entry per argument (${args.length}), got ${Array.isArray(grads) ? grads.length : typeof grads}`);
  }
  const out: (Tensor | null)[] = [];
  // Loops, not closures: this runs for every node of every backward pass.
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const g = grads[i];
    if (a instanceof Tensor) out.push(gradEntry(name, i, -1, a, g));
    else if (Array.isArray(a) && a.some((x) => x instanceof Tensor)) {
      if (g !== null && g !== undefined && (!Array.isArray(g) || g.length !== a.length)) {
        fail(name, `vjp must return one gradient per element of tensor-list argument ${i}`, g, `an array of length ${a.length} or null`);
      }
      const list = (g ?? []) as readonly unknown[];
      for (let j = 0; j < a.length; j++) {
        const x: unknown = a[j];
        if (x instanceof Tensor) out.push(gradEntry(name, i, j, x, list[j]));
      }
    }
  }
  return out;
}

/**
 * One checked gradient: a wrong entry (a number, an array, a tensor of another shape) would
 * otherwise drop or corrupt a gradient silently. `j` is the element of a tensor-list argument, or -1.
 */
function gradEntry(name: string, i: number, j: number, x: Tensor, g: unknown): Tensor | null {
  if (g === null || g === undefined) return null;
  const where = j < 0 ? `argument ${i}` : `argument ${i}[${j}]`;
  if (!(g instanceof Tensor)) fail(name, `vjp returned a non-tensor gradient for ${where}`, g, 'a Tensor or null');
  if (!sameShape(g.shape, x.shape) || g.dtype !== x.dtype) {
    fail(name, `vjp returned a gradient of the wrong shape or dtype for ${where}`, g, `a ${x.dtype} tensor of shape ${fmt(x.shape)}`);
  }
  return g;
}

/**
 * Makes a differentiable op from a forward function and its vector-Jacobian product. This is the
 * mechanism every built-in op uses. Tensor arguments (and arrays of tensors) are the op's inputs;
 * any other argument is passed to `forward` and `vjp` unchanged and gets no gradient.
 *
 * @example
 * ```ts
 * const softsign = defineOp({
 *   name: 'softsign',
 *   forward: (x: Tensor) => x.div(x.abs().add(1)),
 *   vjp: (g, { args: [x] }) => [g.div(x.abs().add(1).square())],
 * });
 * const y = softsign(tensor([1, -2], { requiresGrad: true }));
 * ```
 * @category Extending
 */
export function defineOp<Args extends readonly unknown[], Saved = undefined>(spec: OpSpec<Args, Saved>): Op<Args> {
  // Every key of OpSpec: a misspelt rule (`jpv`) must be an error, not a silently missing rule.
  checkOptions('defineOp', spec, ['name', 'acceptsIntegers', 'forward', 'vjp', 'jvp', 'batch']);
  if (typeof spec.name !== 'string' || spec.name === '') fail('defineOp', 'name must be a non-empty string', spec.name, 'a string');
  checkCallback('defineOp', 'forward', spec.forward);
  checkCallback('defineOp', 'vjp', spec.vjp);
  if (spec.jvp !== undefined) checkCallback('defineOp', 'jvp', spec.jvp);
  if (spec.batch !== undefined) checkCallback('defineOp', 'batch', spec.batch);
  const record: OpRecord = {
    name: spec.name,
    backward: (g: Tensor, node: TapeNode) => {
      const args = node.args as Args;
      const grads = spec.vjp(g, { args, output: node.output, saved: node.saved as Saved });
      return flattenGrads(spec.name, args, grads);
    },
  };
  // Runs the op with no transform level in sight: the plain forward, recorded on the tape. This runs
  // for every op call, so it loops instead of making closures (find/some/atBase/noGrad) per call.
  const base = (args: Args, inputs: Tensor[]): { output: Tensor; saved: Saved | undefined } => {
    let anyRequiresGrad = false;
    for (let i = 0; i < inputs.length; i++) {
      assertNotTracer(spec.name, inputs[i]!);
      if (inputs[i]!.requiresGrad) anyRequiresGrad = true;
    }
    if (!spec.acceptsIntegers) {
      for (let i = 0; i < inputs.length; i++) {
        const t = inputs[i]!;
        if (!isFloating(t.dtype)) throw new Error(`${spec.name}: expected floating-point tensors, got dtype ${t.dtype} (shape [${t.shape.join(',')}]); convert with toDType('float32')`);
      }
    }
    let result: ForwardResult<Saved>;
    const levels = enterBase();
    const grad = swapGradEnabled(false);
    try {
      result = spec.forward(...args);
    } catch (e) {
      nameAllocation(spec.name, e);
    } finally {
      swapGradEnabled(grad);
      leaveBase(levels);
    }
    let output = result instanceof Tensor ? result : result.output;
    const saved = result instanceof Tensor ? undefined : result.saved;
    if (!(output instanceof Tensor)) throw new Error(`${spec.name}: forward must return a Tensor or { output, saved }`);
    // A fresh tensor object per call, so ops that return their input (views) never rewrite its history.
    if (output.gradFn !== null || output.requiresGrad || inputs.includes(output)) output = new Tensor(output.data);
    if (isAnomalyEnabled()) assertFiniteOutput(spec.name, inputs, output);
    if (anyRequiresGrad && isGradEnabled() && isFloating(output.dtype)) recordNode(record, inputs, args, saved, output);
    return { output, saved };
  };
  const op = Object.assign((...args: Args): Tensor => dispatch(spec, op, args, base).output, {
    record,
    hasJvp: spec.jvp !== undefined,
    hasBatch: spec.batch !== undefined,
  }) as Op<Args>;
  defined.push(op as unknown as Op<never>);
  return op;
}
