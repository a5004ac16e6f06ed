import { describe, expect, it } from 'vitest';
import { Generator, randn, type Tensor } from '@tapegrad/autograd';
import {
  LayerNorm, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer, generateSquareSubsequentMask,
} from '@tapegrad/nn';
import { flat, moduleGradcheck } from './helpers.js';
import { maxDiff, torchCase } from './torch-fixtures.js';

const f64 = { dtype: 'float64' as const };
const rnd = (shape: number[], seed: number) => randn(shape, { ...f64, generator: new Generator(seed) });

/** LayerNorm over the last axis by its formula, without affine parameters. */
function normalize(x: Tensor): Tensor {
  const mu = x.mean(-1, true);
  return x.sub(mu).div(x.sub(mu).square().mean(-1, true).add(1e-5).sqrt());
}

describe('TransformerEncoderLayer', () => {
  it('has PyTorch state-dict names', () => {
    const names = new TransformerEncoderLayer(8, 2).stateDict();
    expect(Object.keys(names)).toEqual([
      'linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias', 'self_attn.in_proj_weight', 'self_attn.in_proj_bias',
      'self_attn.out_proj.weight', 'self_attn.out_proj.bias', 'norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias',
    ]);
  });

  it('post-norm and pre-norm follow their equations step by step', () => {
    for (const normFirst of [false, true]) {
      const layer = new TransformerEncoderLayer(6, 2, { ...f64, dimFeedforward: 10, dropout: 0, normFirst, batchFirst: true, generator: new Generator(3) });
      const x = rnd([2, 4, 6], 4);
      const sa = (h: Tensor) => layer.self_attn.forward(h, h, h)[0];
      const ff = (h: Tensor) => layer.linear2.forward(layer.linear1.forward(h).relu());
      // The norms start as weight 1, bias 0, so each is the bare formula.
      const expected = normFirst
        ? ((h: Tensor) => h.add(ff(normalize(h))))(x.add(sa(normalize(x))))
        : normalize(((h: Tensor) => h.add(ff(h)))(normalize(x.add(sa(x)))));
      expect(maxDiff(layer.forward(x), expected)).toBeLessThan(1e-12);
    }
  });

  it('matches torch (post-norm ReLU and pre-norm GELU, causal mask, [seq, batch, feature])', () => {
    for (const [name, activation, normFirst] of [['encoderPost', 'relu', false], ['encoderPre', 'gelu', true]] as const) {
      const c = torchCase(name);
      const layer = new TransformerEncoderLayer(8, 2, { ...f64, dimFeedforward: 12, dropout: 0, activation, normFirst });
      c.load(layer);
      expect(maxDiff(layer.forward(c.get('x'), { srcMask: generateSquareSubsequentMask(5, f64) }), c.get('out'))).toBeLessThan(1e-12);
      expect(maxDiff(layer.forward(c.get('x'), { isCausal: true }), c.get('out'))).toBeLessThan(1e-12);
    }
  });

  it('gradients agree with finite differences', () => {
    const layer = new TransformerEncoderLayer(4, 2, { ...f64, dimFeedforward: 6, dropout: 0, activation: 'gelu', normFirst: true, generator: new Generator(5) });
    moduleGradcheck(layer, [rnd([3, 2, 4], 6).requiresGrad_()]);
  });

  it('dropout acts in training only', () => {
    const layer = new TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0.5, generator: new Generator(7) });
    const x = randn([3, 2, 4]);
    expect(maxDiff(layer.forward(x), layer.forward(x))).toBeGreaterThan(0);
    layer.eval();
    expect(maxDiff(layer.forward(x), layer.forward(x))).toBe(0);
  });

  it('rejects unknown options and activations', () => {
    expect(() => new TransformerEncoderLayer(8, 2, { dim_feedforward: 4 } as never)).toThrow(/TransformerEncoderLayer: unexpected option 'dim_feedforward'/);
    expect(() => new TransformerEncoderLayer(8, 2, { activation: 'tanh' as never })).toThrow(/activation must be 'relu', 'gelu' or a function/);
    expect(() => new TransformerEncoderLayer(8, 3)).toThrow(/embedDim \(8\) must be divisible by numHeads \(3\)/);
  });
});

describe('TransformerDecoderLayer', () => {
  it('matches torch (batch_first, causal target mask)', () => {
    const c = torchCase('decoder');
    const layer = new TransformerDecoderLayer(8, 2, { ...f64, dimFeedforward: 12, dropout: 0, batchFirst: true });
    c.load(layer);
    expect(maxDiff(layer.forward(c.get('tgt'), c.get('memory'), { tgtIsCausal: true }), c.get('out'))).toBeLessThan(1e-12);
  });

  it('gradients agree with finite differences for target and memory', () => {
    const layer = new TransformerDecoderLayer(4, 2, { ...f64, dimFeedforward: 6, dropout: 0, batchFirst: true, generator: new Generator(8) });
    moduleGradcheck(layer, [rnd([1, 3, 4], 9).requiresGrad_(), rnd([1, 2, 4], 10).requiresGrad_()]);
  });
});

describe('TransformerEncoder / TransformerDecoder', () => {
  it('stack independent copies of the template, then the final norm', () => {
    const template = new TransformerEncoderLayer(4, 2, { ...f64, dimFeedforward: 6, dropout: 0, generator: new Generator(11) });
    const enc = new TransformerEncoder(template, 2, { norm: new LayerNorm(4, f64) });
    expect(enc.namedParameters().map(([n]) => n)).toContain('layers.1.self_attn.in_proj_weight');
    expect(enc.namedParameters().map(([n]) => n).at(-1)).toBe('norm.bias');
    const [a, b] = [enc.layers[0]!, enc.layers[1]!];
    expect(a.linear1.weight).not.toBe(b.linear1.weight);
    expect(flat(a.linear1.weight)).toEqual(flat(template.linear1.weight));
    const x = rnd([3, 1, 4], 12);
    expect(maxDiff(enc.forward(x, { isCausal: true }), normalize(b.forward(a.forward(x, { isCausal: true }), { isCausal: true })))).toBeLessThan(1e-12);
    const dec = new TransformerDecoder(new TransformerDecoderLayer(4, 2, { ...f64, dimFeedforward: 6, dropout: 0 }), 2);
    const mem = rnd([5, 1, 4], 13);
    expect(maxDiff(dec.forward(x, mem), dec.layers[1]!.forward(dec.layers[0]!.forward(x, mem), mem))).toBe(0);
  });
});
