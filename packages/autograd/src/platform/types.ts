// What the worker-thread pool of the WebAssembly gemm needs from the platform it runs on. Node and
// browsers start threads differently (worker_threads vs Web Workers) and deliver messages
// differently, so each has its adapter (node.ts, browser.ts), chosen through the package's
// `#platform` import map: the core never names a `node:` module, so it bundles for a browser.

/** The slots of the threads' control block (Int32 indices); both adapters' workers use them. */
export const SLOT = { SEQ: 0, DONE: 1, KERNEL: 2, TASK: 3, WORKER_CHUNKS: 4, FAILED: 5, READY: 6, ACTIVE: 7 } as const;
/** Size of the control block in bytes. */
export const CONTROL_BYTES = 32;

/** What a new worker receives: the shared memory, its control block's address and its index. */
export interface WorkerInit {
  memory: object;
  control: number;
  index: number;
}

/** A started worker: `send` delivers a compiled module (`{ id, module }`) before its first task on it. */
export interface KernelWorker {
  send(message: { id: number; module: object }): void;
}

/** A platform's way to run kernel threads. */
export interface Platform {
  /** Worker threads to use by default besides the calling one (0 when threads cannot work here). */
  defaultWorkers(): number;
  /** Starts a worker on the shared memory; throws when the platform cannot. */
  startWorker(init: WorkerInit): KernelWorker;
}

/**
 * The loop every worker runs, as JavaScript source shared by both adapters: sleep until the
 * sequence number moves, run its share of the task, report done. `wait` is the adapter's way to
 * sleep (a blocking Atomics.wait in Node, an awaited Atomics.waitAsync in a browser, whose worker
 * must return to its event loop to receive modules), `takeModules` how it collects new modules.
 */
export function workerLoop(wait: string, takeModules: string): string {
  return `
  const ctl = new Int32Array(memory.buffer, control, ${CONTROL_BYTES / 4});
  // No task is in flight while a worker starts (see runThreaded), so the current sequence is
  // the one to wait past, also for a worker added to a pool that has already run tasks.
  let seen = Atomics.load(ctl, ${SLOT.SEQ});
  Atomics.add(ctl, ${SLOT.READY}, 1);
  Atomics.notify(ctl, ${SLOT.READY});
  for (;;) {
    while (Atomics.load(ctl, ${SLOT.SEQ}) === seen) ${wait};
    seen = Atomics.load(ctl, ${SLOT.SEQ});
    ${takeModules};
    // Workers beyond the active count (after setNumThreads lowered it) only report done.
    if (index < ctl[${SLOT.ACTIVE}]) try {
      Atomics.add(ctl, ${SLOT.WORKER_CHUNKS}, runs[ctl[${SLOT.KERNEL}]](ctl[${SLOT.TASK}]));
    } catch (e) {
      Atomics.store(ctl, ${SLOT.FAILED}, 1);
    }
    Atomics.add(ctl, ${SLOT.DONE}, 1);
    Atomics.notify(ctl, ${SLOT.DONE});
  }`;
}
