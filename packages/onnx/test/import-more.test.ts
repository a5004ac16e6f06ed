// importOnnx on PyTorch's LSTM/GRU graphs (ONNX LSTM/GRU nodes), the newer ops both ways, and
// export → import → export round trips that give the same graph.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tg from '@tapegrad/autograd';
import { manualSeed, rand, randn, tensor, type Tensor } from '@tapegrad/autograd';
import { loadSafetensors } from '@tapegrad/autograd/node';
import { Conv2d, GRU, GroupNorm, LSTM, Linear, Mish, Module, PReLU, RNN, SELU, Sequential, mseLoss } from '@tapegrad/nn';
import { Adam } from '@tapegrad/optim';
import { exportOnnx, importOnnx } from '../src/index.js';
import { decodeModel } from '../src/proto.js';
import { expectClose, runOrt } from './ort.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'interop');
const maxDiff = (a: Tensor, b: Tensor) => {
  expect(a.shape).toEqual(b.shape);
  const y = b.contiguousData();
  return Array.from(a.contiguousData()).reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
};

describe('importOnnx: LSTM and GRU nodes from torch.onnx.export', () => {
  const cases: [string, string[], string[]][] = [
    ['lstm', ['input', 'h0', 'c0'], ['output', 'h_n', 'c_n']], // 2 layers, bidirectional, batch first, initial states
    ['gru', ['input', 'h0'], ['output', 'h_n']], // bidirectional, sequence first, initial state
  ];
  it.each(cases)('%s: PyTorch\'s outputs and final states to 1e-5; a few Adam steps lower the loss', (name, inputs, outputs) => {
    const bytes = readFileSync(join(fixtures, `${name}.onnx`));
    const ops = decodeModel(bytes).graph.node.map((n) => n.op_type);
    expect(ops).toContain(name.toUpperCase());
    const model = importOnnx(bytes);
    const io = loadSafetensors(join(fixtures, `${name}.io.safetensors`));
    const args = inputs.map((k) => io[k]!);
    const ys = model.forward(...args) as Tensor[];
    outputs.forEach((k, i) => expect(maxDiff(ys[i]!, io[k]!)).toBeLessThan(1e-5));
    expect(model.parameters().length).toBeGreaterThan(0);
    const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
    const target = io.output!.mul(0.5);
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      optimizer.zeroGrad();
      const loss = mseLoss((model.forward(...args) as Tensor[])[0]!, target);
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
    }
    expect(losses[4]!).toBeLessThan(losses[0]! * 0.9);
  });
});

describe('importOnnx: operators PyTorch writes for newer layers', () => {
  it('HardSwish, HardSigmoid, Mish, Selu, PRelu, TopK, Einsum, DepthToSpace, InstanceNormalization, CumSum, Trilu, masked fill: PyTorch\'s output to 1e-5, and it fine-tunes', () => {
    const bytes = readFileSync(join(fixtures, 'ops.onnx'));
    const ops = new Set(decodeModel(bytes).graph.node.map((n) => n.op_type));
    for (const op of ['HardSwish', 'HardSigmoid', 'Mish', 'Selu', 'PRelu', 'TopK', 'Einsum', 'DepthToSpace', 'InstanceNormalization', 'CumSum', 'Trilu', 'Greater', 'Where', 'Atan', 'Floor']) expect(ops).toContain(op);
    const model = importOnnx(bytes);
    const io = loadSafetensors(join(fixtures, 'ops.io.safetensors'));
    expect(maxDiff(model.forward(io.input!) as Tensor, io.output!)).toBeLessThan(1e-5);
    const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      optimizer.zeroGrad();
      const loss = mseLoss(model.forward(io.input!) as Tensor, io.output!.mul(0.5));
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
    }
    expect(losses[4]!).toBeLessThan(losses[0]! * 0.9);
  });
});

describe('importOnnx: Resize as PyTorch writes nn.Upsample', () => {
  it('nearest ×2, bilinear to a size, bilinear ×1.5 with align_corners: PyTorch\'s output to 1e-5; scales stay constants', () => {
    const bytes = readFileSync(join(fixtures, 'upsample.onnx'));
    expect(decodeModel(bytes).graph.node.filter((n) => n.op_type === 'Resize').length).toBe(3);
    const model = importOnnx(bytes);
    const io = loadSafetensors(join(fixtures, 'upsample.io.safetensors'));
    expect(maxDiff(model.forward(io.input!) as Tensor, io.output!)).toBeLessThan(1e-5);
    expect(model.parameters().map((p) => p.shape)).toEqual([[2, 2, 1, 1], [2]]);
  });
});

/** A recurrent layer as a module of tensors in and out (exportOnnx traces tensors or arrays of them). */
class Recurrent extends Module<Tensor[], Tensor[]> {
  constructor(readonly rnn: LSTM | GRU | RNN) {
    super();
  }
  forward(x: Tensor, h0: Tensor, c0?: Tensor): Tensor[] {
    if (this.rnn instanceof LSTM) {
      const [y, [h, c]] = this.rnn.forward(x, [h0, c0!]);
      return [y, h, c];
    }
    const [y, h] = this.rnn.forward(x, h0);
    return [y, h];
  }
}

describe('exportOnnx: LSTM, GRU and RNN as ONNX LSTM/GRU/RNN nodes, run by ONNX Runtime', () => {
  it.each([
    ['LSTM, 2 layers, bidirectional, batch first', () => new LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true }), [2, 5, 3], [4, 2, 4], true],
    ['GRU, bidirectional', () => new GRU(3, 4, { bidirectional: true }), [5, 2, 3], [2, 2, 4], false],
    ['RNN, relu, 2 layers', () => new RNN(3, 4, { numLayers: 2, nonlinearity: 'relu' }), [5, 2, 3], [2, 2, 4], false],
  ] as const)('%s, with initial states', async (_, build, xShape, hShape, lstm) => {
    manualSeed(20);
    const model = new Recurrent(build());
    const inputs = [randn([...xShape]), randn([...hShape]), ...(lstm ? [randn([...hShape])] : [])];
    const bytes = exportOnnx(model, inputs);
    const ours = model.forward(...(inputs as [Tensor, Tensor, Tensor?]));
    const theirs = await runOrt(bytes, inputs);
    ours.forEach((o, i) => expectClose(theirs[i]!, o));
    // Initializers keep PyTorch's state-dict names.
    const graph = decodeModel(bytes).graph;
    expect(graph.initializer.map((t) => t.name)).toContain('rnn.weight_ih_l0');
    const kind = model.rnn.constructor.name.toUpperCase();
    expect(graph.node.filter((n) => n.op_type === kind).length).toBe(model.rnn.numLayers);
    // Free batch and sequence length: ONNX Runtime runs other lengths.
    const seqAxis = model.rnn.batchFirst ? 1 : 0, batchAxis = 1 - seqAxis;
    const free = { [seqAxis]: 'seq', [batchAxis]: 'batch' };
    const dynamic = exportOnnx(model, inputs, {
      inputNames: lstm ? ['x', 'h0', 'c0'] : ['x', 'h0'],
      outputNames: lstm ? ['y', 'h', 'c'] : ['y', 'h'],
      dynamicAxes: { x: free, h0: { 1: 'batch' }, ...(lstm ? { c0: { 1: 'batch' } } : {}), y: free, h: { 1: 'batch' } },
    });
    for (const [L, N] of [[7, 3], [2, 2]]) {
      const xs: number[] = [...xShape];
      xs[seqAxis] = L;
      xs[batchAxis] = N;
      const hs = [hShape[0], N, hShape[2]];
      const other = [randn(xs), randn(hs), ...(lstm ? [randn(hs)] : [])];
      const want = model.forward(...(other as [Tensor, Tensor, Tensor?]));
      const got = await runOrt(dynamic, other);
      want.forEach((o, i) => expectClose(got[i]!, o));
    }
    // And back: importOnnx runs the nodes with PyTorch's results.
    const back = importOnnx(bytes).forward(...inputs) as Tensor[];
    back.forEach((o, i) => expect(maxDiff(o, ours[i]!)).toBeLessThan(1e-5));
  });

  it('an LSTM with projSize (no ONNX LSTM equivalent) exports unrolled and matches', async () => {
    manualSeed(21);
    const model = new Recurrent(new LSTM(3, 4, { projSize: 2, bidirectional: true, batchFirst: true }));
    const inputs = [randn([2, 5, 3]), randn([2, 2, 2]), randn([2, 2, 4])];
    const bytes = exportOnnx(model, inputs);
    expect(decodeModel(bytes).graph.node.some((n) => n.op_type === 'LSTM')).toBe(false);
    const ours = model.forward(...(inputs as [Tensor, Tensor, Tensor]));
    const theirs = await runOrt(bytes, inputs);
    ours.forEach((o, i) => expectClose(theirs[i]!, o));
  });
});

describe('export → import → export gives the same graph', () => {
  const same = (first: Uint8Array, second: Uint8Array) => {
    const [a, b] = [decodeModel(first).graph, decodeModel(second).graph];
    expect(b.node).toEqual(a.node);
    expect(b.initializer).toEqual(a.initializer);
    expect(b.input).toEqual(a.input);
    expect(b.output).toEqual(a.output);
  };
  it.each([
    ['a CNN with PReLU, SELU, Mish and GroupNorm', () => new Sequential(new Conv2d(2, 4, 3, { padding: 1 }), new PReLU(4), new SELU(), new GroupNorm(2, 4), new Mish()), [2, 2, 5, 5]],
    ['an MLP with LayerNorm-free residual arithmetic', () => new Sequential(new Linear(6, 8), new SELU(), new Linear(8, 3)), [4, 6]],
  ] as const)('%s', async (_, build, shape) => {
    manualSeed(21);
    const model = build();
    const x = randn([...shape]);
    for (const opset of [17, 18]) {
      const first = exportOnnx(model, [x], { opset });
      const imported = importOnnx(first);
      expect(maxDiff(imported.forward(x) as Tensor, model.eval().forward(x))).toBeLessThan(1e-6);
      same(first, exportOnnx(imported, [x], { opset }));
      expectClose((await runOrt(first, [x]))[0]!, model.forward(x));
    }
  });

  it('functions of the newer ops: trigonometry, rounding, scans, flips, triangles, norms, scatters', () => {
    manualSeed(22);
    const f = (v: Tensor) => tg.concat([
      tg.tan(v.mul(0.5)).add(tg.asin(v.mul(0.5))).add(tg.atanh(v.mul(0.5))).add(tg.cosh(v)).add(tg.floor(v)).add(tg.ceil(v)).add(tg.round(v)),
      tg.cumsum(v, 1).add(tg.flip(v, [0])).add(tg.triu(v, 1)).add(tg.tril(v)),
      tg.norm(v, 2, 1, true).add(tg.norm(v, 1, 1, true)).expand([3, 4]),
      tg.scatterAdd(v, 1, tensor([[0, 0, 3, 1], [2, 2, 2, 2], [1, 0, 3, 3]], { dtype: 'int32' }), v.mul(2)),
    ], 0);
    const x = rand([3, 4]).mul(1.6).sub(0.8);
    const first = exportOnnx(f, [x]);
    const imported = importOnnx(first);
    expect(maxDiff(imported.forward(x) as Tensor, f(x))).toBeLessThan(1e-6);
    same(first, exportOnnx(imported, [x]));
  });
});
