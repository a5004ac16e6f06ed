// CI: tapegrad in real headless Chromium (Debian's `chromium`, driven by playwright-core).
//   1. The browser demo (examples/browser), served cross-origin isolated: waits until training
//      reaches the page's stated test accuracy, requires no console or page errors, and saves a
//      screenshot to out/browser-demo.png.
//   2. A subset of autograd's own tests (gradient property checks and SIMD kernel checks, see
//      scripts/browser/gradient-tests.ts) bundled for the browser and run in a page.
// Run: npx tsx --conditions=@tapegrad/source scripts/check-browser.ts
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildDemo } from '../examples/browser/build.js';
import { openBrowser } from './browser/chromium.js';
import { serveStatic } from './browser/serve.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'out');

function fail(message: string): never {
  console.error(`check-browser: ${message}`);
  process.exit(1);
}

interface DemoState { ready: boolean; done: boolean; reached: boolean; reachedSeconds: number | null; testAccuracy: number; epochs: number; threads: number; target: number; error: string | null }

async function checkDemo(): Promise<void> {
  const dir = await buildDemo();
  const { url, server } = await serveStatic(dir);
  const browser = await openBrowser();
  try {
    const opened = performance.now();
    await browser.page.goto(url, { waitUntil: 'commit' }); // 'load' would wait for the whole run
    await browser.page.waitForFunction(() => {
      const demo = (globalThis as unknown as { demo?: DemoState }).demo;
      return demo !== undefined && (demo.reached || demo.done || demo.error !== null);
    }, undefined, { timeout: 15 * 60_000, polling: 500 });
    const demo = await browser.page.evaluate(() => (globalThis as unknown as { demo: DemoState }).demo);
    const wall = (performance.now() - opened) / 1000;
    mkdirSync(outDir, { recursive: true });
    const shot = join(outDir, 'browser-demo.png');
    await browser.page.screenshot({ path: shot, fullPage: true });
    console.log(`browser demo: ${JSON.stringify(demo)}; ${wall.toFixed(1)} s from navigation; screenshot ${shot}`);
    if (demo.error !== null) fail(`the demo failed: ${demo.error}`);
    if (!demo.reached) fail(`the demo finished at ${(demo.testAccuracy * 100).toFixed(2)}% test accuracy, below its target ${demo.target * 100}%`);
    if (demo.threads < 2) fail(`the demo ran on ${demo.threads} thread(s); a cross-origin-isolated page should get Web Worker threads`);
    if (browser.errors.length > 0) fail(`the demo page reported errors:\n${browser.errors.join('\n')}`);
    console.log(`browser demo: reached ${(demo.testAccuracy * 100).toFixed(2)}% test accuracy (target ${demo.target * 100}%) after ${demo.epochs} epoch(s), ${demo.reachedSeconds?.toFixed(1)} s after page load, on ${demo.threads} threads`);
  } finally {
    await browser.close();
    server.close();
  }
}

async function checkGradientTests(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-browser-tests-'));
  try {
    await build({
      entryPoints: [join(root, 'scripts', 'browser', 'gradient-tests.ts')],
      outfile: join(dir, 'tests.js'), bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'warning',
      conditions: ['@tapegrad/source'],
      alias: { vitest: join(root, 'scripts', 'browser', 'vitest-shim.ts') },
      // The test files are imported for their side effects (registering tests), which the
      // package's sideEffects list (written for the published dist/) would let esbuild drop.
      ignoreAnnotations: true,
      define: { 'process.env.FC_SEED': 'undefined', 'process.env.FC_NUM_RUNS': 'undefined' },
    });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>tapegrad tests</title><script type="module" src="tests.js"></script>');
    const { url, server } = await serveStatic(dir);
    const browser = await openBrowser();
    try {
      await browser.page.goto(url, { waitUntil: 'commit' }); // 'load' would wait for the whole run
      await browser.page.waitForFunction(() => (globalThis as unknown as { testResults?: unknown }).testResults !== undefined, undefined, { timeout: 10 * 60_000, polling: 500 });
      const results = await browser.page.evaluate(() => (globalThis as unknown as { testResults: { name: string; ok: boolean; error?: string; ms: number }[] }).testResults);
      const failed = results.filter((r) => !r.ok);
      const seconds = results.reduce((s, r) => s + r.ms, 0) / 1000;
      console.log(`browser tests: ${results.length - failed.length} passed, ${failed.length} failed, ${seconds.toFixed(1)} s`);
      for (const f of failed) console.log(`  FAILED ${f.name}: ${f.error}`);
      if (results.length < 20) fail(`only ${results.length} tests ran in the browser; the bundle lost some`);
      if (failed.length > 0) fail(`${failed.length} test(s) failed in the browser`);
      if (browser.errors.length > 0) fail(`the test page reported errors:\n${browser.errors.join('\n')}`);
    } finally {
      await browser.close();
      server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const started = performance.now();
if (!process.argv.includes('--demo-only')) await checkGradientTests();
await checkDemo();
console.log(`check-browser: ok in ${((performance.now() - started) / 1000).toFixed(0)} s`);
