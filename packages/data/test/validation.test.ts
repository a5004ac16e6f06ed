// Bad input to the data package: a clear error naming the function (and file), never replacement
// characters, NaN scales or a silently ignored option.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor } from '@tapegrad/autograd';
import { DataLoader, MinMaxScaler, OneHotEncoder, StandardScaler, Subset, TensorDataset, collate, materialize, oneHot, parseIdx, parseMnist, randomSplit, readCsv as readCsvText, trainValTestSplit } from '@tapegrad/data';
import { loadMnist, readCsv } from '@tapegrad/data/node';
import { tempDir } from './helpers.js';

describe('readCsv', () => {
  const { file } = tempDir();
  it('refuses a column type it does not have, naming the column', () => {
    expect(() => readCsvText({ text: 'age,name\n3,x\n' }, { columnTypes: { age: 'int' } as never })).toThrow("readCsv: columnTypes['age'] is not a column type (got a string \"int\", expected 'number' or 'string')");
    expect(() => readCsvText({ text: 'a\n1\n' }, { header: 'yes' } as never)).toThrow('readCsv: header must be true or false');
    expect(() => readCsvText({ text: 'a\n1\n' }, { seperator: ';' } as never)).toThrow("readCsv: unexpected option 'seperator'");
    expect(() => readCsvText({ text: 'a\n1\n' }, { naValues: 'NA' } as never)).toThrow('readCsv: naValues must be an array of strings');
  });

  it('reports a binary file (invalid UTF-8 or NUL bytes) instead of returning replacement characters', () => {
    const png = file('image.csv');
    writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    expect(() => readCsv(png)).toThrow(`readCsv: ${png} is not UTF-8 text (invalid UTF-8 at byte offset 0)`);
    const latin1 = file('latin1.csv');
    writeFileSync(latin1, Buffer.from('name\ncaf\xe9\n', 'latin1'));
    expect(() => readCsv(latin1)).toThrow(`readCsv: ${latin1} is not UTF-8 text (invalid UTF-8 at byte offset 9)`);
    const nul = file('nul.csv');
    writeFileSync(nul, Buffer.from('a,b\n1,\0\n'));
    expect(() => readCsv(nul)).toThrow(`readCsv: ${nul} is not CSV text: it holds a NUL character on line 2`);
    const utf8 = file('utf8.csv');
    writeFileSync(utf8, 'name\ncafé\n');
    expect(readCsv(utf8).column('name').values).toEqual(['café']);
  });
});

describe('scaler and encoder states', () => {
  const std = { type: 'StandardScaler', withMean: true, withStd: true, mean: [0, 1], scale: [1, 2] };
  it('StandardScaler.fromState refuses strings, wrong lengths and zero or non-finite scales', () => {
    expect(StandardScaler.fromState(std as never).scale).toEqual([1, 2]);
    for (const [bad, msg] of [
      [{ ...std, scale: [1, 0] }, 'state.scale[1] is invalid (got 0, expected a finite number > 0)'],
      [{ ...std, scale: [1, -2] }, 'state.scale[1] is invalid (got -2'],
      [{ ...std, scale: [Infinity, 1] }, 'state.scale[0] is invalid (got Infinity'],
      [{ ...std, scale: ['1', 2] }, 'state.scale[0] is invalid (got a string "1"'],
      [{ ...std, mean: [NaN, 0] }, 'state.mean[0] is invalid (got NaN'],
      [{ ...std, mean: [0] }, 'state.scale has 2 entries but state.mean has 1'],
      [{ ...std, mean: 'abc' }, 'state.mean must be an array (got a string'],
      [{ ...std, withMean: 'true' }, 'state.withMean must be true or false'],
      [{ ...std, extra: 1 }, "unexpected state entry 'extra'"],
      ['abc', 'state must be an object (got a string'],
    ] as const) {
      expect(() => StandardScaler.fromState(bad as never)).toThrow(`StandardScaler.fromState: ${msg}`);
    }
  });

  it('MinMaxScaler.fromState and OneHotEncoder.fromState check every entry', () => {
    const mm = { type: 'MinMaxScaler', range: [0, 1], dataMin: [0, 1], dataMax: [1, 3] };
    expect(() => MinMaxScaler.fromState({ ...mm, dataMax: [1, 'x'] } as never)).toThrow('MinMaxScaler.fromState: state.dataMax[1] is invalid (got a string "x"');
    expect(() => MinMaxScaler.fromState({ ...mm, dataMax: [1, 0] } as never)).toThrow('MinMaxScaler.fromState: state.dataMax[1] is below state.dataMin[1]');
    expect(() => MinMaxScaler.fromState({ ...mm, range: [1, 1] } as never)).toThrow('MinMaxScaler.fromState: state.range is invalid: MinMaxScaler: range must be two finite numbers');
    const oh = { type: 'OneHotEncoder', handleUnknown: 'error', categories: [[0, 1, 2]] };
    expect(() => OneHotEncoder.fromState({ ...oh, categories: [[0, 2, 1]] } as never)).toThrow('OneHotEncoder.fromState: state.categories[0][2] is invalid (got 1, expected finite numbers, distinct and ascending)');
    expect(() => OneHotEncoder.fromState({ ...oh, categories: ['abc'] } as never)).toThrow('OneHotEncoder.fromState: state.categories[0] is invalid (got a string');
    expect(() => OneHotEncoder.fromState({ ...oh, handleUnknown: 'skip' } as never)).toThrow("OneHotEncoder.fromState: state.handleUnknown must be 'error' or 'ignore'");
    expect(() => new OneHotEncoder({ handleUnknow: 'ignore' } as never)).toThrow("OneHotEncoder: unexpected option 'handleUnknow'");
    expect(() => new StandardScaler({ withMean: 1 } as never)).toThrow('StandardScaler: withMean must be true or false (got 1');
    expect(() => new StandardScaler().fit([[1, 2]] as never)).toThrow('StandardScaler.fit: x must be a Tensor');
  });
});

describe('datasets and loaders', () => {
  const ds = () => new TensorDataset(tensor([[1, 2], [3, 4], [5, 6]]), tensor([0, 1, 0], { dtype: 'int32' }));
  it('name the function for wrong types and out-of-range options', () => {
    expect(() => new TensorDataset([[1, 2]] as never)).toThrow('TensorDataset: argument 0 must be a Tensor (got an array of length 1');
    expect(() => new Subset(ds(), [0, 1.5])).toThrow('Subset: indices[1] is not an index of a dataset of length 3 (got 1.5');
    expect(() => new Subset({} as never, [0])).toThrow('Subset: dataset must be a dataset (got an object');
    expect(() => new DataLoader(ds(), { batchSize: 0 })).toThrow('DataLoader: batchSize must be a positive integer (got 0');
    expect(() => new DataLoader(ds(), { batch_size: 4 } as never)).toThrow("DataLoader: unexpected option 'batch_size'");
    expect(() => new DataLoader(ds(), { shuffle: 'yes' } as never)).toThrow('DataLoader: shuffle must be true or false');
    expect(() => new DataLoader(ds(), { generator: 3 } as never)).toThrow('DataLoader: generator must be a Generator (got 3');
    expect(() => new DataLoader(undefined as never)).toThrow('DataLoader: dataset must be a dataset (got undefined');
    expect(() => collate('ab' as never)).toThrow('collate: samples must be an array of samples (got a string');
    expect(() => materialize(new Subset(ds(), []))).toThrow('materialize: the dataset is empty');
    expect(() => randomSplit(ds(), 'ab' as never)).toThrow('randomSplit: lengths must be an array');
    expect(() => randomSplit(ds(), [1, 2], 1.5)).toThrow('randomSplit: seed must be an integer or a Generator (got 1.5');
    expect(() => trainValTestSplit(ds(), { valid: 0.2 } as never)).toThrow("trainValTestSplit: unexpected option 'valid'");
    expect(() => trainValTestSplit(ds(), { val: '0.2' } as never)).toThrow('trainValTestSplit: val must be a fraction in [0, 1) (got a string');
    expect(() => oneHot('abc' as never)).toThrow('oneHot: labels must be a Tensor or an array of class indices (got a string');
  });

  it('IDX and MNIST readers name themselves and the file', () => {
    const { file } = tempDir();
    expect(() => parseIdx([0, 0, 8, 1] as never)).toThrow('parseIdx: bytes must be a Uint8Array (got an array of length 4');
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff]))).toThrow('parseIdx: <bytes>: truncated data at byte offset 8: expected 4294967295 bytes');
    expect(() => parseMnist(new Uint8Array(0), new Uint8Array(0), { normalise: true } as never)).toThrow("parseMnist: unexpected option 'normalise'");
    expect(() => parseMnist(new Uint8Array([1, 2]), new Uint8Array(0))).toThrow(/^parseMnist: the image bytes: /);
    expect(() => loadMnist(file('missing-images.idx'), file('l.idx'))).toThrow(`loadMnist: cannot read ${file('missing-images.idx')}: ENOENT`);
    expect(() => loadMnist('', file('l.idx'))).toThrow('loadMnist: imagesPath must be a non-empty string');
    expect(() => loadMnist(file('i'), file('l'), { normalize: 'no' } as never)).toThrow('loadMnist: normalize must be true or false');
  });
});
