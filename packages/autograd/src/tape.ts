// The tape: nodes recorded by ops, and the reverse-mode pass that walks them.
import ops from 'ndarray-ops';
import { Tensor } from './tensor.js';
import type { TypedArray } from './dtype.js';
import { fmt, sameShape } from './shape.js';
import { checkBoolean, checkOptions, checkTensorList, fail } from './validate.js';
import { isAnomalyEnabled, withGradMode } from './grad-mode.js';
import { copyToContiguous, isContiguous, wrap } from './kernels/layout.js';
import { grantGradient, isExclusive, markOwnedGrad, passesViews, releaseGranted, setGradientPrivacy, takeExclusive, unmarkExclusive } from './grad-ownership.js';
import { flushStorage, peekStorage } from './kernels/fused/lazy.js';
import { add } from './ops/elementwise.js';
import { assertFinite, duringVjp } from './anomaly.js';

/**
 * The part of an op the tape needs: its name (for errors and graph pictures) and its
 * vector-Jacobian product. Built by {@link defineOp}; never looked up by string.
 *
 * @example
 * ```ts
 * const y = tensor([1], { requiresGrad: true }).exp();
 * y.gradFn?.op.name; // 'exp'
 * ```
 * @category Autograd
 */
export interface OpRecord {
  /** The op's name, as used in error messages and `grad_fn=<nameBackward>`. */
  readonly name: string;
  /** @internal the flattened vjp: one gradient (or null) per tensor input. */
  readonly backward: (g: Tensor, node: TapeNode) => (Tensor | null)[];
}

/**
 * One recorded op application: what the output's `gradFn` points to.
 *
 * @example
 * ```ts
 * const y = x.mul(2);
 * y.gradFn?.inputs.length; // 1 tensor input (the scalar 2 does not require grad)
 * ```
 * @category Autograd
 */
export interface TapeNode {
  /** The op that made the output. */
  readonly op: OpRecord;
  /** The tensor arguments, flattened in argument order (tensor-list arguments are spread). */
  inputs: Tensor[];
  /** @internal the original arguments and residuals, dropped when the graph is freed. */
  args: readonly unknown[] | null;
  /** @internal residuals saved by forward. */
  saved: unknown;
  /** The output tensor this node produced. */
  readonly output: Tensor;
  /** Stack where the op ran (recorded only in anomaly mode). */
  readonly createdAt: string | undefined;
}

/**
 * Options of {@link Tensor.backward} and {@link gradients}.
 *
 * @example
 * ```ts
 * y.backward(undefined, { retainGraph: true });
 * ```
 * @category Autograd
 */
export interface BackwardOptions {
  /** Keep the graph (saved tensors) so a second backward can run through it. Defaults to `createGraph`. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so the gradients can be differentiated again. */
  createGraph?: boolean;
}

interface PassOptions extends BackwardOptions {
  /** When given, only gradients for these tensors are wanted, nothing is accumulated into `.grad`. */
  targets?: readonly Tensor[];
}

function freedError(node: TapeNode): Error {
  return new Error(
    `backward: the graph through '${node.op.name}' (output shape ${fmt(node.output.shape)}) was already freed by an earlier backward(); ` +
      'pass { retainGraph: true } to the first backward() to go through it twice',
  );
}

/** Iterative post-order DFS (inputs before outputs), so deep chains do not overflow the stack. */
function topoOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // A depth-first walk: the tensors on the path and, for each, its next input to visit.
  const stack: Tensor[] = [];
  const next: number[] = [];
  for (const r of roots) {
    if (!r.requiresGrad || seen.has(r)) continue;
    seen.add(r);
    stack.push(r);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const t = stack[top]!, i = next[top]!;
      const node = t.gradFn;
      if (node && node.args === null) throw freedError(node);
      if (node !== null && i < node.inputs.length) {
        next[top] = i + 1;
        const child = node.inputs[i]!;
        if (child.requiresGrad && !seen.has(child)) {
          seen.add(child);
          stack.push(child);
          next.push(0);
        }
      } else {
        stack.pop();
        next.pop();
        order.push(t);
      }
    }
  }
  return order;
}

/**
 * Tensors on a path to one of the targets; null when there are no targets (then every tensor of
 * the order is needed, and an input is in the order exactly when it requires grad).
 */
function neededSet(order: readonly Tensor[], targets: readonly Tensor[] | undefined): Set<Tensor> | null {
  if (!targets) return null;
  const needed = new Set<Tensor>(targets);
  for (const t of order) {
    if (t.gradFn?.inputs.some((i) => needed.has(i))) needed.add(t);
  }
  return needed;
}

function checkGrad(node: TapeNode, input: Tensor, g: Tensor, index: number): void {
  if (!sameShape(g.shape, input.shape)) {
    throw new Error(
      `backward: the vjp of '${node.op.name}' returned a gradient of shape ${fmt(g.shape)} for input ${index} of shape ${fmt(input.shape)}`,
    );
  }
  if (g.dtype !== input.dtype) {
    throw new Error(`backward: the vjp of '${node.op.name}' returned a ${g.dtype} gradient for ${input.dtype} input ${index}`);
  }
}

function runHooks(t: Tensor, g: Tensor): Tensor {
  for (const hook of t.hooks) {
    unmark(g); // the hook may keep it
    const replaced = hook(g);
    if (replaced) {
      if (!sameShape(replaced.shape, g.shape)) {
        throw new Error(`registerHook: a hook returned a gradient of shape ${fmt(replaced.shape)} for a tensor of shape ${fmt(g.shape)}`);
      }
      g = replaced;
    }
  }
  unmark(g);
  return g;
}

/** The gradient's buffer is no longer adoptable (a pending fused result has none yet, so nothing to unmark). */
function unmark(g: Tensor): void {
  unmarkExclusive(peekStorage(g.data));
}

/** `g` covers its whole buffer row-major, so the buffer can become a `.grad` of the same shape. */
function wholeBuffer(g: Tensor): boolean {
  return g.data.offset === 0 && g.data.data.length === g.size && isContiguous(g.data);
}

/** Adds `g` into `t.grad`: in place when no graph is being built, else as a recorded op. */
function accumulateGrad(t: Tensor, g: Tensor, createGraph: boolean): void {
  // Reads `_grad`: the public `.grad` would give the gradient away (see grad-ownership.ts).
  const held = t._grad;
  if (held === null) {
    if (createGraph) t.grad = g;
    // A leaf adopts a buffer nothing else holds (see grad-ownership.ts); taking it unmarks it, so
    // a second leaf reached by a view of it copies. The adopted `.grad` is the library's until
    // someone reads it, so clearing it recycles the buffer.
    else if (t.gradFn === null && isExclusive(g.data.data) && wholeBuffer(g) && takeExclusive(g.data.data)) {
      const adopted = new Tensor(wrap(g.data.data, g.shape));
      t.grad = adopted;
      markOwnedGrad(adopted);
    }
    // Else own a copy: `g` may alias another tensor's gradient or be a broadcast (stride-0) view.
    else t.grad = new Tensor(wrap(copyToContiguous(g.data), g.shape));
  } else if (createGraph || held.gradFn !== null) {
    t.grad = withGradMode(createGraph, () => add(t.grad!, g));
  } else {
    ops.addeq(held.data, g.data);
  }
}

/**
 * @internal Tape bookkeeping counts, read by `tapeStats()`: nodes recorded since the process
 * started and nodes whose saved tensors backward has released (each node counted once).
 */
export const tapeCounters = { recorded: 0, released: 0 };

/** Releases what backward needed, so memory does not grow across training steps. */
function freeGraph(order: readonly Tensor[]): void {
  for (const t of order) {
    const node = t.gradFn;
    if (node && node.args !== null) {
      node.args = null;
      node.saved = undefined;
      tapeCounters.released++;
    }
  }
}

/** The reverse-mode pass shared by `backward()` and `gradients()`. */
function runPass(roots: readonly Tensor[], rootGrads: readonly Tensor[], options: PassOptions): Map<Tensor, Tensor> {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const order = topoOrder(roots);
  const needed = neededSet(order, options.targets);
  const accumulate = options.targets === undefined;
  const grads = new Map<Tensor, Tensor>();
  const put = (t: Tensor, g: Tensor) => {
    const prev = grads.get(t);
    grads.set(t, prev ? withGradMode(createGraph, () => add(prev, g)) : g);
  };
  roots.forEach((r, i) => {
    unmark(rootGrads[i]!); // the caller holds it
    put(r, rootGrads[i]!);
  });
  const privacy = setGradientPrivacy(accumulate && !createGraph && !isAnomalyEnabled() ? privateGradients(order, roots) : null);
  try {
    reversePass(order, grads, put, accumulate, createGraph, needed);
  } finally {
    setGradientPrivacy(privacy);
  }
  if (!retainGraph) freeGraph(order);
  if (!accumulate) grads.forEach(unmark); // returned to the caller
  return grads;
}

/**
 * Which tensors' gradients only their own vjp will read (see gradientIsPrivate): read by one op
 * of the graph, no hooks, not retaining, not a leaf or a root. Counted on the first question.
 */
function privateGradients(order: readonly Tensor[], roots: readonly Tensor[]): (t: Tensor) => boolean {
  let readers: Map<Tensor, number> | null = null;
  return (t) => {
    if (t.gradFn === null || t.hooks.length > 0 || t.retainsGrad || roots.includes(t)) return false;
    if (readers === null) {
      readers = new Map();
      for (const u of order) for (const input of u.gradFn?.inputs ?? []) readers.set(input, (readers.get(input) ?? 0) + 1);
    }
    return readers.get(t) === 1;
  };
}

/** Runs every vjp of `order`, outputs before inputs, gathering the gradients in `grads`. */
function reversePass(
  order: readonly Tensor[], grads: Map<Tensor, Tensor>, put: (t: Tensor, g: Tensor) => void, accumulate: boolean, createGraph: boolean, needed: Set<Tensor> | null,
): void {
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k]!;
    let g = grads.get(t);
    if (!g) continue;
    if (t.hooks.length > 0) grads.set(t, (g = withGradMode(createGraph, () => runHooks(t, g!))));
    const node = t.gradFn;
    if (accumulate && (node === null || t.retainsGrad)) accumulateGrad(t, g, createGraph);
    if (!node) continue;
    // The vjp gets an exclusive buffer for good when nothing can read it later: no graph is being
    // built and no gradients() caller gets it back (see grad-ownership.ts).
    let grant: TypedArray | null = null;
    if (!passesViews(node.op)) {
      const buffer = peekStorage(g.data);
      if (accumulate && !createGraph && isExclusive(buffer) && wholeBuffer(g) && takeExclusive(buffer)) grant = buffer;
      else unmarkExclusive(buffer);
    }
    grantGradient(grant);
    const inputGrads = withGradMode(createGraph, () => duringVjp(() => node.op.backward(g!, node)));
    if (grant !== null) releaseGranted(node.op, grant, inputGrads.map((gi) => (gi ? peekStorage(gi.data) : null)), flushStorage);
    grantGradient(null);
    node.inputs.forEach((input, i) => {
      const gi = inputGrads[i];
      if (!gi || !input.requiresGrad || (needed !== null && !needed.has(input))) return;
      checkGrad(node, input, gi, i);
      if (isAnomalyEnabled()) assertFinite(node, gi, `gradient for input ${i}`);
      put(input, gi);
    });
  }
}

function seedGrad(op: string, root: Tensor, g: Tensor | undefined, what = 'gradient'): Tensor {
  if (!root.requiresGrad) {
    throw new Error(`${op}: the tensor (shape ${fmt(root.shape)}) does not require grad and has no grad_fn`);
  }
  if (g === undefined) {
    if (root.size !== 1) {
      throw new Error(`${op}: ${what} can be implicit only for a one-element output; got shape ${fmt(root.shape)}, pass a gradient of that shape`);
    }
    return new Tensor(wrap(root.dtype === 'float64' ? new Float64Array([1]) : new Float32Array([1]), root.shape));
  }
  if (!sameShape(g.shape, root.shape)) {
    throw new Error(`${op}: ${what} has shape ${fmt(g.shape)} but the output has shape ${fmt(root.shape)}`);
  }
  if (g.dtype !== root.dtype) throw new Error(`${op}: ${what} is ${g.dtype} but the output is ${root.dtype}`);
  return g;
}

/** Implements {@link Tensor.backward}. */
export function backward(root: Tensor, gradOutput: Tensor | undefined, options: BackwardOptions): void {
  runPass([root], [seedGrad('backward', root, gradOutput)], options);
}

/**
 * Options of {@link gradients}.
 *
 * @example
 * ```ts
 * const opts: GradientsOptions = { createGraph: true, allowUnused: true };
 * ```
 * @category Autograd
 */
export interface GradientsOptions extends BackwardOptions {
  /** Gradients to seed each output with (required for outputs with more than one element). */
  gradOutputs?: readonly (Tensor | undefined)[];
  /** Return a zero gradient instead of throwing for an input the outputs do not depend on. */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs` (like `torch.autograd.grad`), without touching any `.grad`.
 * The inputs may be leaves or intermediate tensors.
 *
 * @example
 * ```ts
 * const x = tensor([1, 2], { requiresGrad: true });
 * const [gx] = gradients([x.square().sum()], [x]); // [2, 4]
 * ```
 * @category Autograd
 */
export function gradients(outputs: readonly Tensor[], inputs: readonly Tensor[], options: GradientsOptions = {}): Tensor[] {
  checkTensorList('gradients', 'outputs', outputs);
  checkTensorList('gradients', 'inputs', inputs);
  options = checkOptions('gradients', options, ['retainGraph', 'createGraph', 'gradOutputs', 'allowUnused']);
  for (const key of ['retainGraph', 'createGraph', 'allowUnused'] as const) {
    if (options[key] !== undefined) checkBoolean('gradients', key, options[key]);
  }
  if (options.gradOutputs !== undefined && (!Array.isArray(options.gradOutputs) || options.gradOutputs.length !== outputs.length)) {
    fail('gradients', 'gradOutputs must hold one entry per output', options.gradOutputs, `an array of ${outputs.length} Tensors (or undefined entries)`);
  }
  const seeds = outputs.map((o, i) => seedGrad('gradients', o, options.gradOutputs?.[i], `gradOutputs[${i}]`));
  inputs.forEach((x, i) => {
    if (!x.requiresGrad) throw new Error(`gradients: input ${i} (shape ${fmt(x.shape)}) does not require grad`);
  });
  const grads = runPass(outputs, seeds, { ...options, targets: inputs });
  return inputs.map((x, i) => {
    const g = grads.get(x);
    if (g) return g;
    if (!options.allowUnused) {
      throw new Error(`gradients: input ${i} (shape ${fmt(x.shape)}) was not used to compute the outputs; pass { allowUnused: true } for a zero gradient`);
    }
    return new Tensor(wrap(copyToContiguous(x.data).fill(0), x.shape));
  });
}

/** Whether an op applied to these inputs must be recorded. */
export function recordNode(op: OpRecord, inputs: Tensor[], args: readonly unknown[], saved: unknown, output: Tensor): void {
  const createdAt = isAnomalyEnabled() ? new Error().stack?.split('\n').slice(3, 9).join('\n') : undefined;
  output.gradFn = { op, inputs, args, saved, output, createdAt };
  output.requiresGrad = true;
  tapeCounters.recorded++;
}
