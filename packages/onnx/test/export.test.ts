// exportOnnx: every exported model runs in ONNX Runtime and matches tapegrad's forward to 1e-5.
import { describe, expect, it } from 'vitest';
import * as tg from '@tapegrad/autograd';
import { manualSeed, randn, type Tensor } from '@tapegrad/autograd';
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten, GELU, LayerNorm, LeakyReLU, Linear, LogSoftmax, MaxPool2d, Module, ReLU,
  Sequential, Sigmoid, Softmax, Tanh, TransformerEncoderLayer,
} from '@tapegrad/nn';
import { exportOnnx } from '../src/index.js';
import { expectClose, runOrt } from './ort.js';

async function check(model: Module | ((...x: Tensor[]) => Tensor | Tensor[]), inputs: Tensor[], options = {}, tol = 1e-5) {
  const bytes = exportOnnx(model, inputs, options);
  if (model instanceof Module) model.eval();
  const ours = model instanceof Module ? model.forward(...inputs) : model(...inputs);
  const outs = Array.isArray(ours) ? ours : [ours];
  const theirs = await runOrt(bytes, inputs);
  expect(theirs.length).toBe(outs.length);
  outs.forEach((o, i) => expectClose(theirs[i]!, o as Tensor, tol));
  return bytes;
}

class Mlp extends Module<[Tensor], Tensor> {
  hiddenLayer = new Linear(6, 16);
  norm = new LayerNorm([16]);
  out = new Linear(16, 4);
  forward(x: Tensor) {
    return this.out.forward(this.norm.forward(this.hiddenLayer.forward(x)).gelu());
  }
}

describe('exportOnnx, run by ONNX Runtime', () => {
  it('an MLP with LayerNorm and GELU (opset 17 decomposed, opset 20 Gelu), with a dynamic batch axis', async () => {
    manualSeed(0);
    const model = new Mlp();
    await check(model, [randn([3, 6])]);
    await check(model, [randn([3, 6])], { opset: 20 });
    const bytes = exportOnnx(model, [randn([3, 6])], { dynamicAxes: { input: { 0: 'batch' }, output: { 0: 'batch' } } });
    const x = randn([7, 6]);
    expectClose((await runOrt(bytes, [x]))[0]!, model.eval().forward(x));
  });

  it('the MNIST demo CNN (Conv, ReLU, MaxPool, Flatten, Linear) with a dynamic batch', async () => {
    manualSeed(1);
    const model = new Sequential(
      new Conv2d(1, 4, 5), new ReLU(), new MaxPool2d(2), new Conv2d(4, 8, 5), new ReLU(), new MaxPool2d(2),
      new Flatten(), new Linear(8 * 4 * 4, 16), new ReLU(), new Linear(16, 10),
    );
    const bytes = await check(model, [randn([2, 1, 28, 28])], { dynamicAxes: { input: { 0: 'n' }, output: { 0: 'n' } } });
    const x = randn([5, 1, 28, 28]);
    expectClose((await runOrt(bytes, [x]))[0]!, model.forward(x));
  });

  it('BatchNorm (evaluation statistics), AvgPool with padding, strided/grouped/dilated conv, dropout, activations', async () => {
    manualSeed(2);
    const model = new Sequential(
      new Conv2d(2, 4, 3, { stride: 2, padding: 1, dilation: 1, groups: 2 }), new BatchNorm2d(4), new LeakyReLU(0.2),
      new Conv2d(4, 4, 3, { padding: 2, dilation: 2, bias: false }), new AvgPool2d(3, { stride: 1, padding: 1 }), new Tanh(),
      new Flatten(), new Dropout(0.5), new Linear(4 * 5 * 5, 6), new BatchNorm1d(6), new Sigmoid(), new Linear(6, 3), new LogSoftmax(1),
    );
    model.train().forward(randn([4, 2, 10, 10])); // running statistics away from their start
    await check(model, [randn([2, 2, 10, 10])]);
  });

  it('functions of several inputs and outputs: attention as MatMul + Softmax, slices, concat, pad, reductions, math', async () => {
    manualSeed(3);
    const wq = randn([8, 8]);
    const attention = (q: Tensor, k: Tensor) => {
      const scores = q.matmul(wq).matmul(k.transpose(-2, -1)).div(Math.sqrt(8));
      const weights = tg.softmax(scores, -1);
      const y = weights.matmul(k);
      return [y, tg.concat([y.slice(null, [0, 2]), k.slice(null, [null, null, -1])], 1).sum(-1)];
    };
    await check(attention, [randn([2, 3, 8]), randn([2, 4, 8])]);
    const math = (x: Tensor) =>
      tg.pad(x, [1, 2], 0.5).exp().log1p().sqrt().add(x.abs().max(1, true)).mul(x.square().mean(1, true)).clamp(-1, 3)
        .sub(tg.logSumExp(x, 1, true)).abs().add(0.1).rsqrt().add(x.sin().cos().erf().softplus().silu().unsqueeze(0).squeeze(0).mean([0, 1]))
        .add(x.reshape([-1]).slice([1, 5]).prod().mul(0.01)).add(x.elu().min());
    await check(math, [randn([3, 2]).abs().add(0.1)]);
  });

  it('scaledDotProductAttention (bool, float and causal masks) and a Transformer encoder layer', async () => {
    manualSeed(5);
    const keep = tg.tensor([[1, 1, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]], { dtype: 'bool' });
    const sdpa = (q: Tensor, k: Tensor, v: Tensor, bias: Tensor) => [
      tg.scaledDotProductAttention(q, k, v, { attnMask: keep }),
      tg.scaledDotProductAttention(q, k, v, { attnMask: bias, scale: 0.3 }),
      tg.scaledDotProductAttention(q, q, q, { isCausal: true }),
    ];
    await check(sdpa, [randn([2, 3, 4]), randn([2, 4, 4]), randn([2, 4, 5]), randn([3, 4])]);
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, normFirst: true });
    class Causal extends Module<[Tensor], Tensor> {
      layer = layer;
      forward(x: Tensor) { return this.layer.forward(x, { isCausal: true }); }
    }
    await check(new Causal(), [randn([2, 5, 8])], { dynamicAxes: { input: { 0: 'n' }, output: { 0: 'n' } } });
    expect(() => exportOnnx((q: Tensor) => tg.scaledDotProductAttention(q, q, q, { dropoutP: 0.5 }), [randn([2, 2])])).toThrow(/attention dropout has no ONNX mapping/);
  });

  it('float64 models export as DOUBLE', async () => {
    manualSeed(4);
    const model = new Sequential(new Linear(3, 5), new ReLU(), new Linear(5, 2), new Softmax(1)).toDType('float64');
    await check(model, [randn([2, 3], { dtype: 'float64' })], {}, 1e-12);
  });

  it('names initializers by state-dict name, restores training mode, and refuses what it cannot write', () => {
    const model = new Sequential(new Linear(2, 2), new GELU());
    model.train();
    exportOnnx(model, [randn([1, 2])]);
    expect(model.training).toBe(true);
    expect(() => exportOnnx(model, [randn([1, 2])], { opset: 9 })).toThrow(/^exportOnnx: opset must be an integer from 13 to 21, got 9/);
    expect(() => exportOnnx(model, [randn([1, 2])], { strict: true } as never)).toThrow(/^exportOnnx: unknown option\(s\) strict/);
    expect(() => exportOnnx((x: Tensor) => tg.unfold(x, { kernelSize: 1 }), [randn([1, 1, 2, 2])])).toThrow(/^exportOnnx: op 'unfold' \(output shape \[1, 1, 4\]\) has no ONNX mapping/);
    expect(() => exportOnnx((x: Tensor) => x.slice([0, 1]), [randn([2, 2])], { dynamicAxes: { input: { 0: 'n' } } })).toThrow(/^exportOnnx: op 'slice' .*cannot keep axis 0 \('n'\) dynamic: the slice selects part of it/);
    expect(() => exportOnnx((x: Tensor) => x.transpose(0, 1), [randn([2, 2])], { dynamicAxes: { input: { 2: 'n' } } })).toThrow(/^exportOnnx: dynamicAxes of 'input' names axis 2, but the input has 2 axes/);
    expect(() => exportOnnx(() => tg.ones([2]).mul(2), [randn([2])])).toThrow(/input 0 \('input'\) does not reach the outputs/);
  });
});
