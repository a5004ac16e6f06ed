// Kernel-level gemm figures: the plain-JS loops against the WebAssembly SIMD kernel on one thread
// and on all cores, float32, for A·B, A·Bᵀ and Aᵀ·B (transposes are read in place: packed, never
// copied), plus the shapes a small MLP and CNN training step hand to gemm. The kernels run
// alternately after a warm-up, and each figure is a median, because other processes may share
// the cores.
import { gemmJs } from '../packages/autograd/src/kernels/gemm.js';
import { gemmWasm, wasmGemmAvailable } from '../packages/autograd/src/kernels/wasm/gemm-wasm.js';
import { threading, workersReady } from '../packages/autograd/src/kernels/wasm/gemm-threads.js';
import { formatSpread, spreadOf } from './spread.js';

type Kernel = 'js' | 'wasm' | 'threads';
type Trans = 'A·B' | 'A·Bᵀ' | 'Aᵀ·B';

export interface GemmFigure {
  label: string;
  trans: Trans;
  m: number; n: number; k: number;
  /** GFLOP/s (2·m·n·k per product), median over repetitions. */
  js: number;
  wasm: number;
  /** WebAssembly on the main thread plus `threading.workers` workers (NaN without workers). */
  threads: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function random(size: number): Float32Array {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) x[i] = Math.random() - 0.5;
  return x;
}

/** Milliseconds for `reps` products on one kernel. */
function run(kernel: Kernel, m: number, n: number, k: number, trans: Trans, a: Float32Array, b: Float32Array, c: Float32Array, reps: number): number {
  const ta = trans === 'Aᵀ·B';
  const tb = trans === 'A·Bᵀ';
  threading.minMacs = kernel === 'threads' ? 0 : Infinity;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    if (kernel === 'js') gemmJs(m, n, k, a, 0, ta, b, 0, tb, c, 0, false);
    else if (!gemmWasm(m, n, k, a, 0, ta, b, 0, tb, c, 0, false)) throw new Error('WebAssembly gemm unavailable');
  }
  return performance.now() - t0;
}

/** Median GFLOP/s of both kernels on one shape, alternating them `rounds` times. */
function measure(label: string, m: number, n: number, k: number, trans: Trans, rounds: number): GemmFigure {
  const a = random(m * k);
  const b = random(k * n);
  const c = new Float32Array(m * n);
  const flops = 2 * m * n * k;
  // Repetitions per timing so one timing lasts ≥ ~5 ms on the fast kernel (timer resolution).
  const repsWasm = Math.max(1, Math.round(5e-3 / (flops / 50e9)));
  const repsJs = Math.max(1, Math.round(repsWasm / 25));
  const kernels: Kernel[] = threading.workers > 0 ? ['js', 'wasm', 'threads'] : ['js', 'wasm'];
  const figures: Record<Kernel, number[]> = { js: [], wasm: [], threads: [] };
  for (const kernel of kernels) run(kernel, m, n, k, trans, a, b, c, kernel === 'js' ? repsJs : repsWasm);
  for (let r = 0; r < rounds; r++) {
    for (const kernel of kernels) {
      const reps = kernel === 'js' ? repsJs : repsWasm;
      figures[kernel].push((flops * reps) / (run(kernel, m, n, k, trans, a, b, c, reps) * 1e6));
    }
  }
  return { label, trans, m, n, k, js: median(figures.js), wasm: median(figures.wasm), threads: figures.threads.length ? median(figures.threads) : NaN };
}

/** All figures: square N = 128…1024 in the three layouts, then training-step shapes. */
export function gemmFigures(): GemmFigure[] {
  if (!wasmGemmAvailable('float32')) throw new Error('WebAssembly SIMD is not available here');
  const defaultMinMacs = threading.minMacs;
  if (threading.workers > 0) {
    // Start the workers (the first threaded call does, and runs on this thread meanwhile).
    threading.minMacs = 0;
    const x = new Float32Array(64);
    gemmWasm(8, 8, 8, x, 0, false, x, 0, false, x.slice(), 0, false);
    if (!workersReady(20_000)) throw new Error('gemm worker threads did not start');
  }
  const out: GemmFigure[] = [];
  for (const N of [128, 256, 512, 1024]) {
    for (const trans of ['A·B', 'A·Bᵀ', 'Aᵀ·B'] as const) out.push(measure(`N=${N}`, N, N, N, trans, N >= 1024 ? 3 : 5));
  }
  // MLP 784-256 layer, batch 64: forward x·Wᵀ, input grad g·W, weight grad gᵀ·x.
  out.push(measure('MLP fwd 64×784→256', 64, 256, 784, 'A·Bᵀ', 5));
  out.push(measure('MLP dx 64×256→784', 64, 784, 256, 'A·B', 5));
  out.push(measure('MLP dW 256×64→784', 256, 784, 64, 'Aᵀ·B', 5));
  // Conv 16→32 channels, 3×3 kernel on 14×14 (im2col: K = 144, L = 196), per image.
  out.push(measure('conv fwd W·cols', 32, 196, 144, 'A·B', 5));
  out.push(measure('conv dx Wᵀ·gy', 144, 196, 32, 'Aᵀ·B', 5));
  out.push(measure('conv dW gy·colsᵀ', 32, 144, 196, 'A·Bᵀ', 5));
  threading.minMacs = defaultMinMacs;
  return out;
}

/**
 * Markdown rows for the figures of one or more runs (each a `gemmFigures()` result, same shapes in
 * the same order): with several, each cell is the median over the runs and their min–max.
 */
export function gemmTable(runs: readonly (readonly GemmFigure[])[]): string[] {
  const threads = threading.workers + 1;
  const rows = [
    `| float32 gemm | m×n×k | plain JS, 1 thread | WebAssembly, 1 thread | WebAssembly, ${threads} threads | 1 thread vs JS |`,
    '| --- | --- | --- | --- | --- | --- |',
  ];
  runs[0]!.forEach((f, i) => {
    const cell = (pick: (g: GemmFigure) => number, unit = '') => formatSpread(spreadOf(runs.map((r) => pick(r[i]!))), unit);
    rows.push(`| ${f.label} ${f.trans} | ${f.m}×${f.n}×${f.k} | ${cell((g) => g.js)} | ${cell((g) => g.wasm)} | ${cell((g) => g.threads)} | ${cell((g) => g.wasm / g.js, '×')} |`);
  });
  rows.push('', `GFLOP/s (2·m·n·k per product), medians${runs.length > 1 ? ` of ${runs.length} runs (min–max in brackets)` : ''}; the threaded column forces threads at every size.`);
  return rows;
}
