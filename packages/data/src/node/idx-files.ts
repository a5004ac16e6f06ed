// IDX files on disk (as MNIST is distributed), gzipped or not.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decodeIdx, isGzip, type IdxArray } from '../idx.js';

/**
 * Reads an IDX file (as MNIST is distributed), gunzipping it first when it starts with the gzip
 * magic bytes, whatever its name. `parseIdx` of the main entry point decodes bytes already in
 * memory.
 *
 * @example
 * ```ts
 * const images = readIdx('data/train-images-idx3-ubyte.gz');
 * images.shape; // [60000, 28, 28]
 * ```
 * @category Loading
 */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`readIdx: cannot read ${path}: ${(e as Error).message}`);
  }
  if (!isGzip(bytes)) return decodeIdx(bytes, path, 'readIdx');
  try {
    bytes = gunzipSync(bytes);
  } catch (e) {
    throw new Error(`readIdx: ${path} starts with the gzip magic bytes 0x1f 0x8b but could not be gunzipped: ${(e as Error).message}`);
  }
  return decodeIdx(bytes, `${path} (gunzipped)`, 'readIdx');
}
