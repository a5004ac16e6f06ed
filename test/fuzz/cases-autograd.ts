// Fuzz rows for @tapegrad/autograd (and its ./node and ./testing entries). One row per export:
// `name: fn(f, () => validArgs, ...kinds)`; see kit.ts for the kinds.
import fc from 'fast-check';
import * as ag from '@tapegrad/autograd';
import { tensor, zeros, type Tensor } from '@tapegrad/autograd';
import * as agNode from '@tapegrad/autograd/node';
import * as agTesting from '@tapegrad/autograd/testing';
import { bad, ctor, fn, method, tx, TensorSpoiler, type Kind, type Row, type TensorSpoil } from './kit.js';

/** A tensor-or-number argument with derived tensor spoils (see tx). */
const tlx = (...modes: TensorSpoil[]) => fc.oneof(bad.tl, fc.constantFrom(...modes.map((m) => new TensorSpoiler(m))));
/** argnums of the grad transforms: an options object {} is valid, so it is not drawn. */
const argnums = fc.oneof(fc.integer({ min: -99, max: -1 }), fc.constantFrom(1.5, NaN, Infinity, 'a', true, [], [0, 0], [0, -1], { argnums: -1 }, { bogus: 1 }, { hasAux: 'yes' }, () => 1));
/** A slice spec [start, stop, step] (or an index) that is not one. */
const sliceSpec = fc.constantFrom([0.5, 2], [0, 1, 0], [0, 1, 1.5], [[1, 3]], ['a'], [NaN], 99, -99, 1.5, 'a', {}, true);
/** Tangents for jvp/hvp that do not match the primals [x] of shape [2,3] float64. */
const tangents = fc.oneof(bad.ts, fc.constantFrom(
  [tensor([[1, 2, 3]], { dtype: 'float64' })],
  [tensor([1, 2, 3, 4, 5, 6], { dtype: 'float64' })],
  [tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' })],
  [tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' }), tensor([1], { dtype: 'float64' })],
  [],
  [[tensor([1], { dtype: 'float64' })]],
));

const x = (): Tensor => tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
const v = (): Tensor => tensor([0.5, -1, 2], { dtype: 'float64' });
const img = (): Tensor => ag.arange(32, undefined, undefined, { dtype: 'float64' }).reshape([1, 2, 4, 4]);
const idx = (): Tensor => tensor([[0, 2], [1, 0]], { dtype: 'float64' });

/** Unary tensor ops: f(x). */
const unary = (f: unknown): Row => fn(f, () => [x()], 't');
/** Binary ops taking tensors or numbers: f(a, b). */
const binary = (f: unknown): Row => fn(f, () => [x(), v()], tlx('grow'), tlx('grow'));
/** Reductions f(x, axis). */
const reduction = (f: unknown): Row => fn(f, () => [x(), 1], 't', 'axis');
/** Creation f(shape, opts). */
const creation = (f: unknown): Row => fn(f, () => [[2, 3], { dtype: 'float64' }], 'shape', 'opts');
const like = (f: unknown, ...extra: unknown[]): Row => fn(f, () => [x(), ...extra, { dtype: 'float64' }], 't', ...extra.map((): Kind => 'num'), 'opts');

export const autograd: Record<string, Row> = {
  Tensor: { ...method(x, 'reshape', () => [[3, 2]], 'rshape'), name: 'reshape' },
  Generator: ctor(ag.Generator, () => [1], 'sint'),
  defaultGenerator: { none: 'a Generator instance (its methods are fuzzed through Generator)' },
  abs: unary(ag.abs), acos: unary(ag.acos), acosh: unary(ag.acosh), asin: unary(ag.asin), asinh: unary(ag.asinh),
  atan: unary(ag.atan), atanh: unary(ag.atanh), ceil: unary(ag.ceil), clone: unary(ag.clone), contiguous: unary(ag.contiguous),
  cos: unary(ag.cos), cosh: unary(ag.cosh), erf: unary(ag.erf), erfc: unary(ag.erfc), exp: unary(ag.exp), expm1: unary(ag.expm1),
  floor: unary(ag.floor), frac: unary(ag.frac), isFinite: unary(ag.isFinite), isInf: unary(ag.isInf), isNaN: unary(ag.isNaN), log: unary(ag.log),
  log1p: unary(ag.log1p), logSigmoid: unary(ag.logSigmoid), mish: unary(ag.mish), neg: unary(ag.neg), relu: unary(ag.relu),
  relu6: unary(ag.relu6), rsqrt: unary(ag.rsqrt), selu: unary(ag.selu), sigmoid: unary(ag.sigmoid), sign: unary(ag.sign),
  silu: unary(ag.silu), sin: unary(ag.sin), sinh: unary(ag.sinh), sqrt: unary(ag.sqrt), square: unary(ag.square),
  tan: unary(ag.tan), tanh: unary(ag.tanh), trunc: unary(ag.trunc),
  add: binary(ag.add), sub: binary(ag.sub), mul: binary(ag.mul), div: binary(ag.div), pow: binary(ag.pow),
  maximum: binary(ag.maximum), minimum: binary(ag.minimum), atan2: binary(ag.atan2), logaddexp: binary(ag.logaddexp),
  eq: binary(ag.eq), ne: binary(ag.ne), lt: binary(ag.lt), le: binary(ag.le), gt: binary(ag.gt), ge: binary(ag.ge),
  sum: reduction(ag.sum), mean: reduction(ag.mean), max: reduction(ag.max), min: reduction(ag.min), prod: reduction(ag.prod),
  variance: reduction(ag.variance), std: reduction(ag.std), logSumExp: reduction(ag.logSumExp), argmax: reduction(ag.argmax),
  argmin: reduction(ag.argmin), softmax: reduction(ag.softmax), logSoftmax: reduction(ag.logSoftmax), cumsum: reduction(ag.cumsum),
  softmaxCrossEntropy: fn(ag.softmaxCrossEntropy, () => [x(), tensor([0, 2], { dtype: 'int32' }), { ignoreIndex: -1, reduction: 'sum' }], 't', 't', 'cfg'),
  cumprod: reduction(ag.cumprod), unbind: reduction(ag.unbind), squeeze: reduction(ag.squeeze), flip: reduction(ag.flip),
  argsort: reduction(ag.argsort), sort: reduction(ag.sort), unsqueeze: reduction(ag.unsqueeze), flatten: reduction(ag.flatten),
  transpose: fn(ag.transpose, () => [x(), 0, 1], 't', 'axis', 'axis'),
  norm: fn(ag.norm, () => [x(), 2, 1], 't', '-', 'axis'),
  zeros: creation(ag.zeros), ones: creation(ag.ones), rand: creation(ag.rand), randn: creation(ag.randn),
  full: fn(ag.full, () => [[2, 3], 1.5, { dtype: 'float64' }], 'shape', 'num', 'opts'),
  randint: fn(ag.randint, () => [0, 5, [2, 3], {}], 'sint', 'sint', 'shape', 'opts'),
  zerosLike: like(ag.zerosLike), onesLike: like(ag.onesLike), fullLike: like(ag.fullLike, 2),
  arange: fn(ag.arange, () => [0, 5, 1, {}], 'fin', 'fin', 'fin', 'opts'),
  linspace: fn(ag.linspace, () => [0, 1, 5, {}], 'fin', 'fin', 'int', 'opts'),
  eye: fn(ag.eye, () => [3, 2, {}], 'int', 'int', 'opts'),
  tensor: fn(ag.tensor, () => [[1, 2], { dtype: 'float64' }], 'data', 'opts'),
  fromTyped: fn(ag.fromTyped, () => [new Float64Array(6), [2, 3]], fc.oneof(bad.t, fc.constantFrom(new Float64Array(3), new Float64Array(7), new Int8Array(6), new Uint16Array(6), [0, 0, 0, 0, 0, 0])), 'shape'),
  fromNdarray: fn(ag.fromNdarray, () => [x().data, {}], 't', 'opts'),
  asTensor: fn(ag.asTensor, () => [2, 'float64'], 'tl', 'str'),
  toDType: fn(ag.toDType, () => [x(), 'float32'], 't', 'str'),
  reshape: fn(ag.reshape, () => [x(), [3, 2]], 't', 'rshape'),
  expand: fn(ag.expand, () => [v().reshape([3, 1]), [3, 4]], 't', 'shape'),
  broadcastTo: fn(ag.broadcastTo, () => [v(), [2, 3]], 't', 'shape'),
  sumTo: fn(ag.sumTo, () => [x(), [1, 3]], 't', 'shape'),
  permute: fn(ag.permute, () => [x(), [1, 0]], 't', 'shape'),
  repeat: fn(ag.repeat, () => [x(), [2, 1]], 't', 'shape'),
  tile: fn(ag.tile, () => [x(), [2, 1]], 't', 'shape'),
  roll: fn(ag.roll, () => [x(), 1, 1], 't', 'sint', 'axis'),
  tril: fn(ag.tril, () => [x(), 0], 't', 'sint'),
  triu: fn(ag.triu, () => [x(), 0], 't', 'sint'),
  chunk: fn(ag.chunk, () => [x(), 2, 1], 't', 'int', 'axis'),
  // A negative start counts from the end (as torch); past either end it is out of range.
  narrow: fn(ag.narrow, () => [x(), 1, 0, 2], 't', 'axis', fc.constantFrom(-4, -99, 4, 99, 1.5, NaN, 'a', {}, true), 'int'),
  split: fn(ag.split, () => [x(), 1, 1], 't', 'int', 'axis'),
  slice: fn(ag.slice, () => [x(), [0, 1], null], 't', sliceSpec, sliceSpec),
  // Negative widths crop (valid); cropping past an axis, odd lengths and too many pairs are not.
  pad: fn(ag.pad, () => [x(), [1, 1], 0], 't', fc.constantFrom([-5, 3], [1, -4], [1], [1, 2, 3], [1, 1, 1, 1, 1, 1], [1.5, 1], ['a', 1], [NaN, 0], 'abc', {}, null), 'num'),
  clamp: fn(ag.clamp, () => [x(), 0, 4], 't', 'num', 'num'),
  hardtanh: fn(ag.hardtanh, () => [x(), -1, 1], 't', 'num', 'num'),
  leakyRelu: fn(ag.leakyRelu, () => [x(), 0.1], 't', 'num'),
  elu: fn(ag.elu, () => [x(), 1], 't', 'num'),
  softplus: fn(ag.softplus, () => [x(), 1, 20], 't', 'num', 'num'),
  gelu: fn(ag.gelu, () => [x(), 'tanh'], 't', 'str'),
  prelu: fn(ag.prelu, () => [x(), tensor([0.25], { dtype: 'float64' })], 't', tx('grow')),
  round: fn(ag.round, () => [x(), {}], 't', 'opts'),
  where: fn(ag.where, () => [x().gt(2), x(), 0], tx('grow'), tlx('grow'), 'tl'),
  maskedFill: fn(ag.maskedFill, () => [x(), x().gt(2), 0], 't', tx('grow', 'rankUp'), 'tl'),
  matmul: fn(ag.matmul, () => [x(), x().transpose()], tx('grow', 'rank0'), tx('grow0', 'rank0')),
  dot: fn(ag.dot, () => [v(), v()], tx('grow', 'rank0', 'rankUp'), tx('grow', 'rank0', 'rankUp')),
  outer: fn(ag.outer, () => [v(), v()], tx('rank0', 'rankUp'), tx('rank0', 'rankUp')),
  einsum: fn(ag.einsum, () => ['ij,jk->ik', x(), x().transpose()], 'str', tx('grow', 'rank0', 'rankUp'), tx('grow0', 'rank0', 'rankUp')),
  scaledDotProductAttention: fn(ag.scaledDotProductAttention, () => [x().reshape([1, 2, 3]), x(), x(), { attnMask: tensor([1, 0], { dtype: 'bool' }), dropoutP: 0 }], 't', 't', 't', 'opts'),
  concat: fn(ag.concat, () => [[x(), x()], 0], 'ts', 'axis'),
  stack: fn(ag.stack, () => [[x(), x()], 0], 'ts', 'axis'),
  gather: fn(ag.gather, () => [x(), 1, idx()], 't', 'axis', tx('oob', 'frac', 'rankUp')),
  scatterAdd: fn(ag.scatterAdd, () => [x(), 1, idx(), zeros([2, 2], { dtype: 'float64' })], 't', 'axis', tx('oob', 'frac', 'rankUp'), tx('rank0', 'rankUp')),
  indexSelect: fn(ag.indexSelect, () => [x(), 1, [0, 2]], 't', 'axis', '-'),
  indexAdd: fn(ag.indexAdd, () => [x(), 1, [0, 2], zeros([2, 2], { dtype: 'float64' })], 't', 'axis', '-', 't'),
  take: fn(ag.take, () => [x(), tensor([0, 5], { dtype: 'float64' })], 't', tx('oob', 'frac')),
  takeAlongDim: fn(ag.takeAlongDim, () => [x(), idx(), 1], 't', tx('oob', 'frac', 'rankUp'), 'axis'),
  topk: fn(ag.topk, () => [x(), 2, 1], 't', 'int', 'axis'),
  // numClasses -1 infers the count (as torch), so only other negatives are bad.
  oneHot: fn(ag.oneHot, () => [tensor([0, 2]), 3, {}], 't', fc.constantFrom(-2, -7, 1.5, NaN, Infinity, 'a', {}, true), 'opts'),
  conv2d: fn(ag.conv2d, () => [img(), ag.ones([1, 2, 3, 3], { dtype: 'float64' }), null, {}], tx('rank0', 'rankUp', 'grow1', 'otherFloat'), tx('rank0', 'rankUp', 'grow1', 'otherFloat'), '-', 'opts'),
  conv2dInputGrad: fn(ag.conv2dInputGrad, () => [ag.ones([1, 1, 2, 2], { dtype: 'float64' }), ag.ones([1, 2, 3, 3], { dtype: 'float64' }), [1, 2, 4, 4], {}], 't', 't', 'shape', 'opts'),
  conv2dWeightGrad: fn(ag.conv2dWeightGrad, () => [img(), ag.ones([1, 1, 2, 2], { dtype: 'float64' }), [1, 2, 3, 3], {}], 't', 't', 'shape', 'opts'),
  maxPool2d: fn(ag.maxPool2d, () => [img(), { kernelSize: 2 }], tx('rank0', 'rankUp'), 'cfg'),
  avgPool2d: fn(ag.avgPool2d, () => [img(), { kernelSize: 2 }], tx('rank0', 'rankUp'), 'cfg'),
  conv1d: fn(ag.conv1d, () => [x().unsqueeze(0), ag.ones([1, 2, 2], { dtype: 'float64' }), null, { padding: 'same' }], 't', 't', '-', 'opts'),
  convTranspose1d: fn(ag.convTranspose1d, () => [x().unsqueeze(0), ag.ones([2, 1, 2], { dtype: 'float64' }), null, { stride: 2, outputPadding: 1 }], 't', 't', '-', 'opts'),
  convTranspose2d: fn(ag.convTranspose2d, () => [img(), ag.ones([2, 1, 2, 2], { dtype: 'float64' }), null, { stride: 2 }], 't', 't', '-', 'opts'),
  maxUnpool2d: fn(ag.maxUnpool2d, () => [ag.ones([1, 1, 2, 2], { dtype: 'float64' }), tensor([[[[0, 3], [9, 15]]]], { dtype: 'int32' }), { kernelSize: 2 }], 't', 't', 'opts'),
  maxPool1d: fn(ag.maxPool1d, () => [x(), { kernelSize: 2, ceilMode: true }], 't', 'opts'),
  avgPool1d: fn(ag.avgPool1d, () => [x(), { kernelSize: 2, countIncludePad: false }], 't', 'opts'),
  unfold: fn(ag.unfold, () => [img(), { kernelSize: 2 }], tx('rank0', 'rankUp'), 'cfg'),
  fold: fn(ag.fold, () => [ag.ones([1, 8, 9], { dtype: 'float64' }), { outputSize: [4, 4], kernelSize: 2 }], tx('rank0', 'grow', 'grow1'), 'cfg'),
  defineOp: fn(ag.defineOp, () => [{ name: 'twice', forward: (t: Tensor) => t.mul(2), vjp: (g: Tensor) => [g.mul(2)] }], 'opts'),
  vmap: fn(ag.vmap, () => [(t: Tensor) => t.sum(), {}], 'fn', 'opts'),
  jacfwd: fn(ag.jacfwd, () => [(t: Tensor) => t.sum(), 0], 'fn', argnums),
  jacrev: fn(ag.jacrev, () => [(t: Tensor) => t.sum(), 0], 'fn', argnums),
  jacobian: fn(ag.jacobian, () => [(t: Tensor) => t.sum(), 0], 'fn', argnums),
  hessian: fn(ag.hessian, () => [(t: Tensor) => t.sum(), 0], 'fn', argnums),
  linearize: fn(ag.linearize, () => [(t: Tensor) => t.sum(), x()], 'fn', 't'),
  stopGradient: fn(ag.stopGradient, () => [x()], 't'),
  customVjp: fn(ag.customVjp, () => [(t: Tensor) => t.sum(), (t: Tensor) => [t.sum(), t], (_r: unknown, g: Tensor) => [g]], 'fn', 'fn', 'fn'),
  customJvp: fn(ag.customJvp, () => [(t: Tensor) => t.sum(), (p: Tensor[], t: Tensor[]) => [p[0]!.sum(), t[0]!.sum()]], 'fn', 'fn'),
  checkpoint: fn(ag.checkpoint, () => [(t: Tensor) => t.sum()], 'fn'),
  grad: fn(ag.grad, () => [(t: Tensor) => t.sum(), 0], 'fn', argnums),
  valueAndGrad: fn(ag.valueAndGrad, () => [(t: Tensor) => t.sum(), 0], 'fn', argnums),
  vjp: fn(ag.vjp, () => [(t: Tensor) => t.sum(), x()], 'fn', 't'),
  jvp: fn(ag.jvp, () => [(t: Tensor) => t.sum(), [x()], [x()]], 'fn', 'ts', tangents),
  hvp: fn(ag.hvp, () => [(t: Tensor) => t.square().sum(), [x()], [x()]], 'fn', 'ts', tangents),
  gradients: fn(ag.gradients, () => { const a = x().requiresGrad_(); return [[a.sum()], [a], {}]; }, 'ts', 'ts', 'opts'),
  gradcheck: fn(ag.gradcheck, () => [(t: Tensor) => t.sum(), [x().requiresGrad_()], {}], 'fn', 'ts', 'opts'),
  gradgradcheck: fn(ag.gradgradcheck, () => [(t: Tensor) => t.square().sum(), [x().requiresGrad_()], {}], 'fn', 'ts', 'opts'),
  zeroGrad: fn(ag.zeroGrad, () => [[x()]], 'ts'),
  peekGrad: fn(ag.peekGrad, () => [x()], 't'),
  noGrad: fn(ag.noGrad, () => [() => 1], 'fn'),
  enableGrad: fn(ag.enableGrad, () => [() => 1], 'fn'),
  detectAnomaly: fn(ag.detectAnomaly, () => [() => 1], 'fn'),
  setDetectAnomaly: fn(ag.setDetectAnomaly, () => [false], 'bool'),
  isAnomalyEnabled: { none: 'takes no arguments' },
  isGradEnabled: { none: 'takes no arguments' },
  getNumThreads: { none: 'takes no arguments' },
  tapeStats: { none: 'takes no arguments' },
  flushPending: fn(ag.flushPending, () => [x()], 't'),
  setNumThreads: fn(ag.setNumThreads, () => [1], 'int'),
  manualSeed: fn(ag.manualSeed, () => [1], 'sint'),
  unravelIndex: fn(ag.unravelIndex, () => [5, [2, 3]], fc.oneof(bad.int, fc.integer({ min: 6, max: 1000 })), 'shape'),
  promoteTypes: fn(ag.promoteTypes, () => ['int32', 'float32'], 'opts', 'opts'),
  resultType: { none: 'one list argument whose every spoil (numbers, tensors) is a valid operand list; its own checks are in dtype.test.ts' },
  toDot: fn(ag.toDot, () => [x().requiresGrad_().sum(), {}], 't', 'opts'),
  serializeTensors: fn(ag.serializeTensors, () => [{ a: x() }, null], 'opts', '-'),
  deserializeTensors: fn(ag.deserializeTensors, () => [ag.serializeTensors({ a: x() }), 'src'], 't', '-'),
  serializeSafetensors: fn(ag.serializeSafetensors, () => [{ a: x() }, {}], 'opts', 'opts'),
  parseSafetensors: fn(ag.parseSafetensors, () => [ag.serializeSafetensors({ a: x() })], 't'),
  fusedAdamUpdate: { none: 'kernel entry for optimizers over raw typed arrays; fuzzed through Adam/AdamW' },
  fusedSgdUpdate: { none: 'kernel entry for optimizers over raw typed arrays; fuzzed through SGD' },
  optimizerState: fn(ag.optimizerState, () => ['float32', 4], 'str', 'int'),
  describeValue: { none: 'total: describes any value (used by every message below)' },
  fail: { none: 'throws by design; its message form is asserted by every row' },
  checkTensor: fn(ag.checkTensor, () => ['op', 'x', x()], '-', '-', 't'),
  checkTensorLike: fn(ag.checkTensorLike, () => ['op', 'x', 1], '-', '-', 'tl'),
  checkTensorList: fn(ag.checkTensorList, () => ['op', 'xs', [x()]], '-', '-', 'ts'),
  checkNumber: fn(ag.checkNumber, () => ['op', 'n', 1], '-', '-', 'num'),
  checkFinite: fn(ag.checkFinite, () => ['op', 'n', 1], '-', '-', 'fin'),
  checkRange: fn(ag.checkRange, () => ['op', 'p', 0.5, 0, 1], '-', '-', 'fin'),
  checkInt: fn(ag.checkInt, () => ['op', 'n', 1, { min: 0 }], '-', '-', 'int'),
  checkBoolean: fn(ag.checkBoolean, () => ['op', 'b', true], '-', '-', 'bool'),
  checkCallback: fn(ag.checkCallback, () => ['op', 'f', () => 1], '-', '-', 'fn'),
  checkDType: fn(ag.checkDType, () => ['op', 'dtype', 'float32'], '-', '-', 'str'),
  checkShape: fn(ag.checkShape, () => ['op', 'shape', [2]], '-', '-', 'shape'),
  checkAxis: fn(ag.checkAxis, () => ['op', 'axis', 0, 2], '-', '-', 'axis'),
  checkOptions: fn(ag.checkOptions, () => ['op', {}, ['a']], '-', 'opts'),
  checkAllocation: fn(ag.checkAllocation, () => ['op', 10], '-', 'int'),
};
for (const k of ['checkTensor', 'checkTensorLike', 'checkTensorList', 'checkNumber', 'checkFinite', 'checkRange', 'checkInt', 'checkBoolean', 'checkCallback', 'checkDType', 'checkShape', 'checkAxis', 'checkOptions', 'checkAllocation']) {
  (autograd[k] as { name?: string }).name = 'op'; // the checks report the caller's name
}

const tmp = (): string => `${process.env.FUZZ_DIR}/f-${Math.random().toString(36).slice(2)}.tg`;
export const autogradNode: Record<string, Row> = {
  saveTensors: fn(agNode.saveTensors, () => [tmp(), { a: x() }], 'str', 'opts'),
  loadTensors: fn(agNode.loadTensors, () => [`${process.env.FUZZ_DIR}/missing.tg`], 'str'),
  saveSafetensors: fn(agNode.saveSafetensors, () => [tmp(), { a: x() }], 'str', 'opts'),
  loadSafetensors: fn(agNode.loadSafetensors, () => [`${process.env.FUZZ_DIR}/missing.safetensors`], 'str'),
  writeFileAtomic: fn(agNode.writeFileAtomic, () => [tmp(), new Uint8Array(3)], 'str', 't'),
  saveGraph: fn(agNode.saveGraph, () => [tmp(), x().requiresGrad_().sum(), {}], 'str', 't', 'opts'),
  renderSvg: fn(agNode.renderSvg, () => ['digraph{}', {}], 'str', 'opts'),
};

export const autogradTesting: Record<string, Row> = {
  gradcheck: autograd.gradcheck!,
  gradgradcheck: autograd.gradgradcheck!,
  shapeArb: fn(agTesting.shapeArb, () => [{}], 'opts'),
  broadcastShapesArb: fn(agTesting.broadcastShapesArb, () => [2, {}], 'int', 'opts'),
  tensorArb: fn(agTesting.tensorArb, () => [[2], {}], 'shape', 'opts'),
  tensorsArb: fn(agTesting.tensorsArb, () => [[[2]], {}], '-', 'opts'),
};
