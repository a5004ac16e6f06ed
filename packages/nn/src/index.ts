/**
 * Neural-network building blocks: `Module`, layers, initializers, losses, weight files.
 *
 * @example
 * ```ts
 * import { Linear } from '@tapegrad/nn';
 * ```
 * @module
 */
export {};
