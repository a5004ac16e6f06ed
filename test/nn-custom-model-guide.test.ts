// The code of docs/custom-model.md, run as a test so the guide stays true.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, manualSeed, noGrad, ones, rand, randn, zeros, type Tensor } from '@tapegrad/autograd';
import { gradcheck } from '@tapegrad/autograd/testing';
import {
  Dropout, LayerNorm, Linear, Module, buffer, crossEntropy, functionalCall, init, parameter, type Parameter,
} from '@tapegrad/nn';
import { loadModel, saveModel } from '@tapegrad/nn/node';

class ResidualBlock extends Module<[Tensor], Tensor> {
  norm: LayerNorm;
  fc1: Linear;
  fc2: Linear;
  dropout: Dropout;

  constructor(dim: number, hidden: number, p = 0.1) {
    super();
    this.norm = new LayerNorm(dim);
    this.fc1 = new Linear(dim, hidden);
    this.fc2 = new Linear(hidden, dim);
    this.dropout = new Dropout(p);
  }

  forward(x: Tensor): Tensor {
    const h = this.fc2.forward(this.fc1.forward(this.norm.forward(x)).gelu());
    return x.add(this.dropout.forward(h));
  }
}

class ResidualMlp extends Module<[Tensor], Tensor> {
  stem = new Linear(2, 16);
  blocks = [new ResidualBlock(16, 32), new ResidualBlock(16, 32)];
  head = new Linear(16, 2);

  forward(x: Tensor): Tensor {
    let h = this.stem.forward(x);
    for (const block of this.blocks) h = block.forward(h);
    return this.head.forward(h);
  }
}

class RmsNorm extends Module<[Tensor], Tensor> {
  scale: Parameter;
  seen = buffer(zeros([]));
  constructor(dim: number, readonly eps = 1e-6) {
    super();
    this.scale = parameter(ones([dim]));
  }
  forward(x: Tensor): Tensor {
    if (this.training) noGrad(() => this.seen.add_(1));
    return x.mul(x.square().mean(-1, true).add(this.eps).rsqrt()).mul(this.scale);
  }
  override extraRepr(): string {
    return `${this.scale.shape[0]}, eps=${this.eps}`;
  }
}

describe('docs/custom-model.md', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-guide-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sections 1–2: names, size and printing', () => {
    const model = new ResidualMlp();
    expect(model.namedParameters().map(([name]) => name).slice(0, 5)).toEqual([
      'stem.weight', 'stem.bias', 'blocks.0.norm.weight', 'blocks.0.norm.bias', 'blocks.0.fc1.weight',
    ]);
    expect(model.numParameters()).toBe(2290);
    const printed = String(model).split('\n');
    expect(printed.slice(0, 8)).toEqual([
      'ResidualMlp(',
      '  (stem): Linear(in_features=2, out_features=16, bias=True)',
      '  (blocks.0): ResidualBlock(',
      '    (norm): LayerNorm((16,), eps=1e-05, elementwise_affine=True)',
      '    (fc1): Linear(in_features=16, out_features=32, bias=True)',
      '    (fc2): Linear(in_features=32, out_features=16, bias=True)',
      '    (dropout): Dropout(p=0.1)',
      '  )',
    ]);
    expect(printed.slice(-2)).toEqual(['  (head): Linear(in_features=16, out_features=2, bias=True)', ')']);
    model.apply((m) => {
      if (m instanceof Linear) init.kaimingNormal(m.weight, { nonlinearity: 'relu' });
    });
  });

  it('sections 3 and 5: trains with plain SGD, then saves and loads', () => {
    manualSeed(0);
    const gen = new Generator(1);
    const points = rand([256, 2], { generator: gen }).mul(3).sub(1.5);
    const labels = points.square().sum(1).gt(1).toDType('int32');
    const model = new ResidualMlp();
    const lr = 0.1;
    for (let epoch = 0; epoch < 300; epoch++) {
      model.train();
      const loss = crossEntropy(model.forward(points), labels);
      model.zeroGrad();
      loss.backward();
      noGrad(() => {
        for (const p of model.parameters()) p.add_(p.grad!, -lr);
      });
    }
    model.eval();
    const predicted = noGrad(() => model.forward(points).argmax(1));
    expect(predicted.eq(labels).mean().item()).toBeGreaterThan(0.95);

    const path = join(dir, 'residual-mlp.tg');
    saveModel(model, path, { epochs: 300 });
    const restored = new ResidualMlp();
    expect(loadModel(restored, path).meta).toEqual({ epochs: 300 });
    expect(restored.eval().forward(points).toArray()).toEqual(model.forward(points).toArray());

    class WiderHead extends ResidualMlp {
      override head = new Linear(16, 3);
    }
    expect(() => loadModel(new WiderHead(), path)).toThrow(
      `loadModel: ${path}: loadStateDict: cannot load state into WiderHead (the model was left unchanged):\n` +
        '  shape mismatch for "head.weight": the model has [3,16], the state has [2,16]\n' +
        '  shape mismatch for "head.bias": the model has [3], the state has [2]',
    );
  });

  it('section 4: gradcheck of the block', () => {
    const block = new ResidualBlock(4, 8, 0).toDType('float64');
    const names = block.namedParameters().map(([name]) => name);
    const x = randn([3, 4], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck(
      (x, ...params) => functionalCall(block, Object.fromEntries(names.map((n, i) => [n, params[i]!])), x),
      [x, ...block.parameters()],
    )).toBe(true);
  });

  it('custom parameters and buffers', () => {
    const norm = new RmsNorm(8);
    expect(norm.namedParameters().map(([n]) => n)).toEqual(['scale']);
    expect(norm.namedBuffers().map(([n]) => n)).toEqual(['seen']);
    norm.forward(randn([2, 8]));
    expect(norm.seen.item()).toBe(1);
    expect(String(norm)).toBe('RmsNorm(8, eps=0.000001)');
  });
});
