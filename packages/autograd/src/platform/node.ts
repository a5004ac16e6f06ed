// Kernel threads on Node: worker_threads running the shared loop. New modules arrive on a
// MessagePort and are drained synchronously at every wake-up (the worker's event loop never runs:
// it sleeps in Atomics.wait between tasks).
import { MessageChannel, Worker } from 'node:worker_threads';
import { availableParallelism, loadavg } from 'node:os';
import { SLOT, workerLoop, type Platform } from './types.js';

// Plain JavaScript, run with `eval`, so workers need no loader for TypeScript.
const WORKER_SOURCE = `
const { parentPort, receiveMessageOnPort } = require('node:worker_threads');
parentPort.once('message', ({ memory, port, control, index }) => {
  const runs = [];
  ${workerLoop(
    `Atomics.wait(ctl, ${SLOT.SEQ}, seen)`,
    `for (let m; (m = receiveMessageOnPort(port)); ) {
      runs[m.message.id] = new WebAssembly.Instance(m.message.module, { env: { mem: memory } }).exports.run;
    }`,
  )}
});
`;

export const platform: Platform = {
  defaultWorkers: () => Math.max(0, Math.min(availableParallelism() - 1, 7)),
  startWorker({ memory, control, index }) {
    // No inherited flags: a parent's --input-type=module would make the script an ES module.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.unref(); // idle workers must not keep the process alive
    const { port1, port2 } = new MessageChannel();
    port1.unref();
    worker.postMessage({ memory, port: port2, control, index }, [port2]);
    return { send: (message) => port1.postMessage(message) };
  },
  oversubscribed() {
    // The one-minute load average counts runnable threads, this process's included (one
    // busy thread plus partly busy workers), hence the slack of one; it moves slowly, so it is
    // read at most twice a second.
    const now = performance.now();
    if (now - loadReadAt > 500) {
      loadReadAt = now;
      crowded = loadavg()[0]! > availableParallelism() + 1;
    }
    return crowded;
  },
};

let crowded = false;
let loadReadAt = -Infinity;
