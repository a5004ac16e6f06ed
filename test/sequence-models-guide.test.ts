// Runs the guide docs/sequence-models.md: its ts snippets, in order, as one module, then checks
// what the guide says about their results.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const guidePath = fileURLToPath(new URL('../docs/sequence-models.md', import.meta.url));
const sourceOf = (pkg: string) => fileURLToPath(new URL(`../packages/${pkg}/src/index.ts`, import.meta.url));
// Inside the repository (in the gitignored out/), so that the guide's createRequire finds the text package.
const outRoot = fileURLToPath(new URL('../out', import.meta.url));
mkdirSync(outRoot, { recursive: true });
const dir = mkdtempSync(join(outRoot, 'sequence-guide-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tsBlocks = (markdown: string) => [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

describe('docs/sequence-models.md', () => {
  it('runs every ts snippet of the guide, with the results it describes', async () => {
    const markdown = readFileSync(guidePath, 'utf8');
    let code = tsBlocks(markdown).join('\n');
    for (const pkg of ['autograd', 'nn', 'optim']) code = code.replaceAll(`from '@tapegrad/${pkg}'`, `from ${JSON.stringify(sourceOf(pkg))}`);
    const module = join(dir, 'guide.ts');
    const exported = 'trainIds, valIds, vocabSize, blockDifference, smallMask, sdpaDifference, gqaOut, gqaDifference, transformer, leak, transformerLosses, transformerVal, sampled, lstmModel, lstmLosses, lstmVal';
    writeFileSync(module, `${code}\nexport { ${exported} };\n`);
    const g = (await import(/* @vite-ignore */ module)) as Record<string, any>;
    if (process.env.SHOW_GUIDE) console.log(g.transformerVal, g.lstmVal, g.transformerLosses.at(-1), g.lstmLosses.at(-1), g.sampled);

    expect([g.trainIds.length, g.valIds.length, g.vocabSize]).toEqual([1_085_260, 127_882, 89]);
    expect(g.blockDifference).toBeLessThan(1e-5);
    expect(g.smallMask).toEqual([[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]);
    expect(g.sdpaDifference).toBe(0);
    expect(g.gqaOut.shape).toEqual([2, 4, 8, 16]);
    expect(g.gqaDifference).toBe(0);
    expect(g.transformer.numParameters()).toBe(115_673);
    expect(g.leak).toBe(0);
    expect(g.transformerLosses[0]).toBeGreaterThan(4);
    expect(g.transformerVal).toBeLessThan(3.4);
    expect(g.sampled).toHaveLength(40);
    expect(g.lstmModel.numParameters()).toBe(Number(/\| LSTM, 1 layer, 128 hidden, 400 steps \| ([\d,]+) \|/.exec(markdown)![1]!.replaceAll(',', '')));
    expect(g.lstmVal).toBeLessThan(g.lstmLosses[0]);
  }, 600_000);
});
