// safetensors: the byte format against the reference implementation's own test vectors and
// rejection rules, and weights exchanged with PyTorch (fixtures made by scripts/interop-fixtures.py).
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSafetensors, serializeSafetensors, serializeTensors, tensor, type Tensor } from '@tapegrad/autograd';
import { loadSafetensors, saveSafetensors } from '@tapegrad/autograd/node';
import { BatchNorm2d, Conv2d, Flatten, GRU, LSTM, Linear, MaxPool2d, Module, ReLU, Sequential, TransformerEncoderLayer, Upsample, mseLoss } from '@tapegrad/nn';
import { loadModel } from '@tapegrad/nn/node';
import { SGD } from '@tapegrad/optim';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'interop');
/** What `interop-fixtures.py verify` checked in torch: per model, the weights tapegrad wrote and torch's max difference. */
const verified = JSON.parse(readFileSync(join(fixtures, 'torch-verified.json'), 'utf8')) as {
  torch: string;
  models: Record<string, { maxAbsDiff: number; keys: string[]; dtypes: Record<string, string>; outputAbsSum: number }>;
};
const flat = (t: Tensor) => Array.from(t.contiguousData());
const maxDiff = (a: Tensor, b: Tensor) => {
  expect(a.shape).toEqual(b.shape);
  const x = flat(a);
  const y = flat(b);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
};

/** A file with the given header text and data bytes, the header length written as the spec says. */
function rawFile(header: string, data: number[] = [], headerLength?: number): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe('safetensors bytes', () => {
  it('writes exactly the bytes of the reference implementation (its test_serialization vector)', () => {
    const bytes = serializeSafetensors({ 'attn.0': tensor([0, 1, 2, 3, 4, 5], { shape: [1, 2, 3] }) });
    // The JSON (59 bytes) padded with spaces to 64, then the values: the reference's own vector.
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true))).toBe(64);
    const header = new TextDecoder().decode(bytes.subarray(8, 72));
    expect(header).toBe('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}'.padEnd(64, ' '));
    expect(Array.from(bytes.subarray(72))).toEqual([0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64]);
    expect(Array.from(serializeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(serializeSafetensors({}, { framework: 'pt' }).length).toBe(48); // the reference's 40-byte header + 8
  });

  it('round-trips float32 and float64 values, shapes (0-d and size-0 too) and metadata', () => {
    const tensors = {
      w: tensor([[1.5, -2], [3, 4e-20]]),
      d: tensor(new Float64Array([Math.PI, -1e300]), { shape: [2] }),
      s: tensor(7),
      e: tensor(new Float32Array(0), { shape: [0, 3] }),
    };
    const { tensors: back, metadata } = parseSafetensors(serializeSafetensors(tensors, { epoch: '3' }));
    expect(metadata).toEqual({ epoch: '3' });
    for (const [k, t] of Object.entries(tensors)) {
      expect(back[k]!.dtype).toBe(t.dtype);
      expect(back[k]!.shape).toEqual(t.shape);
      expect(flat(back[k]!)).toEqual(flat(t));
    }
  });

  it('reads every dtype PyTorch wrote: F16/BF16 into float32, I32/I64 into int32, BOOL into bool, exactly', () => {
    const { tensors, metadata } = parseSafetensors(readFileSync(join(fixtures, 'dtypes.safetensors')));
    const expected = loadSafetensors(join(fixtures, 'dtypes.expected.safetensors'));
    expect(metadata.source).toMatch(/^torch /);
    const dtypes: Record<string, string> = { f32: 'float32', f64: 'float64', f16: 'float32', bf16: 'float32', i32: 'int32', i64: 'int32', bool: 'bool' };
    for (const [name, dtype] of Object.entries(dtypes)) {
      const t = tensors[name]!;
      expect(t.dtype).toBe(dtype);
      expect(flat(t)).toEqual(flat(expected[`${name}.expected`]!));
    }
  });

  it('writes int32 as I32 and bool as BOOL, and reads them back with their dtypes', () => {
    const ints = tensor(new Int32Array([0, -2147483648, 2147483647, 5]), { shape: [2, 2] });
    const mask = tensor([1, 0, 1]).gt(0.5);
    const bytes = serializeSafetensors({ ints, mask });
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))));
    expect(header.ints.dtype).toBe('I32');
    expect(header.mask).toEqual({ dtype: 'BOOL', shape: [3], data_offsets: [16, 19] });
    const back = parseSafetensors(bytes).tensors;
    expect(back.ints!.dtype).toBe('int32');
    expect(flat(back.ints!)).toEqual([0, -2147483648, 2147483647, 5]);
    expect(back.mask!.dtype).toBe('bool');
    expect(flat(back.mask!)).toEqual([1, 0, 1]);
  });

  it('refuses what the reference implementation refuses, naming the problem', () => {
    const t = (offsets: string, dtype = 'F32', shape = '[1]') => `"${dtype}","shape":${shape},"data_offsets":${offsets}`;
    const bad: [Uint8Array, RegExp][] = [
      [new Uint8Array(5), /too short/],
      [rawFile('{}', [], 100_000_001), /exceeds the 100,000,000-byte limit/],
      [rawFile('{}', [], 50), /runs past the end/],
      [rawFile('{"a":{"dtype":' + t('[0,4]') + '}}', [0, 0, 0]), /cover 4 data bytes but the buffer holds 3/],
      [rawFile('{"a":{"dtype":' + t('[0,4]') + '}}', [0, 0, 0, 0, 9]), /incomplete or trailing/],
      [rawFile('{"a":{"dtype":' + t('[0,4]') + '},"b":{"dtype":' + t('[2,6]') + '}}', new Array(8).fill(0)), /'b' has data_offsets \[2, 6\] but must start at 4/],
      [rawFile('{"a":{"dtype":' + t('[4,8]') + '}}', new Array(8).fill(0)), /must start at 0/],
      [rawFile('{"a":{"dtype":' + t('[0,8]') + '}}', new Array(8).fill(0)), /needs 4 bytes, its data_offsets span 8/],
      [rawFile('{"a":{"dtype":' + t('[0,4]') + '},"a":{"dtype":' + t('[0,4]') + '}}', [0, 0, 0, 0]), /names 'a' twice/],
      [rawFile('{"a":{"dtype":' + t('[0,4]', 'F33') + '}}', [0, 0, 0, 0]), /unknown dtype "F33"/],
      [rawFile('{"a":{"dtype":' + t('[0,1]', 'U8') + '}}', [0]), /dtype U8 is valid safetensors but not supported/],
      [rawFile('{"a":{"dtype":' + t('[0,8]', 'I64') + '}}', [0, 0, 0, 128, 0, 0, 0, 0]), /holds 2147483648 at flat index 0, outside the int32 range/],
      [rawFile('{"a":{"dtype":' + t('[0,8]', 'I64') + '}}', [255, 255, 255, 127, 255, 255, 255, 255]), /holds -2147483649 at flat index 0, outside the int32 range/],
      [rawFile('{"a":{"dtype":' + t('[0,1]', 'BOOL') + '}}', [2]), /booleans are 0 or 1/],
      [rawFile('{"__metadata__":{"n":1}}'), /__metadata__ value of 'n' must be a string/],
      [rawFile('{"a":{"dtype":' + t('[0,4]', 'F32', '[-1]') + '}}', [0, 0, 0, 0]), /invalid shape \[-1\]/],
      [rawFile('[1, 2]'), /must be a JSON object/],
      [rawFile('{"a":'), /not valid JSON/],
      [Uint8Array.from([2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe]), /not valid UTF-8/],
    ];
    for (const [bytes, message] of bad) expect(() => parseSafetensors(bytes)).toThrow(message);
    expect(() => parseSafetensors(rawFile('{"a":{"dtype":' + t('[0,4]') + '}}  ', [0, 0, 128, 63]))).not.toThrow();
    expect(() => serializeSafetensors({ w: tensor([1]) }, { n: 1 as unknown as string })).toThrow(/^serializeSafetensors: metadata value of 'n' must be a string/);
    expect(() => serializeSafetensors({ __metadata__: tensor([1]) })).toThrow(/reserved/);
  });
});

const torchMlp = () => new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
const torchCnn = () =>
  new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 5));
const torchTransformer = () => new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, activation: 'gelu', batchFirst: true });

/** A model as the fixture script builds it, and how it runs on an io file (outputs by io name). */
interface Case {
  build: () => Module;
  run: (model: Module, io: Record<string, Tensor>) => Record<string, Tensor>;
}
const single = (build: () => Module<[Tensor], Tensor>): Case => ({ build, run: (m, io) => ({ output: (m as Module<[Tensor], Tensor>).forward(io.input!) }) });
const cases: Record<string, Case> = {
  mlp: single(torchMlp),
  cnn: single(torchCnn),
  transformer: single(torchTransformer),
  upsample: single(() => new Sequential(
    new Conv2d(2, 2, 1), new Upsample({ scaleFactor: 2 }), new Upsample({ size: [7, 9], mode: 'bilinear' }),
    new Upsample({ scaleFactor: 1.5, mode: 'bilinear', alignCorners: true }),
  )),
  // A 2-layer bidirectional batch-first LSTM with initial states, and a bidirectional GRU (sequence first).
  lstm: {
    build: () => new LSTM(4, 6, { numLayers: 2, bidirectional: true, batchFirst: true }),
    run: (m, io) => {
      const [output, [hN, cN]] = (m as LSTM).forward(io.input!, [io.h0!, io.c0!]);
      return { output, h_n: hN, c_n: cN };
    },
  },
  gru: {
    build: () => new GRU(4, 5, { bidirectional: true }),
    run: (m, io) => {
      const [output, hN] = (m as GRU).forward(io.input!, io.h0!);
      return { output, h_n: hN };
    },
  },
};
const names = Object.keys(cases);
const inputsOf = (io: Record<string, Tensor>) => Object.fromEntries(Object.entries(io).filter(([k]) => k === 'input' || k === 'h0' || k === 'c0'));

describe('PyTorch state dicts through safetensors', () => {
  it.each(names)('%s: weights saved by PyTorch load by name and give PyTorch\'s outputs to 1e-5', (name) => {
    const { build, run } = cases[name]!;
    const model = build();
    const state = loadSafetensors(join(fixtures, `${name}.safetensors`));
    expect(Object.keys(model.stateDict()).sort()).toEqual(Object.keys(state).sort());
    model.loadStateDict(state);
    const io = loadSafetensors(join(fixtures, `${name}.io.safetensors`));
    const outputs = run(model.eval(), io);
    expect(Object.keys(outputs).length).toBeGreaterThan(0);
    for (const [k, y] of Object.entries(outputs)) expect(maxDiff(y, io[k]!)).toBeLessThan(1e-5);
  });

  it.each(names)('%s: weights trained in tapegrad are written for PyTorch (checked by the fixture script)', (name) => {
    const { build, run } = cases[name]!;
    const model = build();
    model.loadStateDict(loadSafetensors(join(fixtures, `${name}.safetensors`)));
    const io = loadSafetensors(join(fixtures, `${name}.io.safetensors`));
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    for (let i = 0; i < 3; i++) {
      optimizer.zeroGrad();
      mseLoss(run(model.train(), io).output!, io.output!.mul(0.5)).backward();
      optimizer.step();
    }
    const outputs = run(model.eval(), io);
    expect(maxDiff(outputs.output!, io.output!)).toBeGreaterThan(1e-3); // training changed the model
    // INTEROP_OUT=dir keeps the files, for `python scripts/interop-fixtures.py verify dir`.
    const dir = process.env.INTEROP_OUT ?? mkdtempSync(join(tmpdir(), 'tapegrad-st-'));
    mkdirSync(dir, { recursive: true });
    try {
      saveSafetensors(join(dir, `${name}.safetensors`), model.stateDict(), { format: 'pt' });
      saveSafetensors(join(dir, `${name}.io.safetensors`), { ...inputsOf(io), ...outputs });
      const again = build();
      again.loadStateDict(loadSafetensors(join(dir, `${name}.safetensors`)));
      for (const [k, y] of Object.entries(run(again.eval(), io))) expect(maxDiff(y, outputs[k]!)).toBe(0);
      // The fixture script loaded these very weights in torch (a run of `verify` recorded it):
      // same keys, same integer dtypes, and the same outputs as this training run.
      const record = verified.models[name];
      expect(record, `${name} is missing from torch-verified.json: run the verify step (see scripts/interop-fixtures.py)`).toBeDefined();
      expect(record!.maxAbsDiff).toBeLessThan(1e-5);
      const state = model.stateDict();
      expect(record!.keys).toEqual(Object.keys(state).sort());
      expect(record!.dtypes).toEqual(Object.fromEntries(Object.entries(state).filter(([, t]) => t.dtype === 'int32').map(([k]) => [k, 'int32']).sort()));
      const absSum = Object.values(outputs).reduce((s, y) => s + flat(y).reduce((a, v) => a + Math.abs(v), 0), 0);
      expect(Math.abs(absSum - record!.outputAbsSum)).toBeLessThan(1e-4 * record!.outputAbsSum);
    } finally {
      if (!process.env.INTEROP_OUT) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads .tg weight files written before names followed PyTorch (camelCase keys)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapegrad-tg-'));
    try {
      const model = torchCnn();
      model.loadStateDict(loadSafetensors(join(fixtures, 'cnn.safetensors')));
      // A version-1 .tg file as the previous release wrote it: 'bn' buffers named 1.runningMean etc.
      // Its BatchNorm counter was a float then (now int32, as PyTorch's is an integer).
      const legacy = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), t.dtype === 'int32' ? t.toDType('float32') : t]));
      expect(Object.keys(legacy)).toContain('1.runningMean');
      expect(legacy['1.numBatchesTracked']!.dtype).toBe('float32');
      writeFileSync(join(dir, 'old.tg'), serializeTensors(legacy, { epoch: 1 }));
      const fresh = torchCnn();
      expect(loadModel(fresh, join(dir, 'old.tg')).meta).toEqual({ epoch: 1 });
      const io = loadSafetensors(join(fixtures, 'cnn.io.safetensors'));
      expect(maxDiff(fresh.eval().forward(io.input!), io.output!)).toBeLessThan(1e-5);
      expect((fresh.stateDict()['1.num_batches_tracked']!).dtype).toBe('int32');
      expect(fresh.stateDict()['1.num_batches_tracked']!.item()).toBe(model.stateDict()['1.num_batches_tracked']!.item());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
