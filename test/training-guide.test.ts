// Runs the guide docs/training.md: its ts snippets, in order, as one module (with out/ redirected
// to a temporary directory), then checks what the guide says about their results.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importsFromSource } from './guide-imports.js';

const guidePath = fileURLToPath(new URL('../docs/training.md', import.meta.url));
// Inside the repository (in the gitignored out/), so that the guide's createRequire finds the mnist package.
const outRoot = fileURLToPath(new URL('../out', import.meta.url));
mkdirSync(outRoot, { recursive: true });
const dir = mkdtempSync(join(outRoot, 'training-guide-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

describe('docs/training.md', () => {
  it('runs every ts snippet of the guide, with the results it describes', async () => {
    let code = tsBlocks(readFileSync(guidePath, 'utf8')).join('\n');
    code = importsFromSource(code);
    code = code.replaceAll("'out/", `'${dir}/out/`);
    // The guide's fit calls print progress; keep the test output to the test's own lines.
    code = code.replace('const { history, bestEpoch, stoppedEarly } = fit(trained);', 'const { history, bestEpoch, stoppedEarly } = fit({ ...trained, progress: false });');
    code = code.replaceAll('console.log(', '(() => {})(');
    const module = join(dir, 'guide.ts');
    const exported = 'train, val, test, model, images, logits, initialLoss, gradShapes, manual, history, bestEpoch, stoppedEarly, testResult, resumed, trained, resumedRun, clippedResult';
    writeFileSync(module, `${code}\nexport { ${exported} };\n`);
    const g = (await import(/* @vite-ignore */ module)) as Record<string, any>;

    if (process.env.SHOW_GUIDE) console.log(g.initialLoss, g.manual, g.history, g.testResult, g.clippedResult.history);
    expect([g.train.length, g.val.length, g.test.length]).toEqual([800, 100, 100]);
    expect(g.model.numParameters()).toBe(5994);
    expect([g.images.shape, g.logits.shape]).toEqual([[32, 1, 28, 28], [32, 10]]);
    expect(g.initialLoss).toBeGreaterThan(2.0);
    expect(g.initialLoss).toBeLessThan(2.6);
    expect(g.gradShapes).toEqual(['0.weight 8x1x5x5', '0.bias 8', '3.weight 16x8x5x5', '3.bias 16', '7.weight 10x256', '7.bias 10']);
    // Two hand-written epochs on 800 digits already beat chance (10%) by far.
    expect(g.manual.accuracy).toBeGreaterThan(0.6);
    // fit: four epochs, a history of complete records, an SVG chart and both checkpoints.
    expect(g.history).toHaveLength(g.stoppedEarly ? g.history.length : 4);
    expect(g.history.at(-1).valAccuracy).toBeGreaterThan(0.75);
    expect(g.testResult.accuracy).toBeGreaterThan(0.7);
    for (const f of ['out/history.svg', 'out/checkpoints/last.tg', 'out/checkpoints/best.tg']) expect(existsSync(join(dir, f))).toBe(true);
    expect(readFileSync(join(dir, 'out/history.svg'), 'utf8')).toContain('<svg');
    // Resuming a finished run trains nothing more and ends with the same weights.
    expect(g.resumed.history).toEqual(g.history);
    const weights = (run: { model: { parameters(): { contiguousData(): ArrayLike<number> }[] } }) => run.model.parameters().map((p) => Array.from(p.contiguousData()));
    expect(weights(g.resumedRun)).toEqual(weights(g.trained));
    // The custom step (with clipping) trains too.
    expect(g.clippedResult.history).toHaveLength(1);
    expect(g.clippedResult.history[0].valAccuracy).toBeGreaterThan(0.5);
  });
});
