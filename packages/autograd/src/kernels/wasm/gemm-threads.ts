// Worker threads for the WebAssembly gemm: each worker instantiates the same compiled modules on
// the same shared WebAssembly.Memory and, when woken, calls `run(task)` on the task the main
// thread wrote there, claiming chunks of rows of C from one atomic counter until none is left
// (so a worker slowed down by another process simply takes fewer chunks). The main thread runs
// the same function on the same task, then closes the task and blocks only until the workers
// already inside it have returned: a worker that wakes after the close skips it, so the caller
// never waits for a sleeping or descheduled thread to wake up only to find no chunk left. gemm
// stays synchronous, and its result does not depend on how the chunks were shared out.
// The platform (Node's worker_threads or Web Workers) comes through the package's import map, so
// this file names no `node:` module.
import { platform } from '#platform';
import { CONTROL_BYTES, SLOT, type KernelWorker } from '../../platform/types.js';
import { TASK as TASK_FIELDS, TASK_BYTES } from './gemm-module.js';

export { CONTROL_BYTES };

/**
 * Threading settings (internal; tests and the benchmark change them). `workers`: threads besides
 * the main one (cores − 1 by default, at most 7). `minMacs`: products with fewer multiply-adds
 * stay on the calling thread, where waking a worker would cost more than it saves (measured, see
 * bench/gemm.ts). `mainJoins`: whether the calling thread takes chunks too (tests turn it off to
 * prove the workers' results). `mainSpinUs`: how long the calling thread polls for the workers'
 * last chunks before it sleeps (0: sleep at once; measured in docs/performance.md), unless
 * `oversubscribed()` says the cores are all wanted (tests replace it to reach both paths).
 * `splitPacking`: whether threaded products, unless oversubscribed, share the packing of their
 * operands with the workers (gemm-wasm.ts; otherwise the caller packs, then wakes them).
 */
export const threading = {
  workers: platform.defaultWorkers(),
  minMacs: 1 << 21,
  mainJoins: true,
  mainSpinUs: 200,
  oversubscribed: platform.oversubscribed,
  splitPacking: true,
};

const { SEQ, BUSY, KERNEL, TASK, WORKER_CHUNKS, FAILED, READY, ACTIVE, CLOSED } = SLOT;

/** Whether this thread may block in Atomics.wait (a browser's main thread may not). */
let canBlock = true;

/**
 * Blocks until `ctl[slot]` may have changed from `value` (or `ms` passed). Where blocking is not
 * allowed the call returns at once and the caller's loop spins instead.
 */
function sleep(ctl: Int32Array, slot: number, value: number, ms?: number): void {
  if (!canBlock) return;
  try {
    Atomics.wait(ctl, slot, value, ms);
  } catch {
    canBlock = false;
  }
}

/**
 * Waits until `ctl[slot]` is 0. The workers' last chunks usually end within microseconds, sooner
 * than a sleeping thread is woken again, so the caller first polls for up to `spinUs`
 * microseconds, then sleeps. Polling pays only on cores to spare: on an oversubscribed machine
 * it takes CPU from threads that would do work (ours included, later in the step), so then the
 * caller sleeps at once; likewise while most recent waits outlasted the window (a running rate,
 * the newest wait weighing 1/8), as when a worker is descheduled mid-chunk.
 */
function waitForZero(ctl: Int32Array, slot: number, spinUs: number): void {
  let v = Atomics.load(ctl, slot);
  if (v <= 0) return;
  const until = performance.now() + spinUs / 1000;
  if (shortWaits >= 0.5 && !threading.oversubscribed()) {
    for (let i = 1; v > 0; i++, v = Atomics.load(ctl, slot)) if ((i & 127) === 0 && performance.now() > until) break;
  }
  for (; v > 0; v = Atomics.load(ctl, slot)) sleep(ctl, slot, v);
  shortWaits += ((performance.now() <= until ? 1 : 0) - shortWaits) / 8;
}
/** Running rate of waits for the workers that ended within the polling window (see waitForZero). */
let shortWaits = 1;

interface Pool { workers: KernelWorker[]; ctl: Int32Array; sent: number }
let pool: Pool | null = null;
let poolFailed = false;
/** Modules by kernel id, sent to every worker before its first task on them. */
const modules: object[] = [];

/** Registers a compiled module; returns its id for `runThreaded`. */
export function registerModule(module: object): number {
  modules.push(module);
  return modules.length - 1;
}

/**
 * Starts workers on first use, and more when `threading.workers` has grown since (a lowered count
 * keeps the extra workers asleep rather than stopping them); null when threads are off or cannot
 * start. Added workers get every registered module with their first task (`sent` restarts).
 */
function ensurePool(memory: object, control: number): Pool | null {
  if (poolFailed || threading.workers === 0) return pool;
  if (pool && pool.workers.length >= threading.workers) return pool;
  try {
    const buffer = (memory as { buffer: SharedArrayBuffer }).buffer;
    pool ??= { workers: [], ctl: new Int32Array(buffer, control, CONTROL_BYTES / 4), sent: 0 };
    for (let i = pool.workers.length; i < threading.workers; i++) {
      const worker = platform.startWorker({ memory, control, index: i });
      // Modules already sent to the older workers go to this one before its first task.
      for (let id = 0; id < pool.sent; id++) worker.send({ id, module: modules[id]! });
      pool.workers.push(worker);
    }
  } catch {
    poolFailed = true; // e.g. memory that cannot be shared: one thread from now on
    if (pool?.workers.length === 0) pool = null;
  }
  return pool;
}

/**
 * Runs `run(task)` on the calling thread and every worker that wakes in time, and returns once
 * every chunk is done and no worker is inside the task any more, or
 * returns false without doing anything when no worker can be used. Until every worker has
 * started (tens of milliseconds after the first call) products stay on the calling thread, so
 * nobody waits for start-up, and a worker that cannot start only leaves threading off. The
 * control block is `CONTROL_BYTES` at byte address `control` of the shared `memory`.
 */
export function runThreaded(memory: object, control: number, kernel: number, run: (task: number) => number, task: number): boolean {
  const p = ensurePool(memory, control);
  if (!p || Atomics.load(p.ctl, READY) < p.workers.length) return false;
  for (; p.sent < modules.length; p.sent++) {
    for (const worker of p.workers) worker.send({ id: p.sent, module: modules[p.sent]! });
  }
  const { ctl } = p;
  ctl[ACTIVE] = threading.workers;
  Atomics.store(ctl, WORKER_CHUNKS, 0);
  ctl[KERNEL] = kernel;
  ctl[TASK] = task;
  const seq = Atomics.add(ctl, SEQ, 1) + 1;
  Atomics.notify(ctl, SEQ);
  try {
    if (threading.mainJoins) run(task);
    else {
      // Tests: the workers alone must do every chunk before the task may close.
      const chunks = new Int32Array((memory as { buffer: SharedArrayBuffer }).buffer, task, TASK_BYTES / 4)[TASK_FIELDS.chunks / 4]!;
      for (let c = Atomics.load(ctl, WORKER_CHUNKS); c < chunks && Atomics.load(ctl, FAILED) === 0; c = Atomics.load(ctl, WORKER_CHUNKS)) {
        sleep(ctl, WORKER_CHUNKS, c, 50);
      }
    }
  } catch (e) {
    // Workers may be waiting for this thread's part of the task (a pack job): the error flag
    // releases them before the task closes.
    Atomics.store(ctl, FAILED, 1);
    Atomics.store(ctl, CLOSED, seq);
    waitForZero(ctl, BUSY, 0);
    Atomics.store(ctl, FAILED, 0);
    throw e;
  }
  // Every chunk is claimed: close the task and wait only for the workers inside it.
  Atomics.store(ctl, CLOSED, seq);
  waitForZero(ctl, BUSY, threading.mainSpinUs);
  if (Atomics.exchange(ctl, FAILED, 0) !== 0) throw new Error('gemm: a worker thread failed');
  return true;
}

/** Chunks the workers computed in the last threaded product (for tests and the benchmark). */
export function lastWorkerChunks(): number {
  return pool ? Atomics.load(pool.ctl, WORKER_CHUNKS) : 0;
}

/** Waits up to `ms` for every worker to have started; true when they have (tests, benchmark). */
export function workersReady(ms: number): boolean {
  if (!pool) return false;
  const deadline = performance.now() + ms;
  for (let r = Atomics.load(pool.ctl, READY); r < pool.workers.length; r = Atomics.load(pool.ctl, READY)) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    sleep(pool.ctl, READY, r, left);
  }
  return true;
}
