// `pnpm bench`: tapegrad against TensorFlow.js (tfjs-core with the cpu and wasm backends) and jax-js on the
// same work in one process, alternating, after warm-up; medians and speed-up ratios. Prints a
// Markdown table, writes bench/results/latest.json, and with --docs rewrites the generated part
// of docs/performance.md (and docs/performance.json).
//
//   pnpm bench                     everything (about 3–4 minutes on 2 cores)
//   pnpm bench --quick             fewer rounds, N ≤ 512 (a smoke run)
//   pnpm bench --only matmul,cnn   some sections (matmul, elementwise, mlp, cnn, transformer,
//                                  persample, checkpoint, chain, gemm)
//   pnpm bench --docs              also update docs/performance.md and docs/performance.json
//   pnpm bench --torch /path/python  also run torch_steps.py (PyTorch CPU, 2 threads) for the
//                                  PyTorch column, each part right after its section (Python is optional)
//   pnpm bench --runs 5            every selected section 5 times in this process (PyTorch's parts
//                                  in each run); each figure and ratio is the median of
//                                  the runs with its min–max range
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { threading } from '../packages/autograd/src/kernels/wasm/gemm-threads.js';
import { initTf } from './harness.js';
import { chainRows, elementwiseRows, matmulRows } from './ops.js';
import { cnnRows, mlpRows } from './training.js';
import { transformerRows } from './transformer.js';
import { perSampleRows } from './per-sample.js';
import { checkpointRows } from './checkpoint-memory.js';
import { summarize, table, targetTable, targets, type Row } from './report.js';
import { parseArgs } from './args.js';
import { gemmFigures, gemmTable } from './gemm.js';

const opts = parseArgs(process.argv.slice(2));
const wanted = (s: string) => (opts.only ? opts.only.has(s) : s !== 'gemm');
const here = dirname(fileURLToPath(import.meta.url));

// PROD: no tfjs-node hint on the first cpu op (it cannot install here), no debug checks.
tf.env().set('PROD', true);
const started = performance.now();
// The 1-minute load before, after each run and at the end: threaded figures only mean something
// when the other core was free (this run itself adds up to 2 to the figures after).
const loadBefore = loadavg()[0]!;
const runs: Row[][] = Array.from({ length: opts.runs }, () => []);
const loadAfterRun: number[] = [];
const section = async (run: number, name: string, fn: () => Promise<Row[]>) => {
  if (!wanted(name)) return;
  const t0 = performance.now();
  runs[run]!.push(...(await fn()));
  console.error(`${opts.runs > 1 ? `run ${run + 1}/${opts.runs} ` : ''}${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
};
// The chain first, before tfjs starts: it measures tapegrad's own bookkeeping. Run to run it
// reads about 1.1–1.2 µs per op or about 2 µs (more often once tfjs's modules are loaded), so all
// its runs come before tfjs loads.
for (let run = 0; run < opts.runs; run++) await section(run, 'chain', () => chainRows(opts.quick));
await initTf();
// PyTorch is a Python peer: its own process, never at the same time as ours. Each of its parts runs
// right after the section it is compared with (the chain, measured before tfjs loads, at the end of
// the run), so that both figures come from the same minute: this machine's speed drifts by up to
// 2x over minutes, PyTorch's 2-thread figures most (docs/performance.md).
const torchParts = ['mlp', 'cnn', 'chain'].filter(wanted);
const torchRow: Record<string, string> = { mlp: 'MLP', cnn: 'demo CNN', chain: 'chain of 1,000' };
const torch = (run: number, part: string) => {
  if (opts.torch === undefined || !torchParts.includes(part)) return;
  const t0 = performance.now();
  const out = execFileSync(opts.torch, [join(here, 'torch_steps.py'), part], { encoding: 'utf8' });
  const figure = (JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>)[part];
  for (const r of runs[run]!) if (r.name.startsWith(torchRow[part]!)) r.values.pytorch = figure;
  console.error(`${opts.runs > 1 ? `run ${run + 1}/${opts.runs} ` : ''}pytorch ${part}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
};
for (let run = 0; run < opts.runs; run++) {
  await section(run, 'matmul', () => matmulRows(opts.quick ? [128, 256, 512] : [128, 256, 512, 1024], opts.quick));
  await section(run, 'elementwise', () => elementwiseRows(opts.quick));
  await section(run, 'mlp', () => mlpRows(opts.quick));
  torch(run, 'mlp');
  await section(run, 'cnn', () => cnnRows(opts.quick));
  torch(run, 'cnn');
  await section(run, 'transformer', () => transformerRows(opts.quick));
  await section(run, 'persample', () => perSampleRows(opts.quick));
  await section(run, 'checkpoint', () => checkpointRows(opts.quick));
  torch(run, 'chain');
  loadAfterRun.push(loadavg()[0]!);
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), node: process.version,
  os: `${process.platform} ${process.arch}`, tfjs: tf.version_core, gemmThreads: threading.workers + 1,
  load: [loadBefore, loadavg()[0]!], loadAfterRun,
};
const date = new Date().toISOString();
const seconds = (performance.now() - started) / 1000;
const rows = summarize(runs);
const ts = targets(runs);
const many = opts.runs > 1;
const loads = (xs: readonly number[]) => xs.map((x) => x.toFixed(2)).join(', ');
const markdown = [
  ...table(rows, machine.gemmThreads), '',
  `${many ? `Each cell: the median of ${opts.runs} runs in one process, in brackets the lowest and highest run (a run's figure is itself the median of its rounds).` : 'Medians.'} Ratios are speed-ups of tapegrad over the peer (> 1: tapegrad faster)${many ? ', computed within each run and then summarised' : ''}; "1 thread" forces tapegrad's gemm onto the calling thread. tfjs-wasm is SIMD, single-threaded; jax-js runs its wasm backend on one thread (Node has no global Worker), each step or chain under jit; PyTorch (with --torch) is CPU eager with 2 threads, timed in its own process right after the section it is compared with${many ? ', in each run' : ''}.`,
  '', ...targetTable(ts, opts.runs), '',
  `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, tfjs ${machine.tfjs}; ${date}; ${seconds.toFixed(0)} s; load average ${loadBefore.toFixed(2)} before, ${many ? `${loads(loadAfterRun)} after each run` : `${loadAfterRun[0]!.toFixed(2)} after`}.`,
].join('\n');
console.log(markdown);
if (wanted('gemm')) console.log('\n' + gemmTable(Array.from({ length: opts.runs }, () => gemmFigures())).join('\n'));

const json = JSON.stringify({ date, machine, quick: opts.quick, runs: opts.runs, seconds, rows, targets: ts, perRun: runs }, null, 2) + '\n';
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'latest.json'), json);
if (opts.docs) {
  // Only the part between the markers is generated; the prose around it is written by hand.
  const doc = join(here, '..', 'docs', 'performance.md');
  const text = readFileSync(doc, 'utf8');
  const [start, end] = ['<!-- bench:start -->', '<!-- bench:end -->'];
  const i = text.indexOf(start), j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${doc} lacks the ${start} … ${end} markers`);
  writeFileSync(doc, text.slice(0, i + start.length) + '\n' + markdown + '\n' + text.slice(j));
  writeFileSync(join(here, '..', 'docs', 'performance.json'), json);
}
// The gemm workers sleep in Atomics.wait and would keep the process alive.
process.exit(0);
