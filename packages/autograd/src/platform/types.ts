// What the worker-thread pool of the WebAssembly gemm needs from the platform it runs on. Node and
// browsers start threads differently (worker_threads vs Web Workers) and deliver messages
// differently, so each has its adapter (node.ts, browser.ts), chosen through the package's
// `#platform` import map: the core never names a `node:` module, so it bundles for a browser.

/**
 * The slots of the threads' control block (Int32 indices); both adapters' workers use them:
 * wake-up sequence (one per task), workers inside the current task, kernel id, task address,
 * chunks done by workers, error flag, workers started, workers that take part, and the sequence
 * number of the last closed task.
 */
export const SLOT = { SEQ: 0, BUSY: 1, KERNEL: 2, TASK: 3, WORKER_CHUNKS: 4, FAILED: 5, READY: 6, ACTIVE: 7, CLOSED: 8 } as const;
/** Size of the control block in bytes (a multiple of 16, so what follows stays vector-aligned). */
export const CONTROL_BYTES = 64;

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
  /**
   * Whether more threads want to run than there are cores (then a thread that polls takes CPU
   * from one that would do work); false where the platform cannot tell.
   */
  oversubscribed(): boolean;
}

/**
 * The loop every worker runs, as JavaScript source shared by both adapters: sleep until the
 * sequence number moves, run its share of the task unless it was closed meanwhile, report leaving. `wait` is the adapter's way to
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
    // Enter, then check that the task is still open and still the one woken for (loads in this
    // order: the main thread closes, then reads BUSY, so either it waits for this worker or the
    // worker sees the close and skips a task whose chunks are all taken). Workers beyond the
    // active count (after setNumThreads lowered it) skip it too.
    Atomics.add(ctl, ${SLOT.BUSY}, 1);
    if (Atomics.load(ctl, ${SLOT.CLOSED}) !== seen && Atomics.load(ctl, ${SLOT.SEQ}) === seen && index < ctl[${SLOT.ACTIVE}]) try {
      Atomics.add(ctl, ${SLOT.WORKER_CHUNKS}, runs[ctl[${SLOT.KERNEL}]](ctl[${SLOT.TASK}]));
      Atomics.notify(ctl, ${SLOT.WORKER_CHUNKS});
    } catch (e) {
      Atomics.store(ctl, ${SLOT.FAILED}, 1);
    }
    Atomics.sub(ctl, ${SLOT.BUSY}, 1);
    Atomics.notify(ctl, ${SLOT.BUSY});
  }`;
}
