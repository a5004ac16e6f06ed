import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseIdx, parseMnist } from '@tapegrad/data';
import { loadMnist, readIdx } from '@tapegrad/data/node';
import { idxBytes, tempDir, writeIdx } from './helpers.js';

describe('readIdx', () => {
  const { file } = tempDir();

  it('reads every element type, big-endian', () => {
    const cases: [number, string, number[], string][] = [
      [0x08, 'ubyte', [0, 1, 255], 'Uint8Array'],
      [0x09, 'byte', [-128, 0, 127], 'Int8Array'],
      [0x0b, 'short', [-300, 2, 32767], 'Int16Array'],
      [0x0c, 'int', [-70000, 1, 2 ** 31 - 1], 'Int32Array'],
      [0x0d, 'float', [1.5, -0.25, 1e10], 'Float32Array'],
      [0x0e, 'double', [0.1, -2.5, 1e300], 'Float64Array'],
    ];
    for (const [code, type, values, arrayType] of cases) {
      const arr = readIdx(writeIdx(file(`t${code}.idx`), code, [3], values));
      expect(arr.type).toBe(type);
      expect(arr.shape).toEqual([3]);
      expect(arr.data.constructor.name).toBe(arrayType);
      expect(Array.from(arr.data)).toEqual(values);
    }
  });

  it('reads multi-dimensional files row-major', () => {
    const arr = readIdx(writeIdx(file('m.idx'), 0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
    expect(arr.shape).toEqual([2, 2, 3]);
    expect(Array.from(arr.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('gunzips by the magic bytes, whatever the file name', () => {
    const plainName = writeIdx(file('labels.idx'), 0x08, [4], [3, 1, 4, 1], true);
    expect(Array.from(readIdx(plainName).data)).toEqual([3, 1, 4, 1]);
    const gzName = writeIdx(file('labels-not-zipped.gz'), 0x08, [2], [9, 8]);
    expect(Array.from(readIdx(gzName).data)).toEqual([9, 8]);
  });

  it('parses bytes in memory', () => {
    expect(parseIdx(idxBytes(0x0b, [1, 2], [256, -1])).data).toEqual(new Int16Array([256, -1]));
  });

  it('rejects a bad magic number', () => {
    const path = file('bad-magic.idx');
    writeFileSync(path, Uint8Array.from([0x01, 0x00, 0x08, 0x01, 0, 0, 0, 0]));
    expect(() => readIdx(path)).toThrow(
      `readIdx: ${path}: bad magic number 0x01000801 at byte offset 0; an IDX file starts with two zero bytes, a type code and the number of dimensions`,
    );
  });

  it('rejects an unknown type code', () => {
    const path = file('bad-type.idx');
    writeFileSync(path, Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 0]));
    expect(() => readIdx(path)).toThrow(
      `readIdx: ${path}: bad magic number 0x00000a01: unknown type code 0x0a at byte offset 2; expected one of 0x08 (ubyte), 0x09 (byte), 0x0b (short), 0x0c (int), 0x0d (float), 0x0e (double)`,
    );
  });

  it('rejects truncated headers and data, naming the offset and the expected size', () => {
    const short = file('short.idx');
    writeFileSync(short, Uint8Array.from([0, 0]));
    expect(() => readIdx(short)).toThrow(`readIdx: ${short}: truncated header at byte offset 0: expected 4 bytes of magic number, got 2`);

    const dims = file('dims.idx');
    writeFileSync(dims, idxBytes(0x08, [2, 28, 28], []).subarray(0, 10));
    expect(() => readIdx(dims)).toThrow(`readIdx: ${dims}: truncated header at byte offset 4: expected 12 bytes of dimension sizes (3 dimensions), got 6`);

    const data = file('data.idx');
    writeFileSync(data, idxBytes(0x0d, [2, 3], [1, 2, 3, 4, 5, 6]).subarray(0, 12 + 20));
    expect(() => readIdx(data)).toThrow(`readIdx: ${data}: truncated data at byte offset 12: expected 24 bytes (shape [2,3] of float), got 20`);
  });

  it('names the gunzipped stream in errors about its content, and reports broken gzip', () => {
    const gz = file('trunc.gz');
    writeFileSync(gz, gzipSync(idxBytes(0x08, [5], [1, 2, 3, 4, 5]).subarray(0, 11)));
    expect(() => readIdx(gz)).toThrow(`readIdx: ${gz} (gunzipped): truncated data at byte offset 8: expected 5 bytes (shape [5] of ubyte), got 3`);

    const broken = file('broken.gz');
    const zipped = gzipSync(idxBytes(0x08, [50], new Array(50).fill(7)));
    writeFileSync(broken, zipped.subarray(0, zipped.length - 12));
    expect(() => readIdx(broken)).toThrow(`readIdx: ${broken} starts with the gzip magic bytes 0x1f 0x8b but could not be gunzipped: unexpected end of file`);
  });

  it('parseIdx decodes bytes, names them in errors, and refuses gzip with a way out', () => {
    expect(() => parseIdx(Uint8Array.from([0, 0, 8]), 'x.idx')).toThrow('parseIdx: x.idx: truncated header at byte offset 0: expected 4 bytes of magic number, got 3');
    expect(() => parseIdx(gzipSync(idxBytes(0x08, [2], [1, 2])), 'x.idx.gz')).toThrow(
      "parseIdx: x.idx.gz is gzip-compressed (it starts with 0x1f 0x8b); decompress it first: readIdx of @tapegrad/data/node gunzips files, and in a browser: new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer())",
    );
  });

  it('rejects trailing bytes and unreadable files', () => {
    const extra = file('extra.idx');
    writeFileSync(extra, Uint8Array.from([...idxBytes(0x08, [2], [1, 2]), 9, 9]));
    expect(() => readIdx(extra)).toThrow(`readIdx: ${extra}: 2 unexpected bytes after the data at byte offset 10 (shape [2] of ubyte ends there)`);
    expect(() => readIdx(file('missing.idx'))).toThrow(/^readIdx: cannot read .*missing\.idx: ENOENT/);
  });
});

describe('parseMnist', () => {
  it('decodes image and label bytes into tensors, as loadMnist does from files', () => {
    const images = idxBytes(0x08, [2, 1, 2], [0, 255, 51, 102]);
    const labels = idxBytes(0x08, [2], [7, 3]);
    const mnist = parseMnist(images, labels);
    expect(mnist.images.shape).toEqual([2, 1, 1, 2]);
    expect(Array.from(mnist.images.contiguousData())).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect(mnist.labels.toArray()).toEqual([7, 3]);
    expect(() => parseMnist(images, idxBytes(0x08, [1], [7]))).toThrow('parseMnist: the image bytes has 2 images but the label bytes has 1 labels; they must match one to one');
  });
});

describe('loadMnist', () => {
  const { file } = tempDir();
  // Three 2×2 "images" keep the fixture tiny; the loader takes rows and cols from the file.
  const pixels = [0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 0, 0];
  const images = writeIdx(file('images-idx3-ubyte.gz'), 0x08, [3, 2, 2], pixels, true);
  const labels = writeIdx(file('labels-idx1-ubyte'), 0x08, [3], [7, 0, 9]);

  it('returns [N,1,rows,cols] float32 images in [0,1] and [N] labels', () => {
    const mnist = loadMnist(images, labels);
    expect(mnist.images.shape).toEqual([3, 1, 2, 2]);
    expect(mnist.images.dtype).toBe('float32');
    expect(Array.from(mnist.images.contiguousData())).toEqual(pixels.map((p) => Math.fround(p / 255)));
    expect(mnist.labels.shape).toEqual([3]);
    expect(mnist.labels.toArray()).toEqual([7, 0, 9]);
  });

  it('keeps raw pixel values with normalize: false', () => {
    expect(Array.from(loadMnist(images, labels, { normalize: false }).images.contiguousData())).toEqual(pixels);
  });

  it('rejects a label count that does not match the image count', () => {
    const fewer = writeIdx(file('fewer-labels'), 0x08, [2], [1, 2]);
    expect(() => loadMnist(images, fewer)).toThrow(`loadMnist: ${images} has 3 images but ${fewer} has 2 labels; they must match one to one`);
  });

  it('rejects files of the wrong type or rank', () => {
    expect(() => loadMnist(labels, labels)).toThrow(`loadMnist: ${labels} holds ubyte of shape [3]; expected ubyte images of shape [N, rows, cols]`);
    const floats = writeIdx(file('float-labels'), 0x0d, [3], [1, 2, 3]);
    expect(() => loadMnist(images, floats)).toThrow(`loadMnist: ${floats} holds float of shape [3]; expected ubyte labels of shape [N]`);
  });
});
