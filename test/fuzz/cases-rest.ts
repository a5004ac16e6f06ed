// Fuzz rows for @tapegrad/nn, optim, data, train and onnx (and their ./node entries).
import fc from 'fast-check';
import { tensor, randn, type Tensor } from '@tapegrad/autograd';
import * as nn from '@tapegrad/nn';
import * as nnNode from '@tapegrad/nn/node';
import * as optim from '@tapegrad/optim';
import * as data from '@tapegrad/data';
import * as dataNode from '@tapegrad/data/node';
import * as train from '@tapegrad/train';
import * as trainNode from '@tapegrad/train/node';
import * as onnx from '@tapegrad/onnx';
import { ctor, fn, method, type Kind, type KindOrArb, type Row } from './kit.js';

const f64 = { dtype: 'float64' } as const;
const x = (): Tensor => tensor([[1, 2, 3], [4, 5, 6]], f64);
const img = (): Tensor => randn([1, 2, 4, 4], f64);
const lin = (): nn.Linear => new nn.Linear(3, 2, f64);
/** A layer's forward with a spoiled input: `new C(...args).forward(input())`. */
const layer = (C: unknown, args: unknown[], input: () => unknown = x, ...more: Kind[]): Row => ({
  ...method(() => new (C as new (...a: unknown[]) => nn.Module)(...args), 'forward', () => [input()], 't', ...more),
  name: (C as { name: string }).name,
});
const lossFn = (f: unknown, target: () => Tensor = x, o: object = {}): Row => fn(f, () => [x(), target(), { ...o }], 't', 't', 'cfg');
const lossModule = (C: unknown): Row => ({ ...method(() => new (C as new () => nn.Module)(), 'forward', () => [x().sigmoid(), x().sigmoid()], 't', 't'), name: (C as { name: string }).name });
const opt = (C: unknown, o: object): Row => ({ ...ctor(C, () => [lin().parameters(), { lr: 0.1, weightDecay: 0.01, ...o }], 'ts', 'cfg'), name: (C as { name: string }).name });
const sched = (C: unknown, o: object): Row => ({ ...ctor(C, () => [new optim.SGD(lin().parameters(), { lr: 0.1 }), o], 't', 'cfg'), name: (C as { name: string }).name });

export const nnRows: Record<string, Row> = {
  Linear: layer(nn.Linear, [3, 2, f64]),
  Identity: layer(nn.Identity, []), ReLU: layer(nn.ReLU, []), Sigmoid: layer(nn.Sigmoid, []), Tanh: layer(nn.Tanh, []),
  GELU: layer(nn.GELU, []), SELU: layer(nn.SELU, []), SiLU: layer(nn.SiLU, []), Mish: layer(nn.Mish, []), ReLU6: layer(nn.ReLU6, []),
  Hardtanh: layer(nn.Hardtanh, []), LeakyReLU: layer(nn.LeakyReLU, []), PReLU: layer(nn.PReLU, [1, 0.25, f64]),
  Softmax: layer(nn.Softmax, []), LogSoftmax: layer(nn.LogSoftmax, []), Flatten: layer(nn.Flatten, []), Dropout: layer(nn.Dropout, [0.5]),
  LayerNorm: layer(nn.LayerNorm, [3, f64]),
  BatchNorm1d: { ...layer(nn.BatchNorm1d, [3, f64]), name: 'BatchNorm' }, BatchNorm2d: { ...layer(nn.BatchNorm2d, [2, f64], img), name: 'BatchNorm' },
  BatchNorm: { ...layer(nn.BatchNorm1d, [3, f64]), name: 'BatchNorm' }, Conv2d: layer(nn.Conv2d, [2, 1, 3, f64], img),
  MaxPool2d: layer(nn.MaxPool2d, [2, { ceilMode: true }], img), AvgPool2d: layer(nn.AvgPool2d, [2, { divisorOverride: 3 }], img),
  MaxUnpool2d: { ...method(() => new nn.MaxUnpool2d(2), 'forward', () => [tensor([[[[1, 2]]]], f64), tensor([[[[0, 3]]]], { dtype: 'int32' })], 't', 't'), name: 'MaxUnpool2d' },
  MaxPool1d: layer(nn.MaxPool1d, [2, { dilation: 1 }]), AvgPool1d: layer(nn.AvgPool1d, [2, { countIncludePad: false }]),
  Conv1d: layer(nn.Conv1d, [2, 1, 2, { ...f64, padding: 'same', paddingMode: 'reflect' }], () => x().unsqueeze(0)),
  ConvTranspose1d: layer(nn.ConvTranspose1d, [2, 1, 2, { ...f64, stride: 2 }], () => x().unsqueeze(0)),
  // ConvNd is abstract: its subclasses' forward stands in for it.
  ConvNd: layer(nn.ConvTranspose2d, [2, 1, 3, f64], img),
  ConvTranspose2d: layer(nn.ConvTranspose2d, [2, 1, 3, { ...f64, stride: 2, outputPadding: 1 }], img),
  Embedding: layer(nn.Embedding, [5, 2, f64], () => tensor([0, 4])),
  Sequential: layer(nn.Sequential, [lin()]),
  // ModuleList() (undefined) is an empty list, as in torch.
  ModuleList: ctor(nn.ModuleList, () => [[lin()]], fc.constantFrom(3, 'abc', {}, [1, 2], [null], [lin(), 'x'], true)),
  Module: { ...method(lin, 'loadStateDict', (m) => [m.stateDict(), {}], 'opts', 'opts'), name: 'loadStateDict' },
  Parameter: ctor(nn.Parameter, () => [x()], 't'),
  BufferTensor: ctor(nn.BufferTensor, () => [x()], 't'),
  parameter: fn(nn.parameter, () => [x()], 't'),
  buffer: fn(nn.buffer, () => [x()], 't'),
  MultiheadAttention: { ...method(() => new nn.MultiheadAttention(4, 2, f64), 'forward', () => [randn([1, 2, 4], f64), randn([1, 2, 4], f64), randn([1, 2, 4], f64)], 't', 't', 't'), name: 'MultiheadAttention' },
  TransformerEncoderLayer: { ...method(() => new nn.TransformerEncoderLayer(4, 2, f64), 'forward', () => [randn([1, 2, 4], f64)], 't'), name: 'TransformerEncoderLayer' },
  TransformerDecoderLayer: { ...method(() => new nn.TransformerDecoderLayer(4, 2, f64), 'forward', () => [randn([1, 2, 4], f64), randn([1, 2, 4], f64)], 't', 't'), name: 'TransformerDecoderLayer' },
  TransformerEncoder: ctor(nn.TransformerEncoder, () => [new nn.TransformerEncoderLayer(4, 2, f64), 2], 't', 'int'),
  TransformerDecoder: ctor(nn.TransformerDecoder, () => [new nn.TransformerDecoderLayer(4, 2, f64), 2], 't', 'int'),
  generateSquareSubsequentMask: fn(nn.generateSquareSubsequentMask, () => [3, {}], 'int', 'opts'),
  mseLoss: lossFn(nn.mseLoss, x, { reduction: 'sum' }), l1Loss: lossFn(nn.l1Loss, x, { reduction: 'none' }),
  huberLoss: lossFn(nn.huberLoss, x, { delta: 0.5, reduction: 'mean' }),
  binaryCrossEntropy: fn(nn.binaryCrossEntropy, () => [x().sigmoid(), x().sigmoid(), { weight: tensor([1, 2, 3], f64), reduction: 'sum' }], 't', 't', 'cfg'),
  binaryCrossEntropyWithLogits: lossFn(nn.binaryCrossEntropyWithLogits, () => x().sigmoid(), { weight: tensor([1, 2, 3], f64), posWeight: tensor([2, 2, 2], f64) }),
  crossEntropy: fn(nn.crossEntropy, () => [x(), tensor([0, 2], { dtype: 'int32' }), { weight: tensor([1, 2, 3], f64), ignoreIndex: -1, labelSmoothing: 0.1, reduction: 'mean' }], 't', 't', 'cfg'),
  nllLoss: fn(nn.nllLoss, () => [x().logSoftmax(), tensor([0, 2], { dtype: 'int32' }), { weight: tensor([1, 2, 3], f64), ignoreIndex: -1, reduction: 'sum' }], 't', 't', 'cfg'),
  MSELoss: lossModule(nn.MSELoss), L1Loss: lossModule(nn.L1Loss), HuberLoss: lossModule(nn.HuberLoss), BCELoss: lossModule(nn.BCELoss),
  BCEWithLogitsLoss: lossModule(nn.BCEWithLogitsLoss),
  CrossEntropyLoss: { ...method(() => new nn.CrossEntropyLoss(), 'forward', () => [x(), tensor([0, 2])], 't', 't'), name: 'CrossEntropyLoss' },
  NLLLoss: { ...method(() => new nn.NLLLoss(), 'forward', () => [x(), tensor([0, 2])], 't', 't'), name: 'NLLLoss' },
  RNNCell: ctor(nn.RNNCell, () => [3, 2, f64], 'int', 'int', 'opts'), LSTMCell: ctor(nn.LSTMCell, () => [3, 2, f64], 'int', 'int', 'opts'),
  GRUCell: ctor(nn.GRUCell, () => [3, 2, f64], 'int', 'int', 'opts'), RNN: ctor(nn.RNN, () => [3, 2, f64], 'int', 'int', 'opts'),
  LSTM: ctor(nn.LSTM, () => [3, 2, f64], 'int', 'int', 'opts'), GRU: ctor(nn.GRU, () => [3, 2, f64], 'int', 'int', 'opts'),
  AdaptiveAvgPool1d: ctor(nn.AdaptiveAvgPool1d, () => [2], 'int'), AdaptiveAvgPool2d: ctor(nn.AdaptiveAvgPool2d, () => [2], 'shape'),
  AdaptiveMaxPool2d: ctor(nn.AdaptiveMaxPool2d, () => [2], 'shape'), GroupNorm: ctor(nn.GroupNorm, () => [1, 2, f64], 'int', 'int', 'opts'),
  InstanceNorm2d: ctor(nn.InstanceNorm2d, () => [2, f64], 'int', 'opts'), ModuleDict: ctor(nn.ModuleDict, () => [{ a: lin() }], 'opts'),
  PixelShuffle: ctor(nn.PixelShuffle, () => [2], 'int'), PixelUnshuffle: ctor(nn.PixelUnshuffle, () => [2], 'int'),
  Upsample: ctor(nn.Upsample, () => [{ scaleFactor: 2 }], 'opts'),
  Loss: { none: 'abstract base of the loss modules above' },
  // The inputs go to the module's forward, whose own row fuzzes them.
  functionalCall: fn(nn.functionalCall, () => [lin(), { bias: tensor([0, 0], f64) }, x()], 't', 'opts', '-'),
  init: fn(nn.init.uniform, () => [x(), {}], 't', 'opts'),
};
(nnRows.init as { name?: string }).name = 'init.uniform';

// Constructors of the layers whose rows above fuzz forward: sizes, options (unknown keys and wrong
// values for the known ones, via 'cfg'), naming the class.
const ctorRow = (C: unknown, args: () => unknown[], ...kinds: KindOrArb[]): Row => ({ ...ctor(C, args, ...kinds), name: (C as { name: string }).name });
Object.assign(nnRows, {
  'Linear#new': ctorRow(nn.Linear, () => [3, 2, { bias: true, ...f64 }], 'int', 'int', 'cfg'),
  'Conv2d#new': ctorRow(nn.Conv2d, () => [2, 1, 3, { stride: 1, padding: 1, bias: false, ...f64 }], 'int', 'int', 'int', 'cfg'),
  'LayerNorm#new': ctorRow(nn.LayerNorm, () => [3, { eps: 1e-5, elementwiseAffine: true, ...f64 }], 'int', 'cfg'),
  'BatchNorm1d#new': ctorRow(nn.BatchNorm1d, () => [3, { eps: 1e-5, momentum: 0.1, affine: true, ...f64 }], 'int', 'cfg'),
  'BatchNorm2d#new': ctorRow(nn.BatchNorm2d, () => [3, { trackRunningStats: true, ...f64 }], 'int', 'cfg'),
  'Embedding#new': ctorRow(nn.Embedding, () => [5, 2, { paddingIdx: 0, ...f64 }], 'int', 'int', 'cfg'),
  'Dropout#new': ctorRow(nn.Dropout, () => [0.5, {}], fc.constantFrom(-0.1, 1.5, NaN, 'a', {}, null, true), 'cfg'),
  'MaxPool2d#new': ctorRow(nn.MaxPool2d, () => [2, { stride: 2 }], 'int', 'cfg'),
  'AvgPool2d#new': ctorRow(nn.AvgPool2d, () => [2, { stride: 2, countIncludePad: true }], 'int', 'cfg'),
  'LeakyReLU#new': ctorRow(nn.LeakyReLU, () => [0.1], 'fin'),
  'Softmax#new': ctorRow(nn.Softmax, () => [1], 'sint'),
  'LogSoftmax#new': ctorRow(nn.LogSoftmax, () => [1], 'sint'),
  'PReLU#new': ctorRow(nn.PReLU, () => [1, 0.25, f64], 'int', 'fin', 'cfg'),
  'MultiheadAttention#new': ctorRow(nn.MultiheadAttention, () => [4, 2, { batchFirst: true, ...f64 }], 'int', 'int', 'cfg'),
  'TransformerEncoderLayer#new': ctorRow(nn.TransformerEncoderLayer, () => [4, 2, { dimFeedforward: 8, ...f64 }], 'int', 'int', 'cfg'),
  'GroupNorm#new': ctorRow(nn.GroupNorm, () => [1, 2, { eps: 1e-5, affine: true, ...f64 }], 'int', 'int', 'cfg'),
  'RNN#new': ctorRow(nn.RNN, () => [3, 2, { numLayers: 1, batchFirst: true, ...f64 }], 'int', 'int', 'cfg'),
  'Module#forward': { ...method(lin, 'forward', () => [x()], fc.constantFrom([[1, 2, 3]], [1, 2, 3], 'abc', null, undefined, 3, {})), name: 'Linear' },
});

const tmp = (): string => `${process.env.FUZZ_DIR}/m-${Math.random().toString(36).slice(2)}.tg`;
export const nnNodeRows: Record<string, Row> = {
  saveModel: fn(nnNode.saveModel, () => [lin(), tmp()], 't', 'str'),
  loadModel: fn(nnNode.loadModel, () => [lin(), `${process.env.FUZZ_DIR}/missing.tg`], 't', 'str'),
};

/** An Adam that has taken a step, so its state dict has per-parameter state to spoil. */
const adamStepped = (): optim.Adam => {
  const params = lin().parameters();
  const o = new optim.Adam(params, { lr: 0.1 });
  for (const p of params) p.grad = randn(p.shape, f64);
  o.step();
  return o;
};
export const optimRows: Record<string, Row> = {
  SGD: opt(optim.SGD, { momentum: 0.9, dampening: 0, nesterov: true, maximize: false }),
  Adam: opt(optim.Adam, { betas: [0.9, 0.99], eps: 1e-8, amsgrad: true, maximize: false }),
  AdamW: opt(optim.AdamW, { betas: [0.9, 0.99], eps: 1e-8, amsgrad: false, maximize: true }),
  RMSprop: opt(optim.RMSprop, { alpha: 0.9, eps: 1e-8, momentum: 0.5, centered: true, maximize: false }),
  Adagrad: opt(optim.Adagrad, { lrDecay: 0.01, initialAccumulatorValue: 0.1, eps: 1e-10, maximize: false }),
  Optimizer: { ...method(adamStepped, 'loadStateDict', (o) => [o.stateDict()], 'cfg'), name: 'Adam' },
  LRScheduler: { ...method(() => new optim.StepLR(new optim.SGD(lin().parameters(), { lr: 0.1 }), { stepSize: 2 }), 'loadStateDict', (s) => [s.stateDict()], 'cfg'), name: 'StepLR' },
  StepLR: sched(optim.StepLR, { stepSize: 2, gamma: 0.5 }), MultiStepLR: sched(optim.MultiStepLR, { milestones: [2], gamma: 0.5 }),
  ExponentialLR: sched(optim.ExponentialLR, { gamma: 0.9 }), CosineAnnealingLR: sched(optim.CosineAnnealingLR, { tMax: 5, etaMin: 0.01 }),
  LinearLR: sched(optim.LinearLR, { startFactor: 0.5, endFactor: 1, totalIters: 3 }), LambdaLR: sched(optim.LambdaLR, { lrLambda: () => 1 }),
  ReduceLROnPlateau: sched(optim.ReduceLROnPlateau, { mode: 'min', factor: 0.5, patience: 2, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8 }),
  SequentialLR: { none: 'composes schedulers built above; its constructor options are checked through them' },
  clipGradNorm: fn(optim.clipGradNorm, () => [lin().parameters(), 1, 2, {}], 'ts', 'num', 'num', 'opts'),
  clipGradValue: fn(optim.clipGradValue, () => [lin().parameters(), 1], 'ts', 'num'),
  flattenStateDict: fn(optim.flattenStateDict, () => [new optim.Adam(lin().parameters()).stateDict(), 'optim.'], 'opts', 'text'),
  unflattenStateDict: fn(optim.unflattenStateDict, () => [{}, { state: {}, paramGroups: [] }, 'optim.'], 'opts', '-', 'text'),
  encodeJson: fn(optim.encodeJson, () => [{ a: 1 }], 'json'),
  decodeJson: fn(optim.decodeJson, () => [{ a: { $number: 'Infinity' } }], 'json'),
};

const table = (): data.Table => new data.Table({ a: [1, 2], b: ['x', 'y'] } as never);
const ds = (): data.TensorDataset => new data.TensorDataset(x(), tensor([0, 1], { dtype: 'int32' }));
const idx = (): Uint8Array => new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 7]);
const mnistImages = (): Uint8Array => new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4]);
const mnistLabels = (): Uint8Array => new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 7]);
export const dataRows: Record<string, Row> = {
  TensorDataset: ctor(data.TensorDataset, () => [x(), x()], 't', 't'),
  Subset: ctor(data.Subset, () => [ds(), [0, 1]], 't', 'shape'),
  DataLoader: ctor(data.DataLoader, () => [ds(), { batchSize: 1, shuffle: true, dropLast: false, seed: 3 }], 't', 'cfg'),
  MinMaxScaler: { ...method(() => new data.MinMaxScaler({ range: [0, 1] }), 'fit', () => [x()], 't'), name: 'MinMaxScaler' },
  StandardScaler: { ...method(() => new data.StandardScaler({ withMean: true, withStd: true }), 'fit', () => [x()], 't'), name: 'StandardScaler' },
  OneHotEncoder: ctor(data.OneHotEncoder, () => [{ handleUnknown: 'ignore', categories: [[0, 1]] }], 'cfg'),
  Table: { ...method(table, 'column', () => ['a'], 'str'), name: 'Table' },
  collate: fn(data.collate, () => [[[x(), 1], [x(), 2]]], fc.constantFrom(undefined, 3, 'abc', {}, [], [null, null], [x(), 'x'], [[x(), 1], [x()]], [x(), tensor([1])], [() => 1])),
  fromArrays: fn(data.fromArrays, () => [[[1, 2]], { names: ['a', 'b'] }], fc.constantFrom(undefined, 3, 'abc', null, true, [3], [[1, 2], { a: 1 }], { a: 3 }, [[1, 2, 3]], [[true, 1]], [[1, 'x'], ['y', 2]], new Map()), 'cfg'),
  materialize: fn(data.materialize, () => [ds()], 't'),
  oneHot: fn(data.oneHot, () => [[0, 1], 2], 't', 'int'),
  parseIdx: fn(data.parseIdx, () => [idx(), 'x.idx'], 't', 'text'),
  parseMnist: fn(data.parseMnist, () => [mnistImages(), mnistLabels(), { normalize: true }], 't', 't', 'cfg'),
  randomSplit: fn(data.randomSplit, () => [ds(), [1, 1], 3], 't', 'shape', fc.constantFrom(1.5, NaN, Infinity, 'a', {}, true, null)),
  readCsv: fn(data.readCsv, () => [{ text: 'a,b\n1,2\n', name: 'f.csv' }, { header: true, delimiter: ',', columnTypes: { a: 'number' }, naValues: ['NA'], names: ['a', 'b'] }], 'cfg', 'cfg'),
  trainValTestSplit: fn(data.trainValTestSplit, () => [ds(), { val: 0.2, test: 0.2, seed: 1, shuffle: true }], 't', 'cfg'),
};
export const dataNodeRows: Record<string, Row> = {
  readCsv: fn(dataNode.readCsv, () => [`${process.env.FUZZ_DIR}/missing.csv`, { header: true, delimiter: ';' }], 'str', 'cfg'),
  readIdx: fn(dataNode.readIdx, () => [`${process.env.FUZZ_DIR}/missing.idx`], 'str'),
  loadMnist: fn(dataNode.loadMnist, () => [`${process.env.FUZZ_DIR}/i.idx`, `${process.env.FUZZ_DIR}/l.idx`, { normalize: false }], 'str', 'str', 'cfg'),
};

const batches = (): [Tensor, Tensor][] => [[x(), tensor([0, 1], { dtype: 'int32' })]];
const run = () => {
  const model = lin();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
  return { model, optimizer, scheduler: new optim.StepLR(optimizer, { stepSize: 1 }), earlyStopping: new train.EarlyStopping({ monitor: 'trainLoss' }) };
};
const record = () => ({ epoch: 0, trainLoss: 1, valLoss: 0.5, valAccuracy: 0.5 });
export const trainRows: Record<string, Row> = {
  fit: fn(train.fit, () => [{ ...run(), loss: nn.crossEntropy, trainData: batches(), valData: batches(), epochs: 1, metrics: { accuracy: train.accuracy }, monitor: 'valLoss', progress: false, onEpochEnd: () => undefined }], 'cfg'),
  trainStep: fn(train.trainStep, () => [{ ...run(), scheduler: undefined, earlyStopping: undefined, inputs: x(), targets: tensor([0, 1], { dtype: 'int32' }), loss: nn.crossEntropy, epoch: 0, batch: 0 }], 'cfg'),
  evaluate: fn(train.evaluate, () => [lin(), batches(), { loss: nn.crossEntropy, metrics: { accuracy: train.accuracy } }], 't', 'ts', 'cfg'),
  accuracy: fn(train.accuracy, () => [x(), tensor([0, 2])], 't', 't'),
  historyToSvg: fn(train.historyToSvg, () => [[record()], { width: 300, height: 200, xKey: 'epoch', epochOffset: 1, bestEpoch: 0, panels: [{ title: 'Loss', series: ['trainLoss', { key: 'valLoss', dashed: true }] }] }], 'ts', 'cfg'),
  formatEpochLine: { ...fn(train.formatEpochLine, () => [record(), 5], 'cfg', 'int'), nonFiniteOk: true },
  EarlyStopping: ctor(train.EarlyStopping, () => [{ monitor: 'valLoss', mode: 'min', patience: 2, minDelta: 0.1, restoreBestWeights: true }], 'cfg'),
  ProgressReporter: ctor(train.ProgressReporter, () => [{ epochs: 3, stream: { write: () => true }, now: () => 0, mode: 'lines', minInterval: 10 }], 'cfg'),
  serializeCheckpoint: fn(train.serializeCheckpoint, () => [run(), { epoch: 1, history: [record()] }], 'cfg', 'cfg'),
  restoreCheckpoint: fn(train.restoreCheckpoint, () => {
    const saved = run();
    return [train.serializeCheckpoint(saved, { epoch: 1 }), run()];
  }, 't', 'cfg'),
};
export const trainNodeRows: Record<string, Row> = {
  saveCheckpoint: fn(trainNode.saveCheckpoint, () => [tmp(), run(), { epoch: 0, history: [] }], 'str', 'cfg', 'cfg'),
  loadCheckpoint: fn(trainNode.loadCheckpoint, () => [`${process.env.FUZZ_DIR}/missing.tg`, run()], 'str', 'cfg'),
  readCheckpoint: fn(trainNode.readCheckpoint, () => [`${process.env.FUZZ_DIR}/missing.tg`], 'str'),
  checkpointDir: fn(trainNode.checkpointDir, () => [`${process.env.FUZZ_DIR}/ck`], 'str'),
  saveHistorySvg: fn(trainNode.saveHistorySvg, () => [tmp(), [record()], { width: 300 }], 'str', 'ts', 'cfg'),
};
export const onnxRows: Record<string, Row> = {
  exportOnnx: fn(onnx.exportOnnx, () => [lin(), [x()], { opset: 17 }], 't', fc.constantFrom(undefined, 3, 'abc', {}, [null], [x(), 'x'], [randn([2, 5], f64)], [tensor([1, 2], f64)], []), 'cfg'),
  importOnnx: fn(onnx.importOnnx, () => [onnx.exportOnnx(lin(), [x()])], 't'),
  OnnxModel: { none: 'built by importOnnx (its constructor is internal)' },
};
