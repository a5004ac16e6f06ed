// Runs the guide docs/data.md: its ts snippets, in order, as one module over fixtures written to a
// temp directory, so the guide cannot drift from the code.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { Tensor } from '@tapegrad/autograd';
import { tempDir, writeIdx } from './helpers.js';
import { importsFromSource } from '../../../test/guide-imports.js';

const guidePath = fileURLToPath(new URL('../../../docs/data.md', import.meta.url));

function blocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm'))].map((m) => m[1]!);
}

describe('docs/data.md', () => {
  it('runs every ts snippet of the guide, with the results it describes', async () => {
    const guide = readFileSync(guidePath, 'utf8');
    const { dir, file } = tempDir();
    const [csv] = blocks(guide, 'csv');
    writeFileSync(file('patients.csv'), csv!);
    // A small stand-in for MNIST: 20 random 28×28 images with labels 0..9.
    const n = 20;
    writeIdx(file('train-images-idx3-ubyte.gz'), 0x08, [n, 28, 28], Array.from({ length: n * 784 }, (_, k) => (k * 37) % 256), true);
    writeIdx(file('train-labels-idx1-ubyte.gz'), 0x08, [n], Array.from({ length: n }, (_, k) => k % 10), true);

    const code = importsFromSource(blocks(guide, 'ts').join('\n')).replaceAll("'data/", `'${dir}/`);
    const module = file('guide.ts');
    writeFileSync(module, `${code}\nexport { raw, duplicates, unlabelled, codes, trainRows, valRows, testRows, xTrain, yTrain, loader, encoder, sexAndSmoker, squashed, mnist, mnistVal };\n`);

    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const g = (await import(/* @vite-ignore */ module)) as Record<string, any>;
    const printed = log.mock.calls.map((args) => args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    log.mockRestore();
    // SHOW_GUIDE=1 prints what the snippets log, to check the comments in the guide against it.
    if (process.env.SHOW_GUIDE) console.log(printed.join("\n"));

    expect(g.raw.numRows).toBe(18);
    expect(g.duplicates).toEqual({ rowsDropped: 1, droppedRows: [10] });
    expect(g.unlabelled.rowsDropped).toBe(1);
    expect(g.codes.categories).toEqual({ sex: ['female', 'male'], smoker: ['no', 'yes'] });
    expect([g.trainRows.numRows, g.valRows.numRows, g.testRows.numRows]).toEqual([10, 3, 3]);
    expect((g.xTrain as Tensor).shape).toEqual([10, 5]);
    expect((g.yTrain as Tensor).shape).toEqual([10]);
    expect(g.loader.length).toBe(3);
    expect(g.encoder.categories).toEqual([[0, 1], [0, 1]]);
    expect((g.sexAndSmoker as Tensor).shape).toEqual([10, 4]);
    expect((g.squashed as Tensor).toArray()).toEqual([[-1, -1], [0, 0], [1, 1]]);
    expect((g.mnist.images as Tensor).shape).toEqual([n, 1, 28, 28]);
    expect(g.mnistVal.length).toBe(2);
  });
});
