// `pnpm demo:browser`: builds the demo and serves it on http://127.0.0.1:8080/ (or PORT), with the
// headers that make the page cross-origin isolated so the kernels can use Web Workers.
import { serveStatic } from '../../scripts/browser/serve.js';
import { buildDemo } from './build.js';

const dir = await buildDemo();
const { url } = await serveStatic(dir, Number(process.env.PORT ?? 8080));
console.log(`tapegrad browser demo: open ${url} (Ctrl-C stops the server)`);
