// Convolution family (NCHW) as ops. conv2d and its two adjoints are each bilinear, so each one's
// vjp is written with the other two: that closes the set under differentiation (any order).
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { allocate } from '../dtype.js';
import { sizeOf } from '../shape.js';
import { contiguousData, wrap } from '../kernels/layout.js';
import { convForward, convInputGrad, convWeightGrad, type ConvDims } from '../kernels/conv.js';
import { geometryOf, type ConvSpec } from './conv-args.js';
import { intoN, multilinearJvp, outOfN, shapeIntoN, toFront } from './batch-rules.js';
import { releasesGradient } from '../grad-ownership.js';

// Called only with checked shapes, so geometryOf cannot throw here.
const dimsOf = (x: readonly number[], w: readonly number[], s: ConvSpec): ConvDims => ({
  N: x[0]!, C: x[1]!, O: w[0]!, groups: s.groups,
  geo: geometryOf('conv2d', x, { kernel: [w[2]!, w[3]!], stride: s.stride, padding: s.padding, dilation: s.dilation }),
});

const need = (t: Tensor, grad: () => Tensor): Tensor | null => (t.requiresGrad ? grad() : null);

export const conv2dOp: Op<[Tensor, Tensor, Tensor | null, ConvSpec]> = defineOp({
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

// Its vjp reads its gradient in kernels and keeps it nowhere: a granted gradient is recycled after it.
releasesGradient(conv2dOp.record);

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
export const inputGradOp: Op<[Tensor, Tensor, readonly number[], ConvSpec]> = defineOp({
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
export const weightGradOp: Op<[Tensor, Tensor, readonly number[], ConvSpec]> = defineOp({
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

