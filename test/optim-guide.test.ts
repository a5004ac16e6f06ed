// Runs the guide docs/optim.md: its ts snippets, in order, as one module, then checks what the
// guide says about their results, so the guide cannot drift from the code.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importsFromSource } from './guide-imports.js';
import type { Tensor } from '@tapegrad/autograd';

const guidePath = fileURLToPath(new URL('../docs/optim.md', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tapegrad-optim-guide-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

const values = (t: Tensor) => Array.from(t.contiguousData());

describe('docs/optim.md', () => {
  it('runs every ts snippet of the guide, with the results it describes', async () => {
    let code = tsBlocks(readFileSync(guidePath, 'utf8')).join('\n');
    code = importsFromSource(code);
    code = code.replaceAll("'checkpoints/", `'${dir}/checkpoints/`);
    const module = join(dir, 'guide.ts');
    const exported = 'firstLoss, lastLoss, adamw, finetune, lrs, plateau, gradNorm, makeRun, trainOneEpoch, resumed, start';
    writeFileSync(module, `${code}\nexport { ${exported} };\n`);
    const g = (await import(/* @vite-ignore */ module)) as Record<string, any>;

    if (process.env.SHOW_GUIDE) console.log({ firstLoss: g.firstLoss, lastLoss: g.lastLoss, plateau: g.plateau.getLastLr(), gradNorm: g.gradNorm, lrs: g.lrs });
    // The training step: the loss falls.
    expect(g.lastLoss).toBeLessThan(g.firstLoss / 10);
    // Parameter groups.
    expect(g.adamw.paramGroups.map((p: { weightDecay: number }) => p.weightDecay)).toEqual([0.05, 0]);
    expect(g.adamw.paramGroups.map((p: { params: unknown[] }) => p.params.length)).toEqual([2, 2]);
    expect(g.finetune.paramGroups.map((p: { lr: number }) => p.lr)).toEqual([0.05, 0.005]);
    // Warm-up then cosine: 0.001, 0.004, 0.007, then 0.01 down along the cosine.
    const lrs = g.lrs as number[];
    expect(lrs.slice(0, 4).map((v) => +v.toFixed(12))).toEqual([0.001, 0.004, 0.007, 0.01]);
    lrs.slice(4).forEach((v, i) => expect(v).toBeLessThan(lrs[3 + i]!));
    expect(lrs.at(-1)).toBeCloseTo(1e-4 + (0.01 - 1e-4) * (1 + Math.cos((Math.PI * 16) / 17)) / 2, 12);
    // ReduceLROnPlateau reduced the rate at least once, not below minLr.
    const [plateauLr] = g.plateau.getLastLr() as number[];
    expect(plateauLr).toBeLessThan(0.2);
    expect(plateauLr).toBeGreaterThanOrEqual(1e-3);
    // Clipping returns the norm before clipping.
    expect(g.gradNorm).toBeGreaterThan(0);
    // Resuming from the checkpoint is bit-identical to ten uninterrupted epochs.
    expect(g.start).toBe(5);
    const straight = g.makeRun();
    for (let epoch = 0; epoch < 10; epoch++) {
      g.trainOneEpoch(straight.model, straight.optimizer);
      straight.scheduler.step();
    }
    const weights = (run: { model: { parameters(): Tensor[] } }) => run.model.parameters().map(values);
    expect(weights(g.resumed)).toEqual(weights(straight));
    expect(g.resumed.scheduler.getLastLr()).toEqual(straight.scheduler.getLastLr());
  });
});
