// Sections 1, 2 and 5: float32 matmul through the public API (tapegrad on one thread and with its
// default threading, tfjs-cpu, tfjs-wasm), the elementwise `x*y + exp(x)` (also jax-js, jitted), and the tape's
// bookkeeping on a chain of tiny scalar ops.
import * as tf from '@tensorflow/tfjs-core';
import { matmul, noGrad, randn, tensor, type Tensor } from '@tapegrad/autograd';
import { gemmWasm } from '../packages/autograd/src/kernels/wasm/gemm-wasm.js';
import { threading, workersReady } from '../packages/autograd/src/kernels/wasm/gemm-threads.js';
import { compare, type Contender } from './harness.js';
import { jaxElementwise } from './jax.js';
import type { Row } from './report.js';

type Trans = 'A·B' | 'A·Bᵀ' | 'Aᵀ·B';

/** Starts the gemm workers now, so their start-up is not inside any timing. */
function startWorkers(): void {
  if (threading.workers === 0) return;
  const saved = threading.minMacs;
  threading.minMacs = 0;
  const x = new Float32Array(64);
  gemmWasm(8, 8, 8, x, 0, false, x, 0, false, x.slice(), 0, false);
  threading.minMacs = saved;
  if (!workersReady(20_000)) throw new Error('gemm worker threads did not start');
}

export async function matmulRows(sizes: readonly number[], quick: boolean): Promise<Row[]> {
  startWorkers();
  const defaultMinMacs = threading.minMacs;
  const rows: Row[] = [];
  for (const n of sizes) {
    for (const trans of ['A·B', 'A·Bᵀ', 'Aᵀ·B'] as const satisfies readonly Trans[]) {
      const ta = trans === 'Aᵀ·B';
      const tb = trans === 'A·Bᵀ';
      const a = randn([n, n]);
      const b = randn([n, n]);
      // Transposes are views: the kernel packs them, nothing is copied first.
      const tg = () => void matmul(ta ? a.transpose(0, 1) : a, tb ? b.transpose(0, 1) : b);
      const tfMatmul = (backend: 'cpu' | 'wasm'): Contender => {
        let x: tf.Tensor2D | undefined, y: tf.Tensor2D | undefined;
        return {
          name: `tfjs-${backend}`, backend,
          run: () => {
            x ??= tf.randomNormal([n, n]);
            y ??= tf.randomNormal([n, n]);
            const c = tf.matMul(x, y, ta, tb);
            c.dataSync();
            c.dispose();
          },
          dispose: () => {
            x?.dispose();
            y?.dispose();
            x = y = undefined;
          },
        };
      };
      const contenders: Contender[] = [
        { name: 'tapegrad-1t', run: () => { threading.minMacs = Infinity; tg(); threading.minMacs = defaultMinMacs; } },
        { name: 'tapegrad', run: tg },
        tfMatmul('wasm'),
      ];
      // tfjs-cpu runs at ~1 GFLOP/s: at N ≥ 512 it alone would take most of the time budget.
      if (n <= 256) contenders.push(tfMatmul('cpu'));
      const ms = await compare(contenders, { warmup: n >= 1024 ? 2 : 3, rounds: quick ? 3 : n >= 1024 ? 11 : 9, minMs: n >= 1024 ? 60 : 30 });
      const gflops = (t: number | undefined) => (t === undefined ? undefined : (2 * n ** 3) / (t * 1e6));
      rows.push({
        section: 'matmul', name: `float32 matmul N=${n} ${trans}`, unit: 'GFLOP/s', higherIsBetter: true,
        values: { 'tapegrad-1t': gflops(ms['tapegrad-1t']), tapegrad: gflops(ms.tapegrad), 'tfjs-cpu': gflops(ms['tfjs-cpu']), 'tfjs-wasm': gflops(ms['tfjs-wasm']) },
      });
    }
  }
  return rows;
}

export async function elementwiseRows(quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of [1e6, 1e7]) {
    const x = randn([size]);
    const y = randn([size]);
    const tfCase = (backend: 'cpu' | 'wasm'): Contender => {
      let xs: tf.Tensor1D | undefined, ys: tf.Tensor1D | undefined;
      return {
        name: `tfjs-${backend}`, backend,
        run: () => {
          xs ??= tf.randomNormal([size]);
          ys ??= tf.randomNormal([size]);
          const out = tf.tidy(() => tf.add(tf.mul(xs!, ys!), tf.exp(xs!)));
          out.dataSync();
          out.dispose();
        },
        dispose: () => {
          xs?.dispose();
          ys?.dispose();
          xs = ys = undefined;
        },
      };
    };
    // Inputs without requiresGrad: the forward work alone, as tfjs does it outside a gradient scope.
    const ms = await compare([
      // The result is read, as tfjs's and jax-js's dataSync do: tapegrad computes large elementwise chains on first read.
      { name: 'tapegrad', run: () => void noGrad(() => x.mul(y).add(x.exp())).contiguousData() },
      tfCase('cpu'), tfCase('wasm'), jaxElementwise(size),
    ], { warmup: 3, rounds: quick ? 3 : 9, minMs: 30 });
    const rate = (t: number | undefined) => (t === undefined ? undefined : size / (t * 1e3));
    rows.push({
      section: 'elementwise', name: `x*y + exp(x), ${size.toExponential(0).replace('+', '')} elements`, unit: 'M elements/s', higherIsBetter: true,
      values: { tapegrad: rate(ms.tapegrad), 'jax-js': rate(ms['jax-js']), 'tfjs-cpu': rate(ms['tfjs-cpu']), 'tfjs-wasm': rate(ms['tfjs-wasm']) },
    });
  }
  return rows;
}

/** 500 × (mul, add) on a 0-d tensor, forward + backward: what one recorded node costs. */
export async function chainRows(quick: boolean): Promise<Row[]> {
  const chain = () => {
    const x = tensor(0.5, { requiresGrad: true });
    let y: Tensor = x;
    for (let i = 0; i < 500; i++) y = y.mul(1.0001).add(0.001);
    y.backward();
  };
  // With one warm-up this reads about twice the warmed figure (the JIT is still compiling the
  // tape's paths), so it is warmed up well.
  const ms = await compare([{ name: 'tapegrad', run: chain }], { warmup: 60, rounds: quick ? 5 : 21, minMs: 30 });
  return [{
    section: 'tape', name: 'chain of 1,000 scalar ops, forward + backward', unit: 'µs per op', higherIsBetter: false,
    values: { tapegrad: (ms.tapegrad! * 1000) / 1000 },
  }];
}
