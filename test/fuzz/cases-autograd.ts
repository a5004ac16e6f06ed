// Fuzz rows for @tapegrad/autograd (and its ./node and ./testing entries). One row per export:
// `name: fn(f, () => validArgs, ...kinds)`; see kit.ts for the kinds.
import * as ag from '@tapegrad/autograd';
import { tensor, zeros, type Tensor } from '@tapegrad/autograd';
import * as agNode from '@tapegrad/autograd/node';
import * as agTesting from '@tapegrad/autograd/testing';
import { ctor, fn, method, type Kind, type Row } from './kit.js';

const x = (): Tensor => tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
const v = (): Tensor => tensor([0.5, -1, 2], { dtype: 'float64' });
const img = (): Tensor => ag.arange(32, undefined, undefined, { dtype: 'float64' }).reshape([1, 2, 4, 4]);
const idx = (): Tensor => tensor([[0, 2], [1, 0]], { dtype: 'float64' });

/** Unary tensor ops: f(x). */
const unary = (f: unknown): Row => fn(f, () => [x()], 't');
/** Binary ops taking tensors or numbers: f(a, b). */
const binary = (f: unknown): Row => fn(f, () => [x(), v()], 'tl', 'tl');
/** Reductions f(x, axis). */
const reduction = (f: unknown): Row => fn(f, () => [x(), 1], 't', 'axis');
/** Creation f(shape, opts). */
const creation = (f: unknown): Row => fn(f, () => [[2, 3], { dtype: 'float64' }], 'shape', 'opts');
const like = (f: unknown, ...extra: unknown[]): Row => fn(f, () => [x(), ...extra, { dtype: 'float64' }], 't', ...extra.map((): Kind => 'num'), 'opts');

export const autograd: Record<string, Row> = {
  Tensor: method(x, 'reshape', () => [[3, 2]], 'shape'),
  Generator: ctor(ag.Generator, () => [1], 'int'),
  defaultGenerator: { none: 'a Generator instance (its methods are fuzzed through Generator)' },
  abs: unary(ag.abs), acos: unary(ag.acos), acosh: unary(ag.acosh), asin: unary(ag.asin), asinh: unary(ag.asinh),
  atan: unary(ag.atan), atanh: unary(ag.atanh), ceil: unary(ag.ceil), clone: unary(ag.clone), contiguous: unary(ag.contiguous),
  cos: unary(ag.cos), cosh: unary(ag.cosh), erf: unary(ag.erf), erfc: unary(ag.erfc), exp: unary(ag.exp), expm1: unary(ag.expm1),
  floor: unary(ag.floor), frac: unary(ag.frac), isFinite: unary(ag.isFinite), isNaN: unary(ag.isNaN), log: unary(ag.log),
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
  cumprod: reduction(ag.cumprod), unbind: reduction(ag.unbind), squeeze: reduction(ag.squeeze), flip: reduction(ag.flip),
  argsort: reduction(ag.argsort), sort: reduction(ag.sort), unsqueeze: reduction(ag.unsqueeze), flatten: reduction(ag.flatten),
  transpose: fn(ag.transpose, () => [x(), 0, 1], 't', 'axis', 'axis'),
  norm: fn(ag.norm, () => [x(), 2, 1], 't', '-', 'axis'),
  zeros: creation(ag.zeros), ones: creation(ag.ones), rand: creation(ag.rand), randn: creation(ag.randn),
  full: fn(ag.full, () => [[2, 3], 1.5, { dtype: 'float64' }], 'shape', 'num', 'opts'),
  randint: fn(ag.randint, () => [0, 5, [2, 3], {}], 'int', 'int', 'shape', 'opts'),
  zerosLike: like(ag.zerosLike), onesLike: like(ag.onesLike), fullLike: like(ag.fullLike, 2),
  arange: fn(ag.arange, () => [0, 5, 1, {}], 'fin', 'fin', 'fin', 'opts'),
  linspace: fn(ag.linspace, () => [0, 1, 5, {}], 'fin', 'fin', 'int', 'opts'),
  eye: fn(ag.eye, () => [3, 2, {}], 'int', 'int', 'opts'),
  tensor: fn(ag.tensor, () => [[1, 2], { dtype: 'float64' }], 't', 'opts'),
  fromTyped: fn(ag.fromTyped, () => [new Float64Array(6), [2, 3]], 't', 'shape'),
  fromNdarray: fn(ag.fromNdarray, () => [x().data, {}], 't', 'opts'),
  asTensor: fn(ag.asTensor, () => [2, 'float64'], 'tl', 'str'),
  toDType: fn(ag.toDType, () => [x(), 'float32'], 't', 'str'),
  reshape: fn(ag.reshape, () => [x(), [3, 2]], 't', 'shape'),
  expand: fn(ag.expand, () => [v().reshape([3, 1]), [3, 4]], 't', 'shape'),
  broadcastTo: fn(ag.broadcastTo, () => [v(), [2, 3]], 't', 'shape'),
  sumTo: fn(ag.sumTo, () => [x(), [1, 3]], 't', 'shape'),
  permute: fn(ag.permute, () => [x(), [1, 0]], 't', 'shape'),
  repeat: fn(ag.repeat, () => [x(), [2, 1]], 't', 'shape'),
  tile: fn(ag.tile, () => [x(), [2, 1]], 't', 'shape'),
  roll: fn(ag.roll, () => [x(), 1, 1], 't', 'int', 'axis'),
  tril: fn(ag.tril, () => [x(), 0], 't', 'int'),
  triu: fn(ag.triu, () => [x(), 0], 't', 'int'),
  chunk: fn(ag.chunk, () => [x(), 2, 1], 't', 'int', 'axis'),
  narrow: fn(ag.narrow, () => [x(), 1, 0, 2], 't', 'axis', 'int', 'int'),
  split: fn(ag.split, () => [x(), 1, 1], 't', 'int', 'axis'),
  slice: fn(ag.slice, () => [x(), [0, 1], null], 't', 'axis', '-'),
  pad: fn(ag.pad, () => [x(), [1, 1], 0], 't', 'shape', 'num'),
  clamp: fn(ag.clamp, () => [x(), 0, 4], 't', 'num', 'num'),
  hardtanh: fn(ag.hardtanh, () => [x(), -1, 1], 't', 'num', 'num'),
  leakyRelu: fn(ag.leakyRelu, () => [x(), 0.1], 't', 'num'),
  elu: fn(ag.elu, () => [x(), 1], 't', 'num'),
  softplus: fn(ag.softplus, () => [x(), 1, 20], 't', 'num', 'num'),
  gelu: fn(ag.gelu, () => [x(), 'tanh'], 't', 'str'),
  prelu: fn(ag.prelu, () => [x(), tensor([0.25], { dtype: 'float64' })], 't', 't'),
  round: fn(ag.round, () => [x(), {}], 't', 'opts'),
  where: fn(ag.where, () => [x().gt(2), x(), 0], 't', 'tl', 'tl'),
  maskedFill: fn(ag.maskedFill, () => [x(), x().gt(2), 0], 't', 't', 'tl'),
  matmul: fn(ag.matmul, () => [x(), x().transpose()], 't', 't'),
  dot: fn(ag.dot, () => [v(), v()], 't', 't'),
  outer: fn(ag.outer, () => [v(), v()], 't', 't'),
  einsum: fn(ag.einsum, () => ['ij,jk->ik', x(), x().transpose()], 'str', 't', 't'),
  concat: fn(ag.concat, () => [[x(), x()], 0], 'ts', 'axis'),
  stack: fn(ag.stack, () => [[x(), x()], 0], 'ts', 'axis'),
  gather: fn(ag.gather, () => [x(), 1, idx()], 't', 'axis', 't'),
  scatterAdd: fn(ag.scatterAdd, () => [x(), 1, idx(), zeros([2, 2], { dtype: 'float64' })], 't', 'axis', 't', 't'),
  indexSelect: fn(ag.indexSelect, () => [x(), 1, [0, 2]], 't', 'axis', '-'),
  indexAdd: fn(ag.indexAdd, () => [x(), 1, [0, 2], zeros([2, 2], { dtype: 'float64' })], 't', 'axis', '-', 't'),
  take: fn(ag.take, () => [x(), tensor([0, 5], { dtype: 'float64' })], 't', 't'),
  takeAlongDim: fn(ag.takeAlongDim, () => [x(), idx(), 1], 't', 't', 'axis'),
  topk: fn(ag.topk, () => [x(), 2, 1], 't', 'int', 'axis'),
  oneHot: fn(ag.oneHot, () => [tensor([0, 2]), 3, {}], 't', 'int', 'opts'),
  conv2d: fn(ag.conv2d, () => [img(), ag.ones([1, 2, 3, 3], { dtype: 'float64' }), null, {}], 't', 't', '-', 'opts'),
  conv2dInputGrad: fn(ag.conv2dInputGrad, () => [ag.ones([1, 1, 2, 2], { dtype: 'float64' }), ag.ones([1, 2, 3, 3], { dtype: 'float64' }), [1, 2, 4, 4], {}], 't', 't', 'shape', 'opts'),
  conv2dWeightGrad: fn(ag.conv2dWeightGrad, () => [img(), ag.ones([1, 1, 2, 2], { dtype: 'float64' }), [1, 2, 3, 3], {}], 't', 't', 'shape', 'opts'),
  maxPool2d: fn(ag.maxPool2d, () => [img(), { kernelSize: 2 }], 't', 'opts'),
  avgPool2d: fn(ag.avgPool2d, () => [img(), { kernelSize: 2 }], 't', 'opts'),
  unfold: fn(ag.unfold, () => [img(), { kernelSize: 2 }], 't', 'opts'),
  fold: fn(ag.fold, () => [ag.ones([1, 8, 9], { dtype: 'float64' }), { outputSize: [4, 4], kernelSize: 2 }], 't', 'opts'),
  defineOp: fn(ag.defineOp, () => [{ name: 'twice', forward: (t: Tensor) => t.mul(2), vjp: (g: Tensor) => [g.mul(2)] }], 'opts'),
  vmap: fn(ag.vmap, () => [(t: Tensor) => t.sum(), {}], 'fn', 'opts'),
  jacfwd: fn(ag.jacfwd, () => [(t: Tensor) => t.sum(), 0], 'fn', 'int'),
  jacrev: fn(ag.jacrev, () => [(t: Tensor) => t.sum(), 0], 'fn', 'int'),
  jacobian: fn(ag.jacobian, () => [(t: Tensor) => t.sum(), 0], 'fn', 'int'),
  hessian: fn(ag.hessian, () => [(t: Tensor) => t.sum(), 0], 'fn', 'int'),
  linearize: fn(ag.linearize, () => [(t: Tensor) => t.sum(), x()], 'fn', 't'),
  grad: fn(ag.grad, () => [(t: Tensor) => t.sum(), 0], 'fn', 'int'),
  valueAndGrad: fn(ag.valueAndGrad, () => [(t: Tensor) => t.sum(), 0], 'fn', 'int'),
  vjp: fn(ag.vjp, () => [(t: Tensor) => t.sum(), x()], 'fn', 't'),
  jvp: fn(ag.jvp, () => [(t: Tensor) => t.sum(), [x()], [x()]], 'fn', 'ts', 'ts'),
  hvp: fn(ag.hvp, () => [(t: Tensor) => t.square().sum(), [x()], [x()]], 'fn', 'ts', 'ts'),
  gradients: fn(ag.gradients, () => { const a = x().requiresGrad_(); return [[a.sum()], [a], {}]; }, 'ts', 'ts', 'opts'),
  gradcheck: fn(ag.gradcheck, () => [(t: Tensor) => t.sum(), [x().requiresGrad_()], {}], 'fn', 'ts', 'opts'),
  gradgradcheck: fn(ag.gradgradcheck, () => [(t: Tensor) => t.square().sum(), [x().requiresGrad_()], {}], 'fn', 'ts', 'opts'),
  zeroGrad: fn(ag.zeroGrad, () => [[x()]], 'ts'),
  noGrad: fn(ag.noGrad, () => [() => 1], 'fn'),
  enableGrad: fn(ag.enableGrad, () => [() => 1], 'fn'),
  detectAnomaly: fn(ag.detectAnomaly, () => [() => 1], 'fn'),
  setDetectAnomaly: fn(ag.setDetectAnomaly, () => [false], 'bool'),
  isAnomalyEnabled: { none: 'takes no arguments' },
  isGradEnabled: { none: 'takes no arguments' },
  getNumThreads: { none: 'takes no arguments' },
  tapeStats: { none: 'takes no arguments' },
  setNumThreads: fn(ag.setNumThreads, () => [1], 'int'),
  manualSeed: fn(ag.manualSeed, () => [1], 'int'),
  unravelIndex: fn(ag.unravelIndex, () => [5, [2, 3]], 'int', 'shape'),
  toDot: fn(ag.toDot, () => [x().requiresGrad_().sum(), {}], 't', 'opts'),
  serializeTensors: fn(ag.serializeTensors, () => [{ a: x() }, null], 'opts', '-'),
  deserializeTensors: fn(ag.deserializeTensors, () => [ag.serializeTensors({ a: x() }), 'src'], 't', '-'),
  serializeSafetensors: fn(ag.serializeSafetensors, () => [{ a: x() }, {}], 'opts', 'opts'),
  parseSafetensors: fn(ag.parseSafetensors, () => [ag.serializeSafetensors({ a: x() })], 't'),
  fusedAdamUpdate: { none: 'kernel entry for optimizers over raw typed arrays; fuzzed through Adam/AdamW' },
  fusedSgdUpdate: { none: 'kernel entry for optimizers over raw typed arrays; fuzzed through SGD' },
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
