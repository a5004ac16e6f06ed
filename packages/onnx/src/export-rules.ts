// How each recorded tapegrad op becomes ONNX nodes. Rules are keyed by the op's record object (what
// tape nodes point to), never by name: the records are found by running each op once on a probe.
import * as tg from '@tapegrad/autograd';
import type { OpRecord, TapeNode, Tensor } from '@tapegrad/autograd';
import type { AttrValue, GraphBuilder } from './graph-builder.js';
import { moreRules } from './export-rules-more.js';
import { reshapeDims, derived, type Dims } from './dynamic-dims.js';

/** What a rule sees: the builder, the node, its inputs' value names and whether input i keeps axis 0 dynamic. */
export interface RuleContext {
  readonly b: GraphBuilder;
  readonly node: TapeNode;
  /** The value name of tensor input i (an `expand` in front of it is kept). */
  input(i: number): string;
  /** The value name of tensor input i for an op that broadcasts by itself (a tapegrad `expand` in front is skipped). */
  broadcastInput(i: number): string;
  /** The value name of any tensor the node reaches (for rules that look past their direct inputs). */
  value(t: Tensor): string;
  /** Whether axis 0 of tensor input i is a dynamic (batch) axis. */
  batched(i: number): boolean;
  /** The labels of tensor input i's dynamic axes (null for static ones); see dynamic-dims.ts. */
  dims(i: number): Dims;
  /** The labels of any tensor's dynamic axes (after writing it). */
  dimsOf(t: Tensor): Dims;
  /** Each dynamic axis name's size in the example inputs. */
  readonly sizes: ReadonlyMap<string, number>;
  /** An int64 shape value: numbers as constants, names read from the graph input that has them. */
  shape(target: readonly (number | string)[]): string;
  /** Throws the exporter's error for this node. */
  fail(why: string): never;
}

/**
 * A rule returns the output's value name, and, when the op changes shapes, the output's dynamic
 * axes: `dims` (one label or null per axis), or `batched` for rules that only follow axis 0. A bare
 * name means the op is elementwise for dynamic axes (see inferDims).
 */
export type Rule = (ctx: RuleContext) => string | { name: string; batched: boolean } | { name: string; dims: Dims };

type Spec = {
  readonly stride: readonly number[]; readonly padding: readonly number[]; readonly dilation: readonly number[]; readonly groups?: number;
  readonly kernel?: readonly number[]; readonly countIncludePad?: boolean; readonly ceil?: boolean; readonly divisorOverride?: number | null;
};
interface AxisSlice { start: number; length: number; step: number; drop: boolean }

const arg = <T>(ctx: RuleContext, i: number) => ctx.node.args![i] as T;
const out = (ctx: RuleContext) => ctx.node.output;

const unary = (opType: string): Rule => (c) => c.b.node(opType, [c.input(0)]);
const binary = (opType: string): Rule => (c) => c.b.node(opType, [c.broadcastInput(0), c.broadcastInput(1)]);

/** Reduce ops take axes as an input from opset 18 (ReduceSum from 13), an attribute before. */
function reduce(opType: string): Rule {
  return (c) => {
    const [x, axes, keepDims] = c.node.args as [Tensor, readonly number[], boolean];
    const attrs = { keepdims: { int: keepDims ? 1 : 0 } };
    const dims = reducedDims(c.dims(0), axes, keepDims);
    if (axes.length === 0) return { name: c.b.node('Identity', [c.input(0)]), dims };
    if (x.ndim === 0) return { name: c.b.node('Identity', [c.input(0)]), dims };
    const name = opType === 'ReduceSum' || c.b.opset >= 18
      ? c.b.node(opType, [c.input(0), c.b.int64s(axes)], attrs)
      : c.b.node(opType, [c.input(0)], { ...attrs, axes: { ints: axes } });
    return { name, dims };
  };
}

/** Dims after reducing `axes` (removed, or static size 1 with keepDims). */
export const reducedDims = (dims: Dims, axes: readonly number[], keepDims: boolean): Dims =>
  dims.flatMap((d, k) => (axes.includes(k) ? (keepDims ? [null] : []) : [d]));

/** Dims of a matmul: the broadcast batch axes, then a's rows and b's columns (a contracted axis may be dynamic). */
export function matmulDims(c: RuleContext, [ia, ib] = [0, 1]): Dims {
  const [a, b] = [c.dims(ia), c.dims(ib)];
  const [ka, kb] = [a[a.length - 1] ?? null, b.length >= 2 ? b[b.length - 2]! : b[0] ?? null];
  if ((ka === null) !== (kb === null)) c.fail(`the contracted axis is dynamic ('${ka ?? kb}') in one operand and of fixed size in the other`);
  const rows = a.length >= 2 ? [a[a.length - 2]!] : [];
  const cols = b.length >= 2 ? [b[b.length - 1]!] : [];
  const batchA = a.slice(0, Math.max(0, a.length - 2)), batchB = b.slice(0, Math.max(0, b.length - 2));
  const n = Math.max(batchA.length, batchB.length);
  const shape = out(c).shape;
  const batch = Array.from({ length: n }, (_, k) => {
    const la = batchA[k - (n - batchA.length)] ?? null, lb = batchB[k - (n - batchB.length)] ?? null;
    const size = shape[k]!;
    const sa = c.node.inputs[ia]!.shape[k - (n - batchA.length)], sb = c.node.inputs[ib]!.shape[k - (n - batchB.length)];
    if ((la !== null && lb === null && sb === size && size !== 1) || (lb !== null && la === null && sa === size && size !== 1)) {
      c.fail(`a tensor of fixed size ${size} meets dynamic axis '${la ?? lb}' at batch axis ${k}, so that axis cannot be dynamic`);
    }
    return la ?? lb;
  });
  return [...batch, ...rows, ...cols];
}

const reshapeTo: Rule = (c) => {
  const x = c.node.inputs[0]!;
  const r = reshapeDims(x.shape, c.dims(0), out(c).shape, c.sizes);
  if (typeof r === 'string') return c.fail(r);
  return { name: c.b.node('Reshape', [c.input(0), c.shape(r.target)]), dims: r.dims };
};

const gelu = (approximate: 'none' | 'tanh'): Rule => (c) => {
  if (c.b.opset >= 20) return c.b.node('Gelu', [c.input(0)], { approximate: { string: approximate } });
  const x = c.input(0);
  const t = out(c);
  const half = c.b.node('Mul', [x, c.b.scalar(0.5, t)]);
  if (approximate === 'none') {
    const erf = c.b.node('Erf', [c.b.node('Mul', [x, c.b.scalar(Math.SQRT1_2, t)])]);
    return c.b.node('Mul', [half, c.b.node('Add', [erf, c.b.scalar(1, t)])]);
  }
  const cube = c.b.node('Mul', [c.b.node('Mul', [x, x]), x]);
  const inner = c.b.node('Mul', [c.b.node('Add', [x, c.b.node('Mul', [cube, c.b.scalar(0.044715, t)])]), c.b.scalar(Math.sqrt(2 / Math.PI), t)]);
  return c.b.node('Mul', [half, c.b.node('Add', [c.b.node('Tanh', [inner]), c.b.scalar(1, t)])]);
};

const conv: Rule = (c) => {
  const [, , bias, s] = c.node.args as [Tensor, Tensor, Tensor | null, Spec];
  const w = c.node.inputs[1]!;
  const inputs = [c.input(0), c.input(1), ...(bias ? [c.input(2)] : [])];
  const name = c.b.node('Conv', inputs, {
    kernel_shape: { ints: w.shape.slice(2) }, strides: { ints: s.stride }, dilations: { ints: s.dilation },
    pads: { ints: [s.padding[0]!, s.padding[1]!, s.padding[0]!, s.padding[1]!] }, group: { int: s.groups ?? 1 },
  });
  return { name, dims: spatialDims(c, 'conv') };
};

/** Dims through a convolution or pooling: the batch axis kept, channels static, image axes dynamic if the input's are. */
function spatialDims(c: RuleContext, op: string): Dims {
  const d = c.dims(0);
  if (d[1] != null) c.fail(`the channel axis cannot be dynamic ('${d[1]}')`);
  return d.map((label, k) => (k < 2 || label === null ? label : derived(label, op)));
}

const pool = (opType: 'MaxPool' | 'AveragePool'): Rule => (c) => {
  const s = arg<Spec>(c, 1);
  const attrs: Record<string, AttrValue> = {
    kernel_shape: { ints: s.kernel! }, strides: { ints: s.stride }, pads: { ints: [s.padding[0]!, s.padding[1]!, s.padding[0]!, s.padding[1]!] },
  };
  if (s.ceil) attrs.ceil_mode = { int: 1 };
  if (opType === 'MaxPool' && s.dilation.some((d) => d !== 1)) attrs.dilations = { ints: s.dilation };
  const dims = spatialDims(c, opType);
  if (opType === 'MaxPool') return { name: c.b.node(opType, [c.input(0)], attrs), dims };
  const override = s.divisorOverride ?? null;
  attrs.count_include_pad = { int: s.countIncludePad || override !== null ? 1 : 0 };
  const avg = c.b.node(opType, [c.input(0)], attrs);
  if (override === null) return { name: avg, dims };
  // AveragePool has no divisor override; with every window whole (no padding, floor mode) the
  // average times kH·kW / override is the same sum over the override.
  if (s.ceil || s.padding.some((p) => p !== 0)) c.fail('avgPool2d with divisorOverride has no ONNX form when it pads or uses ceilMode');
  return { name: c.b.node('Mul', [avg, c.b.scalar((s.kernel![0]! * s.kernel![1]!) / override, out(c))]), dims };
};

// conv2d's input gradient is ONNX's ConvTranspose; output_padding recovers the input size the
// floor in conv2d's output size lost.
const convTranspose: Rule = (c) => {
  const [g, w, xShape, s] = c.node.args as [Tensor, Tensor, readonly number[], Spec];
  const k = w.shape.slice(2);
  const outputPadding = [0, 1].map((a) => xShape[2 + a]! - ((g.shape[2 + a]! - 1) * s.stride[a]! - 2 * s.padding[a]! + s.dilation[a]! * (k[a]! - 1) + 1));
  // output_padding is worked out for these image sizes, so they stay fixed; the batch may vary.
  const d = c.dims(0);
  const dynamic = d.findIndex((label, i) => i > 0 && label != null);
  if (dynamic >= 0) c.fail(`cannot keep axis ${dynamic} ('${d[dynamic]}') dynamic through a transposed convolution`);
  return {
    name: c.b.node('ConvTranspose', [c.input(0), c.input(1)], {
      kernel_shape: { ints: k }, strides: { ints: s.stride }, dilations: { ints: s.dilation }, group: { int: s.groups ?? 1 },
      pads: { ints: [s.padding[0]!, s.padding[1]!, s.padding[0]!, s.padding[1]!] }, output_padding: { ints: outputPadding },
    }),
    dims: d.map((label, i) => (i === 0 ? label : null)),
  };
};

// pad's reflect/replicate/circular: Pad with mode reflect/edge (and wrap from opset 19); before
// opset 19 circular padding is slices of the input concatenated around it.
const padMode: Rule = (c) => {
  const [x, before, after, mode] = c.node.args as [Tensor, readonly number[], readonly number[], 'reflect' | 'replicate' | 'circular'];
  const padded = c.dims(0).findIndex((d, k) => d != null && (before[k] !== 0 || after[k] !== 0));
  if (padded >= 0) c.fail(`cannot keep axis ${padded} ('${c.dims(0)[padded]}') dynamic: it is padded`);
  if ([...before, ...after].some((p) => p < 0)) c.fail(`${mode} padding with negative amounts (crops) has no ONNX Pad form`);
  if (mode !== 'circular' || c.b.opset >= 19) {
    const onnxMode = mode === 'replicate' ? 'edge' : mode === 'circular' ? 'wrap' : 'reflect';
    return { name: c.b.node('Pad', [c.input(0), c.b.int64s([...before, ...after])], { mode: { string: onnxMode } }), dims: c.dims(0) };
  }
  let y = c.input(0);
  x.shape.forEach((n, a) => {
    const [b, e] = [before[a]!, after[a]!];
    if (b === 0 && e === 0) return;
    const part = (start: number, end: number) => c.b.node('Slice', [y, c.b.int64s([start]), c.b.int64s([end]), c.b.int64s([a])]);
    const parts = [...(b > 0 ? [part(n - b, n)] : []), y, ...(e > 0 ? [part(0, e)] : [])];
    y = c.b.node('Concat', parts, { axis: { int: a } });
  });
  return { name: y, dims: c.dims(0) };
};

const slice: Rule = (c) => {
  const axes = arg<readonly AxisSlice[]>(c, 1);
  const x = c.node.inputs[0]!;
  const starts: number[] = [];
  const ends: number[] = [];
  const which: number[] = [];
  const steps: number[] = [];
  axes.forEach((a, i) => {
    const n = x.shape[i]!;
    if (!a.drop && a.step === 1 && a.start === 0 && a.length === n) return; // whole axis
    if (c.dims(0)[i] != null) c.fail(`cannot keep axis ${i} ('${c.dims(0)[i]}') dynamic: the slice selects part of it`);
    starts.push(a.start);
    // The stop one step past the last element; walking backwards past index 0 needs "before the start".
    const stop = a.start + a.length * a.step;
    ends.push(a.step < 0 && stop < 0 ? -(2 ** 31) : stop);
    which.push(i);
    steps.push(a.step);
  });
  let y = c.input(0);
  if (which.length > 0) y = c.b.node('Slice', [y, c.b.int64s(starts), c.b.int64s(ends), c.b.int64s(which), c.b.int64s(steps)]);
  const dropped = axes.flatMap((a, i) => (a.drop ? [i] : []));
  if (dropped.length > 0) y = c.b.node('Squeeze', [y, c.b.int64s(dropped)]);
  return { name: which.length + dropped.length > 0 ? y : c.b.node('Identity', [y]), dims: c.dims(0).filter((_, k) => !axes[k]?.drop) };
};

const permute: Rule = (c) => {
  const dims = arg<readonly number[]>(c, 1);
  return { name: c.b.node('Transpose', [c.input(0)], { perm: { ints: dims } }), dims: dims.map((k) => c.dims(0)[k]!) };
};

const expand: Rule = (c) => {
  const shape = out(c).shape;
  const x = c.node.inputs[0]!;
  const lead = shape.length - x.ndim;
  const d = c.dims(0);
  // A dynamic axis is kept by a 1 in Expand's shape (ONNX broadcasting keeps the input's size).
  const target = shape.map((n, j) => (j >= lead && d[j - lead] != null ? 1 : n));
  return { name: c.b.node('Expand', [c.input(0), c.b.int64s(target)]), dims: shape.map((_, j) => (j >= lead ? d[j - lead]! : null)) };
};

const concat: Rule = (c) => {
  const axis = arg<number>(c, 1);
  const n = c.node.inputs.length;
  const all = Array.from({ length: n }, (_, i) => c.dims(i));
  const dims = out(c).shape.map((_, k) => {
    const labels = all.map((d) => d[k] ?? null);
    if (labels.every((l) => l === null)) return null;
    if (k === axis) c.fail(`cannot keep axis ${k} ('${labels.find((l) => l !== null)}') dynamic: the concat runs along it`);
    if (labels.some((l) => l !== labels[0])) c.fail(`cannot keep axis ${k} dynamic: the concatenated tensors do not all have it dynamic`);
    return labels[0]!;
  });
  return { name: c.b.node('Concat', Array.from({ length: n }, (_, i) => c.input(i)), { axis: { int: axis } }), dims };
};

const pad: Rule = (c) => {
  const [, before, after, value] = c.node.args as [Tensor, readonly number[], readonly number[], number];
  const padded = c.dims(0).findIndex((d, k) => d != null && (before[k] !== 0 || after[k] !== 0));
  if (padded >= 0) c.fail(`cannot keep axis ${padded} ('${c.dims(0)[padded]}') dynamic: it is padded`);
  return { name: c.b.node('Pad', [c.input(0), c.b.int64s([...before, ...after]), c.b.scalar(value, out(c))], { mode: { string: 'constant' } }), dims: c.dims(0) };
};


const rules: [() => OpRecord, Rule][] = [];
const on = (probe: () => Tensor, rule: Rule) => rules.push([() => probe().gradFn!.op, rule]);
const leaf = (shape: number[]) => tg.ones(shape, { requiresGrad: true });

on(() => tg.add(leaf([2]), leaf([2])), binary('Add'));
on(() => tg.sub(leaf([2]), leaf([2])), binary('Sub'));
on(() => tg.mul(leaf([2]), leaf([2])), binary('Mul'));
// div: see export-rules-more.ts (a mean over a dynamic axis divides by its size at run time).
on(() => tg.pow(leaf([2]), leaf([2])), binary('Pow'));
on(() => tg.maximum(leaf([2]), leaf([2])), binary('Max'));
on(() => tg.minimum(leaf([2]), leaf([2])), binary('Min'));
on(() => tg.where(tg.ones([2]), leaf([2]), leaf([2])), (c) => {
  // where(mask, x.detach(), x) (a gradient stop, as Embedding's padding row) is x whatever the mask.
  const [a, b] = [c.node.inputs[1]!, c.node.inputs[2]!];
  const detachedOf = (d: Tensor, x: Tensor) => d.gradFn === null && d.data.data === x.data.data && d.data.offset === x.data.offset && d.shape.every((n, k) => n === x.shape[k] && d.data.stride[k] === x.data.stride[k]);
  if (a.ndim === b.ndim && (detachedOf(a, b) || detachedOf(b, a))) {
    const i = detachedOf(a, b) ? 2 : 1;
    return { name: c.b.node('Identity', [c.input(i)]), dims: c.dims(i) };
  }
  const cond = c.b.node('Cast', [c.broadcastInput(0)], { to: { int: 9 } });
  return c.b.node('Where', [cond, c.broadcastInput(1), c.broadcastInput(2)]);
});
for (const [f, opType] of [[tg.neg, 'Neg'], [tg.exp, 'Exp'], [tg.log, 'Log'], [tg.sqrt, 'Sqrt'], [tg.abs, 'Abs'], [tg.sign, 'Sign'], [tg.sin, 'Sin'], [tg.cos, 'Cos'], [tg.tanh, 'Tanh'], [tg.erf, 'Erf'], [tg.sigmoid, 'Sigmoid'], [tg.relu, 'Relu']] as const) {
  on(() => f(leaf([2])), unary(opType));
}
on(() => tg.log1p(leaf([2])), (c) => c.b.node('Log', [c.b.node('Add', [c.input(0), c.b.scalar(1, out(c))])]));
on(() => tg.rsqrt(leaf([2])), (c) => c.b.node('Reciprocal', [c.b.node('Sqrt', [c.input(0)])]));
on(() => tg.square(leaf([2])), (c) => c.b.node('Mul', [c.input(0), c.input(0)]));
on(() => tg.clamp(leaf([2]), 0, 1), (c) => {
  const [, lo, hi] = c.node.args as [Tensor, number, number];
  return c.b.node('Clip', [c.input(0), Number.isFinite(lo) ? c.b.scalar(lo, out(c)) : '', ...(Number.isFinite(hi) ? [c.b.scalar(hi, out(c))] : [])]);
});
on(() => tg.logSigmoid(leaf([2])), (c) => c.b.node('Neg', [c.b.node('Softplus', [c.b.node('Neg', [c.input(0)])])]));
on(() => tg.leakyRelu(leaf([2]), 0.1), (c) => c.b.node('LeakyRelu', [c.input(0)], { alpha: { float: arg<number>(c, 1) } }));
on(() => tg.elu(leaf([2]), 1), (c) => c.b.node('Elu', [c.input(0)], { alpha: { float: arg<number>(c, 1) } }));
on(() => tg.gelu(leaf([2])), gelu('none'));
on(() => tg.gelu(leaf([2]), 'tanh'), gelu('tanh'));
on(() => tg.softplus(leaf([2])), (c) => {
  const beta = arg<number>(c, 1);
  if (beta === 1) return c.b.node('Softplus', [c.input(0)]);
  const scaled = c.b.node('Softplus', [c.b.node('Mul', [c.input(0), c.b.scalar(beta, out(c))])]);
  return c.b.node('Div', [scaled, c.b.scalar(beta, out(c))]);
});
on(() => tg.silu(leaf([2])), (c) => c.b.node('Mul', [c.input(0), c.b.node('Sigmoid', [c.input(0)])]));
const softmaxLike = (opType: string): Rule => (c) => {
  const axes = arg<number | readonly number[]>(c, 1);
  const axis = typeof axes === 'number' ? axes : axes[0]!;
  return c.b.node(opType, [c.input(0)], { axis: { int: axis } });
};
on(() => tg.softmax(leaf([2])), softmaxLike('Softmax'));
on(() => tg.logSoftmax(leaf([2])), softmaxLike('LogSoftmax'));
on(() => tg.logSumExp(leaf([2]), 0), reduce('ReduceLogSumExp'));
on(() => tg.sum(leaf([2]), 0), reduce('ReduceSum'));
on(() => tg.max(leaf([2]), 0), reduce('ReduceMax'));
on(() => tg.min(leaf([2]), 0), reduce('ReduceMin'));
on(() => tg.prod(leaf([2]), 0), reduce('ReduceProd'));
on(() => tg.matmul(leaf([2, 2]), leaf([2, 2])), (c) => ({ name: c.b.node('MatMul', [c.input(0), c.input(1)]), dims: matmulDims(c) }));
// scaledDotProductAttention: see export-rules-more.ts.
on(() => tg.reshape(leaf([2]), [1, 2]), reshapeTo);
on(() => tg.unsqueeze(leaf([2]), 0), reshapeTo); // squeeze/unsqueeze record a restriding 'view'
on(() => tg.permute(leaf([2, 2]), [1, 0]), permute);
on(() => tg.expand(leaf([1]), [2]), expand);
on(() => tg.clone(leaf([2])), unary('Identity'));
on(() => tg.slice(leaf([2]), [0, 1]), slice);
on(() => tg.concat([leaf([2]), leaf([2])]), concat);
on(() => tg.pad(leaf([2]), [1, 1]), pad);
on(() => tg.toDType(leaf([2]), 'float64'), (c) => c.b.node('Cast', [c.input(0)], { to: { int: out(c).dtype === 'float64' ? 11 : 1 } }));
// The index is a (float) tensor argument: recorded as input 1, cast to int64 for ONNX.
const indexInput = (c: RuleContext) => c.b.node('Cast', [c.input(1)], { to: { int: 7 } });
on(() => tg.gather(leaf([2]), 0, tg.tensor([1])), (c) => {
  if ([0, 1].some((i) => c.dims(i).some((d) => d != null))) c.fail('cannot keep a dynamic axis: the gather index has a fixed shape');
  return { name: c.b.node('GatherElements', [c.input(0), indexInput(c)], { axis: { int: arg<number>(c, 1) } }), dims: out(c).shape.map(() => null) };
});
on(() => tg.indexSelect(leaf([2]), 0, [1]), (c) => {
  const axis = arg<number>(c, 1);
  if (c.dims(0)[axis] != null) c.fail(`cannot keep axis ${axis} dynamic: indexSelect picks along it`);
  // The picked axis has the index's length, dynamic if the index's is.
  return { name: c.b.node('Gather', [c.input(0), indexInput(c)], { axis: { int: axis } }), dims: c.dims(0).map((d, k) => (k === axis ? c.dims(1)[0] ?? null : d)) };
});
on(() => tg.conv2d(leaf([1, 1, 2, 2]), leaf([1, 1, 1, 1])), conv);
on(() => tg.maxPool2d(leaf([1, 1, 2, 2]), { kernelSize: 1 }), pool('MaxPool'));
on(() => tg.avgPool2d(leaf([1, 1, 2, 2]), { kernelSize: 1 }), pool('AveragePool'));
on(() => tg.convTranspose2d(leaf([1, 1, 2, 2]), leaf([1, 1, 1, 1])), convTranspose);
on(() => tg.pad(leaf([2]), [1, 1], 'reflect'), padMode);

let table: Map<OpRecord, Rule> | null = null;

/** The rule for a tape node's op, or null when the op has no ONNX mapping. */
export function ruleFor(op: OpRecord): Rule | null {
  table ??= new Map([...rules, ...moreRules].map(([record, rule]) => [record(), rule]));
  return table.get(op) ?? null;
}

/** Names of the ops with a rule (for docs and error messages). */
export function exportableOps(): string[] {
  if (!table) ruleFor(rules[0]![0]());
  return [...new Set([...table!.keys()].map((r) => r.name))].sort();
}

let expandOp: OpRecord | null = null;
/** The record of `expand`, which broadcasting ops put in front of their operands. */
export const expandRecord = (): OpRecord => (expandOp ??= tg.expand(leaf([1]), [2]).gradFn!.op);
