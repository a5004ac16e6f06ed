// More ONNX operators for importOnnx: the ones exportOnnx writes for the newer tapegrad ops
// (trigonometry, rounding, Selu/Mish/PRelu, CumSum, Trilu, ScatterElements, ReduceL1/L2) and the
// ones torch.onnx.export writes for common layers (Einsum, TopK, DepthToSpace/SpaceToDepth,
// InstanceNormalization, GroupNormalization, HardSigmoid/HardSwish, GlobalMaxPool), plus
// comparisons and casts of float tensors now that tensors have bool and int32 dtypes.
import * as tg from '@tapegrad/autograd';
import { Tensor } from '@tapegrad/autograd';
import { Upsample } from '@tapegrad/nn';
import { DataType } from './proto.js';
import { ints, isStatic, staticOf, tensorOf, type Value } from './import-values.js';
import { importOps, type OpContext } from './import-ops.js';

type ImportOp = (c: OpContext) => Value[];

const t = (c: OpContext, i: number) => tensorOf(c.inputs[i], `input ${i}`, c.inputs.find((v): v is Tensor => v instanceof Tensor));
const axisOf = (a: number, rank: number) => (a < 0 ? a + rank : a);
const unary = (f: (x: Tensor) => Tensor): ImportOp => (c) => [f(t(c, 0))];

/** A comparison: on static values it stays static (shape arithmetic), on tensors it gives a bool tensor. */
const compare = (f: (a: Tensor, b: Tensor) => Tensor, s: (a: number, b: number) => boolean): ImportOp => (c) => {
  const [a, b] = c.inputs;
  if (isStatic(a) && isStatic(b)) {
    const n = Math.max(a.data.length, b.data.length);
    if ((a.data.length !== n && a.data.length !== 1) || (b.data.length !== n && b.data.length !== 1)) c.fail('static broadcasting beyond scalars is not supported');
    const at = (v: readonly number[], i: number) => v[v.length === 1 ? 0 : i]!;
    return [staticOf(DataType.BOOL, a.data.length >= b.data.length ? a.shape : b.shape, Array.from({ length: n }, (_, i) => (s(at(a.data, i), at(b.data, i)) ? 1 : 0)))];
  }
  return [f(t(c, 0), t(c, 1))];
};

/** Normalizes over `axes`, biased variance (as every ONNX normalization). */
function normalize(x: Tensor, axes: number[], eps: number): Tensor {
  return x.sub(x.mean(axes, true)).div(x.var(axes, true, 0).add(eps).sqrt());
}

function depthToSpace(c: OpContext): Value[] {
  const x = t(c, 0);
  const b = c.attr<number>('blocksize');
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const crd = c.attr<string>('mode', 'DCR') === 'CRD';
  const split = crd ? x.reshape([N, C / (b * b), b, b, H, W]).permute([0, 1, 4, 2, 5, 3]) : x.reshape([N, b, b, C / (b * b), H, W]).permute([0, 3, 4, 1, 5, 2]);
  return [split.reshape([N, C / (b * b), H * b, W * b])];
}

function spaceToDepth(c: OpContext): Value[] {
  const x = t(c, 0);
  const b = c.attr<number>('blocksize');
  const [N, C, H, W] = x.shape as [number, number, number, number];
  return [x.reshape([N, C, H / b, b, W / b, b]).permute([0, 3, 5, 1, 2, 4]).reshape([N, C * b * b, H / b, W / b])];
}

/** Resize as PyTorch's interpolate writes it: nearest (asymmetric, floor) or (bi)linear (half-pixel or align-corners). */
function resize(c: OpContext): Value[] {
  const x = t(c, 0);
  const mode = c.attr<string>('mode', 'nearest');
  const ctm = c.attr<string>('coordinate_transformation_mode', 'half_pixel');
  if (c.attr<number>('antialias', 0) !== 0) c.fail('antialias is not supported');
  if (x.ndim !== 3 && x.ndim !== 4) c.fail(`only [N, C, L] and [N, C, H, W] inputs are supported, got [${x.shape.join(', ')}]`);
  let kind: 'nearest' | 'linear' | 'bilinear';
  let alignCorners: boolean | undefined;
  if (mode === 'nearest') {
    if (ctm !== 'asymmetric' || c.attr<string>('nearest_mode', 'round_prefer_floor') !== 'floor') c.fail(`nearest resizing with ${ctm} coordinates is not supported (PyTorch's is asymmetric with nearest_mode floor)`);
    kind = 'nearest';
  } else if (mode === 'linear') {
    if (!['half_pixel', 'pytorch_half_pixel', 'align_corners'].includes(ctm)) c.fail(`linear resizing with ${ctm} coordinates is not supported`);
    kind = x.ndim === 4 ? 'bilinear' : 'linear';
    alignCorners = ctm === 'align_corners';
  } else return c.fail(`mode '${mode}' is not supported (nearest and linear are)`);
  const spatial = x.shape.slice(2);
  let options: { size: number[] } | { scaleFactor: number[] };
  if (c.inputs[3] !== undefined) options = { size: ints(c.inputs[3], 'Resize sizes').slice(2) };
  else {
    const scales = Array.from(t(c, 2).contiguousData());
    if (scales[0] !== 1 || scales[1] !== 1) c.fail('only the spatial axes may be scaled');
    options = { scaleFactor: scales.slice(2) };
  }
  if ('size' in options && options.size.every((n, i) => n === spatial[i])) return [x];
  return [new Upsample({ ...options, mode: kind, ...(alignCorners === undefined ? {} : { alignCorners }) }).forward(x)];
}

export const moreImportOps: Record<string, ImportOp> = {
  Resize: resize,
  Tan: unary(tg.tan), Asin: unary(tg.asin), Acos: unary(tg.acos), Atan: unary(tg.atan),
  Sinh: unary(tg.sinh), Cosh: unary(tg.cosh), Asinh: unary(tg.asinh), Acosh: unary(tg.acosh), Atanh: unary(tg.atanh),
  Floor: unary(tg.floor), Ceil: unary(tg.ceil), Round: unary((x) => tg.round(x)),
  Selu: (c) => {
    const x = t(c, 0);
    const [alpha, gamma] = [c.attr('alpha', 1.67326319217681884765625), c.attr('gamma', 1.05070102214813232421875)];
    // ONNX's defaults are PyTorch's constants rounded to float32: tapegrad's selu is that op.
    if (Math.abs(alpha - 1.6732632423543772) > 1e-6 || Math.abs(gamma - 1.0507009873554805) > 1e-6) return [tg.elu(x, alpha).mul(gamma)];
    return [tg.selu(x)];
  },
  Mish: unary(tg.mish),
  PRelu: (c) => {
    const x = t(c, 0);
    const slope = t(c, 1);
    // tapegrad's prelu takes one slope or one per channel (axis 1); other shapes broadcast by hand.
    if (slope.size === 1 || (x.ndim >= 2 && slope.size === x.shape[1] && slope.shape.filter((d) => d !== 1).length <= 1 && (slope.ndim === 1 ? x.ndim === 2 : slope.shape[slope.ndim - x.ndim + 1] === x.shape[1]))) {
      return [tg.prelu(x, slope.reshape([slope.size]))];
    }
    return [tg.where(x.gt(0), x, x.mul(slope))];
  },
  HardSigmoid: (c) => [t(c, 0).mul(c.attr('alpha', 0.2)).add(c.attr('beta', 0.5)).clamp(0, 1)],
  HardSwish: (c) => [t(c, 0).mul(t(c, 0).div(6).add(0.5).clamp(0, 1))],
  CumSum: (c) => {
    const x = t(c, 0);
    if (c.attr<number>('exclusive', 0) !== 0) c.fail('exclusive CumSum is not supported');
    const axis = axisOf(ints(c.inputs[1], 'CumSum axis')[0]!, x.ndim);
    // A reverse scan is the scan of the reversed axis, reversed back.
    return [c.attr<number>('reverse', 0) === 1 ? tg.flip(tg.cumsum(tg.flip(x, axis), axis), axis) : tg.cumsum(x, axis)];
  },
  Trilu: (c) => {
    const x = t(c, 0);
    const k = c.inputs[1] !== undefined ? ints(c.inputs[1], 'Trilu k')[0]! : 0;
    return [c.attr<number>('upper', 1) === 1 ? tg.triu(x, k) : tg.tril(x, k)];
  },
  ScatterElements: (c) => {
    if (c.attr<string>('reduction', 'none') !== 'add') c.fail("only reduction 'add' is supported (a scatter that overwrites is not differentiable in tapegrad)");
    const x = t(c, 0);
    const axis = axisOf(c.attr('axis', 0), x.ndim);
    const index = c.inputs[1]!;
    const idx = isStatic(index) ? tg.fromTyped(Int32Array.from(index.data), index.shape) : (index as Tensor).toDType('int32');
    return [tg.scatterAdd(x, axis, idx, t(c, 2))];
  },
  ReduceL1: reduceNorm(1),
  ReduceL2: reduceNorm(2),
  Einsum: (c) => [tg.einsum(c.attr<string>('equation').replace(/\s+/g, ''), ...c.inputs.map((_, i) => t(c, i)))],
  TopK: (c) => {
    const x = t(c, 0);
    const k = ints(c.inputs[1], 'TopK k')[0]!;
    const { values, indices } = tg.topk(x, k, c.attr('axis', -1), c.attr('largest', 1) === 1, c.attr('sorted', 1) === 1);
    return [values, staticOf(DataType.INT64, indices.shape, Array.from(indices.contiguousData()))];
  },
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
  InstanceNormalization: (c) => {
    const x = t(c, 0);
    const channel = (v: Tensor) => v.reshape([1, -1, ...x.shape.slice(2).map(() => 1)]);
    const axes = x.shape.slice(2).map((_, i) => i + 2);
    return [normalize(x, axes, c.attr('epsilon', 1e-5)).mul(channel(t(c, 1))).add(channel(t(c, 2)))];
  },
  GroupNormalization: (c) => {
    const x = t(c, 0);
    const groups = c.attr<number>('num_groups');
    const [N, C] = x.shape as [number, number];
    const grouped = x.reshape([N, groups, -1]);
    const y = normalize(grouped, [2], c.attr('epsilon', 1e-5)).reshape(x.shape);
    // Opset 18 scales per group, opset 21 per channel (the form PyTorch's GroupNorm has).
    const perChannel = (v: Tensor) => (v.size === C ? v : v.reshape([groups, 1]).expand([groups, C / groups]).reshape([C])).reshape([1, C, ...x.shape.slice(2).map(() => 1)]);
    return [y.mul(perChannel(t(c, 1))).add(perChannel(t(c, 2)))];
  },
  GlobalMaxPool: (c) => {
    const x = t(c, 0);
    return [x.max(x.shape.slice(2).map((_, i) => i + 2), true)];
  },
  Equal: compare(tg.eq, (a, b) => a === b),
  Less: compare(tg.lt, (a, b) => a < b),
  LessOrEqual: compare(tg.le, (a, b) => a <= b),
  Greater: compare(tg.gt, (a, b) => a > b),
  GreaterOrEqual: compare(tg.ge, (a, b) => a >= b),
  // A Slice that reverses whole axes is a flip (exportOnnx writes flip so; the round trip keeps it).
  Slice: (c) => {
    const x = c.inputs[0];
    if (x instanceof Tensor && c.inputs[4] !== undefined && c.inputs[3] !== undefined) {
      const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => ints(c.inputs[i], 'Slice bounds'));
      const dims = axes!.map((a) => axisOf(a, x.ndim));
      const whole = dims.every((a, i) => {
        const n = x.shape[a]!;
        const start = starts![i]! < 0 ? starts![i]! + n : starts![i]!;
        return steps![i] === -1 && start >= n - 1 && ends![i]! < -n;
      });
      if (whole) return [tg.flip(x, dims)];
    }
    return importOps.Slice!(c);
  },
  // Casting a float tensor to an integer or bool type (no gradient flows through it, as in PyTorch).
  Cast: (c) => {
    const x = c.inputs[0];
    const to = c.attr<number>('to');
    if (x instanceof Tensor && !(to === DataType.FLOAT || to === DataType.DOUBLE)) return [to === DataType.BOOL ? tg.ne(x, 0) : x.toDType('int32')];
    if (x instanceof Tensor && !(x.dtype === 'float32' || x.dtype === 'float64')) return [x.toDType(to === DataType.DOUBLE ? 'float64' : 'float32')];
    return importOps.Cast!(c);
  },
  Not: (c) => {
    const x = c.inputs[0];
    if (isStatic(x)) return [staticOf(x.dtype, x.shape, x.data.map((v) => (v ? 0 : 1)))];
    return [tg.eq(t(c, 0), 0)];
  },
};

function reduceNorm(p: 1 | 2): ImportOp {
  return (c) => {
    const x = t(c, 0);
    const keep = c.attr<number>('keepdims', 1) === 1;
    const given = c.opset >= 18 ? (c.inputs[1] !== undefined ? ints(c.inputs[1], 'axes') : undefined) : c.attr<number[] | undefined>('axes', undefined);
    const axes = given && given.length > 0 ? given.map((a) => axisOf(a, x.ndim)) : x.shape.map((_, i) => i);
    return [tg.norm(x, p, axes, keep)];
  };
}

