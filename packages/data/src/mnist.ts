// MNIST (and Fashion-MNIST, KMNIST…): a pair of IDX files turned into image and label tensors.
import { fromTyped, type Tensor } from '@tapegrad/autograd';
import { checkBytes, parseIdx, type IdxArray } from './idx.js';
import { checkBool, checkOptionsArg } from './checks.js';

/**
 * Options of {@link parseMnist} (and `loadMnist` of `@tapegrad/data/node`).
 *
 * @example
 * ```ts
 * parseMnist(imageBytes, labelBytes, { normalize: false }); // pixel values 0..255
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
 * const { images, labels } = parseMnist(imageBytes, labelBytes);
 * const ds = new TensorDataset(images, labels);
 * ```
 * @category Loading
 */
export interface Mnist {
  /** float32 `[N, 1, rows, cols]` (one channel, as convolutions expect). */
  images: Tensor;
  /** int32 `[N]` class indices. */
  labels: Tensor;
}

/**
 * Decodes an MNIST-style image IDX (ubyte `[N, rows, cols]`) and label IDX (ubyte `[N]`), given
 * as uncompressed bytes (fetched in a browser, say), into float32 tensors; checks that both hold
 * the same number of samples. `loadMnist` of `@tapegrad/data/node` reads the (gzipped) files.
 *
 * @example
 * ```ts
 * const bytes = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());
 * const test = parseMnist(await bytes('t10k-images-idx3-ubyte'), await bytes('t10k-labels-idx1-ubyte'));
 * test.images.shape; // [10000, 1, 28, 28], values in [0, 1]
 * ```
 * @category Loading
 */
export function parseMnist(imageBytes: Uint8Array, labelBytes: Uint8Array, options: MnistOptions = {}): Mnist {
  checkBytes('parseMnist', 'imageBytes', imageBytes);
  checkBytes('parseMnist', 'labelBytes', labelBytes);
  checkMnistOptions('parseMnist', options);
  const parse = (bytes: Uint8Array, name: string): IdxArray => {
    try {
      return parseIdx(bytes, name);
    } catch (e) {
      throw new Error(`parseMnist: ${(e as Error).message.replace(/^parseIdx: /, '')}`, { cause: e });
    }
  };
  return mnistFromIdx(parse(imageBytes, 'the image bytes'), parse(labelBytes, 'the label bytes'), options, 'parseMnist', 'the image bytes', 'the label bytes');
}

/** Checks MNIST options (`normalize`, a boolean). */
export function checkMnistOptions(who: string, options: unknown): void {
  const { normalize } = checkOptionsArg<MnistOptions>(who, options, ['normalize']);
  if (normalize !== undefined) checkBool(who, 'normalize', normalize);
}

/** Checks and converts decoded IDX arrays; `who`, `imagesName` and `labelsName` word the errors. */
export function mnistFromIdx(images: IdxArray, labels: IdxArray, options: MnistOptions, who: string, imagesName: string, labelsName: string): Mnist {
  const { normalize = true } = options;
  if (images.type !== 'ubyte' || images.shape.length !== 3) {
    throw new Error(`${who}: ${imagesName} holds ${images.type} of shape [${images.shape.join(',')}]; expected ubyte images of shape [N, rows, cols]`);
  }
  if (labels.type !== 'ubyte' || labels.shape.length !== 1) {
    throw new Error(`${who}: ${labelsName} holds ${labels.type} of shape [${labels.shape.join(',')}]; expected ubyte labels of shape [N]`);
  }
  const [n, rows, cols] = images.shape as [number, number, number];
  if (labels.shape[0] !== n) {
    throw new Error(`${who}: ${imagesName} has ${n} images but ${labelsName} has ${labels.shape[0]} labels; they must match one to one`);
  }
  const pixels = new Float32Array(images.data.length);
  const divisor = normalize ? 255 : 1;
  for (let k = 0; k < pixels.length; k++) pixels[k] = images.data[k]! / divisor;
  return {
    images: fromTyped(pixels, [n, 1, rows, cols]),
    labels: fromTyped(Int32Array.from(labels.data), [n]),
  };
}
