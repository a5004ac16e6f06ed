// `pnpm bench`: tapegrad against TensorFlow.js (tfjs-core with the cpu and wasm backends) on the
// same work in one process, alternating, after warm-up; medians and speed-up ratios. Prints a
// Markdown table, writes bench/results/latest.json, and with --docs rewrites the generated part
// of docs/performance.md (and docs/performance.json).
//
//   pnpm bench                     everything (about 3–4 minutes on 2 cores)
//   pnpm bench --quick             fewer rounds, N ≤ 512 (a smoke run)
//   pnpm bench --only matmul,cnn   some sections (matmul, elementwise, mlp, cnn, transformer,
//                                  persample, checkpoint, chain, gemm)
//   pnpm bench --docs              also update docs/performance.md and docs/performance.json
//   pnpm bench --torch /path/python  also run torch_steps.py (PyTorch CPU, 2 threads) after the
//                                  training sections, for the PyTorch column (Python is optional)
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
import { table, targetTable, targets, type Row } from './report.js';
import { gemmFigures, gemmTable } from './gemm.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? new Set(args[onlyArg + 1]!.split(',')) : null;
const wanted = (s: string) => (only ? only.has(s) : s !== 'gemm');
const here = dirname(fileURLToPath(import.meta.url));

// PROD: no tfjs-node hint on the first cpu op (it cannot install here), no debug checks.
tf.env().set('PROD', true);
const started = performance.now();
// The 1-minute load before and after: threaded figures only mean something when the other core
// was free (this run itself adds up to 2 to the figure after).
const loadBefore = loadavg()[0]!;
const rows: Row[] = [];
const section = async (name: string, fn: () => Promise<Row[]>) => {
  if (!wanted(name)) return;
  const t0 = performance.now();
  rows.push(...(await fn()));
  console.error(`${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
};
// The chain first, before tfjs starts: it measures tapegrad's own bookkeeping. Run to run it
// reads about 1.1–1.2 µs per op or about 2 µs (more often once tfjs's modules are loaded).
await section('chain', () => chainRows(quick));
await initTf();
await section('matmul', () => matmulRows(quick ? [128, 256, 512] : [128, 256, 512, 1024], quick));
await section('elementwise', () => elementwiseRows(quick));
await section('mlp', () => mlpRows(quick));
await section('cnn', () => cnnRows(quick));
await section('transformer', () => transformerRows(quick));
await section('persample', () => perSampleRows(quick));
await section('checkpoint', () => checkpointRows(quick));
const torchArg = args.indexOf('--torch');
if (torchArg >= 0) {
  // PyTorch is a Python peer: its own process, run right after ours, never at the same time.
  const t0 = performance.now();
  const out = execFileSync(args[torchArg + 1]!, [join(here, 'torch_steps.py')], { encoding: 'utf8' });
  const torch = JSON.parse(out.trim().split('\n').pop()!) as { mlp: number; cnn: number };
  for (const r of rows) {
    if (r.name.startsWith('MLP')) r.values.pytorch = torch.mlp;
    if (r.name.startsWith('demo CNN')) r.values.pytorch = torch.cnn;
  }
  console.error(`pytorch: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), node: process.version,
  os: `${process.platform} ${process.arch}`, tfjs: tf.version_core, gemmThreads: threading.workers + 1,
  load: [loadBefore, loadavg()[0]!],
};
const date = new Date().toISOString();
const seconds = (performance.now() - started) / 1000;
const ts = targets(rows);
const markdown = [
  ...table(rows, machine.gemmThreads), '',
  `Medians. Ratios are speed-ups of tapegrad over the peer (> 1: tapegrad faster); "1 thread" forces tapegrad's gemm onto the calling thread. tfjs-wasm is SIMD, single-threaded; jax-js runs its wasm backend on one thread (Node has no global Worker), each step or chain under jit; PyTorch (with --torch) is CPU eager with 2 threads, timed in its own process right after.`,
  '', ...targetTable(ts), '',
  `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, tfjs ${machine.tfjs}; ${date}; ${seconds.toFixed(0)} s; load average ${machine.load.map((x) => x.toFixed(2)).join(' before, ')} after.`,
].join('\n');
console.log(markdown);
if (wanted('gemm')) console.log('\n' + gemmTable(gemmFigures()).join('\n'));

const json = JSON.stringify({ date, machine, quick, seconds, rows, targets: ts }, null, 2) + '\n';
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'latest.json'), json);
if (args.includes('--docs')) {
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
