// Tensor files on disk: the byte format of serialize.ts written atomically and read back.
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Tensor } from '../tensor.js';
import { decodeTensors, encodeTensors, type TensorFile } from '../serialize.js';

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
  if (typeof path !== 'string' || path === '') throw new Error(`saveTensors: path must be a non-empty string (got ${typeof path === 'string' ? '""' : String(path)}, expected a file path)`);
  const bytes = encodeTensors('saveTensors', tensors, meta);
  try {
    writeFileAtomic(path, bytes);
  } catch (e) {
    throw renamed('saveTensors', e);
  }
}

/** `writeFileAtomic: …` becomes `fn: …`, so a file error names the function the user called. */
function renamed(fn: string, e: unknown): unknown {
  return e instanceof Error && e.message.startsWith('writeFileAtomic: ') ? new Error(`${fn}: ${e.message.slice(17)}`, { cause: e }) : e;
}

/** A Node file error as `fn: cannot <action> <path>: ENOENT (no such file or directory)`. */
function fileError(fn: string, action: string, path: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  const reason = code ? `${code} (${(e as Error).message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '')})` : String((e as Error)?.message ?? e);
  return new Error(`${fn}: cannot ${action} ${path}: ${reason}`, { cause: e });
}

/** The pid in a temporary name `<file>.tmp-<pid>-<time>`, or NaN. */
function tmpPid(name: string, file: string): number {
  const m = name.startsWith(`${file}.tmp-`) ? /^(\d+)-\d+$/.exec(name.slice(file.length + 5)) : null;
  return m ? Number(m[1]) : NaN;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary files of `path` left by writers that died mid-save (their process is gone). */
function removeStaleTemporaries(path: string): void {
  const dir = dirname(path);
  const file = basename(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // the write below reports a missing directory with the function and path
  }
  for (const name of names) {
    const pid = tmpPid(name, file);
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) rmSync(join(dir, name), { force: true });
  }
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
  if (typeof path !== 'string' || path === '') throw new Error(`writeFileAtomic: path must be a non-empty string (got ${String(path)}, expected a file path)`);
  if (!(bytes instanceof Uint8Array)) throw new Error('writeFileAtomic: bytes must be a Uint8Array');
  removeStaleTemporaries(path);
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
    throw fileError('writeFileAtomic', 'write', path, e);
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
  if (typeof path !== 'string' || path === '') throw new Error(`loadTensors: path must be a non-empty string (got ${String(path)}, expected a file path)`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw fileError('loadTensors', 'read', path, e);
  }
  return decodeTensors('loadTensors', bytes, path);
}
