// exportOnnx's dynamicAxes beyond the batch: sequence lengths and image sizes left free in the
// graph, checked by running ONNX Runtime on other sizes than the example's.
import { describe, expect, it } from 'vitest';
import * as tg from '@tapegrad/autograd';
import { manualSeed, randn, tensor, type Tensor } from '@tapegrad/autograd';
import { Conv2d, Embedding, GELU, LSTM, Linear, Module, ReLU, Sequential, TransformerEncoderLayer } from '@tapegrad/nn';
import { exportOnnx } from '../src/index.js';
import { decodeModel } from '../src/proto.js';
import { expectClose, runOrt } from './ort.js';

const dimsOf = (bytes: Uint8Array, which: 'input' | 'output') =>
  decodeModel(bytes).graph[which].map((v) => v.type!.tensor_type!.shape!.dim!.map((d) => d.dim_param || Number(d.dim_value)));

describe('dynamicAxes beyond axis 0', () => {
  it('a Transformer encoder layer with free batch and sequence length runs in ONNX Runtime on other lengths', async () => {
    manualSeed(40);
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, activation: 'gelu' });
    const dynamicAxes = { input: { 0: 'batch', 1: 'seq' }, output: { 0: 'batch', 1: 'seq' } };
    const bytes = exportOnnx(layer, [randn([3, 5, 8])], { dynamicAxes });
    expect(dimsOf(bytes, 'input')).toEqual([['batch', 'seq', 8]]);
    expect(dimsOf(bytes, 'output')).toEqual([['batch', 'seq', 8]]);
    layer.eval();
    for (const shape of [[3, 5, 8], [2, 9, 8], [4, 2, 8]]) {
      const x = randn(shape);
      expectClose((await runOrt(bytes, [x]))[0]!, layer.forward(x));
    }
  });

  it('a sequence-first stack (Linear, GELU, a mean over time) with a free sequence axis', async () => {
    manualSeed(41);
    class Pool extends Module<[Tensor], Tensor[]> {
      proj = new Sequential(new Linear(4, 6), new GELU(), new Linear(6, 6));
      forward(x: Tensor) {
        const h = this.proj.forward(x); // [L, N, 6]
        return [h, h.mean(0), tg.softmax(h, 0), h.permute([1, 2, 0]).reshape([3, -1])];
      }
    }
    const model = new Pool();
    const bytes = exportOnnx(model, [randn([5, 3, 4])], { dynamicAxes: { input: { 0: 'seq' } } });
    // Outputs name the axes that follow from the dynamic input: the merged one as 'seq*6'.
    expect(dimsOf(bytes, 'output')).toEqual([['seq', 3, 6], [3, 6], ['seq', 3, 6], [3, 'seq*6']]);
    for (const L of [5, 2, 11]) {
      const x = randn([L, 3, 4]);
      const ours = model.eval().forward(x);
      const theirs = await runOrt(bytes, [x]);
      ours.forEach((o, i) => expectClose(theirs[i]!, o));
    }
  });

  it('a CNN with free image height and width', async () => {
    manualSeed(42);
    const model = new Sequential(new Conv2d(1, 3, 3, { padding: 1 }), new ReLU(), new Conv2d(3, 2, 3, { stride: 2 }));
    const bytes = exportOnnx(model, [randn([2, 1, 9, 8])], { dynamicAxes: { input: { 0: 'n', 2: 'h', 3: 'w' }, output: { 0: 'n', 2: 'oh', 3: 'ow' } } });
    expect(dimsOf(bytes, 'output')).toEqual([['n', 2, 'oh', 'ow']]);
    for (const shape of [[1, 1, 12, 7], [3, 1, 5, 16]]) {
      const x = randn(shape);
      expectClose((await runOrt(bytes, [x]))[0]!, model.eval().forward(x));
    }
  });

  it('int32 token ids as a graph input: Embedding (with and without paddingIdx) and a Linear head, free batch and length', async () => {
    manualSeed(43);
    for (const paddingIdx of [undefined, 0]) {
      const model = new Sequential(new Embedding(10, 4, paddingIdx === undefined ? {} : { paddingIdx }), new Linear(4, 3));
      const ids = tensor([[1, 0, 3], [4, 5, 0]], { dtype: 'int32' });
      const bytes = exportOnnx(model, [ids], { dynamicAxes: { input: { 0: 'batch', 1: 'seq' }, output: { 0: 'batch', 1: 'seq' } } });
      expect(decodeModel(bytes).graph.input[0]!.type!.tensor_type!.elem_type).toBe(6); // INT32
      for (const other of [ids, tensor([[9, 0, 2, 2, 7]], { dtype: 'int32' }), tensor([[0, 0], [8, 1], [3, 3]], { dtype: 'int32' })]) {
        expectClose((await runOrt(bytes, [other]))[0]!, model.eval().forward(other));
      }
    }
  });

  it('refuses, naming the op, what fixes a dynamic axis', () => {
    const seq = { dynamicAxes: { input: { 1: 'seq' } } };
    // A positional table of fixed length added along the sequence axis.
    const table = randn([5, 4]);
    expect(() => exportOnnx((x: Tensor) => x.add(table), [randn([2, 5, 4])], seq)).toThrow(/^exportOnnx: op 'add' .*a tensor of fixed size 5 .*meets dynamic axis 'seq' at axis 1/);
    expect(() => exportOnnx((x: Tensor) => x.slice(null, [0, 3]), [randn([2, 5, 4])], seq)).toThrow(/cannot keep axis 1 \('seq'\) dynamic: the slice selects part of it/);
    expect(() => exportOnnx((x: Tensor) => tg.concat([x, x], 1), [randn([2, 5, 4])], seq)).toThrow(/cannot keep axis 1 \('seq'\) dynamic: the concat runs along it/);
    expect(() => exportOnnx((x: Tensor) => tg.pad(x, [0, 0, 1, 1, 0, 0]), [randn([2, 5, 4])], seq)).toThrow(/cannot keep axis 1 \('seq'\) dynamic: it is padded/);
    expect(() => exportOnnx((x: Tensor) => x.reshape([5, 5, 4]), [randn([2, 5, 10])], seq)).toThrow(/cannot tell which axis of \[5, 5, 4\] holds the dynamic axes 'seq' of \[2, 5, 10\] \(give dynamic axes example sizes that differ/);
    expect(() => exportOnnx((x: Tensor) => x.matmul(table), [randn([2, 4, 5])], { dynamicAxes: { input: { 2: 'k' } } })).toThrow(/the contracted axis is dynamic \('k'\) in one operand and of fixed size in the other/);
    // The recurrent layers export unrolled, one step per time step: the sequence length is fixed.
    const lstm = new LSTM(4, 3, { batchFirst: true });
    expect(() => exportOnnx((x: Tensor) => lstm.forward(x)[0], [randn([2, 5, 4])], seq)).toThrow(/^exportOnnx: op 'slice' .*cannot keep axis 0 \('seq'\) dynamic: the slice selects part of it/);
    expect(() => exportOnnx((x: Tensor) => x.relu(), [randn([2, 1, 4])], seq)).toThrow(/^exportOnnx: dynamic axis 1 \('seq'\) of 'input' has size 1 in the example/);
    expect(() => exportOnnx((x: Tensor) => x.relu(), [randn([2, 3])], { dynamicAxes: { input: { 0: 'a b' } } })).toThrow(/a name is a letter or _/);
    expect(() => exportOnnx((x: Tensor) => x.sum(1), [randn([2, 3])], { dynamicAxes: { input: { 1: 'n' }, output: { 0: 'n' } } })).toThrow(/^exportOnnx: output 'output' does not keep a dynamic axis of an input at axis 0/);
  });
});
