// importOnnx on single ONNX operators written by hand: each graph runs in ONNX Runtime and in
// tapegrad with the same outputs (operators PyTorch's exporter rarely writes, or writes in other forms).
import { describe, expect, it } from 'vitest';
import { manualSeed, randn, type Tensor } from '@tapegrad/autograd';
import { importOnnx } from '../src/index.js';
import { GraphBuilder, elemType, type AttrValue } from '../src/graph-builder.js';
import { encodeModel } from '../src/proto.js';
import { expectClose, runOrt } from './ort.js';

/** A one-node graph (plus initializers) from input x to output y. */
function graph(opset: number, build: (b: GraphBuilder) => string, x: Tensor, yShape: number[], yType = elemType(x)): Uint8Array {
  const b = new GraphBuilder(opset);
  const y = build(b);
  b.node('Identity', [y], {}, ['y']);
  const info = (name: string, shape: readonly number[], t: number) => ({ name, type: { tensor_type: { elem_type: t, shape: { dim: shape.map((d) => ({ dim_value: d })) } } } });
  return encodeModel({
    ir_version: 8, opset_import: [{ domain: '', version: opset }], producer_name: 'test',
    graph: { name: 'g', node: b.nodes, initializer: b.initializers, input: [info('x', x.shape, elemType(x))], output: [info('y', yShape, yType)] },
  });
}

async function same(bytes: Uint8Array, x: Tensor, tol = 1e-5) {
  const ours = importOnnx(bytes).forward(x) as Tensor;
  expectClose((await runOrt(bytes, [x]))[0]!, ours.dtype === 'bool' || ours.dtype === 'int32' ? ours.toDType('float32') : ours, tol);
}

describe('importOnnx: single operators, against ONNX Runtime', () => {
  manualSeed(30);
  const x = randn([2, 8, 4, 6]);
  const node = (opType: string, attrs: Record<string, AttrValue> = {}, more: (b: GraphBuilder) => string[] = () => []) => (b: GraphBuilder) => b.node(opType, ['x', ...more(b)], attrs);

  it.each([
    ['SpaceToDepth', node('SpaceToDepth', { blocksize: { int: 2 } }), [2, 32, 2, 3]],
    ['DepthToSpace (DCR)', node('DepthToSpace', { blocksize: { int: 2 } }), [2, 2, 8, 12]],
    ['DepthToSpace (CRD)', node('DepthToSpace', { blocksize: { int: 2 }, mode: { string: 'CRD' } }), [2, 2, 8, 12]],
    ['GlobalMaxPool', node('GlobalMaxPool'), [2, 8, 1, 1]],
    ['HardSigmoid', node('HardSigmoid', { alpha: { float: 0.3 }, beta: { float: 0.4 } }), [2, 8, 4, 6]],
    ['ReduceL1 (opset 18 axes input)', node('ReduceL1', { keepdims: { int: 0 } }, (b) => [b.int64s([1, 3])]), [2, 4]],
    ['CumSum (reverse)', node('CumSum', { reverse: { int: 1 } }, (b) => [b.int64s([2], [])]), [2, 8, 4, 6]],
    ['Trilu (lower, k = 1)', node('Trilu', { upper: { int: 0 } }, (b) => [b.int64s([1], [])]), [2, 8, 4, 6]],
    ['InstanceNormalization', node('InstanceNormalization', { epsilon: { float: 1e-3 } }, (b) => [b.tensor('s', randn([8])), b.tensor('bias', randn([8]))]), [2, 8, 4, 6]],
    ['Selu (non-default alpha)', node('Selu', { alpha: { float: 1.5 }, gamma: { float: 1.1 } }), [2, 8, 4, 6]],
  ] as const)('%s', async (_, build, shape) => {
    await same(graph(18, build, x, [...shape]), x);
  });

  it('GroupNormalization: per-group scale (opset 18) and per-channel scale (opset 21)', async () => {
    await same(graph(18, node('GroupNormalization', { num_groups: { int: 4 } }, (b) => [b.tensor('s', randn([4])), b.tensor('bias', randn([4]))]), x, [2, 8, 4, 6]), x);
    await same(graph(21, node('GroupNormalization', { num_groups: { int: 2 } }, (b) => [b.tensor('s', randn([8])), b.tensor('bias', randn([8]))]), x, [2, 8, 4, 6]), x);
  });

  it('comparisons, Not and Cast of float tensors give bool and integer tensors', async () => {
    const cmp = (op: string) => (b: GraphBuilder) => b.node('Cast', [b.node('Not', [b.node(op, ['x', b.scalar(0.2, x)])])], { to: { int: 1 } });
    for (const op of ['LessOrEqual', 'GreaterOrEqual', 'Less', 'Greater', 'Equal']) await same(graph(18, cmp(op), x, [2, 8, 4, 6]), x);
    await same(graph(18, (b) => b.node('Cast', [b.node('Cast', [b.node('Mul', ['x', b.scalar(3, x)])], { to: { int: 6 } })], { to: { int: 1 } }), x, [2, 8, 4, 6]), x);
  });

  it('RNN (tanh, bidirectional, initial state) and a GRU with linear_before_reset = 0', async () => {
    const seq = randn([5, 2, 3]);
    const rnn = (b: GraphBuilder) => b.node('RNN', ['x', b.tensor('W', randn([2, 4, 3])), b.tensor('R', randn([2, 4, 4])), b.tensor('B', randn([2, 8])), '', b.tensor('h0', randn([2, 2, 4]))], { hidden_size: { int: 4 }, direction: { string: 'bidirectional' } });
    await same(graph(18, rnn, seq, [5, 2, 2, 4]), seq);
    const gru = (b: GraphBuilder) => b.node('GRU', ['x', b.tensor('W', randn([1, 12, 3])), b.tensor('R', randn([1, 12, 4])), b.tensor('B', randn([1, 24]))], { hidden_size: { int: 4 } });
    await same(graph(18, gru, seq, [5, 1, 2, 4]), seq);
    const lstmRev = (b: GraphBuilder) => b.node('LSTM', ['x', b.tensor('W', randn([1, 16, 3])), b.tensor('R', randn([1, 16, 4]))], { hidden_size: { int: 4 }, direction: { string: 'reverse' }, layout: { int: 0 } });
    await same(graph(18, lstmRev, seq, [5, 1, 2, 4]), seq);
  });

  it('refuses what it cannot run, naming the node', () => {
    const bad = graph(18, (b) => b.node('LSTM', ['x', b.tensor('W', randn([1, 16, 3])), b.tensor('R', randn([1, 16, 4]))], { hidden_size: { int: 4 }, clip: { float: 1 } }), randn([5, 2, 3]), [5, 1, 2, 4]);
    expect(() => importOnnx(bad).forward(randn([5, 2, 3]))).toThrow(/^OnnxModel: node 'LSTM_0' \(LSTM\): the clip attribute is not supported/);
    const scatter = graph(18, (b) => b.node('ScatterElements', ['x', b.int64s([0, 1], [1, 2]), b.tensor('u', randn([1, 2]))]), randn([2, 2]), [2, 2]);
    expect(() => importOnnx(scatter).forward(randn([2, 2]))).toThrow(/only reduction 'add' is supported/);
  });
});
