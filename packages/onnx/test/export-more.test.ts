// exportOnnx on the ops beyond the demos' set (trigonometry, rounding, newer activations, scans,
// flips, triangles, norms, scatters) and on layers built from them: each model runs in ONNX Runtime
// and matches tapegrad to 1e-5.
import { describe, expect, it } from 'vitest';
import * as tg from '@tapegrad/autograd';
import { manualSeed, rand, randn, tensor, type Tensor } from '@tapegrad/autograd';
import {
  AdaptiveAvgPool2d, Conv2d, GroupNorm, InstanceNorm2d, Mish, Module, PReLU, PixelShuffle, PixelUnshuffle, ReLU6, SELU, Hardtanh, Sequential, SiLU, Upsample,
  binaryCrossEntropy, crossEntropy, LayerNorm,
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

describe('exportOnnx: more ops, run by ONNX Runtime', () => {
  it('trigonometric, hyperbolic and special functions', async () => {
    manualSeed(10);
    const x = rand([3, 4]).mul(1.6).sub(0.8); // in (-0.8, 0.8): inside every domain below
    const f = (v: Tensor) => [
      tg.tan(v).add(tg.asin(v)).add(tg.acos(v)).add(tg.atan(v)),
      tg.sinh(v).add(tg.cosh(v)).add(tg.asinh(v)).add(tg.acosh(v.abs().add(1))).add(tg.atanh(v)),
      tg.erfc(v).add(tg.expm1(v)).add(tg.logaddexp(v, v.mul(-2))).add(tg.atan2(v, v.flip(1))),
    ];
    await check(f, [x]);
  });

  it('rounding (halves to even, decimals), trunc and frac', async () => {
    const x = tensor([[0.5, 1.5, 2.5, -0.5, -1.7, 3.14159], [2.675, -2.5, 7.3, -7.3, 0.49, 123.456]]);
    const f = (v: Tensor) => [tg.round(v).add(tg.round(v, { decimals: 1 })).add(tg.round(v, { decimals: -1 })), tg.floor(v).add(tg.ceil(v)), tg.trunc(v).add(tg.frac(v))];
    await check(f, [x.requiresGrad_(false)]);
  });

  it('activations: selu, mish (opset 17 formula and 18 Mish), hardtanh, relu6, prelu per channel, silu', async () => {
    manualSeed(11);
    const model = new Sequential(new Conv2d(2, 3, 1), new PReLU(3), new SELU(), new Mish(), new Hardtanh(-0.5, 0.7), new SiLU(), new ReLU6());
    const x = randn([2, 2, 3, 3]).mul(2);
    await check(model, [x]);
    await check(model, [x], { opset: 18 });
  });

  it('scans, flips, rolls, triangles, norms and scatters', async () => {
    manualSeed(12);
    const f = (v: Tensor) => [
      tg.cumsum(v, 1).add(tg.cumsum(v, 0)),
      tg.flip(v, [0, 1]).add(tg.roll(v, [1, -2], [0, 1])),
      tg.tril(v).add(tg.triu(v, 1)).add(tg.tril(v, -1)),
      tg.stack([tg.norm(v), tg.norm(v, 1), tg.norm(v, Infinity), tg.norm(v, 3), tg.norm(v, -Infinity)]),
      tg.scatterAdd(v, 1, tensor([[0, 0, 3, 1], [2, 2, 2, 2], [1, 0, 3, 3]], { dtype: 'int32' }), v.mul(2)),
      tg.indexAdd(v, 0, [2, 0], v.slice([0, 2]).mul(3)),
    ];
    await check(f, [randn([3, 4])]);
  });

  it('binary cross-entropy (clamped logs as PyTorch), cross-entropy (SoftmaxCrossEntropyLoss), einsum, maskedFill and topk values', async () => {
    manualSeed(13);
    const p = rand([4]).mul(0.9).add(0.05);
    const y = rand([4]);
    await check((a: Tensor, b: Tensor) => binaryCrossEntropy(tg.sigmoid(a), b), [p, y]);
    const labels = tensor([2, 0, -100, 1], { dtype: 'int32' });
    for (const reduction of ['mean', 'sum', 'none'] as const) await check((a: Tensor) => crossEntropy(a, labels, { reduction }), [randn([4, 3])]);
    await check((a: Tensor, b: Tensor) => tg.einsum('bij,bjk->bik', a, b).add(tg.einsum('bii->b', a).reshape([2, 1, 1])), [randn([2, 3, 3]), randn([2, 3, 2])]);
    const mask = tensor([[1, 0, 0, 1], [0, 1, 1, 0], [0, 0, 0, 1]]).gt(0.5);
    await check((a: Tensor) => [tg.maskedFill(a, mask, -1), tg.topk(a, 2, 1).values], [randn([3, 4])]);
  });

  it('layers built from several ops: GroupNorm, InstanceNorm, LayerNorm, Upsample, PixelShuffle, adaptive pooling', async () => {
    manualSeed(14);
    const model = new Sequential(
      new Conv2d(2, 4, 3, { padding: 1 }), new GroupNorm(2, 4), new InstanceNorm2d(4, { affine: true }), new PixelShuffle(2), new LayerNorm([8, 8]),
      new Upsample({ scaleFactor: 2, mode: 'bilinear' }), new PixelUnshuffle(4), new AdaptiveAvgPool2d([3, 2]), new Upsample({ size: [4, 4] }),
    );
    await check(model, [randn([2, 2, 4, 4])]);
  });

  it('scaledDotProductAttention as MatMul + Softmax: bool mask (a fully masked row gives zeros), float mask, causal, scale', async () => {
    manualSeed(15);
    const [q, k, v] = [randn([2, 2, 3, 4]), randn([2, 2, 5, 4]), randn([2, 2, 5, 6])];
    const boolMask = tensor([[1, 1, 0, 0, 1], [0, 0, 0, 0, 0], [1, 0, 1, 0, 1]]).gt(0.5);
    const floatMask = randn([3, 5]);
    await check((a: Tensor, b: Tensor, c: Tensor) => [
      tg.scaledDotProductAttention(a, b, c),
      tg.scaledDotProductAttention(a, b, c, { attnMask: boolMask }),
      tg.scaledDotProductAttention(a, b, c, { attnMask: floatMask, scale: 0.3 }),
      tg.scaledDotProductAttention(a, b, c, { isCausal: true }),
    ], [q, k, v]);
    const zeros = tg.scaledDotProductAttention(q, k, v, { attnMask: boolMask }).slice(null, null, 1);
    expect(zeros.abs().max().item()).toBe(0);
  });

  it('pooling with ceil mode and dilation (PyTorch options) keeps them; a divisor override is refused', async () => {
    manualSeed(16);
    const x = randn([2, 2, 7, 9]);
    await check((v: Tensor) => [
      tg.maxPool2d(v, { kernelSize: 2, ceilMode: true }),
      tg.maxPool2d(v, { kernelSize: 2, dilation: 2, stride: 1 }),
      tg.maxPool2d(v, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }),
      tg.avgPool2d(v, { kernelSize: 2, ceilMode: true }),
      tg.avgPool2d(v, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true }),
    ], [x]);
    // A divisor override is exact as AveragePool times kH·kW / override only when every window is whole.
    expect(() => exportOnnx((v: Tensor) => tg.avgPool2d(v, { kernelSize: 2, padding: 1, divisorOverride: 3 }), [x])).toThrow(/^exportOnnx: op 'avgPool2d' .*divisorOverride has no ONNX form when it pads or uses ceilMode/);
  });

  it('names the opset an op needs', () => {
    expect(() => exportOnnx((x: Tensor) => tg.tril(x), [randn([2, 2])], { opset: 13 })).toThrow(/^exportOnnx: op 'tril' \(output shape \[2, 2\]\): Trilu needs opset 14 or later, got 13/);
    expect(() => exportOnnx((x: Tensor) => tg.scatterAdd(x, 0, tensor([0, 0], { dtype: 'int32' }), x), [randn([2])], { opset: 15 })).toThrow(/^exportOnnx: op 'scatterAdd' .*needs opset 16/);
  });
});
