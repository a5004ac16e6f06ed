// safetensors files on disk (Node only): the byte-level format is in safetensors.ts.
import { readFileSync } from 'node:fs';
import type { Tensor } from '../tensor.js';
import { encodeSafetensors, parseSafetensors } from '../safetensors.js';
import type { serializeSafetensors } from '../safetensors.js'; // for the {@link serializeSafetensors} in the docs
import { fail } from '../validate.js';
import { writeFileAtomic } from './files.js';

/**
 * Writes named tensors to a `.safetensors` file atomically (see {@link serializeSafetensors}).
 * `saveSafetensors(path, model.stateDict())` writes weights that PyTorch loads with
 * `model.load_state_dict(safetensors.torch.load_file(path))`.
 *
 * @example
 * ```ts
 * saveSafetensors('model.safetensors', model.stateDict(), { format: 'pt' });
 * ```
 * @category Serialization
 */
export function saveSafetensors(path: string, tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): void {
  checkPath('saveSafetensors', path);
  const bytes = encodeSafetensors('saveSafetensors', tensors, metadata);
  try {
    writeFileAtomic(path, bytes);
  } catch (e) {
    throw e instanceof Error && e.message.startsWith('writeFileAtomic: ') ? new Error(`saveSafetensors: ${e.message.slice(17)}`, { cause: e }) : e;
  }
}

/**
 * Reads the tensors of a `.safetensors` file (validated as {@link parseSafetensors} does; errors
 * name the file). Weights saved by PyTorch's `safetensors.torch.save_file(model.state_dict(), path)`
 * load with `model.loadStateDict(loadSafetensors(path))`.
 *
 * @example
 * ```ts
 * model.loadStateDict(loadSafetensors('model.safetensors'));
 * ```
 * @category Serialization
 */
export function loadSafetensors(path: string): Record<string, Tensor> {
  checkPath('loadSafetensors', path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`loadSafetensors: cannot read ${path}: ${code ?? (e as Error).message}`, { cause: e });
  }
  try {
    return parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)).tensors;
  } catch (e) {
    throw new Error(`loadSafetensors: ${path}: ${(e as Error).message.replace(/^parseSafetensors: /, '')}`, { cause: e });
  }
}

function checkPath(fn: string, path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') fail(fn, 'path must be a non-empty string', path, 'a file path');
}
