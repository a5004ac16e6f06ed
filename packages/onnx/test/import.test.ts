// importOnnx: graphs exported by PyTorch (test/fixtures/interop, made by scripts/interop-fixtures.py)
// run in tapegrad with PyTorch's outputs, fine-tune, and round-trip through exportOnnx.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manualSeed, randn, type Tensor } from '@tapegrad/autograd';
import { loadSafetensors } from '@tapegrad/autograd/node';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, mseLoss } from '@tapegrad/nn';
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

describe('importOnnx on graphs exported by torch.onnx.export', () => {
  it.each(['mlp', 'cnn', 'transformer'])('%s: same outputs as PyTorch to 1e-5, and a few Adam steps lower the loss', (name) => {
    const model = importOnnx(readFileSync(join(fixtures, `${name}.onnx`)));
    const io = loadSafetensors(join(fixtures, `${name}.io.safetensors`));
    const y = model.forward(io.input!) as Tensor;
    expect(maxDiff(y, io.output!)).toBeLessThan(1e-5);
    expect(model.parameters().length).toBeGreaterThan(0);
    const target = io.output!.mul(0.5).add(0.1);
    const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      optimizer.zeroGrad();
      const loss = mseLoss(model.forward(io.input!) as Tensor, target);
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
    }
    expect(losses[4]!).toBeLessThan(losses[0]! * 0.9);
  });

  it('names parameters after the initializers, so PyTorch state-dict keys line up', () => {
    const model = importOnnx(readFileSync(join(fixtures, 'cnn.onnx')));
    const state = loadSafetensors(join(fixtures, 'cnn.safetensors'));
    const keys = Object.keys(model.stateDict());
    for (const k of ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '5.weight', '5.bias']) expect(keys).toContain(k);
    expect(model.namedBuffers().map(([n]) => n).sort()).toEqual(['1.running_mean', '1.running_var']);
    expect(maxDiff(model.stateDict()['5.weight']!, state['5.weight']!)).toBe(0);
  });

  it('refuses bytes that are not ONNX and ops it does not know, naming them', () => {
    expect(() => importOnnx(new Uint8Array([1, 2, 3]))).toThrow(/^importOnnx: /);
    const bytes = exportOnnx((x: Tensor) => x.relu(), [randn([2])]);
    const patched = bytes.slice();
    for (let i = 0; i + 4 <= patched.length; i++) {
      if (String.fromCharCode(...patched.subarray(i, i + 4)) === 'Relu') patched[i + 3] = 'x'.charCodeAt(0); // op type and node name
    }
    expect(() => importOnnx(patched)).toThrow(/^importOnnx: op 'Relx' \(node 'Relx_0'\) is not supported/);
  });
});

describe('export → import → export', () => {
  it('gives the same graph, and the imported model runs like the original in ONNX Runtime', async () => {
    manualSeed(5);
    const model = new Sequential(new Conv2d(1, 3, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(3 * 4 * 4, 4));
    const x = randn([2, 1, 8, 8]);
    const first = exportOnnx(model, [x]);
    const imported = importOnnx(first);
    expect(maxDiff(imported.forward(x) as Tensor, model.eval().forward(x))).toBe(0);
    const second = exportOnnx(imported, [x]);
    const [a, b] = [decodeModel(first).graph, decodeModel(second).graph];
    expect(b.node).toEqual(a.node);
    expect(b.initializer).toEqual(a.initializer);
    expect(b.input).toEqual(a.input);
    expect(b.output).toEqual(a.output);
    expectClose((await runOrt(second, [x]))[0]!, model.forward(x));
  });

  it('a PyTorch graph imported and exported again runs in ONNX Runtime with PyTorch\'s outputs', async () => {
    for (const name of ['mlp', 'cnn', 'transformer']) {
      const io = loadSafetensors(join(fixtures, `${name}.io.safetensors`));
      const bytes = exportOnnx(importOnnx(readFileSync(join(fixtures, `${name}.onnx`))), [io.input!]);
      expectClose((await runOrt(bytes, [io.input!]))[0]!, io.output!);
    }
  });
});
