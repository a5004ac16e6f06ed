// Checkpoints on disk: the bytes of checkpoint.ts written atomically (a temporary file, then a
// rename), so a crash mid-save leaves the previous checkpoint intact.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeValue } from '@tapegrad/autograd';
import { writeFileAtomic } from '@tapegrad/autograd/node';
import { restoreAs, serializeAs, type CheckpointParts, type CheckpointProgress, type LoadedCheckpoint } from '../checkpoint.js';
import type { CheckpointWriter } from '../fit.js';

/** A path argument: a non-empty string. */
function checkPath(fn: string, path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') throw new Error(`${fn}: path must be a non-empty string (got ${describeValue(path)}, expected a file path)`);
}

/** Writes checkpoint bytes to `path` atomically, creating its directory. */
function writeAtomically(path: string, bytes: Uint8Array, fn = 'saveCheckpoint'): void {
  checkPath(fn, path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, bytes);
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    throw new Error(msg.startsWith('writeFileAtomic: ') ? `${fn}: ${msg.slice(17)}` : `${fn}: cannot write ${path}: ${msg}`, { cause: e });
  }
}

/** Reads a checkpoint file; a missing file or a directory is an error naming `fn` and the path. */
function readChecked(fn: string, path: string): Uint8Array {
  checkPath(fn, path);
  if (!existsSync(path)) throw new Error(`${fn}: no checkpoint at ${path}`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`${fn}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
}

/**
 * Saves model, optimizer, scheduler and early-stopping state, the number of completed epochs and
 * the history to one file, atomically (temporary file, then rename). Creates the directory.
 *
 * @example
 * ```ts
 * saveCheckpoint('out/run/last.tg', { model, optimizer, scheduler }, { epoch: 5, history });
 * ```
 * @category Training
 */
export function saveCheckpoint(path: string, parts: CheckpointParts, progress: CheckpointProgress): void {
  checkPath('saveCheckpoint', path);
  writeAtomically(path, serializeAs('saveCheckpoint', parts, progress));
}

/**
 * Reads a checkpoint file written by {@link saveCheckpoint} or by `fit` through
 * {@link checkpointDir}, for `fit`'s `resume` option or `restoreCheckpoint`.
 *
 * @example
 * ```ts
 * fit({ ...options, resume: readCheckpoint('out/checkpoints/last.tg') });
 * ```
 * @category Training
 */
export function readCheckpoint(path: string): Uint8Array {
  return readChecked('readCheckpoint', path);
}

/**
 * Restores a checkpoint file written by {@link saveCheckpoint} into freshly built parts (same
 * architecture, the optimizer over the same parameters, the same kind of scheduler), and returns
 * the completed epochs and history. Checks everything before changing anything it can: the file's
 * format, that the scheduler and early stopper were saved if given.
 *
 * @example
 * ```ts
 * const model = makeModel();
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
 * const { epoch } = loadCheckpoint('out/run/last.tg', { model, optimizer });
 * ```
 * @category Training
 */
export function loadCheckpoint(path: string, parts: CheckpointParts): LoadedCheckpoint {
  return restoreAs('loadCheckpoint', readChecked('loadCheckpoint', path), parts, path);
}

/**
 * A checkpoint writer for `fit` that keeps `<dir>/last.tg` and `<dir>/best.tg`, each written
 * atomically (the directory is created when missing).
 *
 * @example
 * ```ts
 * fit({ ...options, checkpoint: { write: checkpointDir('out/checkpoints'), best: true } });
 * ```
 * @category Training
 */
export function checkpointDir(dir: string): CheckpointWriter {
  checkPath('checkpointDir', dir);
  return (name, bytes) => writeAtomically(join(dir, `${name}.tg`), bytes);
}
