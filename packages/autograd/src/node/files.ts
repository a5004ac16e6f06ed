// Tensor files on disk: the byte format of serialize.ts written atomically and read back.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Tensor } from '../tensor.js';
import { deserializeTensors, serializeTensors, type TensorFile } from '../serialize.js';

/**
 * Writes named tensors and metadata to `path` atomically: a temporary file is written and synced,
 * then renamed over `path`, so an interrupted save never leaves a corrupt file behind.
 *
 * @example
 * ```ts
 * saveTensors('checkpoint.tg', { 'fc.weight': w }, { epoch: 3 });
 * ```
 * @category Serialization
 */
export function saveTensors(path: string, tensors: Readonly<Record<string, Tensor>>, meta: unknown = null): void {
  writeFileAtomic(path, serializeTensors(tensors, meta));
}

/**
 * Writes `bytes` to `path` atomically: a temporary file next to it is written and synced, then
 * renamed over `path`, so readers see the old content or the new, never a partial file.
 *
 * @example
 * ```ts
 * writeFileAtomic('model.tg', serializeTensors(model.stateDict()));
 * ```
 * @category Serialization
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Reads a file written by {@link saveTensors}, validating it (errors name the file and the byte
 * offset or tensor at fault).
 *
 * @example
 * ```ts
 * const { tensors, meta } = loadTensors('checkpoint.tg');
 * ```
 * @category Serialization
 */
export function loadTensors(path: string): TensorFile {
  return deserializeTensors(readFileSync(path), path);
}
