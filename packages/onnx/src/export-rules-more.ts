// Export rules for the ops beyond the demos' set: trigonometric and rounding functions, the newer
// activations, scans, flips, triangles, norms and scatters. Same scheme as export-rules.ts: each
// rule is keyed by the op record a probe call leaves on the tape.
import * as tg from '@tapegrad/autograd';
import type { OpRecord, Tensor } from '@tapegrad/autograd';
import { binaryCrossEntropy } from '@tapegrad/nn';
import type { Rule, RuleContext } from './export-rules.js';

const arg = <T>(c: RuleContext, i: number) => c.node.args![i] as T;
const out = (c: RuleContext) => c.node.output;
const one = (c: RuleContext, v: number) => c.b.scalar(v, out(c));
const unary = (opType: string): Rule => (c) => c.b.node(opType, [c.input(0)]);
/** A value of at least this opset, or the exporter's error naming the op. */
const needOpset = (c: RuleContext, opset: number, what: string) => {
  if (c.b.opset < opset) c.fail(`${what} needs opset ${opset} or later, got ${c.b.opset}`);
};
/** Slice bounds past either end of an axis (ONNX clamps them). */
const BEFORE_START = -(2 ** 53 - 1);

const trunc = (c: RuleContext, x: string) => c.b.node('Mul', [c.b.node('Sign', [x]), c.b.node('Floor', [c.b.node('Abs', [x])])]);

/** Reduce over `axes` (an input from opset 18, an attribute before; ReduceSum takes an input from 13). */
function reduceNode(c: RuleContext, opType: string, x: string, axes: readonly number[], keepDims: boolean): string {
  const keep = { keepdims: { int: keepDims ? 1 : 0 } };
  if (opType === 'ReduceSum' || c.b.opset >= 18) return c.b.node(opType, [x, c.b.int64s(axes)], keep);
  return c.b.node(opType, [x], { ...keep, axes: { ints: axes } });
}

const norm: Rule = (c) => {
  const [x, p, axes, keepDims] = c.node.args as [Tensor, number, readonly number[], boolean];
  const all = axes.length === 0 ? x.shape.map((_, i) => i) : axes;
  const batched = c.batched(0) && !all.includes(0);
  const v = c.input(0);
  let name: string;
  if (p === 2) name = reduceNode(c, 'ReduceL2', v, all, keepDims);
  else if (p === 1) name = reduceNode(c, 'ReduceL1', v, all, keepDims);
  else if (p === Infinity) name = reduceNode(c, 'ReduceMax', c.b.node('Abs', [v]), all, keepDims);
  else if (p === -Infinity) name = reduceNode(c, 'ReduceMin', c.b.node('Abs', [v]), all, keepDims);
  else if (p === 0) name = reduceNode(c, 'ReduceSum', c.b.node('Cast', [c.b.node('Not', [c.b.node('Equal', [v, one(c, 0)])])], { to: { int: x.dtype === 'float64' ? 11 : 1 } }), all, keepDims);
  else {
    const powered = c.b.node('Pow', [c.b.node('Abs', [v]), one(c, p)]);
    name = c.b.node('Pow', [reduceNode(c, 'ReduceSum', powered, all, keepDims), one(c, 1 / p)]);
  }
  return { name, batched };
};

const roll: Rule = (c) => {
  const [x, shifts, dims] = c.node.args as [Tensor, readonly number[], readonly number[]];
  let y = c.input(0);
  shifts.forEach((s, i) => {
    const d = dims[i]!;
    const n = x.shape[d]!;
    const k = n === 0 ? 0 : ((s % n) + n) % n;
    if (k === 0) return;
    if (d === 0 && c.batched(0)) c.fail('cannot keep axis 0 dynamic: the roll shifts along it');
    const part = (from: number, to: number) => c.b.node('Slice', [y, c.b.int64s([from]), c.b.int64s([to]), c.b.int64s([d])]);
    y = c.b.node('Concat', [part(n - k, n), part(0, n - k)], { axis: { int: d } });
  });
  return { name: y === c.input(0) ? c.b.node('Identity', [y]) : y, batched: c.batched(0) };
};

const flip: Rule = (c) => {
  const dims = arg<readonly number[]>(c, 1);
  if (dims.includes(0) && c.batched(0)) c.fail('cannot keep axis 0 dynamic: the flip reverses it');
  if (dims.length === 0) return c.b.node('Identity', [c.input(0)]);
  const starts = dims.map(() => -1), ends = dims.map(() => BEFORE_START), steps = dims.map(() => -1);
  return c.b.node('Slice', [c.input(0), c.b.int64s(starts), c.b.int64s(ends), c.b.int64s(dims), c.b.int64s(steps)]);
};

const triangle = (upper: boolean): Rule => (c) => {
  needOpset(c, 14, 'Trilu');
  return c.b.node('Trilu', [c.input(0), c.b.int64s([arg<number>(c, 1)], [])], { upper: { int: upper ? 1 : 0 } });
};

/** The index tensor of a scatter (recorded as tensor input 1), as int64. */
const indexInput = (c: RuleContext) => c.b.node('Cast', [c.input(1)], { to: { int: 7 } });

const scatterAdd: Rule = (c) => {
  needOpset(c, 16, "ScatterElements with reduction 'add'");
  if (c.batched(0) || c.batched(1) || c.batched(2)) c.fail('cannot keep axis 0 dynamic: the scatter index has a fixed shape');
  return { name: c.b.node('ScatterElements', [c.input(0), indexInput(c), c.input(2)], { axis: { int: arg<number>(c, 1) }, reduction: { string: 'add' } }), batched: false };
};

// indexAdd adds whole slabs: ScatterElements with the index spread over the source's shape.
const indexAdd: Rule = (c) => {
  needOpset(c, 16, "ScatterElements with reduction 'add'");
  const [, axis, index, src] = c.node.args as [Tensor, number, Tensor, Tensor];
  if (axis === 0 && (c.batched(0) || c.batched(2))) c.fail('cannot keep axis 0 dynamic: indexAdd adds along it');
  if (c.batched(0) !== c.batched(2)) c.fail('cannot keep axis 0 dynamic: only one of the tensor and the source is dynamic');
  const picks = Array.from(index.contiguousData());
  const inner = src.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const spread = Array.from({ length: src.size }, (_, i) => picks[Math.floor(i / inner) % picks.length]!);
  if (c.batched(0)) c.fail('cannot keep axis 0 dynamic: the spread index has a fixed shape');
  return { name: c.b.node('ScatterElements', [c.input(0), c.b.int64s(spread, src.shape), c.input(2)], { axis: { int: axis }, reduction: { string: 'add' } }), batched: false };
};

const round: Rule = (c) => {
  const decimals = arg<number>(c, 1);
  if (decimals === 0) return c.b.node('Round', [c.input(0)]);
  const p = 10 ** Math.abs(decimals);
  const [into, back] = decimals > 0 ? ['Mul', 'Div'] : ['Div', 'Mul'];
  return c.b.node(back, [c.b.node('Round', [c.b.node(into, [c.input(0), one(c, p)])]), one(c, p)]);
};

/** atan(y / x), moved by ±π where x < 0 (the quadrant), as atan2. */
const atan2: Rule = (c) => {
  const [y, x] = [c.broadcastInput(0), c.broadcastInput(1)];
  const base = c.b.node('Atan', [c.b.node('Div', [y, x])]);
  const shift = c.b.node('Where', [c.b.node('Less', [y, one(c, 0)]), one(c, -Math.PI), one(c, Math.PI)]);
  return c.b.node('Add', [base, c.b.node('Where', [c.b.node('Less', [x, one(c, 0)]), shift, one(c, 0)])]);
};

/** max(a, b) + log1p(exp(−|a − b|)), the stable form. */
const logaddexp: Rule = (c) => {
  const [a, b] = [c.broadcastInput(0), c.broadcastInput(1)];
  const tail = c.b.node('Log', [c.b.node('Add', [c.b.node('Exp', [c.b.node('Neg', [c.b.node('Abs', [c.b.node('Sub', [a, b])])])]), one(c, 1)])]);
  return c.b.node('Add', [c.b.node('Max', [a, b]), tail]);
};

/** −(y·max(log p, −100) + (1 − y)·max(log(1 − p), −100)), PyTorch's clamped logs. */
const bce: Rule = (c) => {
  const [p, y] = [c.broadcastInput(0), c.broadcastInput(1)];
  const clampedLog = (v: string) => c.b.node('Max', [c.b.node('Log', [v]), one(c, -100)]);
  const oneMinus = (v: string) => c.b.node('Sub', [one(c, 1), v]);
  const sum = c.b.node('Add', [c.b.node('Mul', [y, clampedLog(p)]), c.b.node('Mul', [oneMinus(y), clampedLog(oneMinus(p))])]);
  return c.b.node('Neg', [sum]);
};

// ONNX's own operator (opset 12+): logits [N, C], int64 labels, the ignored index and the reduction
// as attributes; the mean is over the targets not ignored, as in tapegrad.
const softmaxCrossEntropy: Rule = (c) => {
  const [, , ignoreIndex, reduction] = c.node.args as [Tensor, Tensor, number, string];
  const labels = c.b.node('Cast', [c.input(1)], { to: { int: 7 } });
  const name = c.b.node('SoftmaxCrossEntropyLoss', [c.input(0), labels], { reduction: { string: reduction }, ignore_index: { int: ignoreIndex } });
  return { name, batched: reduction === 'none' && c.batched(0) };
};

let records: { expand: OpRecord; reshape: OpRecord; view: OpRecord; sum: OpRecord } | null = null;
/** The records of the movement ops a rule may look through. */
const movement = () => (records ??= {
  expand: tg.expand(leaf([1]), [2]).gradFn!.op,
  reshape: tg.reshape(leaf([2]), [1, 2]).gradFn!.op,
  view: tg.unsqueeze(leaf([2]), 0).gradFn!.op,
  sum: tg.sum(leaf([2]), 0).gradFn!.op,
});

/**
 * Attention as ONNX has it before opset 23: softmax(q·kᵀ·scale + mask)·v. A bool mask (true =
 * attend) selects with Where; rows it masks fully give zeros, as PyTorch; a causal mask is a
 * constant −∞ above the diagonal (top-left aligned); a float mask is added. Dropout is refused.
 */
const attention: Rule = (c) => {
  const [q, k, , mask, drop, scale, causal] = c.node.args as [Tensor, Tensor, Tensor, Tensor | null, Tensor | null, number, boolean];
  if (drop) c.fail('attention dropout has no ONNX mapping (export in evaluation mode or with dropoutP 0)');

  const perm = k.shape.map((_, i) => i);
  [perm[k.ndim - 2], perm[k.ndim - 1]] = [perm[k.ndim - 1]!, perm[k.ndim - 2]!];
  let scores = c.b.node('Mul', [c.b.node('MatMul', [c.input(0), c.b.node('Transpose', [c.input(1)], { perm: { ints: perm } })]), one(c, scale)]);
  const [L, S] = [q.shape[q.ndim - 2]!, k.shape[k.ndim - 2]!];
  if ((causal || mask) && [0, 1].some((i) => c.dims(i).slice(-2).some((d, j) => d != null && j === 0))) {
    c.fail('cannot keep a sequence axis dynamic with a mask: the mask is a constant of fixed size');
  }
  if (causal) {
    const above = tg.triu(tg.full([L, S], -Infinity, { dtype: out(c).dtype }), 1);
    scores = c.b.node('Add', [scores, c.b.tensor(c.b.fresh('causal'), tg.where(tg.isNaN(above), 0, above))]);
  }
  let maskName: string | null = null;
  if (mask) {
    maskName = c.input(3);
    scores = mask.dtype === 'bool' ? c.b.node('Where', [maskName, scores, one(c, -Infinity)]) : c.b.node('Add', [scores, maskName]);
  }
  let weights = c.b.node('Softmax', [scores], { axis: { int: -1 } });
  if (mask?.dtype === 'bool') weights = c.b.node('Where', [maskName!, weights, one(c, 0)]);
  // Dims: the batch axes of q, k, v (broadcast), then q's sequence axis and v's features.
  const all = [0, 1, 2].map((i) => c.dims(i));
  const n = out(c).ndim - 2;
  const batch = Array.from({ length: n }, (_, j) => all.map((d) => d[j - (n - (d.length - 2))] ?? null).find((l) => l !== null) ?? null);
  const [dq, dv] = [all[0]!, all[2]!];
  return { name: c.b.node('MatMul', [weights, c.input(2)]), dims: [...batch, dq[dq.length - 2]!, dv[dv.length - 1]!] };
};

/**
 * Division, with one case that tracing would get wrong: a sum over a dynamic axis divided by a
 * constant equal to that axis's size in the example, minus 0 or 1 (`mean`, `var` with or without
 * correction). The divisor is then computed from the shape when the graph runs, as PyTorch's
 * exporter does.
 */
const divide: Rule = (c) => {
  const [num, den] = [c.node.inputs[0]!, c.node.inputs[1]!];
  const sum = num.gradFn;
  if (sum?.op === movement().sum && sum.args !== null && den.gradFn === null && den.data.stride.every((s) => s === 0)) {
    const [x, axes] = sum.args as [Tensor, readonly number[]];
    const d = c.dimsOf(x);
    const count = axes.reduce((a, k) => a * x.shape[k]!, 1);
    const k = count - den.contiguousData()[0]!;
    if (axes.some((a) => d[a] != null) && (k === 0 || k === 1)) {
      const shape = c.b.node('Gather', [c.b.node('Shape', [c.value(x)]), c.b.int64s(axes)]);
      let n = c.b.node('Cast', [c.b.node('ReduceProd', [shape], { keepdims: { int: 0 } })], { to: { int: out(c).dtype === 'float64' ? 11 : 1 } });
      if (k === 1) n = c.b.node('Sub', [n, one(c, 1)]);
      return c.b.node('Div', [c.input(0), n]);
    }
  }
  return c.b.node('Div', [c.broadcastInput(0), c.broadcastInput(1)]);
};

export const moreRules: [() => OpRecord, Rule][] = [];
const on = (probe: () => Tensor, rule: Rule) => moreRules.push([() => probe().gradFn!.op, rule]);
const leaf = (shape: number[]) => tg.ones(shape, { requiresGrad: true });

for (const [f, opType] of [
  [tg.tan, 'Tan'], [tg.asin, 'Asin'], [tg.acos, 'Acos'], [tg.atan, 'Atan'], [tg.sinh, 'Sinh'], [tg.cosh, 'Cosh'],
  [tg.asinh, 'Asinh'], [tg.acosh, 'Acosh'], [tg.atanh, 'Atanh'], [tg.floor, 'Floor'], [tg.ceil, 'Ceil'], [tg.selu, 'Selu'],
] as const) {
  on(() => f(leaf([2])), unary(opType));
}
on(() => tg.div(leaf([2]), leaf([2])), divide);
on(() => tg.trunc(leaf([2])), (c) => trunc(c, c.input(0)));
on(() => tg.frac(leaf([2])), (c) => c.b.node('Sub', [c.input(0), trunc(c, c.input(0))]));
on(() => tg.round(leaf([2])), round);
on(() => tg.erfc(leaf([2])), (c) => c.b.node('Sub', [one(c, 1), c.b.node('Erf', [c.input(0)])]));
on(() => tg.expm1(leaf([2])), (c) => c.b.node('Sub', [c.b.node('Exp', [c.input(0)]), one(c, 1)]));
on(() => tg.atan2(leaf([2]), leaf([2])), atan2);
on(() => tg.logaddexp(leaf([2]), leaf([2])), logaddexp);
on(() => tg.hardtanh(leaf([2])), (c) => c.b.node('Clip', [c.input(0), one(c, arg<number>(c, 1)), one(c, arg<number>(c, 2))]));
on(() => tg.mish(leaf([2])), (c) => {
  if (c.b.opset >= 18) return c.b.node('Mish', [c.input(0)]);
  return c.b.node('Mul', [c.input(0), c.b.node('Tanh', [c.b.node('Softplus', [c.input(0)])])]);
});
// The slope arrives reshaped to [C, 1, …] and expanded to x's shape; PRelu broadcasts it itself.
// Written as one Reshape of the slope's source, so an imported PRelu exports as the same graph.
on(() => tg.prelu(leaf([2, 2]), leaf([2])), (c) => {
  const r = movement();
  let aligned = c.node.inputs[1]!;
  if (aligned.gradFn?.op === r.expand && aligned.gradFn.args !== null) aligned = aligned.gradFn.inputs[0]!;
  let source = aligned;
  while ((source.gradFn?.op === r.reshape || source.gradFn?.op === r.view) && source.gradFn.args !== null) source = source.gradFn.inputs[0]!;
  const same = source.shape.length === aligned.shape.length && source.shape.every((d, i) => d === aligned.shape[i]);
  const slope = same ? c.value(source) : c.b.node('Reshape', [c.value(source), c.b.int64s(aligned.shape)]);
  return c.b.node('PRelu', [c.input(0), slope]);
});
on(() => tg.cumsum(leaf([2]), 0), (c) => {
  const [, axis, reverse] = c.node.args as [Tensor, number, boolean];
  if (axis === 0 && c.batched(0)) c.fail('cannot keep axis 0 dynamic: the scan runs along it');
  return c.b.node('CumSum', [c.input(0), c.b.int64s([axis], [])], { reverse: { int: reverse ? 1 : 0 } });
});
on(() => tg.flip(leaf([2]), 0), flip);
on(() => tg.roll(leaf([2]), 1, 0), roll);
on(() => tg.tril(leaf([2, 2])), triangle(false));
on(() => tg.triu(leaf([2, 2])), triangle(true));
on(() => tg.norm(leaf([2])), norm);
on(() => tg.scatterAdd(leaf([2]), 0, tg.tensor([0, 1], { dtype: 'int32' }), leaf([2])), scatterAdd);
on(() => tg.indexAdd(leaf([2]), 0, [1], leaf([1])), indexAdd);
on(() => tg.scaledDotProductAttention(leaf([2, 2]), leaf([2, 2]), leaf([2, 2])), attention);
// The transforms record an alias (a new tensor object for the same value) where they start.
on(() => tg.jvp((x: Tensor) => x, [leaf([2])], [tg.ones([2])])[0], (c) => ({ name: c.b.node('Identity', [c.input(0)]), batched: c.batched(0) }));
on(() => binaryCrossEntropy(leaf([2]).mul(0.5), leaf([2]), { reduction: 'none' }), bce);
on(() => tg.softmaxCrossEntropy(leaf([1, 2]), tg.tensor([1], { dtype: 'int32' })), softmaxCrossEntropy);
