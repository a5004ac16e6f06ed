// The results: one row per measured case, rendered as a Markdown table (ratios as speed-ups, so
// > 1 always means tapegrad is faster), checked against the issues' targets, and written as JSON.
export interface Row {
  section: string;
  name: string;
  unit: string;
  /** Whether a larger figure is better (rates) or worse (times, memory). */
  higherIsBetter: boolean;
  /** Medians; `tapegrad` uses its default threading, `tapegrad-1t` forces one thread. */
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

const fmt = (x: number | undefined, digits = x !== undefined && Math.abs(x) < 10 ? 2 : 1) => (x === undefined ? '–' : x.toFixed(digits));
const ratio = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(2)}×`);

export function table(rows: readonly Row[], threads: number): string[] {
  const torch = rows.some((r) => r.values.pytorch !== undefined);
  const out = [
    `| benchmark | unit | tapegrad 1 thread | tapegrad (${threads} threads) | jax-js | tfjs-cpu | tfjs-wasm |${torch ? ' PyTorch |' : ''} vs jax-js | vs cpu | vs wasm, 1 thread | vs wasm |${torch ? ' vs PyTorch |' : ''}`,
    `| --- | --- | ---: | ---: | ---: | ---: | ---: |${torch ? ' ---: |' : ''} ---: | ---: | ---: | ---: |${torch ? ' ---: |' : ''}`,
  ];
  for (const r of rows) {
    const v = r.values;
    out.push(`| ${r.name} | ${r.unit} | ${fmt(v['tapegrad-1t'])} | ${fmt(v.tapegrad)} | ${fmt(v['jax-js'])} | ${fmt(v['tfjs-cpu'])} | ${fmt(v['tfjs-wasm'])} |${torch ? ` ${fmt(v.pytorch)} |` : ''} ${ratio(speedup(r, 'jax-js'))} | ${ratio(speedup(r, 'tfjs-cpu'))} | ${ratio(speedup(r, 'tfjs-wasm', 'tapegrad-1t'))} | ${ratio(speedup(r, 'tfjs-wasm'))} |${torch ? ` ${ratio(speedup(r, 'pytorch'))} |` : ''}`);
  }
  return out;
}

export interface Target { target: string; measured: string; met: boolean | undefined }

/** The issue's targets, evaluated on this run. */
export function targets(rows: readonly Row[]): Target[] {
  const find = (name: string) => rows.find((r) => r.name === name);
  const out: Target[] = [];
  const ab = find('float32 matmul N=1024 A·B');
  if (ab) {
    const mt = speedup(ab, 'tfjs-wasm'), st = speedup(ab, 'tfjs-wasm', 'tapegrad-1t');
    out.push({ target: 'matmul N=1024 ≥ 1.5× tfjs-wasm, both cores', measured: ratio(mt), met: mt === undefined ? undefined : mt >= 1.5 });
    out.push({ target: 'matmul N=1024 ≥ 1.0× tfjs-wasm, one core', measured: ratio(st), met: st === undefined ? undefined : st >= 1.0 });
    // On each thread count: the threaded figure alone moves with the other process's load.
    for (const t of ['A·Bᵀ', 'Aᵀ·B']) {
      const r = find(`float32 matmul N=1024 ${t}`);
      const rel = (k: 'tapegrad' | 'tapegrad-1t') => (r?.values[k] && ab.values[k] ? r.values[k] / ab.values[k] : undefined);
      const [one, all] = [rel('tapegrad-1t'), rel('tapegrad')];
      const pct = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(0)}%`);
      out.push({
        target: `matmul N=1024 ${t} within 20% of A·B`, measured: `${pct(one)} of A·B on 1 thread, ${pct(all)} threaded`,
        met: one === undefined || all === undefined ? undefined : Math.min(one, all) >= 0.8,
      });
    }
  }
  /** `row` ≥ `min`× `peer`; skipped when the peer was not measured (PyTorch without --torch). */
  const atLeast = (row: Row | undefined, peer: Peer, min: number, label: string) => {
    const s = row && speedup(row, peer);
    if (s !== undefined) out.push({ target: `${label} ≥ ${min.toFixed(1)}× ${peer}`, measured: ratio(s), met: s >= min });
  };
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
    out.push({ target: 'per-sample gradients (MLP, batch 64): vmap(grad) faster than a loop of 64 grad calls', measured: ratio(lp / vm), met: lp > vm });
  }
  for (const without of rows.filter((r) => r.name.endsWith(': without checkpoint'))) {
    const what = without.name.slice('held for backward, '.length, -': without checkpoint'.length);
    const withCk = rows.find((r) => r.name === `held for backward, ${what}: checkpoint per layer (same gradients)`);
    const [a, b] = [without.values.tapegrad, withCk?.values.tapegrad];
    if (a !== undefined && b !== undefined) out.push({ target: `checkpoint lowers memory held for backward, ${what}`, measured: `${a.toFixed(1)} → ${b.toFixed(1)} MiB`, met: b < a });
  }
  const chain = find('chain of 1,000 scalar ops, forward + backward');
  if (chain) out.push({ target: 'tiny-op chain < 2 µs per op', measured: `${fmt(chain.values.tapegrad)} µs`, met: chain.values.tapegrad! < 2 });
  const r50 = find('RSS after 50 MLP steps')?.values.tapegrad, r500 = find('RSS after 500 MLP steps')?.values.tapegrad;
  if (r50 !== undefined && r500 !== undefined) {
    out.push({ target: 'RSS after 500 MLP steps within 10% of after 50', measured: `${r50.toFixed(0)} → ${r500.toFixed(0)} MiB (${(((r500 - r50) / r50) * 100).toFixed(1)}%)`, met: Math.abs(r500 - r50) <= 0.1 * r50 });
  }
  return out;
}

export function targetTable(ts: readonly Target[]): string[] {
  return ['| target | this run | met |', '| --- | --- | --- |', ...ts.map((t) => `| ${t.target} | ${t.measured} | ${t.met === undefined ? '–' : t.met ? 'yes' : '**no**'} |`)];
}
