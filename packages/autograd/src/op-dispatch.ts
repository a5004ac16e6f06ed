// How an op call meets the transform levels: the highest visible level any input takes part in
// processes the call (a jvp level runs the op below itself and then its jvp rule; a vmap level
// runs the batching rule on the physical tensors), and with no level in sight the op runs plainly.
import { ndView } from './kernels/nd-view.js';
import { Tensor } from './tensor.js';
import type { JvpContext, Op, OpSpec, VjpContext } from './define-op.js';
import { isAnomalyEnabled, isGradEnabled, withGradMode } from './grad-mode.js';
import { recordNode } from './tape.js';
import { fmt, sameShape } from './shape.js';
import { isFloating } from './dtype.js';
import { belowLevel, levelAt, markTracer, topLevelOf, type JvpLevel, type VmapLevel } from './transform-levels.js';

interface Applied<Saved> {
  output: Tensor;
  saved: Saved | undefined;
}

/**
 * Ops the fallbacks need, registered by the transforms module (a static import here would run op
 * modules before `defineOp` exists: they call it at load time).
 */
export interface FallbackOps {
  zerosLike(t: Tensor): Tensor;
  gradients(outputs: Tensor[], inputs: Tensor[], options: { createGraph: boolean; retainGraph: boolean; allowUnused: boolean }): Tensor[];
  select(x: Tensor, dim: number, index: number): Tensor;
  stack(xs: readonly Tensor[], dim: number): Tensor;
  unsqueeze(x: Tensor, dim: number): Tensor;
  expand(x: Tensor, shape: readonly number[]): Tensor;
}
let fallback: FallbackOps | undefined;
export function registerFallbackOps(ops: FallbackOps): void {
  fallback = ops;
}

/** Flat tensors of an argument list with a per-argument mapper preserving structure. */
function mapTensors(args: readonly unknown[], f: (t: Tensor) => unknown): unknown[] {
  return args.map((a) => (a instanceof Tensor ? f(a) : Array.isArray(a) ? a.map((x) => (x instanceof Tensor ? f(x) : x)) : undefined));
}

function mapArgs(args: readonly unknown[], f: (t: Tensor) => Tensor): unknown[] {
  return args.map((a) => (a instanceof Tensor ? f(a) : Array.isArray(a) ? a.map((x) => (x instanceof Tensor ? f(x) : x)) : a));
}

function tensorsOf(args: readonly unknown[]): Tensor[] {
  const out: Tensor[] = [];
  for (const a of args) {
    if (a instanceof Tensor) out.push(a);
    else if (Array.isArray(a)) for (const x of a) if (x instanceof Tensor) out.push(x);
  }
  return out;
}

/** A logical (per-example) view of `physical` whose examples lie along `dim`. */
export function makeTracer(level: VmapLevel, physical: Tensor, dim: number): Tensor {
  const nd = physical.data;
  const shape = nd.shape.filter((_, i) => i !== dim);
  const stride = nd.stride.filter((_, i) => i !== dim);
  return markTracer(level, new Tensor(ndView(nd.data, shape, stride, nd.offset)), { physical, dim });
}

export function dispatch<Args extends readonly unknown[], Saved>(
  spec: OpSpec<Args, Saved>,
  op: Op<Args>,
  args: Args,
  base: (args: Args, inputs: Tensor[]) => Applied<Saved>,
): Applied<Saved> {
  // The flattened tensor list is computed once per call and handed to base (it becomes the tape node's inputs).
  const inputs = tensorsOf(args);
  const k = topLevelOf(inputs);
  if (k < 0) return base(args, inputs);
  const level = levelAt(k);
  return level.kind === 'jvp' ? jvpAt(k, level, spec, op, args, base) : batchAt(k, level, spec, op, args);
}

function jvpAt<Args extends readonly unknown[], Saved>(
  k: number,
  level: JvpLevel,
  spec: OpSpec<Args, Saved>,
  op: Op<Args>,
  args: Args,
  base: (args: Args, inputs: Tensor[]) => Applied<Saved>,
): Applied<Saved> {
  const r = belowLevel(k, () => dispatch(spec, op, args, base));
  // An integer or bool output (a comparison, argmax, a cast) has no tangent, whatever its inputs'.
  if (!isFloating(r.output.dtype)) return r;
  const tangents = mapTensors(args, (t) => level.tangents.get(t) ?? null) as never;
  const ctx: JvpContext<Args, Saved> = { args, output: r.output, saved: r.saved as Saved, op };
  const t = belowLevel(k, () => (spec.jvp ? spec.jvp(tangents, ctx) : jvpThroughVjp(spec, tangents, ctx)));
  if (t !== null && t !== undefined) {
    if (!(t instanceof Tensor)) throw new Error(`${spec.name}: jvp rule must return a Tensor or null`);
    if (!sameShape(t.shape, r.output.shape) || t.dtype !== r.output.dtype) {
      throw new Error(`${spec.name}: jvp rule returned a ${t.dtype} tangent of shape ${fmt(t.shape)} for a ${r.output.dtype} output of shape ${fmt(r.output.shape)}`);
    }
    level.tangents.set(r.output, t);
  }
  return r;
}

/**
 * Forward mode for an op without a jvp rule: its vjp is linear in the cotangent `u`, so the
 * derivative of ⟨vjp(u), t⟩ with respect to `u` is J·t (the route `jvp` took before rules existed).
 */
function jvpThroughVjp<Args extends readonly unknown[], Saved>(spec: OpSpec<Args, Saved>, tangents: readonly unknown[], ctx: VjpContext<Args, Saved>): Tensor | null {
  const f = fallback!;
  const flatTangents: (Tensor | null)[] = [];
  for (const t of tangents) {
    if (Array.isArray(t)) flatTangents.push(...(t as (Tensor | null)[]));
    else if (t !== undefined) flatTangents.push(t as Tensor | null);
  }
  const keepGraph = isGradEnabled() && (tensorsOf(ctx.args).some((x) => x.requiresGrad) || flatTangents.some((x) => x?.requiresGrad));
  return withGradMode(true, () => {
    // The vjp may skip inputs that do not require grad: give the differentiated ones fresh leaves.
    let i = 0;
    const args = mapArgs(ctx.args, (a) => (flatTangents[i++] && !a.requiresGrad ? new Tensor(a.data).requiresGrad_() : a)) as unknown as Args;
    const u = f.zerosLike(ctx.output).requiresGrad_();
    const grads = tensorsOfGrads(spec.vjp(u, { ...ctx, args }) as readonly unknown[], ctx.args);
    let inner: Tensor | null = null;
    grads.forEach((g, j) => {
      const t = flatTangents[j];
      if (!g || !t) return;
      const term = g.mul(t).sum();
      inner = inner ? inner.add(term) : term;
    });
    const total = inner as Tensor | null;
    if (!total || !total.requiresGrad) return null;
    return withGradMode(keepGraph, () => f.gradients([total], [u], { createGraph: keepGraph, retainGraph: true, allowUnused: true })[0]!);
  });
}

function tensorsOfGrads(grads: readonly unknown[], args: readonly unknown[]): (Tensor | null)[] {
  const out: (Tensor | null)[] = [];
  args.forEach((a, i) => {
    const g = grads[i];
    if (a instanceof Tensor) out.push(g instanceof Tensor ? g : null);
    else if (Array.isArray(a)) a.forEach((x, j) => x instanceof Tensor && out.push(((g ?? []) as unknown[])[j] instanceof Tensor ? ((g as Tensor[])[j] as Tensor) : null));
  });
  return out;
}

const warned = new Set<string>();

function batchAt<Args extends readonly unknown[], Saved>(k: number, level: VmapLevel, spec: OpSpec<Args, Saved>, op: Op<Args>, args: Args): Applied<Saved> {
  const physical = mapArgs(args, (t) => level.tracers.get(t)?.physical ?? t) as unknown as Args;
  const dims = mapTensors(args, (t) => level.tracers.get(t)?.dim ?? null) as never;
  const [out, dim] = belowLevel(k, () => {
    if (spec.batch) return spec.batch(physical, dims, { size: level.size, op });
    if (isAnomalyEnabled() && !warned.has(spec.name)) {
      warned.add(spec.name);
      console.warn(`vmap: '${spec.name}' has no batching rule; looping over the ${level.size} examples and stacking (correct but slower)`);
    }
    return loopOverBatch(op, physical, dims, level.size);
  });
  if (!(out instanceof Tensor)) throw new Error(`${spec.name}: batching rule must return [Tensor, dim]`);
  const f = fallback!;
  // An output shared by every example still becomes a batched value, so the level owns it.
  const [phys, d] = dim === null ? [f.expand(f.unsqueeze(out, 0), [level.size, ...out.shape]), 0] : [out, dim];
  if (phys.shape[d] !== level.size) throw new Error(`${spec.name}: batching rule returned batch axis ${d} of size ${phys.shape[d]}, expected ${level.size}`);
  const logical = makeTracer(level, phys, d);
  const inputs = tensorsOf(args);
  // The per-example op goes on the tape too, so `grad` inside `vmap` differentiates per example.
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) recordNode(op.record, inputs, args, undefined, logical);
  return { output: logical, saved: undefined };
}

function loopOverBatch<Args extends readonly unknown[]>(op: Op<Args>, args: Args, dims: readonly unknown[], size: number): [Tensor, number] {
  const f = fallback!;
  const outs: Tensor[] = [];
  for (let b = 0; b < size; b++) {
    const argsB = args.map((a, i) => {
      const d = dims[i];
      if (a instanceof Tensor) return d === null ? a : f.select(a, d as number, b);
      if (Array.isArray(a)) return a.map((x, j) => (x instanceof Tensor && (d as (number | null)[])[j] !== null ? f.select(x, (d as number[])[j]!, b) : x));
      return a;
    }) as unknown as Args;
    outs.push(op(...argsB));
  }
  if (size === 0) throw new Error('vmap: cannot run an op without a batching rule over 0 examples');
  return [f.stack(outs, 0), 0];
}
