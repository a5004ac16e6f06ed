// MNIST (and Fashion-MNIST, KMNIST…): a pair of IDX files turned into image and label tensors.
import { fromTyped, type Tensor } from '@tapegrad/autograd';
import { readIdx } from './idx.js';

/**
 * Options of {@link loadMnist}.
 *
 * @example
 * ```ts
 * loadMnist(imagesPath, labelsPath, { normalize: false }); // pixel values 0..255
 * ```
 * @category Loading
 */
export interface MnistOptions {
  /** Divide pixel values by 255 so they lie in [0, 1]; `true` by default. */
  normalize?: boolean;
}

/**
 * Images and labels of an MNIST-style dataset, ready for a {@link TensorDataset}.
 *
 * @example
 * ```ts
 * const { images, labels } = loadMnist(imagesPath, labelsPath);
 * const ds = new TensorDataset(images, labels);
 * ```
 * @category Loading
 */
export interface Mnist {
  /** float32 `[N, 1, rows, cols]` (one channel, as convolutions expect). */
  images: Tensor;
  /** float32 `[N]` class indices (tensors hold floats; the values are whole numbers). */
  labels: Tensor;
}

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
  const { normalize = true } = options;
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.type !== 'ubyte' || images.shape.length !== 3) {
    throw new Error(`loadMnist: ${imagesPath} holds ${images.type} of shape [${images.shape.join(',')}]; expected ubyte images of shape [N, rows, cols]`);
  }
  if (labels.type !== 'ubyte' || labels.shape.length !== 1) {
    throw new Error(`loadMnist: ${labelsPath} holds ${labels.type} of shape [${labels.shape.join(',')}]; expected ubyte labels of shape [N]`);
  }
  const [n, rows, cols] = images.shape as [number, number, number];
  if (labels.shape[0] !== n) {
    throw new Error(`loadMnist: ${imagesPath} has ${n} images but ${labelsPath} has ${labels.shape[0]} labels; they must match one to one`);
  }
  const pixels = new Float32Array(images.data.length);
  const divisor = normalize ? 255 : 1;
  for (let k = 0; k < pixels.length; k++) pixels[k] = images.data[k]! / divisor;
  return {
    images: fromTyped(pixels, [n, 1, rows, cols]),
    labels: fromTyped(Float32Array.from(labels.data), [n]),
  };
}
