/**
 * Data preparation for tapegrad: load (CSV text, MNIST IDX bytes, in-memory arrays; files through
 * `@tapegrad/data/node`) → clean (drop duplicates
 * and missing values, impute, encode categories) → scale (min-max, standardize, one-hot) → split
 * (random, train/val/test) → batch (DataLoader over datasets). See `docs/data.md` for a walkthrough.
 *
 * @example
 * ```ts
 * import { TensorDataset, DataLoader } from '@tapegrad/data';
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true, seed: 0 });
 * for (const [xb, yb] of loader) {
 *   // train on one batch
 * }
 * ```
 * @module
 */
export { TensorDataset, Subset } from './dataset.js';
export type { Dataset } from './dataset.js';
export { collate, materialize } from './collate.js';
export type { Batch } from './collate.js';
export { DataLoader } from './data-loader.js';
export type { DataLoaderOptions } from './data-loader.js';
export { randomSplit, trainValTestSplit } from './split.js';
export type { SplitOptions } from './split.js';

export { Table } from './table.js';
export type { Cell, Column, Row, Cleaned } from './table-types.js';
export { fromArrays } from './from-arrays.js';
export type { InputCell } from './from-arrays.js';
export { readCsv } from './csv.js';
export type { CsvOptions, CsvText } from './csv.js';
export { parseIdx } from './idx.js';
export type { IdxArray, IdxDataType } from './idx.js';
export { parseMnist } from './mnist.js';
export type { Mnist, MnistOptions } from './mnist.js';

export type { DropReport, DropDuplicatesOptions, DropMissingOptions } from './cleaning.js';
export type { ImputeOptions, ImputeReport, ImputeStrategy } from './impute.js';
export type { EncodeCategoriesOptions, CategoriesReport } from './categories.js';

export { MinMaxScaler } from './min-max-scaler.js';
export type { MinMaxScalerOptions, MinMaxScalerState } from './min-max-scaler.js';
export { StandardScaler } from './standard-scaler.js';
export type { StandardScalerOptions, StandardScalerState } from './standard-scaler.js';
export { OneHotEncoder, oneHot } from './one-hot.js';
export type { OneHotEncoderOptions, OneHotEncoderState } from './one-hot.js';
export type { Transformer } from './matrix.js';
