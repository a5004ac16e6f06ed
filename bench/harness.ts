// Timing helpers shared by every section: contenders run alternately (one timing each per round)
// so a burst of load from another process hits all of them alike, and each figure is a median.
import * as tf from '@tensorflow/tfjs-core';
import { repsFor } from './spread.js';

export interface Contender {
  name: string;
  /** tfjs backend to switch to before this contender's timings (tapegrad: none). */
  backend?: 'cpu' | 'wasm';
  /** One unit of work; must finish it (tfjs: read the result back). */
  run: () => void;
  /**
   * Frees what the contender holds outside the JavaScript heap (tfjs tensors and variables, jax-js
   * arrays), called once its timings are done, so that repeated runs (`--runs`) do not pile up
   * every earlier run's inputs and weights.
   */
  dispose?: () => void;
}

export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function use(backend: Contender['backend']): Promise<void> {
  if (backend && tf.getBackend() !== backend) await tf.setBackend(backend);
}

/**
 * Median milliseconds per run of each contender. Each first runs `warmup` times (JIT, caches,
 * worker start-up); then each timing repeats the work enough times to last ≥ `minMs`, because a
 * 0.2 ms product timed alone is mostly timer noise. The repeat count comes from the warm-up runs
 * after the first: the first includes compiling (jax-js's jit, V8's JIT, tfjs's set-up) and would
 * make every later timing far shorter than `minMs`.
 */
export async function compare(contenders: readonly Contender[], opts: { warmup?: number; rounds?: number; minMs?: number } = {}): Promise<Record<string, number>> {
  const { warmup = 2, rounds = 5, minMs = 20 } = opts;
  const reps: Record<string, number> = {};
  for (const c of contenders) {
    await use(c.backend);
    const each: number[] = [];
    for (let i = 0; i < Math.max(1, warmup); i++) {
      const t0 = performance.now();
      c.run();
      each.push(performance.now() - t0);
    }
    reps[c.name] = repsFor(each, minMs);
  }
  const times: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) {
      await use(c.backend);
      const n = reps[c.name]!;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) c.run();
      times[c.name]!.push((performance.now() - t0) / n);
    }
  }
  for (const c of contenders) {
    await use(c.backend);
    c.dispose?.();
  }
  return Object.fromEntries(contenders.map((c) => [c.name, median(times[c.name]!)]));
}

/** Starts tfjs's cpu and wasm backends; wasm from the package's own files, one thread. */
export async function initTf(): Promise<void> {
  const { createRequire } = await import('node:module');
  const { dirname } = await import('node:path');
  // tfjs-core alone registers no gradients (the umbrella package `@tensorflow/tfjs` bundles
  // them): load its ES module registrations through a resolution hook (see the hook's file).
  const { register } = await import('node:module');
  register('./tfjs-gradients.mjs', import.meta.url);
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  await import('@tensorflow/tfjs-backend-cpu');
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  // A file path (not a URL): in Node the backend then reads the .wasm with fs instead of fetch.
  setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
  // The threaded build does not initialize in Node; the SIMD single-threaded one does.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to start');
  if (!(await tf.setBackend('cpu'))) throw new Error('tfjs cpu backend failed to start');
}
