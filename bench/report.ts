// The results: one row per measured case and run, summarised over the runs (median and min–max of
// every figure and of every per-run ratio), rendered as Markdown tables (ratios as speed-ups, so
// > 1 always means tapegrad is faster) and checked against the issues' targets.
import { formatSpread, spreadOf, type Spread } from './spread.js';

export interface Row {
  section: string;
  name: string;
  unit: string;
  /** Whether a larger figure is better (rates) or worse (times, memory). */
  higherIsBetter: boolean;
  /** Medians of one run's rounds; `tapegrad` uses its default threading, `tapegrad-1t` forces one thread. */
  values: Partial<Record<Contender, number | undefined>>;
}

/** The columns: tapegrad (default threading and one thread) and its peers. PyTorch runs in its own process. */
export type Contender = 'tapegrad' | 'tapegrad-1t' | Peer;
export type Peer = 'tfjs-cpu' | 'tfjs-wasm' | 'jax-js' | 'pytorch';

/** How many times faster tapegrad is than the peer (undefined when either is missing). */
export function speedup(row: Row, peer: Peer, ours: 'tapegrad' | 'tapegrad-1t' = 'tapegrad'): number | undefined {
  const a = row.values[ours], b = row.values[peer];
  if (a === undefined || b === undefined) return undefined;
  return row.higherIsBetter ? a / b : b / a;
}

/** The ratio columns: tapegrad (or its one-thread figure) over a peer, within one run. */
export const ratioColumns = [
  { key: 'jax-js', title: 'vs jax-js', peer: 'jax-js', ours: 'tapegrad' },
  { key: 'tfjs-cpu', title: 'vs cpu', peer: 'tfjs-cpu', ours: 'tapegrad' },
  { key: 'tfjs-wasm-1t', title: 'vs wasm, 1 thread', peer: 'tfjs-wasm', ours: 'tapegrad-1t' },
  { key: 'tfjs-wasm', title: 'vs wasm', peer: 'tfjs-wasm', ours: 'tapegrad' },
  { key: 'pytorch', title: 'vs PyTorch', peer: 'pytorch', ours: 'tapegrad' },
] as const;
export type RatioKey = (typeof ratioColumns)[number]['key'];

/** One benchmark over all runs: each figure's and each ratio's median and range. */
export interface SummaryRow {
  section: string;
  name: string;
  unit: string;
  higherIsBetter: boolean;
  values: Partial<Record<Contender, Spread>>;
  /** Speed-ups computed within each run (both figures timed side by side), then summarised. */
  ratios: Partial<Record<RatioKey, Spread>>;
}

const contenders: readonly Contender[] = ['tapegrad-1t', 'tapegrad', 'jax-js', 'tfjs-cpu', 'tfjs-wasm', 'pytorch'];

/** Rows of every run grouped by name (in order of first appearance), figures and ratios summarised. */
export function summarize(runs: readonly (readonly Row[])[]): SummaryRow[] {
  const byName = new Map<string, Row[]>();
  for (const run of runs) for (const r of run) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  return [...byName.values()].map((rs) => {
    const { section, name, unit, higherIsBetter } = rs[0]!;
    const values: SummaryRow['values'] = {};
    for (const c of contenders) {
      const s = spreadOf(rs.map((r) => r.values[c]));
      if (s) values[c] = s;
    }
    const ratios: SummaryRow['ratios'] = {};
    for (const col of ratioColumns) {
      const s = spreadOf(rs.map((r) => speedup(r, col.peer, col.ours)));
      if (s) ratios[col.key] = s;
    }
    return { section, name, unit, higherIsBetter, values, ratios };
  });
}

/**
 * The Markdown table; a column no row has a figure for is left out. With several runs each cell
 * is "median (min–max)".
 */
export function table(rows: readonly SummaryRow[], threads: number): string[] {
  const figures: { title: string; cell: (r: SummaryRow) => Spread | undefined; unit: string }[] = [
    ...([['tapegrad-1t', 'tapegrad 1 thread'], ['tapegrad', `tapegrad (${threads} threads)`], ['jax-js', 'jax-js'], ['tfjs-cpu', 'tfjs-cpu'], ['tfjs-wasm', 'tfjs-wasm'], ['pytorch', 'PyTorch']] as const)
      .map(([c, title]) => ({ title, cell: (r: SummaryRow) => r.values[c], unit: '' })),
    ...ratioColumns.map((col) => ({ title: col.title, cell: (r: SummaryRow) => r.ratios[col.key], unit: '×' })),
  ];
  const used = figures.filter((f) => rows.some((r) => f.cell(r) !== undefined));
  return [
    `| benchmark | unit | ${used.map((f) => f.title).join(' | ')} |`,
    `| --- | --- |${' ---: |'.repeat(used.length)}`,
    ...rows.map((r) => `| ${r.name} | ${r.unit} | ${used.map((f) => formatSpread(f.cell(r), f.unit)).join(' | ')} |`),
  ];
}

/**
 * One target on one run: its figures (`values[0]` the one it is judged on, unless `met` says
 * otherwise), the verdict on given figures, and how to print their spreads.
 */
export interface Check {
  target: string;
  values: number[];
  met: (values: readonly number[]) => boolean;
  show: (spreads: readonly Spread[]) => string;
}

const times = (s: Spread) => formatSpread(s, '×');
const percent = (s: Spread) => formatSpread({ ...s, median: s.median * 100, min: s.min * 100, max: s.max * 100 }, '%');

/** The issues' targets, evaluated on one run's rows. */
export function checks(rows: readonly Row[]): Check[] {
  const find = (name: string) => rows.find((r) => r.name === name);
  const out: Check[] = [];
  /** `row` ≥ `min`× `peer`; skipped when the peer was not measured (PyTorch without --torch). */
  const atLeast = (row: Row | undefined, peer: Peer, min: number, label: string, ours: 'tapegrad' | 'tapegrad-1t' = 'tapegrad') => {
    const s = row && speedup(row, peer, ours);
    if (s !== undefined) out.push({ target: `${label} ≥ ${min.toFixed(1)}× ${peer}`, values: [s], met: ([v]) => v! >= min, show: ([v]) => times(v!) });
  };
  const ab = find('float32 matmul N=1024 A·B');
  if (ab) {
    atLeast(ab, 'tfjs-wasm', 1.5, 'matmul N=1024 on both cores');
    atLeast(ab, 'tfjs-wasm', 1.0, 'matmul N=1024 on one core', 'tapegrad-1t');
    // On each thread count: the threaded figure alone moves with the other process's load.
    for (const t of ['A·Bᵀ', 'Aᵀ·B']) {
      const r = find(`float32 matmul N=1024 ${t}`);
      const rel = (k: 'tapegrad' | 'tapegrad-1t') => (r?.values[k] && ab.values[k] ? r.values[k] / ab.values[k] : undefined);
      const [one, all] = [rel('tapegrad-1t'), rel('tapegrad')];
      if (one !== undefined && all !== undefined) {
        out.push({
          target: `matmul N=1024 ${t} within 20% of A·B`, values: [one, all], met: ([a, b]) => Math.min(a!, b!) >= 0.8,
          show: ([a, b]) => `${percent(a!)} of A·B on 1 thread, ${percent(b!)} threaded`,
        });
      }
    }
  }
  const m = rows.find((r) => r.name.startsWith('MLP'));
  atLeast(m, 'tfjs-wasm', 1, 'MLP step');
  atLeast(m, 'jax-js', 1, 'MLP step');
  atLeast(m, 'pytorch', 0.5, 'MLP step');
  const c = rows.find((r) => r.name.startsWith('demo CNN'));
  atLeast(c, 'tfjs-wasm', 1, 'CNN step (tfjs-wasm: slices × matmul)');
  atLeast(c, 'tfjs-cpu', 10, 'CNN step');
  atLeast(c, 'pytorch', 0.5, 'CNN step');
  for (const r of rows.filter((x) => x.section === 'elementwise')) atLeast(r, 'jax-js', 1, r.name);
  const vm = rows.find((r) => r.name.endsWith(': vmap(grad)'))?.values.tapegrad, lp = rows.find((r) => r.name.endsWith(': loop of 64 grad calls'))?.values.tapegrad;
  if (vm !== undefined && lp !== undefined) {
    out.push({ target: 'per-sample gradients (MLP, batch 64): vmap(grad) faster than a loop of 64 grad calls', values: [lp / vm], met: ([v]) => v! > 1, show: ([v]) => times(v!) });
  }
  for (const without of rows.filter((r) => r.name.endsWith(': without checkpoint'))) {
    const what = without.name.slice('held for backward, '.length, -': without checkpoint'.length);
    const withCk = rows.find((r) => r.name === `held for backward, ${what}: checkpoint per layer (same gradients)`);
    const [a, b] = [without.values.tapegrad, withCk?.values.tapegrad];
    if (a !== undefined && b !== undefined) {
      out.push({ target: `checkpoint lowers memory held for backward, ${what}`, values: [a, b], met: ([x, y]) => y! < x!, show: ([x, y]) => `${formatSpread(x!)} → ${formatSpread(y!)} MiB` });
    }
  }
  const chain = find('chain of 1,000 scalar ops, forward + backward');
  const us = chain?.values.tapegrad, torchUs = chain?.values.pytorch;
  if (us !== undefined) out.push({ target: 'tiny-op chain < 2 µs per op', values: [us], met: ([v]) => v! < 2, show: ([v]) => `${formatSpread(v!)} µs` });
  if (us !== undefined && torchUs !== undefined) {
    out.push({
      target: 'tiny-op chain: keep the lead over PyTorch (≥ 1.0×)', values: [torchUs / us, us, torchUs], met: ([v]) => v! >= 1,
      show: ([v, a, b]) => `${times(v!)}: ${formatSpread(a!)} µs per op against ${formatSpread(b!)}`,
    });
  }
  const r50 = find('RSS after 50 MLP steps')?.values.tapegrad, r500 = find('RSS after 500 MLP steps')?.values.tapegrad;
  if (r50 !== undefined && r500 !== undefined) {
    out.push({
      target: 'RSS after 500 MLP steps within 10% of after 50', values: [(r500 - r50) / r50, r50, r500], met: ([v]) => Math.abs(v!) <= 0.1,
      show: ([v, a, b]) => `${formatSpread(a!)} → ${formatSpread(b!)} MiB, change ${percent(v!)}`,
    });
  }
  return out;
}

/** A target over all runs: judged on the medians of its per-run figures. */
export interface Target {
  target: string;
  measured: string;
  met: boolean;
  /** In how many of `runs` runs the target was met on that run's own figures. */
  runsMet: number;
  runs: number;
  figures: Spread[];
}

/** Each target judged on the medians over the runs, with how many single runs met it. */
export function targets(runs: readonly (readonly Row[])[]): Target[] {
  const byTarget = new Map<string, Check[]>();
  for (const run of runs) for (const c of checks(run)) byTarget.set(c.target, [...(byTarget.get(c.target) ?? []), c]);
  return [...byTarget.entries()].map(([target, cs]) => {
    const figures = cs[0]!.values.map((_, i) => spreadOf(cs.map((c) => c.values[i]))!);
    return {
      target, measured: cs[0]!.show(figures), met: cs[0]!.met(figures.map((f) => f.median)),
      runsMet: cs.filter((c) => c.met(c.values)).length, runs: cs.length, figures,
    };
  });
}

export function targetTable(ts: readonly Target[], runs: number): string[] {
  const verdict = (t: Target) => `${t.met ? 'yes' : '**no**'}${runs > 1 ? ` (${t.runsMet} of ${t.runs} runs)` : ''}`;
  return [
    `| target | ${runs > 1 ? `median of ${runs} runs (min–max)` : 'this run'} | met |`, '| --- | --- | --- |',
    ...ts.map((t) => `| ${t.target} | ${t.measured} | ${verdict(t)} |`),
  ];
}
