// Matrix products: matmul (1-D, 2-D, batched N-D with batch broadcasting), dot, outer.
import type { Tensor } from '../tensor.js';

function todo(name: string): never {
  throw new Error(`${name}: not implemented yet`);
}
/** @category Linear algebra @example `matmul(a, b)` */
export function matmul(a: Tensor, b: Tensor): Tensor { return todo('matmul'); }
/** @category Linear algebra @example `dot(a, b)` */
export function dot(a: Tensor, b: Tensor): Tensor { return todo('dot'); }
/** @category Linear algebra @example `outer(a, b)` */
export function outer(a: Tensor, b: Tensor): Tensor { return todo('outer'); }
