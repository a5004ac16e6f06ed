// Convolution family (NCHW). conv2d and its two adjoints are each bilinear, so each one's vjp is
// written with the other two: that closes the set under differentiation (any order).
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { allocate } from '../dtype.js';
import { assertShape, fmt, sameShape, sizeOf } from '../shape.js';
import { contiguousData, wrap } from '../kernels/layout.js';
import { convForward, convInputGrad, convWeightGrad, type ConvDims } from '../kernels/conv.js';
import { geometryOf, isBatched, sameDType, specOf, type ConvSpec, type Pair } from './conv-args.js';
import { checkShape, checkTensor } from '../validate.js';
import { pad } from './pad.js';
import { intoN, multilinearJvp, outOfN, shapeIntoN, toFront } from './batch-rules.js';

export * from './pool.js';
export * from './unfold.js';

/**
 * Options of {@link conv2d}: each of stride, padding and dilation is a number or `[h, w]`.
 *
 * @example
 * ```ts
 * const o: Conv2dOptions = { stride: 2, padding: [1, 0], groups: 2 };
 * ```
 * @category Convolution
 */
export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: number | readonly [number, number];
  /**
   * Zeros added on both sides of each spatial axis (default 0), or `'valid'` (none) or `'same'`
   * (output size = input size; stride must be 1). As in PyTorch, `'same'` with an even dilated
   * kernel puts the extra zero on the bottom/right.
   */
  padding?: number | readonly [number, number] | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: number | readonly [number, number];
  /** Input and output channels are split into this many independent groups (default 1). */
  groups?: number;
}

/** Checks an input shape (4-D) against a weight; `shown` is the input shape as the user passed it. */
function checkConv(op: string, x: readonly number[], shown: readonly number[], w: readonly number[], s: ConvSpec): ConvDims {
  const C = x[1]!;
  if (C % s.groups !== 0) throw new Error(`${op}: input channels (${C}) are not divisible by groups (${s.groups}) for input ${fmt(shown)}`);
  const Cg = C / s.groups;
  if (w.length !== 4 || w[1] !== Cg || !w.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`${op}: expected weight of shape [O, C/groups, kH, kW] with C/groups = ${Cg}, got ${fmt(w)} for input ${fmt(shown)} and groups ${s.groups}`);
  }
  const O = w[0]!;
  if (O % s.groups !== 0) throw new Error(`${op}: output channels (${O}) of weight ${fmt(w)} are not divisible by groups (${s.groups})`);
  const geo = geometryOf(op, shown, { kernel: [w[2]!, w[3]!], stride: s.stride, padding: s.padding, dilation: s.dilation });
  return { N: x[0]!, C, O, groups: s.groups, geo };
}

// Called only with checked shapes, so geometryOf cannot throw here.
const dimsOf = (x: readonly number[], w: readonly number[], s: ConvSpec): ConvDims => ({
  N: x[0]!, C: x[1]!, O: w[0]!, groups: s.groups,
  geo: geometryOf('conv2d', x, { kernel: [w[2]!, w[3]!], stride: s.stride, padding: s.padding, dilation: s.dilation }),
});

const need = (t: Tensor, grad: () => Tensor): Tensor | null => (t.requiresGrad ? grad() : null);

const conv2dOp: Op<[Tensor, Tensor, Tensor | null, ConvSpec]> = defineOp({
  name: 'conv2d',
  forward: (x: Tensor, w: Tensor, b: Tensor | null, s: ConvSpec) => {
    const d = dimsOf(x.shape, w.shape, s);
    const shape = [d.N, d.O, d.geo.oH, d.geo.oW];
    const out = allocate(x.dtype, sizeOf(shape));
    convForward(contiguousData(x.data), contiguousData(w.data), b ? contiguousData(b.data) : null, d, out);
    return new Tensor(wrap(out, shape));
  },
  vjp: (g, { args: [x, w, b, s] }) => [
    need(x, () => inputGradOp(g, w, x.shape, s)),
    need(w, () => weightGradOp(x, g, w.shape, s)),
    b && b.requiresGrad ? g.sum([0, 2, 3]) : null,
    null,
  ],
  // Bilinear in (x, w) plus the bias.
  jvp: ([tx, tw, tb], { args: [x, w, , s] }) => {
    const terms = [tx ? conv2dOp(tx, w, null, s) : null, tw ? conv2dOp(x, tw, null, s) : null, tb ? tb.reshape([1, tb.shape[0]!, 1, 1]) : null];
    return terms.reduce<Tensor | null>((sum, t) => (t === null ? sum : sum === null ? t : sum.add(t)), null);
  },
  batch: ([x, w, b, s], [dx, dw, dbias], { op, size }) => {
    const db = dbias ?? null;
    if (dw === null && (b === null || db === null)) return outOfN(op(intoN(x, dx, size), w, b, s), size);
    // Per-example weights: the examples become groups (channels [B, C], filters [B, O]).
    const xg = channelsAsGroups(x, dx, size);
    const wg = intoN(w, dw, size);
    const bg = b === null ? null : toFront(b, db, size).reshape([size * b.shape[db === null ? 0 : 1 - db]!]);
    return groupsOut(op(xg, wg, bg, { ...s, groups: s.groups * size }), size);
  },
});

/** [N, C, H, W] per example → [N, B·C, H, W]: the examples side by side as channel groups. */
function channelsAsGroups(x: Tensor, d: number | null, size: number): Tensor {
  const xb = toFront(x, d, size);
  const [, N, C, H, W] = xb.shape as [number, number, number, number, number];
  return xb.permute([1, 0, 2, 3, 4]).reshape([N, size * C, H, W]);
}

/** Undoes {@link channelsAsGroups} on an [N, B·O, h, w] output: [N, B, O, h, w], batch at 1. */
function groupsOut(out: Tensor, size: number): readonly [Tensor, number] {
  const [N, BO, h, w] = out.shape as [number, number, number, number];
  return [out.reshape([N, size, size === 0 ? 0 : BO / size, h, w]), 1];
}

// The transposed convolution: <inputGrad(g, w), v> = <g, conv2d(v, w)>.
const inputGradOp: Op<[Tensor, Tensor, readonly number[], ConvSpec]> = defineOp({
  name: 'conv2dInputGrad',
  forward: (g: Tensor, w: Tensor, xShape: readonly number[], s: ConvSpec) => {
    const out = allocate(g.dtype, sizeOf(xShape));
    convInputGrad(contiguousData(g.data), contiguousData(w.data), dimsOf(xShape, w.shape, s), out);
    return new Tensor(wrap(out, xShape));
  },
  vjp: (v, { args: [g, w, , s] }) => [need(g, () => conv2dOp(v, w, null, s)), need(w, () => weightGradOp(v, g, w.shape, s)), null, null],
  jvp: multilinearJvp(0, 1),
  batch: ([g, w, xShape, s], [dg, dw], { op, size }) => {
    if (dw === null) return outOfN(op(intoN(g, dg, size), w, shapeIntoN(xShape, size), s), size);
    const [N, C, H, W] = xShape as [number, number, number, number];
    return groupsOut(op(channelsAsGroups(g, dg, size), intoN(w, dw, size), [N, size * C, H, W], { ...s, groups: s.groups * size }), size);
  },
});

// <weightGrad(x, g), v> = <g, conv2d(x, v)>.
const weightGradOp: Op<[Tensor, Tensor, readonly number[], ConvSpec]> = defineOp({
  name: 'conv2dWeightGrad',
  forward: (x: Tensor, g: Tensor, wShape: readonly number[], s: ConvSpec) => {
    const out = allocate(x.dtype, sizeOf(wShape));
    convWeightGrad(contiguousData(x.data), contiguousData(g.data), dimsOf(x.shape, wShape, s), out);
    return new Tensor(wrap(out, wShape));
  },
  vjp: (v, { args: [x, g, , s] }) => [need(x, () => inputGradOp(g, v, x.shape, s)), need(g, () => conv2dOp(x, v, null, s)), null, null],
  jvp: multilinearJvp(0, 1),
  // Each example's weight gradient sums over its own N: the examples become groups.
  batch: ([x, g, wShape, s], [dx, dg], { op, size }) => [
    op(channelsAsGroups(x, dx, size), channelsAsGroups(g, dg, size), shapeIntoN(wShape, size), { ...s, groups: s.groups * size }).reshape([size, ...wShape]),
    0,
  ],
});

/**
 * 2-D convolution (cross-correlation, as in PyTorch) of `input` [N, C, H, W] (or unbatched
 * [C, H, W]) with `weight` [O, C/groups, kH, kW], plus an optional `bias` [O]. The output is
 * [N, O, H', W'] with H' = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1. Differentiable
 * to any order in input, weight and bias.
 *
 * @example
 * ```ts
 * const x = randn([1, 3, 8, 8]);
 * const w = randn([16, 3, 3, 3], { requiresGrad: true });
 * const y = conv2d(x, w, zeros([16]), { padding: 1 }); // [1, 16, 8, 8]
 * ```
 * @category Convolution
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkTensor('conv2d', 'input', input);
  checkTensor('conv2d', 'weight', weight);
  if (bias !== undefined && bias !== null) checkTensor('conv2d', 'bias', bias);
  const kernel: Pair | undefined = weight.ndim === 4 ? [weight.shape[2]!, weight.shape[3]!] : undefined;
  const s = specOf('conv2d', options, kernel ?? [1, 1]);
  const batched = isBatched('conv2d', input);
  // 'same' with an even dilated kernel: the one extra zero goes after (bottom/right), padded explicitly.
  const [eH, eW] = s.extra;
  const x = eH > 0 || eW > 0 ? pad(input, [0, eW, 0, eH]) : input;
  const xShape = batched ? x.shape : [1, ...x.shape];
  const d = checkConv('conv2d', xShape, x.shape, weight.shape, s);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== d.O)) {
    throw new Error(`conv2d: expected bias of shape [${d.O}] (one per output channel of weight ${fmt(weight.shape)}), got ${fmt(bias.shape)}`);
  }
  sameDType('conv2d', bias ? [input, weight, bias] : [input, weight], ['input', 'weight', 'bias']);
  const spec: ConvSpec = { stride: s.stride, padding: s.padding, dilation: s.dilation, groups: s.groups };
  if (batched) return conv2dOp(x, weight, bias ?? null, spec);
  return conv2dOp(x.unsqueeze(0), weight, bias ?? null, spec).squeeze(0);
}

/** Options of the adjoint ops: numeric padding (or 'valid'). */
function plainSpec(op: string, options: Conv2dOptions | undefined): ConvSpec {
  const { stride, padding, dilation, groups } = specOf(op, options);
  return { stride, padding, dilation, groups };
}

/** Checks the gradient's shape against the convolution it belongs to. */
function checkGradOutput(op: string, g: Tensor, x: readonly number[], w: readonly number[], d: ConvDims): void {
  const expected = [d.N, d.O, d.geo.oH, d.geo.oW];
  if (!sameShape(g.shape, expected)) {
    throw new Error(`${op}: expected gradOutput of shape ${fmt(expected)} for input ${fmt(x)} and weight ${fmt(w)}, got ${fmt(g.shape)}`);
  }
}

/**
 * The gradient of {@link conv2d} with respect to its input (a transposed convolution): given
 * `gradOutput` [N, O, H', W'] and `weight`, returns a tensor of `inputShape` [N, C, H, W]. Like
 * `torch.nn.grad.conv2d_input`; differentiable to any order.
 *
 * @example
 * ```ts
 * const w = randn([4, 2, 3, 3]);
 * const gx = conv2dInputGrad(ones([1, 4, 6, 6]), w, [1, 2, 8, 8]); // [1, 2, 8, 8]
 * ```
 * @category Convolution
 */
export function conv2dInputGrad(gradOutput: Tensor, weight: Tensor, inputShape: readonly number[], options: Conv2dOptions = {}): Tensor {
  checkTensor('conv2dInputGrad', 'gradOutput', gradOutput);
  checkTensor('conv2dInputGrad', 'weight', weight);
  const op = 'conv2dInputGrad';
  const s = plainSpec(op, options);
  checkShape(op, 'inputShape', inputShape);
  if (inputShape.length !== 4) throw new Error(`${op}: expected inputShape [N, C, H, W], got ${fmt(inputShape)}`);
  assertShape(op, inputShape);
  const d = checkConv(op, inputShape, inputShape, weight.shape, s);
  checkGradOutput(op, gradOutput, inputShape, weight.shape, d);
  sameDType(op, [gradOutput, weight], ['gradOutput', 'weight']);
  return inputGradOp(gradOutput, weight, [...inputShape], s);
}

/**
 * The gradient of {@link conv2d} with respect to its weight: given `input` [N, C, H, W] and
 * `gradOutput` [N, O, H', W'], returns a tensor of `weightShape` [O, C/groups, kH, kW]. Like
 * `torch.nn.grad.conv2d_weight`; differentiable to any order.
 *
 * @example
 * ```ts
 * const x = randn([1, 2, 8, 8]);
 * const gw = conv2dWeightGrad(x, ones([1, 4, 6, 6]), [4, 2, 3, 3]); // [4, 2, 3, 3]
 * ```
 * @category Convolution
 */
export function conv2dWeightGrad(input: Tensor, gradOutput: Tensor, weightShape: readonly number[], options: Conv2dOptions = {}): Tensor {
  checkTensor('conv2dWeightGrad', 'input', input);
  checkTensor('conv2dWeightGrad', 'gradOutput', gradOutput);
  const op = 'conv2dWeightGrad';
  const s = plainSpec(op, options);
  checkShape(op, 'weightShape', weightShape);
  if (input.ndim !== 4) throw new Error(`${op}: expected input of shape [N, C, H, W], got ${fmt(input.shape)}`);
  const d = checkConv(op, input.shape, input.shape, weightShape, s);
  checkGradOutput(op, gradOutput, input.shape, weightShape, d);
  sameDType(op, [input, gradOutput], ['input', 'gradOutput']);
  return weightGradOp(input, gradOutput, [...weightShape], s);
}
