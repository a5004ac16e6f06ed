// Kernel threads in a browser (or any runtime with Web Workers): dedicated workers started from a
// Blob URL, sharing the WebAssembly memory. That memory can only be shared when the page is
// cross-origin isolated (served with COOP/COEP headers), so elsewhere the default is one thread.
// A browser worker receives messages only from its event loop, so it sleeps with the awaited
// Atomics.waitAsync, and waits for a module that has not arrived yet instead of blocking.
import { SLOT, workerLoop, type Platform } from './types.js';

const WORKER_SOURCE = `
const modules = [];
const runs = [];
let arrived = () => {};
let started = false;
self.onmessage = ({ data }) => {
  if (started) {
    modules[data.id] = data.module;
    arrived();
    return;
  }
  started = true;
  loop(data.memory, data.control, data.index);
};
async function loop(memory, control, index) {
  ${workerLoop(
    `await (Atomics.waitAsync ? Atomics.waitAsync(ctl, ${SLOT.SEQ}, seen).value : new Promise((r) => setTimeout(r, 1)))`,
    `while (modules[ctl[${SLOT.KERNEL}]] === undefined) await new Promise((r) => { arrived = r; });
    modules.forEach((m, id) => {
      runs[id] ??= new WebAssembly.Instance(m, { env: { mem: memory } }).exports.run;
    })`,
  )}
}
`;

interface BrowserGlobals {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  Worker?: new (url: string) => { postMessage(message: unknown): void };
  Blob: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL(blob: object): string };
}
const g = globalThis as unknown as BrowserGlobals;

let url: string | null = null;

export const platform: Platform = {
  defaultWorkers() {
    if (g.crossOriginIsolated !== true || g.Worker === undefined) return 0;
    return Math.max(0, Math.min((g.navigator?.hardwareConcurrency ?? 1) - 1, 7));
  },
  startWorker(init) {
    if (g.Worker === undefined) throw new Error('no Web Workers here');
    url ??= g.URL.createObjectURL(new g.Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const worker = new g.Worker(url);
    worker.postMessage(init); // throws (DataCloneError) when the memory cannot be shared
    return { send: (message) => worker.postMessage(message) };
  },
  oversubscribed: () => false, // a page cannot see the machine's load
};
