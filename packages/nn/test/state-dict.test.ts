import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, randn, tensor, zeros } from '@tapegrad/autograd';
import { BatchNorm1d, Linear, ReLU, Sequential } from '@tapegrad/nn';
import { loadModel, saveModel } from '@tapegrad/nn/node';
import { flat } from './helpers.js';

const mlp = () => new Sequential(new Linear(3, 4), new ReLU(), new BatchNorm1d(4), new Linear(4, 2));
const snapshot = (m: Sequential) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, flat(t)]));

describe('stateDict / loadStateDict', () => {
  it('holds parameters and buffers by dotted name, in order, sharing storage', () => {
    const model = mlp();
    const state = model.stateDict();
    expect(Object.keys(state)).toEqual([
      '0.weight', '0.bias', '2.weight', '2.bias', '2.running_mean', '2.running_var', '2.num_batches_tracked', '3.weight', '3.bias',
    ]);
    expect(state['0.weight']!.requiresGrad).toBe(false);
    expect(state['0.weight']!.data.data).toBe((model[0] as Linear).weight.data.data);
  });

  it('round-trips: a second model given the first one\'s state computes the same outputs', () => {
    manualSeed(3);
    const a = mlp();
    a.forward(randn([8, 3])); // moves the BatchNorm running stats away from their initial values
    const b = mlp();
    const weightBefore = (b[0] as Linear).weight;
    expect(b.loadStateDict(a.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(snapshot(b)).toEqual(snapshot(a));
    expect((b[0] as Linear).weight).toBe(weightBefore); // copied in place: optimizers keep valid references
    const x = randn([5, 3]);
    expect(flat(b.eval().forward(x))).toEqual(flat(a.eval().forward(x)));
  });

  it('strict load: missing and unexpected keys are errors naming them, and nothing is changed', () => {
    const model = mlp();
    const before = snapshot(model);
    const state = { ...mlp().stateDict() };
    delete state['3.bias'];
    state['4.weight'] = zeros([1]);
    state['0.weight'] = zeros([9, 9]);
    let message = '';
    try {
      model.loadStateDict(state);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('cannot load state into Sequential (the model was left unchanged)');
    expect(message).toContain('missing key(s): "3.bias"');
    expect(message).toContain('unexpected key(s): "4.weight"');
    expect(message).toContain('shape mismatch for "0.weight": the model has [4,3], the state has [9,9]');
    expect(snapshot(model)).toEqual(before);
  });

  it('dtype mismatches and non-tensors are errors too, even when not strict', () => {
    const model = new Linear(2, 1);
    const before = snapshot(new Sequential(model));
    const state = { weight: zeros([1, 2], { dtype: 'float64' }), bias: zeros([1]) };
    expect(() => model.loadStateDict(state, { strict: false })).toThrow(/dtype mismatch for "weight": the model has float32, the state has float64/);
    expect(() => model.loadStateDict({ weight: [[1, 2]] as never, bias: zeros([1]) })).toThrow(/value of "weight" is not a Tensor/);
    expect(snapshot(new Sequential(model))).toEqual(before);
  });

  it('non-strict load copies what matches and reports the rest', () => {
    const model = new Linear(2, 1);
    const result = model.loadStateDict({ weight: tensor([[5, 6]]), extra: zeros([1]) }, { strict: false });
    expect(result).toEqual({ missingKeys: ['bias'], unexpectedKeys: ['extra'] });
    expect(flat(model.weight)).toEqual([5, 6]);
  });

  it('loading a state that aliases other tensors of the same model (swapping weights) is safe', () => {
    const model = new Sequential(new Linear(2, 2), new Linear(2, 2));
    const [w0, w1] = [flat((model[0] as Linear).weight), flat((model[1] as Linear).weight)];
    const state = model.stateDict();
    model.loadStateDict({ ...state, '0.weight': state['1.weight']!, '1.weight': state['0.weight']! });
    expect(flat((model[0] as Linear).weight)).toEqual(w1);
    expect(flat((model[1] as Linear).weight)).toEqual(w0);
  });
});

describe('saveModel / loadModel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-nn-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restores weights, buffers and metadata', () => {
    manualSeed(5);
    const a = mlp();
    a.forward(randn([6, 3]));
    const path = join(dir, 'mlp.tg');
    saveModel(a, path, { epoch: 7 });
    const b = mlp();
    const { meta, missingKeys } = loadModel(b, path);
    expect(meta).toEqual({ epoch: 7 });
    expect(missingKeys).toEqual([]);
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  it('refuses a file for another architecture, naming the file and keys, and leaves the model unchanged', () => {
    const path = join(dir, 'small.tg');
    saveModel(new Sequential(new Linear(3, 5)), path);
    const model = mlp();
    const before = snapshot(model);
    expect(() => loadModel(model, path)).toThrow(/loadModel: .*small\.tg: loadStateDict: .*shape mismatch for "0\.weight"/s);
    expect(snapshot(model)).toEqual(before);
  });

  it('refuses a corrupt file', () => {
    const path = join(dir, 'bad.tg');
    writeFileSync(path, 'not a tensor file at all');
    expect(() => loadModel(mlp(), path)).toThrow(/not a tapegrad tensor file/);
  });
});
