import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arange, deserializeTensors, randn, serializeTensors, tensor, zeros } from '@tapegrad/autograd';
import { loadTensors, saveTensors } from '@tapegrad/autograd/node';

describe('tensor files', () => {
  it('round-trips names, dtypes, shapes, values (bit-exact) and metadata', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-'));
    const path = join(dir, 'a.tg');
    const w = randn([3, 5]);
    const d = randn([2, 1, 2], { dtype: 'float64' });
    const s = tensor(1.5);
    const view = arange(12).reshape([3, 4]).transpose().slice([1, 3]);
    saveTensors(path, { w, d, s, view, empty: zeros([0, 3]) }, { epoch: 4, note: 'ok' });
    const { tensors, meta } = loadTensors(path);
    expect(meta).toEqual({ epoch: 4, note: 'ok' });
    expect(tensors.w!.contiguousData()).toEqual(w.contiguousData());
    expect(tensors.d!.dtype).toBe('float64');
    expect(tensors.d!.toArray()).toEqual(d.toArray());
    expect(tensors.s!.shape).toEqual([]);
    expect(tensors.view!.toArray()).toEqual(view.toArray());
    expect(tensors.empty!.shape).toEqual([0, 3]);
    expect(readdirSync(dir)).toEqual(['a.tg']); // no temporary file left behind
  });
  it('rejects bad magic, truncation and inconsistent headers, naming the file', () => {
    const bytes = serializeTensors({ w: randn([4, 4]) });
    expect(() => deserializeTensors(new TextEncoder().encode('NOTATAPEGRADFILE'), 'x.tg')).toThrow(
      'deserializeTensors: x.tg: not a tapegrad tensor file (expected the magic "TAPEGRAD" at byte 0)',
    );
    expect(() => deserializeTensors(bytes.subarray(0, bytes.length - 8), 'x.tg')).toThrow(/deserializeTensors: x\.tg: truncated: tensor 'w' needs bytes \d+\.\.\d+ but the file has \d+ bytes/);
    const dir = mkdtempSync(join(tmpdir(), 'tg-'));
    const path = join(dir, 'bad.tg');
    const text = new TextDecoder('latin1').decode(bytes).replace('"byteLength":64', '"byteLength":60');
    writeFileSync(path, Uint8Array.from(text, (c) => c.charCodeAt(0)));
    expect(() => loadTensors(path)).toThrow(`loadTensors: ${path}: tensor 'w' of shape [4,4] (float32) needs 64 bytes, the header says 60`);
    expect(readFileSync(path).length).toBe(bytes.length);
  });
  it('an interrupted save leaves the previous file intact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-'));
    const path = join(dir, 'c.tg');
    saveTensors(path, { w: tensor([1, 2]) });
    expect(() => saveTensors(path, { w: 'not a tensor' as never })).toThrow("saveTensors: entry 'w' is not a Tensor");
    expect(loadTensors(path).tensors.w!.toArray()).toEqual([1, 2]);
    expect(readdirSync(dir)).toEqual(['c.tg']);
  });
});
