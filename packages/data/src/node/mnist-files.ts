// MNIST-style datasets from a pair of IDX files on disk.
import { checkMnistOptions, mnistFromIdx, type Mnist, type MnistOptions } from '../mnist.js';
import { readIdxAs } from './idx-files.js';

/**
 * Loads an MNIST-style image file (ubyte `[N, rows, cols]`) and label file (ubyte `[N]`), plain or
 * gzipped, into float32 tensors; checks that both hold the same number of samples.
 *
 * @example
 * ```ts
 * const train = loadMnist('data/train-images-idx3-ubyte.gz', 'data/train-labels-idx1-ubyte.gz');
 * train.images.shape; // [60000, 1, 28, 28], values in [0, 1]
 * train.labels.shape; // [60000]
 * ```
 * @category Loading
 */
export function loadMnist(imagesPath: string, labelsPath: string, options: MnistOptions = {}): Mnist {
  checkMnistOptions('loadMnist', options);
  const images = readIdxAs('loadMnist', imagesPath, 'imagesPath');
  const labels = readIdxAs('loadMnist', labelsPath, 'labelsPath');
  return mnistFromIdx(images, labels, options, 'loadMnist', imagesPath, labelsPath);
}
