// Tensors with a size-0 dimension through every op export, with PyTorch's semantics (checked
// against torch 2.13): result shapes and values forward, and a gradient of the input's shape
// backward where the op is differentiable. Reductions over nothing give their identity (sum 0,
// prod 1, logsumexp -inf) or NaN (mean, var, std); max/min/argmax/argmin over an empty axis have no
// identity and are an error naming the op. The table enumerates the package's exports, so a new op
// without a row fails here.
import { describe, expect, it } from 'vitest';
import * as ag from '@tapegrad/autograd';
import { Tensor, tensor, zeros, ones } from '@tapegrad/autograd';
import { broadcastShapesArb } from '@tapegrad/autograd/testing';
import fc from 'fast-check';

const f64 = { dtype: 'float64' } as const;
/** An empty [0, 3] float64 leaf (fresh per call). */
const E = (): Tensor => zeros([0, 3], { ...f64, requiresGrad: true });
/** A size-0 image batch [0, 1, 4, 4]. */
const img0 = (): Tensor => zeros([0, 1, 4, 4], { ...f64, requiresGrad: true });
const v3 = (): Tensor => tensor([1, 2, 3], f64);

interface Sweep {
  /** Runs the op on size-0 input; returns the output and the inputs whose gradient is checked. */
  run: () => { out: Tensor | readonly Tensor[]; inputs?: Tensor[] };
  /** Expected shape of the (first) output. */
  shape: number[];
  /** Expected values (flattened) when the output is not empty. */
  values?: number[];
  /** Skip backward (integer/bool outputs, ops without gradients). */
  noGrad?: boolean;
}
interface Refuses {
  /** The op has no result on this input (PyTorch raises): the message must name the op. */
  error: () => unknown;
}
interface NotAnOp {
  none: string;
}
type Row = Sweep | Refuses | NotAnOp;

const unary = (f: (x: Tensor) => Tensor): Sweep => ({ run: () => { const x = E(); return { out: f(x), inputs: [x] }; }, shape: [0, 3] });
const unaryNoGrad = (f: (x: Tensor) => Tensor): Sweep => ({ ...unary(f), noGrad: true });
const binary = (f: (a: Tensor, b: Tensor) => Tensor, noGrad = false): Sweep => ({
  run: () => { const x = E(); return { out: f(x, v3()), inputs: [x] }; },
  shape: [0, 3],
  noGrad,
});
/** A reduction over all, axis 0 (the empty one) and axis 1. */
const reduce = (f: (x: Tensor, axis?: number) => Tensor, all: number, axis0: number): Row[] => [
  { run: () => { const x = E(); return { out: f(x), inputs: [x] }; }, shape: [], values: [all] },
  { run: () => { const x = E(); return { out: f(x, 0), inputs: [x] }; }, shape: [3], values: [axis0, axis0, axis0] },
  { run: () => { const x = E(); return { out: f(x, 1), inputs: [x] }; }, shape: [0] },
];
/** max/min/argmax/argmin: no identity, so reducing everything or the empty axis refuses; axis 1 is fine. */
const noIdentity = (f: (x: Tensor, axis?: number) => Tensor, noGrad = false): Row[] => [
  { error: () => f(E()) },
  { error: () => f(E(), 0) },
  { run: () => { const x = E(); return { out: f(x, 1), inputs: [x] }; }, shape: [0], noGrad },
];

const none = (why: string): NotAnOp => ({ none: why });

const rows: Record<string, Row | Row[]> = {
  Tensor: unary((x) => x.mul(2)),
  promoteTypes: none('dtype arithmetic, no tensor'), resultType: none('dtype arithmetic, no tensor'),
  Generator: none('random source'), manualSeed: none('random source'),
  noGrad: none('grad mode'), enableGrad: none('grad mode'), isGradEnabled: none('grad mode'),
  detectAnomaly: none('grad mode'), setDetectAnomaly: none('grad mode'), isAnomalyEnabled: none('grad mode'),
  tapeStats: none('counters'), setNumThreads: none('settings'), getNumThreads: none('settings'),
  fusedAdamUpdate: none('typed-array kernel; optimizers cover empty parameters'), fusedSgdUpdate: none('typed-array kernel'),
  optimizerState: none('typed-array allocation; size 0 covered in kernels-optim-resident.test.ts'),
  defineOp: none('op factory; every op below is one'),
  flushPending: unaryNoGrad((x) => { ag.flushPending(x); return x; }),
  describeValue: none('validation'), fail: none('validation'), checkTensor: none('validation'), checkTensorLike: none('validation'),
  checkTensorList: none('validation'), checkNumber: none('validation'), checkFinite: none('validation'), checkRange: none('validation'),
  checkInt: none('validation'), checkBoolean: none('validation'), checkCallback: none('validation'), checkDType: none('validation'),
  checkShape: none('validation'), checkAxis: none('validation'), checkOptions: none('validation'), checkAllocation: none('validation'),
  gradients: { run: () => { const x = E(); return { out: ag.gradients([x.square().sum()], [x])[0]! }; }, shape: [0, 3], noGrad: true },
  grad: { run: () => ({ out: ag.grad((x: Tensor) => x.square().sum())(E()) }), shape: [0, 3], noGrad: true },
  valueAndGrad: { run: () => ({ out: ag.valueAndGrad((x: Tensor) => x.square().sum())(E())[0] }), shape: [], values: [0], noGrad: true },
  vjp: { run: () => ({ out: ag.vjp((x: Tensor) => x.exp(), E())[1](zeros([0, 3], f64))[0] as Tensor }), shape: [0, 3], noGrad: true },
  jvp: { run: () => ({ out: ag.jvp((x: Tensor) => x.exp(), [E()], [zeros([0, 3], f64)])[1] }), shape: [0, 3], noGrad: true },
  hvp: { run: () => ({ out: ag.hvp((x: Tensor) => x.pow(3).sum(), [E()], [zeros([0, 3], f64)])[1][0] as Tensor }), shape: [0, 3], noGrad: true },
  jacfwd: { run: () => ({ out: ag.jacfwd((x: Tensor) => x.exp())(E()) as Tensor }), shape: [0, 3, 0, 3], noGrad: true },
  jacrev: { run: () => ({ out: ag.jacrev((x: Tensor) => x.exp())(E()) as Tensor }), shape: [0, 3, 0, 3], noGrad: true },
  jacobian: { run: () => ({ out: ag.jacobian((x: Tensor) => x.sum(0))(E()) as Tensor }), shape: [3, 0, 3], noGrad: true },
  hessian: { run: () => ({ out: ag.hessian((x: Tensor) => x.square().sum())(E()) as Tensor }), shape: [0, 3, 0, 3], noGrad: true },
  linearize: { run: () => ({ out: ag.linearize((x: Tensor) => x.sin(), E())[1](zeros([0, 3], f64)) }), shape: [0, 3], noGrad: true },
  customVjp: unary(ag.customVjp((x: Tensor) => x.mul(2), (x: Tensor) => [x.mul(2), null], (_r, g) => [g.mul(2)])),
  customJvp: unary(ag.customJvp((x: Tensor) => x.mul(2), ([x], [t]) => [x!.mul(2), t!.mul(2)])),
  checkpoint: unary(ag.checkpoint((x: Tensor) => x.sin())),
  stopGradient: unaryNoGrad(ag.stopGradient),
  vmap: { run: () => ({ out: ag.vmap((r: Tensor) => r.sum())(E()) }), shape: [0], noGrad: true },
  gradcheck: none('finite differences of an empty input check nothing'), gradgradcheck: none('as gradcheck'),
  peekGrad: { run: () => { const w = E().requiresGrad_(); w.sum().backward(); return { out: ag.peekGrad(w)! }; }, shape: [0, 3], noGrad: true },
  zeroGrad: none('acts on .grad'), unravelIndex: none('index arithmetic (a shape with no elements has no index: an error)'),
  serializeTensors: { run: () => ({ out: ag.deserializeTensors(ag.serializeTensors({ e: E() })).tensors.e! }), shape: [0, 3], noGrad: true },
  deserializeTensors: none('covered with serializeTensors'),
  serializeSafetensors: { run: () => ({ out: ag.parseSafetensors(ag.serializeSafetensors({ e: E() })).tensors.e! }), shape: [0, 3], noGrad: true },
  parseSafetensors: none('covered with serializeSafetensors'),
  toDot: none('draws a graph'),
  fromTyped: { run: () => ({ out: ag.fromTyped(new Float64Array(0), [0, 3]) }), shape: [0, 3], noGrad: true },
  tensor: { run: () => ({ out: tensor([]) }), shape: [0], noGrad: true },
  full: { run: () => ({ out: ag.full([0, 3], 7) }), shape: [0, 3], noGrad: true },
  zeros: { run: () => ({ out: zeros([2, 0]) }), shape: [2, 0], noGrad: true },
  ones: { run: () => ({ out: ones(0) }), shape: [0], noGrad: true },
  zerosLike: unaryNoGrad(ag.zerosLike), onesLike: unaryNoGrad(ag.onesLike), fullLike: unaryNoGrad((x) => ag.fullLike(x, 2)),
  arange: { run: () => ({ out: ag.arange(3, 3) }), shape: [0], noGrad: true },
  linspace: { run: () => ({ out: ag.linspace(0, 1, 0) }), shape: [0], noGrad: true },
  eye: { run: () => ({ out: ag.eye(0, 3) }), shape: [0, 3], noGrad: true },
  fromNdarray: { run: () => ({ out: ag.fromNdarray(E().data) }), shape: [0, 3], noGrad: true },
  asTensor: unaryNoGrad((x) => ag.asTensor(x, 'float64')),
  rand: { run: () => ({ out: ag.rand([0, 3]) }), shape: [0, 3], noGrad: true },
  randn: { run: () => ({ out: ag.randn([3, 0]) }), shape: [3, 0], noGrad: true },
  randint: { run: () => ({ out: ag.randint(0, 5, [0]) }), shape: [0], noGrad: true },
  add: binary(ag.add), sub: binary(ag.sub), mul: binary(ag.mul), div: binary(ag.div), pow: binary(ag.pow),
  maximum: binary(ag.maximum), minimum: binary(ag.minimum), atan2: binary(ag.atan2), logaddexp: binary(ag.logaddexp),
  eq: binary(ag.eq, true), ne: binary(ag.ne, true), lt: binary(ag.lt, true), le: binary(ag.le, true), gt: binary(ag.gt, true), ge: binary(ag.ge, true),
  where: binary((x, b) => ag.where(x.gt(0), x, b)),
  toDType: unary((x) => ag.toDType(x, 'float32')),
  neg: unary(ag.neg), exp: unary(ag.exp), log: unary(ag.log), log1p: unary(ag.log1p), sqrt: unary(ag.sqrt), rsqrt: unary(ag.rsqrt),
  square: unary(ag.square), abs: unary(ag.abs), sign: unaryNoGrad(ag.sign), sin: unary(ag.sin), cos: unary(ag.cos), tanh: unary(ag.tanh),
  erf: unary(ag.erf), clamp: unary((x) => ag.clamp(x, 0, 1)), sigmoid: unary(ag.sigmoid), logSigmoid: unary(ag.logSigmoid),
  relu: unary(ag.relu), leakyRelu: unary((x) => ag.leakyRelu(x)), elu: unary((x) => ag.elu(x)), gelu: unary((x) => ag.gelu(x)),
  softplus: unary((x) => ag.softplus(x)), silu: unary(ag.silu),
  tan: unary(ag.tan), asin: unary(ag.asin), acos: unary(ag.acos), atan: unary(ag.atan), sinh: unary(ag.sinh), cosh: unary(ag.cosh),
  asinh: unary(ag.asinh), acosh: unary(ag.acosh), atanh: unary(ag.atanh), erfc: unary(ag.erfc), expm1: unary(ag.expm1),
  floor: unary(ag.floor), ceil: unary(ag.ceil), trunc: unary(ag.trunc), frac: unary(ag.frac), round: unary((x) => ag.round(x)),
  isNaN: unaryNoGrad(ag.isNaN), isFinite: unaryNoGrad(ag.isFinite), isInf: unaryNoGrad(ag.isInf),
  hardtanh: unary((x) => ag.hardtanh(x)), relu6: unary(ag.relu6), selu: unary(ag.selu), mish: unary(ag.mish),
  prelu: unary((x) => ag.prelu(x, tensor([0.25], f64))),
  softmax: [unary((x) => ag.softmax(x, 0)), unary((x) => ag.softmax(x, 1))],
  logSoftmax: [unary((x) => ag.logSoftmax(x, 0)), unary((x) => ag.logSoftmax(x, 1))],
  logSumExp: reduce((x, a) => ag.logSumExp(x, a), -Infinity, -Infinity),
  // No rows: the mean is 0/0 (NaN, as torch's cross_entropy), the sum 0, the per-row losses empty.
  softmaxCrossEntropy: (['mean', 'sum', 'none'] as const).map((reduction) => ({
    run: () => { const x = E(); return { out: ag.softmaxCrossEntropy(x, zeros([0], { dtype: 'int32' }), { reduction }), inputs: [x] }; },
    shape: reduction === 'none' ? [0] : [],
    ...(reduction === 'none' ? {} : { values: [reduction === 'mean' ? NaN : 0] }),
  })),
  sum: reduce((x, a) => ag.sum(x, a), 0, 0),
  mean: reduce((x, a) => ag.mean(x, a), NaN, NaN),
  prod: reduce((x, a) => ag.prod(x, a), 1, 1),
  variance: reduce((x, a) => ag.variance(x, a), NaN, NaN),
  std: reduce((x, a) => ag.std(x, a), NaN, NaN),
  norm: [{ run: () => { const x = E(); return { out: ag.norm(x), inputs: [x] }; }, shape: [], values: [0] }, { run: () => { const x = E(); return { out: ag.norm(x, 2, 0), inputs: [x] }; }, shape: [3], values: [0, 0, 0] }],
  sumTo: { run: () => { const x = E(); return { out: ag.sumTo(x, [1, 3]), inputs: [x] }; }, shape: [1, 3], values: [0, 0, 0] },
  max: noIdentity((x, a) => ag.max(x, a)),
  min: noIdentity((x, a) => ag.min(x, a)),
  argmax: noIdentity((x, a) => ag.argmax(x, a), true),
  argmin: noIdentity((x, a) => ag.argmin(x, a), true),
  matmul: [
    { run: () => { const x = E(); return { out: ag.matmul(x, ones([3, 2], f64)), inputs: [x] }; }, shape: [0, 2] },
    { run: () => { const a = zeros([2, 0], { ...f64, requiresGrad: true }); return { out: ag.matmul(a, zeros([0, 3], f64)), inputs: [a] }; }, shape: [2, 3], values: [0, 0, 0, 0, 0, 0] },
  ],
  dot: { run: () => { const a = zeros([0], { ...f64, requiresGrad: true }); return { out: ag.dot(a, zeros([0], f64)), inputs: [a] }; }, shape: [], values: [0] },
  outer: { run: () => { const a = zeros([0], { ...f64, requiresGrad: true }); return { out: ag.outer(a, v3()), inputs: [a] }; }, shape: [0, 3] },
  einsum: { run: () => { const x = E(); return { out: ag.einsum('ij,jk->ik', x, ones([3, 2], f64)), inputs: [x] }; }, shape: [0, 2] },
  reshape: [{ ...unary((x) => ag.reshape(x, [3, 0])), shape: [3, 0] }, { ...unary((x) => ag.reshape(x, [-1])), shape: [0] }],
  permute: { ...unary((x) => ag.permute(x, [1, 0])), shape: [3, 0] },
  transpose: { ...unary((x) => ag.transpose(x, 0, 1)), shape: [3, 0] },
  expand: { ...unary((x) => ag.expand(x, [2, 0, 3])), shape: [2, 0, 3] },
  broadcastTo: { ...unary((x) => ag.broadcastTo(x, [2, 0, 3])), shape: [2, 0, 3] },
  squeeze: unary((x) => ag.squeeze(x)),
  unsqueeze: { ...unary((x) => ag.unsqueeze(x, 1)), shape: [0, 1, 3] },
  flatten: { ...unary((x) => ag.flatten(x)), shape: [0] },
  clone: unary(ag.clone), contiguous: unary(ag.contiguous),
  slice: [unary((x) => ag.slice(x, [0, 5])), { ...unary((x) => ag.slice(x, null, [1, 1])), shape: [0, 0] }],
  concat: { run: () => { const x = E(); return { out: ag.concat([x, ones([2, 3], f64)], 0), inputs: [x] }; }, shape: [2, 3], values: [1, 1, 1, 1, 1, 1] },
  stack: { run: () => { const x = E(); return { out: ag.stack([x, x]), inputs: [x] }; }, shape: [2, 0, 3] },
  split: { run: () => { const x = E(); return { out: ag.split(x, 2, 0), inputs: [x] }; }, shape: [0, 3] },
  chunk: { run: () => { const x = E(); return { out: ag.chunk(x, 2, 0), inputs: [x] }; }, shape: [0, 3] },
  unbind: { run: () => { const x = E(); return { out: ag.unbind(x, 1), inputs: [x] }; }, shape: [0] },
  narrow: unary((x) => ag.narrow(x, 0, 0, 0)),
  pad: { ...unary((x) => ag.pad(x, [1, 1])), shape: [0, 5] },
  gather: unary((x) => ag.gather(x, 1, zeros([0, 3], f64))),
  scatterAdd: { run: () => { const x = E(); return { out: ag.scatterAdd(x, 1, zeros([0, 2], f64), zeros([0, 2], f64)), inputs: [x] }; }, shape: [0, 3] },
  indexSelect: [{ ...unary((x) => ag.indexSelect(x, 1, [0, 2])), shape: [0, 2] }, { run: () => { const x = v3().requiresGrad_(); return { out: ag.indexSelect(x, 0, []), inputs: [x] }; }, shape: [0] }],
  indexAdd: unary((x) => ag.indexAdd(x, 1, [0], zeros([0, 1], f64))),
  take: { run: () => { const x = v3().requiresGrad_(); return { out: ag.take(x, zeros([0], f64)), inputs: [x] }; }, shape: [0] },
  takeAlongDim: unary((x) => ag.takeAlongDim(x, zeros([0, 3], f64), 1)),
  maskedFill: unary((x) => ag.maskedFill(x, x.gt(0), 5)),
  tril: unary((x) => ag.tril(x)), triu: unary((x) => ag.triu(x)),
  flip: unary((x) => ag.flip(x, [0, 1])), roll: unary((x) => ag.roll(x, 1, 0)),
  repeat: { ...unary((x) => ag.repeat(x, [2, 1])), shape: [0, 3] },
  tile: { ...unary((x) => ag.tile(x, [1, 2])), shape: [0, 6] },
  cumsum: [unary((x) => ag.cumsum(x, 0)), unary((x) => ag.cumsum(x, 1))],
  cumprod: [unary((x) => ag.cumprod(x, 0)), unary((x) => ag.cumprod(x, 1))],
  argsort: unaryNoGrad((x) => ag.argsort(x, 0)),
  sort: { run: () => { const x = E(); return { out: ag.sort(x, 0).values, inputs: [x] }; }, shape: [0, 3] },
  topk: { run: () => { const x = E(); return { out: ag.topk(x, 0, 1).values, inputs: [x] }; }, shape: [0, 0] },
  oneHot: [{ run: () => ({ out: ag.oneHot(zeros([0], { dtype: 'int32' }), 3) }), shape: [0, 3], noGrad: true }, { error: () => ag.oneHot(zeros([0], { dtype: 'int32' })) }],
  conv2d: { run: () => { const x = img0(); return { out: ag.conv2d(x, ones([2, 1, 3, 3], f64)), inputs: [x] }; }, shape: [0, 2, 2, 2] },
  conv2dInputGrad: { run: () => ({ out: ag.conv2dInputGrad(zeros([0, 2, 2, 2], f64), ones([2, 1, 3, 3], f64), [0, 1, 4, 4]) }), shape: [0, 1, 4, 4], noGrad: true },
  conv2dWeightGrad: { run: () => ({ out: ag.conv2dWeightGrad(img0(), zeros([0, 2, 2, 2], f64), [2, 1, 3, 3]) }), shape: [2, 1, 3, 3], values: new Array<number>(18).fill(0), noGrad: true },
  conv1d: { run: () => { const x = zeros([0, 1, 5], { ...f64, requiresGrad: true }); return { out: ag.conv1d(x, ones([2, 1, 3], f64)), inputs: [x] }; }, shape: [0, 2, 3] },
  convTranspose2d: { run: () => { const x = img0(); return { out: ag.convTranspose2d(x, ones([1, 2, 3, 3], f64)), inputs: [x] }; }, shape: [0, 2, 6, 6] },
  convTranspose1d: { run: () => { const x = zeros([0, 1, 5], { ...f64, requiresGrad: true }); return { out: ag.convTranspose1d(x, ones([1, 2, 3], f64)), inputs: [x] }; }, shape: [0, 2, 7] },
  maxPool2d: { run: () => { const x = img0(); return { out: ag.maxPool2d(x, { kernelSize: 2 }), inputs: [x] }; }, shape: [0, 1, 2, 2] },
  avgPool2d: { run: () => { const x = img0(); return { out: ag.avgPool2d(x, { kernelSize: 2 }), inputs: [x] }; }, shape: [0, 1, 2, 2] },
  maxPool1d: { run: () => { const x = zeros([0, 1, 4], { ...f64, requiresGrad: true }); return { out: ag.maxPool1d(x, { kernelSize: 2 }), inputs: [x] }; }, shape: [0, 1, 2] },
  avgPool1d: { run: () => { const x = zeros([0, 1, 4], { ...f64, requiresGrad: true }); return { out: ag.avgPool1d(x, { kernelSize: 2 }), inputs: [x] }; }, shape: [0, 1, 2] },
  maxUnpool2d: { run: () => { const x = zeros([0, 1, 2, 2], { ...f64, requiresGrad: true }); return { out: ag.maxUnpool2d(x, zeros([0, 1, 2, 2], { dtype: 'int32' }), { kernelSize: 2 }), inputs: [x] }; }, shape: [0, 1, 4, 4] },
  unfold: { run: () => { const x = img0(); return { out: ag.unfold(x, { kernelSize: 2 }), inputs: [x] }; }, shape: [0, 4, 9] },
  fold: { run: () => { const x = zeros([0, 4, 9], { ...f64, requiresGrad: true }); return { out: ag.fold(x, { outputSize: [4, 4], kernelSize: 2 }), inputs: [x] }; }, shape: [0, 1, 4, 4] },
  scaledDotProductAttention: [
    { run: () => { const q = zeros([0, 2, 4], { ...f64, requiresGrad: true }); return { out: ag.scaledDotProductAttention(q, zeros([0, 2, 4], f64), zeros([0, 2, 4], f64)), inputs: [q] }; }, shape: [0, 2, 4] },
    // No keys: every query attends to nothing, which torch's math backend returns as zeros.
    { run: () => { const q = ones([1, 2, 4], { ...f64, requiresGrad: true }); return { out: ag.scaledDotProductAttention(q, zeros([1, 0, 4], f64), zeros([1, 0, 4], f64)), inputs: [q] }; }, shape: [1, 2, 4], values: new Array<number>(8).fill(0) },
  ],
};

const sameValues = (got: ArrayLike<number>, want: readonly number[]) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => (Number.isNaN(w) ? expect(Number.isNaN(got[i]!)).toBe(true) : expect(got[i]).toBe(w)));
};

describe('size-0 tensors through every op', () => {
  it('has a row for every function export of @tapegrad/autograd', () => {
    const exported = Object.keys(ag).filter((k) => typeof (ag as Record<string, unknown>)[k] === 'function');
    expect(exported.filter((k) => !(k in rows)), 'add a row to size-zero.test.ts').toEqual([]);
  });

  const cases = Object.entries(rows).flatMap(([name, r]) => (Array.isArray(r) ? r : [r]).map((row, i) => [`${name}${Array.isArray(r) ? ` #${i + 1}` : ''}`, name, row] as const));
  it.each(cases.filter(([, , r]) => !('none' in r)))('%s', (_label, name, row) => {
    if ('error' in row) {
      expect(row.error).toThrow(new RegExp(`^${name}: `));
      return;
    }
    const s = row as Sweep;
    const { out, inputs = [] } = s.run();
    const first = out instanceof Tensor ? out : out[0]!;
    expect(first.shape).toEqual(s.shape);
    if (s.values) sameValues(first.contiguousData(), s.values);
    if (s.noGrad) return;
    // Backward through every output: the input's gradient has the input's shape (zeros where it is empty).
    const outs = out instanceof Tensor ? [out] : [...out];
    const total = outs.map((o) => o.sum()).reduce((a, b) => a.add(b));
    total.backward();
    for (const x of inputs) {
      expect(x.grad?.shape).toEqual(x.shape);
      expect(Array.from(x.grad!.contiguousData()).every((g) => g === 0 || Number.isFinite(g))).toBe(true);
    }
  });
});

describe('size-0 dimensions under broadcasting', () => {
  // A 0 meets 1 (or nothing) and stays 0, as NumPy/PyTorch broadcast; gradients come back in each input's shape.
  const ops: [string, (a: Tensor, b: Tensor) => Tensor][] = [['add', ag.add], ['mul', ag.mul], ['maximum', ag.maximum], ['where', (a, b) => ag.where(a.gt(0), a, b)]];
  it.each(ops)('%s', (_name, f) => {
    fc.assert(
      fc.property(broadcastShapesArb(2, { minDim: 0, maxDim: 2, maxRank: 3 }), ([sa, sb]) => {
        const a = zeros(sa!, { ...f64, requiresGrad: true });
        const b = ones(sb!, { ...f64, requiresGrad: true });
        const rank = Math.max(sa!.length, sb!.length);
        const pad = (s: number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
        const want = pad(sa!).map((d, i) => (d === 1 ? pad(sb!)[i]! : d));
        const y = f(a, b);
        expect(y.shape).toEqual(want);
        y.sum().backward();
        expect(a.grad?.shape).toEqual(sa);
        expect(b.grad?.shape).toEqual(sb);
      }),
      { seed: 0, numRuns: 40 },
    );
  });
});
