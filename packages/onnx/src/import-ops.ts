// ONNX operators as tapegrad ops, for importOnnx. Float tensors go through differentiable ops;
// shape arithmetic (Shape, Gather on shapes, Concat of ints...) runs on static values.
import * as tg from '@tapegrad/autograd';
import { Tensor } from '@tapegrad/autograd';
import { DataType } from './proto.js';
import { ints, isStatic, staticOf, tensorOf, type Static, type Value } from './import-values.js';

/** What an operator implementation sees. */
export interface OpContext {
  readonly inputs: readonly (Value | undefined)[];
  readonly opset: number;
  /** An attribute, or `fallback` when absent; without a fallback a missing attribute is an error. */
  attr<T>(name: string, ...fallback: [T?]): T;
  fail(why: string): never;
}

type ImportOp = (c: OpContext) => Value[];

const t = (c: OpContext, i: number) => tensorOf(c.inputs[i], `input ${i}`, c.inputs.find((v): v is Tensor => v instanceof Tensor));
const axisOf = (a: number, rank: number) => (a < 0 ? a + rank : a);

/** Axes given as an input (newer opsets) or an attribute (older ones). */
function axesOf(c: OpContext, inputIndex: number): number[] | undefined {
  const v = c.inputs[inputIndex];
  if (v !== undefined) return ints(v, 'axes');
  return c.attr<number[] | undefined>('axes', undefined);
}

const binaryStatic = (f: (a: number, b: number) => number, dtype?: number) => (a: Static, b: Static): Static => {
  const n = Math.max(a.data.length, b.data.length);
  if (a.data.length !== n && a.data.length !== 1 || b.data.length !== n && b.data.length !== 1) throw new Error('importOnnx: static broadcasting beyond scalars is not supported');
  const data = Array.from({ length: n }, (_, i) => f(a.data[a.data.length === 1 ? 0 : i]!, b.data[b.data.length === 1 ? 0 : i]!));
  return staticOf(dtype ?? a.dtype, a.data.length >= b.data.length ? a.shape : b.shape, data);
};

const binary = (f: (a: Tensor, b: Tensor) => Tensor, s?: (a: number, b: number) => number): ImportOp => (c) => {
  const [a, b] = c.inputs;
  if (s && isStatic(a) && isStatic(b)) return [binaryStatic(s)(a, b)];
  return [f(t(c, 0), t(c, 1))];
};
const unary = (f: (x: Tensor) => Tensor): ImportOp => (c) => [f(t(c, 0))];
const compare = (f: (a: number, b: number) => boolean): ImportOp => (c) => {
  const [a, b] = c.inputs;
  if (isStatic(a) && isStatic(b)) return [binaryStatic((x, y) => (f(x, y) ? 1 : 0), DataType.BOOL)(a, b)];
  return c.fail('comparisons of float tensors are not differentiable and not supported; only shape arithmetic may compare');
};

function pads2d(c: OpContext): [number, number] {
  const pads = c.attr<number[]>('pads', [0, 0, 0, 0]);
  const autoPad = c.attr<string>('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') c.fail(`auto_pad ${autoPad} is not supported (export with explicit pads)`);
  if (pads.length !== 4 || pads[0] !== pads[2] || pads[1] !== pads[3]) c.fail(`only symmetric 2-D pads are supported, got [${pads.join(', ')}]`);
  return [pads[0]!, pads[1]!];
}

/**
 * A Conv's padding as tapegrad takes it: symmetric pads as the conv's own padding, anything else
 * (asymmetric pads, auto_pad SAME_UPPER/SAME_LOWER) padded explicitly in front with zeros.
 */
function convPads(c: OpContext, x: Tensor, kernel: readonly number[], stride: readonly number[], dilation: readonly number[]): { x: Tensor; padding: [number, number] } {
  const autoPad = c.attr<string>('auto_pad', 'NOTSET');
  let pads: number[];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    // ONNX: output = ceil(input / stride); the total padding is split with the extra one at the end (UPPER) or start (LOWER).
    pads = [0, 0, 0, 0];
    [0, 1].forEach((a) => {
      const n = x.shape[2 + a]!;
      const total = Math.max(0, (Math.ceil(n / stride[a]!) - 1) * stride[a]! + dilation[a]! * (kernel[a]! - 1) + 1 - n);
      const small = Math.floor(total / 2);
      pads[a] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[a + 2] = total - pads[a]!;
    });
  } else if (autoPad === 'NOTSET' || autoPad === 'VALID') {
    pads = autoPad === 'VALID' ? [0, 0, 0, 0] : c.attr<number[]>('pads', [0, 0, 0, 0]);
  } else {
    return c.fail(`auto_pad ${autoPad} is not supported`);
  }
  if (pads.length !== 4) c.fail(`only 2-D pads are supported, got [${pads.join(', ')}]`);
  if (pads[0] === pads[2] && pads[1] === pads[3]) return { x, padding: [pads[0]!, pads[1]!] };
  return { x: tg.pad(x, [pads[1]!, pads[3]!, pads[0]!, pads[2]!]), padding: [0, 0] };
}

function checkRank4(c: OpContext, x: Tensor): void {
  if (x.ndim !== 4) c.fail(`only 2-D (NCHW) inputs are supported, got shape [${x.shape.join(', ')}]`);
}

function normalize(x: Tensor, axes: number[], eps: number): Tensor {
  const centered = x.sub(x.mean(axes, true));
  return centered.div(x.var(axes, true, 0).add(eps).sqrt());
}

function reshapeTarget(x: Tensor, shape: number[], allowZero: boolean): number[] {
  return shape.map((d, i) => (d === 0 && !allowZero ? x.shape[i]! : d));
}

function gather(c: OpContext): Value[] {
  const [data, idx] = c.inputs;
  const axis = c.attr<number>('axis', 0);
  const indices = ints(idx, 'Gather indices');
  const idxShape = isStatic(idx) ? idx.shape : [];
  if (isStatic(data)) {
    if (data.shape.length !== 1) c.fail('Gather on static values supports 1-D data (shapes)');
    const n = data.data.length;
    return [staticOf(data.dtype, idxShape, indices.map((i) => data.data[i < 0 ? i + n : i]!))];
  }
  const x = t(c, 0);
  const a = axisOf(axis, x.ndim);
  const picked = tg.indexSelect(x, a, indices.map((i) => (i < 0 ? i + x.shape[a]! : i)));
  return [picked.reshape([...x.shape.slice(0, a), ...idxShape, ...x.shape.slice(a + 1)])];
}

function slice(c: OpContext): Value[] {
  const starts = ints(c.inputs[1], 'Slice starts');
  const ends = ints(c.inputs[2], 'Slice ends');
  const x = c.inputs[0];
  const rank = isStatic(x) ? x.shape.length : t(c, 0).ndim;
  const axes = c.inputs[3] !== undefined ? ints(c.inputs[3], 'Slice axes') : starts.map((_, i) => i);
  const steps = c.inputs[4] !== undefined ? ints(c.inputs[4], 'Slice steps') : starts.map(() => 1);
  const ranges: (readonly [number | null, number | null, number])[] = Array.from({ length: rank }, () => [null, null, 1] as const);
  const big = 2 ** 53;
  axes.forEach((a, i) => {
    const clampEnd = (v: number) => (v >= big / 2 ? null : v <= -big / 2 ? null : v);
    ranges[axisOf(a, rank)] = [starts[i]!, clampEnd(ends[i]!), steps[i]!];
  });
  if (isStatic(x)) {
    if (rank !== 1) c.fail('Slice on static values supports 1-D data (shapes)');
    const picked = tg.slice(tg.tensor(x.data.length ? [...x.data] : [], { dtype: 'float64' }), ranges[0]!);
    return [staticOf(x.dtype, picked.shape, Array.from(picked.contiguousData()))];
  }
  return [tg.slice(t(c, 0), ...ranges)];
}

function concat(c: OpContext): Value[] {
  const axis = c.attr<number>('axis');
  const values = c.inputs.filter((v): v is Value => v !== undefined);
  if (values.every(isStatic)) {
    if (values.some((v) => v.shape.length !== 1)) c.fail('Concat of static values supports 1-D data (shapes)');
    return [staticOf(values[0]!.dtype, [values.reduce((n, v) => n + v.data.length, 0)], values.flatMap((v) => [...v.data]))];
  }
  const tensors = values.map((v, i) => tensorOf(v, `input ${i}`));
  return [tg.concat(tensors, axisOf(axis, tensors[0]!.ndim))];
}

function unsqueeze(c: OpContext): Value[] {
  const axes = axesOf(c, 1) ?? c.fail('Unsqueeze needs axes');
  const x = c.inputs[0];
  const rank = (isStatic(x) ? x.shape.length : t(c, 0).ndim) + axes.length;
  const sorted = axes.map((a) => axisOf(a, rank)).sort((a, b) => a - b);
  if (isStatic(x)) {
    const shape = [...x.shape];
    for (const a of sorted) shape.splice(a, 0, 1);
    return [staticOf(x.dtype, shape, x.data)];
  }
  let y = t(c, 0);
  for (const a of sorted) y = y.unsqueeze(a);
  return [y];
}

function squeeze(c: OpContext): Value[] {
  const x = c.inputs[0];
  const axes = axesOf(c, 1);
  if (isStatic(x)) return [staticOf(x.dtype, x.shape.filter((d, i) => !(d === 1 && (!axes || axes.map((a) => axisOf(a, x.shape.length)).includes(i)))), x.data)];
  const y = t(c, 0);
  return [axes ? y.squeeze(axes.map((a) => axisOf(a, y.ndim))) : y.squeeze()];
}

function reduce(f: (x: Tensor, axes: number[], keep: boolean) => Tensor, axesInputFrom: number): ImportOp {
  return (c) => {
    const x = t(c, 0);
    const keep = c.attr<number>('keepdims', 1) === 1;
    const axes = (c.opset >= axesInputFrom ? axesOf(c, 1) : c.attr<number[] | undefined>('axes', undefined)) ?? [];
    if (axes.length === 0 && c.attr<number>('noop_with_empty_axes', 0) === 1) return [x];
    const all = axes.length === 0 ? x.shape.map((_, i) => i) : axes.map((a) => axisOf(a, x.ndim));
    return [f(x, all, keep)];
  };
}

export const importOps: Record<string, ImportOp> = {
  Add: binary((a, b) => a.add(b), (a, b) => a + b),
  Sub: binary((a, b) => a.sub(b), (a, b) => a - b),
  Mul: binary((a, b) => a.mul(b), (a, b) => a * b),
  Div: binary((a, b) => a.div(b), (a, b) => Math.trunc(a / b)),
  Pow: binary((a, b) => a.pow(b)),
  Max: (c) => [c.inputs.map((_, i) => t(c, i)).reduce((a, b) => tg.maximum(a, b))],
  Min: (c) => [c.inputs.map((_, i) => t(c, i)).reduce((a, b) => tg.minimum(a, b))],
  Equal: compare((a, b) => a === b),
  Less: compare((a, b) => a < b),
  Greater: compare((a, b) => a > b),
  Not: (c) => {
    const x = c.inputs[0];
    if (!isStatic(x)) return c.fail('Not of a float tensor is not supported');
    return [staticOf(x.dtype, x.shape, x.data.map((v) => (v ? 0 : 1)))];
  },
  Neg: unary((x) => x.neg()), Exp: unary((x) => x.exp()), Log: unary((x) => x.log()), Sqrt: unary((x) => x.sqrt()),
  Reciprocal: unary((x) => tg.div(1, x)), Abs: unary((x) => x.abs()), Sign: unary((x) => x.sign()), Sin: unary((x) => x.sin()), Cos: unary((x) => x.cos()),
  Tanh: unary((x) => x.tanh()), Erf: unary((x) => x.erf()), Sigmoid: unary((x) => tg.sigmoid(x)), Relu: unary((x) => tg.relu(x)),
  Softplus: unary((x) => tg.softplus(x)),
  LeakyRelu: (c) => [tg.leakyRelu(t(c, 0), c.attr('alpha', 0.01))],
  Elu: (c) => [tg.elu(t(c, 0), c.attr('alpha', 1))],
  Gelu: (c) => [tg.gelu(t(c, 0), c.attr<'none' | 'tanh'>('approximate', 'none'))],
  Softmax: (c) => [tg.softmax(t(c, 0), c.attr('axis', -1))],
  LogSoftmax: (c) => [tg.logSoftmax(t(c, 0), c.attr('axis', -1))],
  Identity: (c) => [c.inputs[0]!],
  Dropout: (c) => [c.inputs[0]!], // inference graph: Dropout is the identity (training_mode absent or false)
  Clip: (c) => [tg.clamp(t(c, 0), c.inputs[1] !== undefined ? t(c, 1).item() : null, c.inputs[2] !== undefined ? t(c, 2).item() : null)],
  MatMul: (c) => [t(c, 0).matmul(t(c, 1))],
  Gemm: (c) => {
    let a = t(c, 0);
    let b = t(c, 1);
    if (c.attr('transA', 0)) a = a.transpose(0, 1);
    if (c.attr('transB', 0)) b = b.transpose(0, 1);
    let y = a.matmul(b);
    const alpha = c.attr('alpha', 1);
    if (alpha !== 1) y = y.mul(alpha);
    if (c.inputs[2] !== undefined) {
      const beta = c.attr('beta', 1);
      y = y.add(beta === 1 ? t(c, 2) : t(c, 2).mul(beta));
    }
    return [y];
  },
  Conv: (c) => {
    checkRank4(c, t(c, 0));
    const w = t(c, 1);
    const stride = c.attr<number[]>('strides', [1, 1]) as [number, number];
    const dilation = c.attr<number[]>('dilations', [1, 1]) as [number, number];
    const { x, padding } = convPads(c, t(c, 0), w.shape.slice(2), stride, dilation);
    return [tg.conv2d(x, w, c.inputs[2] !== undefined ? t(c, 2) : null, { stride, padding, dilation, groups: c.attr('group', 1) })];
  },
  ConvTranspose: (c) => {
    const x = t(c, 0);
    checkRank4(c, x);
    const w = t(c, 1);
    const [stride, dilation, padding] = [c.attr<number[]>('strides', [1, 1]), c.attr<number[]>('dilations', [1, 1]), pads2d(c)];
    let outputPadding = c.attr<number[]>('output_padding', [0, 0]);
    const outputShape = c.attr<number[] | undefined>('output_shape', undefined);
    if (outputShape !== undefined) {
      // The requested size beyond the one the pads give is output padding.
      const spatial = outputShape.slice(-2);
      outputPadding = [0, 1].map((i) => spatial[i]! - ((x.shape[i + 2]! - 1) * stride[i]! - 2 * padding[i]! + dilation[i]! * (w.shape[i + 2]! - 1) + 1));
    }
    const options = { stride: stride as [number, number], padding, outputPadding: outputPadding as [number, number], dilation: dilation as [number, number], groups: c.attr('group', 1) };
    return [tg.convTranspose2d(x, w, c.inputs[2] !== undefined ? t(c, 2) : null, options)];
  },
  MaxPool: (c) => {
    const x = t(c, 0);
    checkRank4(c, x);
    if (c.attr<number>('storage_order', 0) !== 0) c.fail('storage_order 1 is not supported');
    const kernelSize = c.attr<number[]>('kernel_shape') as [number, number];
    const options = {
      kernelSize, stride: c.attr<number[]>('strides', [1, 1]) as [number, number], padding: pads2d(c),
      dilation: c.attr<number[]>('dilations', [1, 1]) as [number, number], ceilMode: c.attr<number>('ceil_mode', 0) === 1,
    };
    return [tg.maxPool2d(x, options)];
  },
  AveragePool: (c) => {
    const x = t(c, 0);
    checkRank4(c, x);
    if (c.attr<number[]>('dilations', [1, 1]).some((d) => d !== 1)) c.fail('dilations are not supported for AveragePool');
    const kernelSize = c.attr<number[]>('kernel_shape') as [number, number];
    const options = {
      kernelSize, stride: c.attr<number[]>('strides', [1, 1]) as [number, number], padding: pads2d(c),
      ceilMode: c.attr<number>('ceil_mode', 0) === 1, countIncludePad: c.attr<number>('count_include_pad', 0) === 1,
    };
    return [tg.avgPool2d(x, options)];
  },
  GlobalAveragePool: (c) => [t(c, 0).mean([2, 3], true)],
  BatchNormalization: (c) => {
    const x = t(c, 0);
    if (c.attr('training_mode', 0)) c.fail('training_mode graphs are not supported (export the model in evaluation mode)');
    const perChannel = (v: Tensor) => v.reshape([1, -1, ...x.shape.slice(2).map(() => 1)]);
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => perChannel(t(c, i)));
    return [x.sub(mean!).div(variance!.add(c.attr('epsilon', 1e-5)).sqrt()).mul(scale!).add(bias!)];
  },
  LayerNormalization: (c) => {
    const x = t(c, 0);
    const axis = axisOf(c.attr('axis', -1), x.ndim);
    let y = normalize(x, x.shape.slice(axis).map((_, i) => axis + i), c.attr('epsilon', 1e-5)).mul(t(c, 1));
    if (c.inputs[2] !== undefined) y = y.add(t(c, 2));
    return [y];
  },
  Reshape: (c) => {
    const x = c.inputs[0];
    const shape = ints(c.inputs[1], 'Reshape shape');
    if (isStatic(x)) return [staticOf(x.dtype, shape.map((d) => (d === -1 ? x.data.length / -shape.reduce((a, b) => a * b, 1) : d)), x.data)];
    const y = t(c, 0);
    return [y.reshape(reshapeTarget(y, shape, c.attr<number>('allowzero', 0) === 1))];
  },
  Flatten: (c) => {
    const x = t(c, 0);
    const axis = axisOf(c.attr('axis', 1), x.ndim);
    return [x.reshape([x.shape.slice(0, axis).reduce((a, b) => a * b, 1), -1])];
  },
  Transpose: (c) => {
    const x = t(c, 0);
    return [x.permute(c.attr<number[]>('perm', x.shape.map((_, i) => x.ndim - 1 - i)))];
  },
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concat,
  Slice: slice,
  Gather: gather,
  Shape: (c) => {
    const x = c.inputs[0]!;
    const dims = [...x.shape].slice(c.attr<number | undefined>('start', undefined), c.attr<number | undefined>('end', undefined));
    return [staticOf(DataType.INT64, [dims.length], dims)];
  },
  Constant: (c) => {
    const value = c.attr<Value | undefined>('value', undefined);
    if (value !== undefined) return [value];
    const ints1 = c.attr<number[] | undefined>('value_ints', undefined);
    if (ints1) return [staticOf(DataType.INT64, [ints1.length], ints1)];
    const int1 = c.attr<number | undefined>('value_int', undefined);
    if (int1 !== undefined) return [staticOf(DataType.INT64, [], [int1])];
    const f = c.attr<number | undefined>('value_float', undefined);
    if (f !== undefined) return [tg.tensor(f)];
    const fs = c.attr<number[] | undefined>('value_floats', undefined);
    if (fs) return [tg.tensor(fs)];
    return c.fail('Constant without a supported value attribute');
  },
  ConstantOfShape: (c) => {
    const shape = ints(c.inputs[0], 'ConstantOfShape shape');
    const value = c.attr<Value | undefined>('value', undefined);
    if (value === undefined || value instanceof Tensor) return [tg.full(shape, value ? value.contiguousData()[0]! : 0, { dtype: value?.dtype ?? 'float32' })];
    return [staticOf(value.dtype, shape, new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(value.data[0]!))];
  },
  Cast: (c) => {
    const to = c.attr<number>('to');
    const x = c.inputs[0]!;
    const float = to === DataType.FLOAT || to === DataType.DOUBLE;
    if (isStatic(x)) return [float ? tensorOf(x, 'Cast input', to === DataType.DOUBLE ? tg.zeros([], { dtype: 'float64' }) : undefined) : staticOf(to, x.shape, to === DataType.BOOL ? x.data.map((v) => (v ? 1 : 0)) : x.data.map(Math.trunc))];
    if (!float) c.fail('casting a float tensor to an integer type is not differentiable and not supported');
    return [x.toDType(to === DataType.DOUBLE ? 'float64' : 'float32')];
  },
  Expand: (c) => {
    const x = t(c, 0);
    const shape = ints(c.inputs[1], 'Expand shape');
    const rank = Math.max(shape.length, x.ndim);
    const padded = [...new Array<number>(rank - x.ndim).fill(1), ...x.shape];
    const target = padded.map((d, i) => { const s = shape[i - (rank - shape.length)] ?? 1; return d === 1 ? s : d; });
    return [(padded.length === x.ndim ? x : x.reshape(padded)).expand(target)];
  },
  Where: (c) => {
    const cond = c.inputs[0];
    const condTensor = isStatic(cond) ? tg.fromTyped(Float32Array.from(cond.data), cond.shape) : t(c, 0);
    const a = t(c, 1);
    return [tg.where(condTensor.toDType(a.dtype), a, t(c, 2))];
  },
  Split: (c) => {
    const x = t(c, 0);
    const axis = axisOf(c.attr('axis', 0), x.ndim);
    const sizes = c.inputs[1] !== undefined ? ints(c.inputs[1], 'Split sizes') : c.attr<number[] | undefined>('split', undefined);
    const parts = c.attr<number | undefined>('num_outputs', undefined);
    return tg.split(x, sizes ?? Math.ceil(x.shape[axis]! / (parts ?? c.fail('Split needs sizes or num_outputs'))), axis);
  },
  ReduceMean: reduce((x, axes, keep) => x.mean(axes, keep), 18),
  ReduceSum: reduce((x, axes, keep) => x.sum(axes, keep), 13),
  ReduceMax: reduce((x, axes, keep) => x.max(axes, keep), 18),
  ReduceMin: reduce((x, axes, keep) => x.min(axes, keep), 18),
  ReduceProd: reduce((x, axes, keep) => x.prod(axes, keep), 18),
  ReduceLogSumExp: reduce((x, axes, keep) => tg.logSumExp(x, axes, keep), 18),
  Pad: (c) => {
    const x = t(c, 0);
    const onnxMode = c.attr<string>('mode', 'constant');
    const modes: Record<string, tg.PadMode> = { constant: 'constant', reflect: 'reflect', edge: 'replicate', wrap: 'circular' };
    const mode = modes[onnxMode] ?? c.fail(`Pad mode ${onnxMode} is not supported`);
    const pads = ints(c.inputs[1], 'Pad pads');
    const axes = c.inputs[3] !== undefined ? ints(c.inputs[3], 'Pad axes').map((a) => axisOf(a, x.ndim)) : x.shape.map((_, i) => i);
    const value = c.inputs[2] !== undefined ? t(c, 2).contiguousData()[0] ?? 0 : 0;
    const pairs = x.shape.map(() => [0, 0] as [number, number]);
    axes.forEach((a, i) => (pairs[a] = [pads[i]!, pads[i + axes.length]!]));
    return [mode === 'constant' ? tg.pad(x, pairs, value) : tg.pad(x, pairs, mode)];
  },
};
