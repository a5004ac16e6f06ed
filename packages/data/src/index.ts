/**
 * Data preparation: datasets and batching, CSV and MNIST IDX loaders, cleaning and scaling.
 *
 * @example
 * ```ts
 * import { TensorDataset, DataLoader } from '@tapegrad/data';
 * ```
 * @module
 */
export {};
