// Activation functions. Stable formulas: no NaN/Inf from our own code for large |x|.
import type { Tensor } from '../tensor.js';

function todo(name: string): never {
  throw new Error(`${name}: not implemented yet`);
}
/** @category Activation @example `sigmoid(x)` */
export function sigmoid(x: Tensor): Tensor { return todo('sigmoid'); }
/** @category Activation @example `logSigmoid(x)` */
export function logSigmoid(x: Tensor): Tensor { return todo('logSigmoid'); }
/** @category Activation @example `relu(x)` */
export function relu(x: Tensor): Tensor { return todo('relu'); }
/** @category Activation @example `leakyRelu(x)` */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor { return todo('leakyRelu'); }
/** @category Activation @example `elu(x)` */
export function elu(x: Tensor, alpha = 1): Tensor { return todo('elu'); }
/** @category Activation @example `gelu(x)` */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor { return todo('gelu'); }
/** @category Activation @example `softplus(x)` */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor { return todo('softplus'); }
/** @category Activation @example `silu(x)` */
export function silu(x: Tensor): Tensor { return todo('silu'); }
