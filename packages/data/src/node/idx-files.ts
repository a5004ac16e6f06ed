// IDX files on disk (as MNIST is distributed), gzipped or not.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describeValue } from '@tapegrad/autograd';
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
  return readIdxAs('readIdx', path);
}

/** {@link readIdx} with errors starting with `who` (loadMnist's name when it reads). */
export function readIdxAs(who: string, path: string, name = 'path'): IdxArray {
  if (typeof path !== 'string' || path === '') throw new Error(`${who}: ${name} must be a non-empty string (got ${describeValue(path)}, expected a file path)`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`${who}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  if (!isGzip(bytes)) return decodeIdx(bytes, path, who);
  try {
    bytes = gunzipSync(bytes);
  } catch (e) {
    throw new Error(`${who}: ${path} starts with the gzip magic bytes 0x1f 0x8b but could not be gunzipped: ${(e as Error).message}`);
  }
  return decodeIdx(bytes, `${path} (gunzipped)`, who);
}
