// The convolution and pooling forms of issue 12 in ONNX: ConvTranspose, Conv with 'same' padding
// and padding modes (Pad reflect/edge/wrap), MaxPool with ceil_mode/dilations, AveragePool with
// ceil_mode/count_include_pad; each exported graph runs in ONNX Runtime with tapegrad's outputs,
// and imports back to the same function.
import { describe, expect, it } from 'vitest';
import * as tg from '@tapegrad/autograd';
import { manualSeed, randn, type Tensor } from '@tapegrad/autograd';
import { AvgPool2d, Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, MaxPool2d, Module, ReLU, Sequential } from '@tapegrad/nn';
import { exportOnnx, importOnnx } from '../src/index.js';
import { decodeModel, encodeModel, type Attribute } from '../src/proto.js';
import { expectClose, runOrt } from './ort.js';

/** Exports, runs in ORT against tapegrad, imports back and compares again; returns the ONNX op types. */
async function roundTrip(model: Module | ((x: Tensor) => Tensor), x: Tensor, opset = 17): Promise<string[]> {
  const bytes = exportOnnx(model, [x], { opset });
  const f = (v: Tensor) => (model instanceof Module ? model.eval().forward(v) : model(v)) as Tensor;
  const want = f(x);
  expectClose((await runOrt(bytes, [x]))[0]!, want);
  const back = importOnnx(bytes).forward(x) as Tensor;
  expect(back.shape).toEqual(want.shape);
  expect(back.sub(want).abs().max().item()).toBeLessThan(1e-6);
  return decodeModel(bytes).graph.node.map((n) => n.op_type);
}

describe('ONNX: transposed convolutions', () => {
  it('ConvTranspose2d/1d layers export as ConvTranspose (stride, padding, outputPadding, dilation, groups) and import back', async () => {
    manualSeed(3);
    const ops = await roundTrip(new Sequential(
      new ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }), new ReLU(),
      new ConvTranspose2d(6, 2, [2, 3], { stride: [1, 2], dilation: [2, 1], bias: false }),
    ), randn([2, 4, 5, 4]));
    expect(ops.filter((o) => o === 'ConvTranspose').length).toBe(2);
    await roundTrip(new ConvTranspose1d(3, 2, 4, { stride: 3, padding: 1, outputPadding: 2 }), randn([2, 3, 6]));
  });

  it('outputPadding at or above stride (allowed below dilation) also runs', async () => {
    manualSeed(4);
    const w = randn([2, 2, 2, 2]);
    await roundTrip((x) => tg.convTranspose2d(x, w, null, { stride: 1, dilation: 3, outputPadding: 2 }), randn([1, 2, 3, 3]));
  });
});

describe('ONNX: convolution padding forms', () => {
  it("padding 'same' with even kernels (a Pad in front) and paddingMode reflect/replicate/circular (Pad modes reflect/edge/wrap)", async () => {
    manualSeed(5);
    const x = randn([2, 2, 6, 5]);
    const model = new Sequential(
      new Conv2d(2, 3, 4, { padding: 'same' }), new ReLU(),
      new Conv2d(3, 3, 3, { padding: 1, paddingMode: 'reflect' }),
      new Conv2d(3, 2, [2, 3], { padding: 'same', paddingMode: 'replicate' }),
    );
    const ops = await roundTrip(model, x);
    expect(ops.filter((o) => o === 'Pad').length).toBe(3);
    const circular = new Conv2d(2, 2, 3, { padding: [1, 2], paddingMode: 'circular' });
    expect(await roundTrip(circular, x, 19)).toContain('Pad');
    // Before opset 19 (no Pad mode wrap) circular padding is slices concatenated around the input.
    expect(await roundTrip(circular, x, 17)).not.toContain('Pad');
    await roundTrip(new Conv1d(2, 2, 4, { padding: 'same', paddingMode: 'circular', dilation: 2 }), randn([1, 2, 9]));
  });

  it('imports Conv with auto_pad SAME_UPPER / SAME_LOWER and asymmetric pads as ONNX Runtime runs them', async () => {
    manualSeed(6);
    const w = randn([2, 1, 3, 2]);
    const x = randn([1, 1, 5, 4]);
    const cases: { attrs: Attribute[]; stride: number }[] = [
      { attrs: [{ name: 'auto_pad', type: 3, s: new TextEncoder().encode('SAME_UPPER') }], stride: 2 },
      { attrs: [{ name: 'auto_pad', type: 3, s: new TextEncoder().encode('SAME_LOWER') }], stride: 1 },
      { attrs: [{ name: 'pads', type: 7, ints: [0, 1, 2, 0] }], stride: 1 },
    ];
    for (const { attrs, stride } of cases) {
      // A plain Conv written by exportOnnx, its padding attributes replaced by the form under test.
      const model = decodeModel(exportOnnx((v: Tensor) => tg.conv2d(v, w, null, { stride }), [x]));
      const conv = model.graph.node.find((n) => n.op_type === 'Conv')!;
      conv.attribute = [...conv.attribute.filter((a) => a.name !== 'pads'), ...attrs];
      model.graph.output[0]!.type = undefined;
      const bytes = encodeModel(model);
      const ours = importOnnx(bytes).forward(x) as Tensor;
      expectClose((await runOrt(bytes, [x]))[0]!, ours);
    }
  });
});

describe('ONNX: pooling options', () => {
  it('MaxPool with ceil_mode and dilations, AveragePool with ceil_mode and count_include_pad', async () => {
    const x = randn([2, 3, 7, 6]);
    await roundTrip(new MaxPool2d(3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }), x);
    await roundTrip(new MaxPool2d(2, { ceilMode: true }), x);
    await roundTrip(new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), x);
    await roundTrip(new AvgPool2d(2, { ceilMode: true }), x);
    await roundTrip(new AvgPool2d(2, { divisorOverride: 3 }), x);
    await roundTrip((v) => tg.maxPool1d(v, { kernelSize: 3, stride: 2, ceilMode: true }), randn([2, 3, 8]));
  });

  it('refuses what ONNX cannot express, by name', () => {
    const x = randn([1, 1, 5, 5]);
    expect(() => exportOnnx((v: Tensor) => tg.avgPool2d(v, { kernelSize: 2, padding: 1, divisorOverride: 3 }), [x])).toThrow(/divisorOverride has no ONNX form/);
    expect(() => exportOnnx((v: Tensor) => tg.pad(v, [-1, 1], 'reflect'), [x])).toThrow(/negative amounts/);
  });
});
