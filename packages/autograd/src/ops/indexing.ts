// Indexing and joining: gather/scatterAdd, indexSelect, concat, stack, split, pad.
import type { Tensor } from '../tensor.js';

function todo(name: string): never {
  throw new Error(`${name}: not implemented yet`);
}
/** @category Indexing @example `const p: PadSpec = [1, 1];` */
export type PadSpec = readonly number[] | readonly (readonly [number, number])[];
/** @category Indexing @example `gather(x, 1, idx)` */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor { return todo('gather'); }
/** @category Indexing @example `indexSelect(x, 0, [1])` */
export function indexSelect(x: Tensor, axis: number, index: Tensor | readonly number[]): Tensor { return todo('indexSelect'); }
/** @category Indexing @example `concat([a, b], 0)` */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor { return todo('concat'); }
/** @category Indexing @example `stack([a, b], 0)` */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor { return todo('stack'); }
/** @category Indexing @example `split(x, 2)` */
export function split(x: Tensor, sizeOrSections: number | readonly number[], axis = 0): Tensor[] { return todo('split'); }
/** @category Indexing @example `pad(x, [1, 1])` */
export function pad(x: Tensor, pads: PadSpec, value = 0): Tensor { return todo('pad'); }
