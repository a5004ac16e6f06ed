// Runs the guide docs/interop.md: its ts snippets, in order, as one module (out/ redirected to a
// temporary directory, fixture paths made absolute), then checks what the guide says about them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importsFromSource } from './guide-imports.js';
import { runOrt } from '../packages/onnx/test/ort.js';

const guidePath = fileURLToPath(new URL('../docs/interop.md', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const outRoot = join(root, 'out');
mkdirSync(outRoot, { recursive: true });
const dir = mkdtempSync(join(outRoot, 'interop-guide-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tsBlocks = (markdown: string) => [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

describe('docs/interop.md', () => {
  it('runs every ts snippet of the guide, with the results it describes', async () => {
    let code = importsFromSource(tsBlocks(readFileSync(guidePath, 'utf8')).join('\n'));
    code = code.replaceAll("'out/", `'${dir}/out/`).replaceAll("'test/fixtures/", `'${root}test/fixtures/`);
    mkdirSync(join(dir, 'out'), { recursive: true });
    const module = join(dir, 'guide.ts');
    writeFileSync(module, `${code}\nexport { io, fromTorch, onnxBytes, before, importedNames, fineTuneLosses, reexported };\n`);
    const g = (await import(/* @vite-ignore */ module)) as Record<string, any>;
    const diff = (a: any, b: any) => Math.max(...Array.from(a.contiguousData() as Float32Array, (v, i) => Math.abs(v - b.contiguousData()[i])));
    expect(diff(g.fromTorch, g.io.output)).toBeLessThan(1e-5);
    expect(readFileSync(join(dir, 'out/cnn.safetensors')).length).toBeGreaterThan(2000);
    const [ort] = await runOrt(g.onnxBytes, [g.io.input]);
    expect(Math.max(...ort!.data.map((v, i) => Math.abs(v - g.io.output.contiguousData()[i])))).toBeLessThan(1e-5);
    expect(diff(g.before, g.io.output)).toBeLessThan(1e-5);
    expect(g.importedNames).toEqual(expect.arrayContaining(['0.weight', '1.running_mean', '5.bias']));
    expect(g.fineTuneLosses[4]).toBeLessThan(g.fineTuneLosses[0]);
    expect((await runOrt(g.reexported, [g.io.input]))[0]!.shape).toEqual([2, 5]);
  });
});
