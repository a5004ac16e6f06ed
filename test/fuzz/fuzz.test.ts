// Every export of every package has a row in the fuzz table (a new export without one fails here),
// and every row survives its bad inputs: a named Error, no TypeError/RangeError, nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bad, checkSpoiled, type Case, type Row } from './kit.js';
import { autograd, autogradNode, autogradTesting } from './cases-autograd.js';
import { dataNodeRows, dataRows, nnNodeRows, nnRows, onnxRows, optimRows, trainNodeRows, trainRows } from './cases-rest.js';
import { KNOWN_GAPS } from './known-gaps.js';

const dir = mkdtempSync(join(tmpdir(), 'tapegrad-fuzz-'));
process.env.FUZZ_DIR = dir;

const entries: [string, Record<string, Row>][] = [
  ['@tapegrad/autograd', autograd], ['@tapegrad/autograd/node', autogradNode], ['@tapegrad/autograd/testing', autogradTesting],
  ['@tapegrad/nn', nnRows], ['@tapegrad/nn/node', nnNodeRows], ['@tapegrad/optim', optimRows],
  ['@tapegrad/data', dataRows], ['@tapegrad/data/node', dataNodeRows], ['@tapegrad/train', trainRows],
  ['@tapegrad/train/node', trainNodeRows], ['@tapegrad/onnx', onnxRows],
];

const tally = { inputs: 0, clear: 0, exports: 0, none: 0 };
const problems: string[] = [];
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, problems.join('\n'));
  console.log(`fuzz: ${tally.exports} exports with cases (${tally.none} with nothing to spoil), ${tally.inputs} bad inputs tried, ${tally.clear} clear errors with nothing changed`);
});

describe.each(entries)('%s', (entry, rows) => {
  let names: string[] = [];
  beforeAll(async () => {
    names = Object.keys(await import(entry));
  });
  it('has a fuzz row for every export', () => {
    expect(names.filter((n) => !(n in rows)), 'add a row to test/fuzz/cases-*.ts (see docs/extending.md)').toEqual([]);
    // `Name#what` rows fuzz a second entry point of one export (e.g. a layer's constructor besides its forward).
    expect(Object.keys(rows).filter((n) => !names.includes(n.split('#')[0]!)), 'rows for exports that no longer exist').toEqual([]);
  });
  for (const [name, row] of Object.entries(rows)) {
    if ('none' in row) {
      tally.none++;
      tally.exports++;
      continue;
    }
    const c = row as Case;
    const spoilable = c.kinds.map((k, i) => [k, i] as const).filter(([k]) => k !== '-');
    const gap = KNOWN_GAPS[`${entry}:${name}`];
    const test = gap ? it.fails : it;
    test(`${name}${gap ? ` (known gap: ${gap})` : ''}`, () => {
      tally.exports++;
      const arb = fc.integer({ min: 0, max: spoilable.length - 1 }).chain((j) => {
        const [kind, pos] = spoilable[j]!;
        const values = typeof kind === 'string' ? bad[kind as keyof typeof bad] : kind;
        return values.map((value) => ({ pos, value }));
      });
      fc.assert(
        fc.property(arb, ({ pos, value }) => {
          tally.inputs++;
          const problem = checkSpoiled(name.split('#')[0]!, c, pos, value);
          if (problem) {
            problems.push(`${entry}:${name}\t${problem}`);
            throw new Error(problem);
          }
          tally.clear++;
        }),
        // FUZZ_SEED / FUZZ_RUNS (a multiplier) explore inputs beyond the fixed seed the suite runs with.
        { seed: Number(process.env.FUZZ_SEED ?? 20261130), numRuns: (c.runs ?? (c.kinds.includes('cfg') ? 40 : 12)) * Number(process.env.FUZZ_RUNS ?? 1) },
      );
    });
  }
});
