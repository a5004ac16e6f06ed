// Fixture writers: tests create their own small files in a fresh temp directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** A fresh temp directory; `file(name)` gives a path inside it. */
export function tempDir(): { dir: string; file: (name: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-data-'));
  return { dir, file: (name) => join(dir, name) };
}

const BYTES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/** The bytes of an IDX file: magic (0, 0, type, ndim), big-endian dims, big-endian values. */
export function idxBytes(typeCode: number, shape: readonly number[], values: readonly number[]): Uint8Array {
  const size = BYTES[typeCode]!;
  const header = 4 + 4 * shape.length;
  const buf = new Uint8Array(header + values.length * size);
  const view = new DataView(buf.buffer);
  buf[2] = typeCode;
  buf[3] = shape.length;
  shape.forEach((d, k) => view.setUint32(4 + 4 * k, d));
  values.forEach((v, k) => {
    const at = header + k * size;
    if (typeCode === 0x08) view.setUint8(at, v);
    else if (typeCode === 0x09) view.setInt8(at, v);
    else if (typeCode === 0x0b) view.setInt16(at, v);
    else if (typeCode === 0x0c) view.setInt32(at, v);
    else if (typeCode === 0x0d) view.setFloat32(at, v);
    else view.setFloat64(at, v);
  });
  return buf;
}

/** Writes an IDX file (gzipped when `gzip`) and returns its path. */
export function writeIdx(path: string, typeCode: number, shape: readonly number[], values: readonly number[], gzip = false): string {
  const bytes = idxBytes(typeCode, shape, values);
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
  return path;
}
