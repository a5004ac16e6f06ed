// pnpm bench's run-to-run summary (bench/spread.ts, bench/report.ts) and its command line
// (bench/args.ts): pure arithmetic and formatting, no timing.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../bench/args.js';
import { gemmTable, type GemmFigure } from '../bench/gemm.js';
import { summarize, table, targetTable, targets, type Row } from '../bench/report.js';
import { compact, formatSpread, repsFor, spreadOf } from '../bench/spread.js';

const mlp = (tapegrad: number, jax: number, pytorch?: number): Row => ({
  section: 'training', name: 'MLP 784-256-128-10 step, batch 64, Adam', unit: 'samples/s', higherIsBetter: true,
  values: { tapegrad, 'jax-js': jax, pytorch },
});
const chain = (tapegrad: number, pytorch: number): Row => ({
  section: 'tape', name: 'chain of 1,000 scalar ops, forward + backward', unit: 'µs per op', higherIsBetter: false,
  values: { tapegrad, pytorch },
});

describe('spreadOf', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even one', () => {
    expect(spreadOf([5, 1, 3, 9, 7])).toEqual({ median: 5, min: 1, max: 9, runs: 5 });
    expect(spreadOf([4, 1, 3, 10])).toEqual({ median: 3.5, min: 1, max: 10, runs: 4 });
    expect(spreadOf([2.5])).toEqual({ median: 2.5, min: 2.5, max: 2.5, runs: 1 });
  });
  it('skips runs without a figure', () => {
    expect(spreadOf([undefined, 2, NaN, 4, Infinity])).toEqual({ median: 3, min: 2, max: 4, runs: 2 });
    expect(spreadOf([undefined, NaN])).toBeUndefined();
    expect(spreadOf([])).toBeUndefined();
  });
});

describe('compact', () => {
  it('writes three significant figures with k and M', () => {
    expect([8294.6, 26873.4, 1231.5, 200.2, 43.94, 3.6587, 0.561, 0, 1_250_000].map(compact))
      .toEqual(['8.29k', '26.9k', '1.23k', '200', '43.9', '3.66', '0.56', '0.00', '1.25M']);
  });
  it('moves to the next scale when rounding reaches it', () => {
    expect(compact(999.7)).toBe('1.00k');
    expect(compact(99.97)).toBe('100');
    expect(compact(9.997)).toBe('10.0');
  });
  it('keeps the sign and prints a dash for no figure', () => {
    expect(compact(-4.2)).toBe('-4.20');
    expect(compact(-12_500)).toBe('-12.5k');
    expect(compact(undefined)).toBe('–');
  });
});

describe('formatSpread', () => {
  it('prints the median, then the range in the scale of its larger end', () => {
    expect(formatSpread({ median: 10_600, min: 9_900, max: 11_200, runs: 5 })).toBe('10.6k (9.9–11.2k)');
    expect(formatSpread({ median: 8_294.6, min: 7_677, max: 8_911, runs: 5 })).toBe('8.29k (7.68–8.91k)');
    expect(formatSpread({ median: 1_050, min: 980, max: 1_100, runs: 3 })).toBe('1.05k (0.98–1.10k)');
    expect(formatSpread({ median: 0.93, min: 0.881, max: 1.02, runs: 5 }, '×')).toBe('0.93× (0.88–1.02)');
  });
  it('writes a range that starts below zero with "to"', () => {
    expect(formatSpread({ median: -5.45, min: -10.5, max: -0.4, runs: 2 }, '%')).toBe('-5.45% (-10.5 to -0.4)');
    expect(formatSpread({ median: 0.5, min: -1.2, max: 2.5, runs: 3 }, '%')).toBe('0.50% (-1.20 to 2.50)');
  });
  it('prints the median alone for one run or runs that agree to the printed digits', () => {
    expect(formatSpread({ median: 3.66, min: 3.66, max: 3.66, runs: 1 })).toBe('3.66');
    expect(formatSpread({ median: 3.661, min: 3.659, max: 3.662, runs: 5 })).toBe('3.66');
    expect(formatSpread(undefined)).toBe('–');
  });
});

describe('summarize', () => {
  it('gives each figure and each ratio its median and range over the runs', () => {
    // The ratio's median is of the per-run ratios (2, 1, 3 → 2), not the ratio of the medians (12 / 5).
    const rows = summarize([[mlp(10, 5)], [mlp(20, 20)], [mlp(12, 4)]]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.values.tapegrad).toEqual({ median: 12, min: 10, max: 20, runs: 3 });
    expect(rows[0]!.values['jax-js']).toEqual({ median: 5, min: 4, max: 20, runs: 3 });
    expect(rows[0]!.ratios['jax-js']).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(rows[0]!.values.pytorch).toBeUndefined();
    expect(rows[0]!.ratios.pytorch).toBeUndefined();
  });
  it('inverts ratios of figures where lower is better, and keeps rows in first-seen order', () => {
    const rows = summarize([[chain(2, 4), mlp(1, 1)], [mlp(3, 1), chain(1, 5)]]);
    expect(rows.map((r) => r.name)).toEqual([chain(0, 0).name, mlp(0, 0).name]);
    expect(rows[0]!.ratios.pytorch).toEqual({ median: 3.5, min: 2, max: 5, runs: 2 });
  });
});

describe('table', () => {
  it('leaves out the columns no row fills and writes every cell as a spread', () => {
    const lines = table(summarize([[mlp(10_000, 9_000)], [mlp(11_000, 9_500)], [mlp(10_500, 10_000)]]), 2);
    expect(lines[0]).toBe('| benchmark | unit | tapegrad (2 threads) | jax-js | vs jax-js |');
    expect(lines[1]).toBe('| --- | --- | ---: | ---: | ---: |');
    expect(lines[2]).toBe('| MLP 784-256-128-10 step, batch 64, Adam | samples/s | 10.5k (10.0–11.0k) | 9.50k (9.0–10.0k) | 1.11× (1.05–1.16) |');
  });
});

describe('targets', () => {
  it('judges the median of the per-run ratios and counts the runs that met the target alone', () => {
    const ts = targets([[mlp(9, 10, 30)], [mlp(11, 10, 20)], [mlp(12, 10, 40)]]);
    const jax = ts.find((t) => t.target === 'MLP step ≥ 1.0× jax-js')!;
    expect(jax).toMatchObject({ met: true, runsMet: 2, runs: 3, measured: '1.10× (0.90–1.20)' });
    const torch = ts.find((t) => t.target === 'MLP step ≥ 0.5× pytorch')!;
    expect(torch).toMatchObject({ met: false, runsMet: 1, runs: 3 });
    expect(targetTable(ts, 3)).toContain('| MLP step ≥ 1.0× jax-js | 1.10× (0.90–1.20) | yes (2 of 3 runs) |');
    expect(targetTable(ts, 3)[0]).toBe('| target | median of 3 runs (min–max) | met |');
  });
  it('judges the tiny-op chain against PyTorch side by side', () => {
    const ts = targets([[chain(1.2, 4.8)], [chain(1.5, 4.5)], [chain(1.3, 3.9)]]);
    expect(ts.find((t) => t.target === 'tiny-op chain < 2 µs per op')).toMatchObject({ met: true, measured: '1.30 (1.20–1.50) µs' });
    const lead = ts.find((t) => t.target.startsWith('tiny-op chain: keep the lead over PyTorch'))!;
    // Per-run ratios 4, 3 and 3 → median 3.
    expect(lead).toMatchObject({ met: true, runsMet: 3, measured: '3.00× (3.00–4.00): 1.30 (1.20–1.50) µs per op against 4.50 (3.90–4.80)' });
    expect(targets([[chain(5, 4)]]).find((t) => t.target.startsWith('tiny-op chain: keep'))).toMatchObject({ met: false, runsMet: 0, runs: 1 });
  });
  it('prints a single run without a range or run count', () => {
    const ts = targets([[mlp(12, 10)]]);
    expect(targetTable(ts, 1)).toEqual(['| target | this run | met |', '| --- | --- | --- |', '| MLP step ≥ 1.0× jax-js | 1.20× | yes |']);
  });
});

describe('gemmTable', () => {
  it('summarises the kernel figures of several runs shape by shape', () => {
    const fig = (js: number, wasm: number, threads: number): GemmFigure => ({ label: 'N=128', trans: 'A·B', m: 128, n: 128, k: 128, js, wasm, threads });
    const lines = gemmTable([[fig(1, 50, 90)], [fig(2, 60, NaN)], [fig(1.5, 55, 100)]]);
    expect(lines[2]).toBe('| N=128 A·B | 128×128×128 | 1.50 (1.00–2.00) | 55.0 (50.0–60.0) | 95.0 (90–100) | 36.7× (30.0–50.0) |');
    expect(lines.at(-1)).toContain('medians of 3 runs (min–max in brackets)');
    expect(gemmTable([[fig(1, 50, NaN)]])[2]).toBe('| N=128 A·B | 128×128×128 | 1.00 | 50.0 | – | 50.0× |');
  });
});

describe('repsFor', () => {
  it('sizes a timing from the warm-up runs after the first', () => {
    // The first run compiled (500 ms); the settled runs take 6 ms: 17 × 6 ms ≥ 100 ms.
    expect(repsFor([500, 6, 7, 6, 5], 100)).toBe(17);
    expect(repsFor([40, 12], 100)).toBe(9);
    expect(repsFor([30], 100)).toBe(4);
    expect(repsFor([500, 2000], 100)).toBe(1);
    expect(repsFor([1, 0, 0], 30)).toBe(30_000);
    expect(() => repsFor([], 30)).toThrow('repsFor: no warm-up times');
  });
});

describe('parseArgs', () => {
  it('reads every option', () => {
    expect(parseArgs(['--only', 'mlp,chain', '--quick', '--runs', '2', '--torch', '/p/python', '--docs'])).toEqual({
      quick: true, docs: true, only: new Set(['mlp', 'chain']), torch: '/p/python', runs: 2,
    });
    expect(parseArgs([])).toEqual({ quick: false, docs: false, only: null, torch: undefined, runs: 1 });
  });
  it('refuses unknown options, unknown sections and bad run counts', () => {
    expect(() => parseArgs(['--run', '5'])).toThrow('bench: unknown option --run');
    expect(() => parseArgs(['--only', 'mlp,cnns'])).toThrow('bench: --only: unknown section cnns');
    expect(() => parseArgs(['--runs', '0'])).toThrow('bench: --runs must be a whole number ≥ 1, got 0');
    expect(() => parseArgs(['--runs', '2.5'])).toThrow('got 2.5');
    expect(() => parseArgs(['--runs'])).toThrow('bench: --runs needs a value');
    expect(() => parseArgs(['--torch', '--quick'])).toThrow('bench: --torch needs a value');
  });
});
