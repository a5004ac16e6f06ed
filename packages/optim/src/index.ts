/**
 * Optimizers, learning-rate schedulers and gradient clipping.
 *
 * @example
 * ```ts
 * import { Adam } from '@tapegrad/optim';
 * ```
 * @module
 */
export {};
