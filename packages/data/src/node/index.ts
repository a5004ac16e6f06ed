/**
 * The Node-only part of `@tapegrad/data`: loaders that read files (CSV, IDX, MNIST). The main
 * entry point parses the same formats from text and bytes, in Node or a browser.
 *
 * @example
 * ```ts
 * import { loadMnist, readCsv } from '@tapegrad/data/node';
 * const table = readCsv('data/patients.csv');
 * const train = loadMnist('data/train-images-idx3-ubyte.gz', 'data/train-labels-idx1-ubyte.gz');
 * ```
 * @module node
 */
export { readCsv } from './csv-files.js';
export { readIdx } from './idx-files.js';
export { loadMnist } from './mnist-files.js';
