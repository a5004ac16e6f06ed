// Worker threads for the WebAssembly gemm: each worker instantiates the same compiled modules on
// the same shared WebAssembly.Memory and, when woken, calls `run(task)` on the task the main
// thread wrote there, claiming chunks of rows of C from one atomic counter until none is left
// (so a worker slowed down by another process simply takes fewer chunks). The main thread runs
// the same function on the same task, then blocks until every worker has returned: gemm stays
// synchronous, and its result does not depend on how the chunks were shared out.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

/**
 * Threading settings (internal; tests and the benchmark change them). `workers`: threads besides
 * the main one (cores − 1 by default, at most 7). `minMacs`: products with fewer multiply-adds
 * stay on the calling thread, where waking a worker would cost more than it saves (measured, see
 * bench/gemm.ts). `mainJoins`: whether the calling thread takes chunks too (tests turn it off to
 * prove the workers' results).
 */
export const threading = {
  workers: Math.max(0, Math.min(availableParallelism() - 1, 7)),
  minMacs: 1 << 21,
  mainJoins: true,
};

/**
 * Int32 slots of the control block: wake-up sequence, workers finished, kernel id, task address,
 * chunks done by workers, error flag, workers started, workers that take part in the task.
 */
const SEQ = 0, DONE = 1, KERNEL = 2, TASK = 3, WORKER_CHUNKS = 4, FAILED = 5, READY = 6, ACTIVE = 7;
export const CONTROL_BYTES = 32;

// Plain JavaScript, run with `eval`, so workers need no loader for TypeScript. New modules arrive
// on a MessagePort and are drained synchronously at every wake-up (the worker's event loop never
// runs: it sleeps in Atomics.wait between tasks).
const WORKER_SOURCE = `
const { parentPort, receiveMessageOnPort } = require('node:worker_threads');
parentPort.once('message', ({ memory, port, control, index }) => {
  const ctl = new Int32Array(memory.buffer, control, ${CONTROL_BYTES / 4});
  // No task is in flight while a worker starts (see runThreaded), so the current sequence is
  // the one to wait past, also for a worker added to a pool that has already run tasks.
  let seen = Atomics.load(ctl, ${SEQ});
  Atomics.add(ctl, ${READY}, 1);
  Atomics.notify(ctl, ${READY});
  const runs = [];
  for (;;) {
    while (Atomics.load(ctl, ${SEQ}) === seen) Atomics.wait(ctl, ${SEQ}, seen);
    seen = Atomics.load(ctl, ${SEQ});
    for (let m; (m = receiveMessageOnPort(port)); ) {
      runs[m.message.id] = new WebAssembly.Instance(m.message.module, { env: { mem: memory } }).exports.run;
    }
    // Workers beyond the active count (after setNumThreads lowered it) only report done.
    if (index < ctl[${ACTIVE}]) try {
      Atomics.add(ctl, ${WORKER_CHUNKS}, runs[ctl[${KERNEL}]](ctl[${TASK}]));
    } catch (e) {
      Atomics.store(ctl, ${FAILED}, 1);
    }
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
});
`;

interface Pool { ports: MessagePort[]; ctl: Int32Array; sent: number }
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
  if (pool && pool.ports.length >= threading.workers) return pool;
  try {
    const buffer = (memory as { buffer: SharedArrayBuffer }).buffer;
    pool ??= { ports: [], ctl: new Int32Array(buffer, control, CONTROL_BYTES / 4), sent: 0 };
    for (let i = pool.ports.length; i < threading.workers; i++) {
      // No inherited flags: a parent's --input-type=module would make the script an ES module.
      const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
      worker.unref(); // idle workers must not keep the process alive
      const { port1, port2 } = new MessageChannel();
      port1.unref();
      worker.postMessage({ memory, port: port2, control, index: i }, [port2]);
      // Modules already sent to the older workers go to this one before its first task.
      for (let id = 0; id < pool.sent; id++) port1.postMessage({ id, module: modules[id] });
      pool.ports.push(port1);
    }
  } catch {
    poolFailed = true;
  }
  return pool;
}

/**
 * Runs `run(task)` on the calling thread and every worker and returns once all have finished, or
 * returns false without doing anything when no worker can be used. Until every worker has
 * started (tens of milliseconds after the first call) products stay on the calling thread, so
 * nobody waits for start-up, and a worker that cannot start only leaves threading off. The
 * control block is `CONTROL_BYTES` at byte address `control` of the shared `memory`.
 */
export function runThreaded(memory: object, control: number, kernel: number, run: (task: number) => number, task: number): boolean {
  const p = ensurePool(memory, control);
  if (!p || Atomics.load(p.ctl, READY) < p.ports.length) return false;
  for (; p.sent < modules.length; p.sent++) {
    for (const port of p.ports) port.postMessage({ id: p.sent, module: modules[p.sent] });
  }
  const { ctl } = p;
  const n = p.ports.length;
  ctl[ACTIVE] = threading.workers;
  Atomics.store(ctl, DONE, 0);
  Atomics.store(ctl, WORKER_CHUNKS, 0);
  ctl[KERNEL] = kernel;
  ctl[TASK] = task;
  Atomics.add(ctl, SEQ, 1);
  Atomics.notify(ctl, SEQ);
  if (threading.mainJoins) run(task);
  for (let d = Atomics.load(ctl, DONE); d < n; d = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, d);
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
  for (let r = Atomics.load(pool.ctl, READY); r < pool.ports.length; r = Atomics.load(pool.ctl, READY)) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(pool.ctl, READY, r, left);
  }
  return true;
}
