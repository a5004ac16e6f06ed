// CI: tapegrad as a user gets it. Builds the packages, packs each with `pnpm pack`, installs the
// tarballs with npm into a fresh project in a temp folder outside the repository, then
//   1. compiles scripts/consumer/train.ts there with strict settings (noUncheckedIndexedAccess,
//      exactOptionalPropertyTypes, skipLibCheck false, no @types/node) for NodeNext and for
//      bundlers, and runs the output with plain `node`;
//   2. does the same with each package README's example, and compiles and runs
//      scripts/consumer/node-files.ts, which uses the `/node` entry points;
//   3. bundles train.ts for the browser with esbuild and runs it in headless Chromium, served
//      cross-origin isolated, so the WebAssembly kernels run there on Web Workers;
//   4. reports the minified + gzipped size of the core (autograd + nn + optim) bundle.
// Run: npx tsx scripts/check-packages.ts (needs /usr/bin/chromium).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { openBrowser } from './browser/chromium.js';
import { serveStatic } from './browser/serve.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const consumerSources = join(root, 'scripts', 'consumer');
const PACKAGES = ['autograd', 'nn', 'optim', 'train', 'data', 'onnx'];
const PNPM = ['--yes', 'pnpm@10.34.9'];
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const started = performance.now();

function run(command: string, args: string[], cwd: string): string {
  console.log(`$ ${command} ${args.join(' ')}   (in ${cwd})`);
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function fail(message: string): never {
  console.error(`check-packages: ${message}`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'tapegrad-packages-'));
try {
  // Build and pack.
  run('npx', [...PNPM, 'run', 'build'], root);
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const name of PACKAGES) run('npx', [...PNPM, 'pack', '--pack-destination', tarballs], join(root, 'packages', name));
  const packed = readdirSync(tarballs);
  console.log(`packed: ${packed.join(', ')}`);

  // A fresh project that depends on the tarballs only.
  const app = join(work, 'app');
  mkdirSync(app);
  const dependencies = Object.fromEntries(PACKAGES.map((name) => {
    const file = packed.find((f) => f.startsWith(`tapegrad-${name}-`));
    if (!file) fail(`no tarball for @tapegrad/${name} in ${tarballs}`);
    return [`@tapegrad/${name}`, `file:${join(tarballs, file)}`];
  }));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'tapegrad-consumer', private: true, type: 'module', dependencies }, null, 2));
  for (const f of readdirSync(consumerSources)) copyFileSync(join(consumerSources, f), join(app, f));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], app);

  // 1. Strict type-check (NodeNext and bundler resolution), then plain node.
  run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
  run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], app);
  const nodeOut = run(process.execPath, [join(app, 'out', 'train.js')], app);
  process.stdout.write(nodeOut);
  const nodeResult = JSON.parse(nodeOut.slice(nodeOut.indexOf('{'))) as Record<string, unknown>;
  checkResult('node', nodeResult);

  // Each package README's example, compiled with the same strict settings and run with node.
  const readmes = PACKAGES.map((name) => {
    const markdown = readFileSync(join(root, 'packages', name, 'README.md'), 'utf8');
    const code = /^```ts\n([\s\S]*?)^```$/m.exec(markdown)?.[1];
    if (code === undefined) fail(`packages/${name}/README.md has no ts example`);
    writeFileSync(join(app, `readme-${name}.ts`), `${code}export {};\n`);
    return `readme-${name}.ts`;
  });
  writeFileSync(join(app, 'tsconfig.readme.json'), JSON.stringify({ extends: './tsconfig.json', files: readmes }));
  run(process.execPath, [tsc, '-p', 'tsconfig.readme.json'], app);
  for (const file of readmes) process.stdout.write(run(process.execPath, [join(app, 'out', file.replace(/\.ts$/, '.js'))], app));

  // The root README's Node example ("Use tapegrad in your project"), as the plain .mjs it shows.
  const nodeExample = /^```js\n(\/\/ train\.mjs\n[\s\S]*?)^```$/m.exec(readFileSync(join(root, 'README.md'), 'utf8'))?.[1];
  if (nodeExample === undefined) fail('README.md has no js block starting with // train.mjs');
  writeFileSync(join(app, 'readme-node.mjs'), nodeExample);
  run(process.execPath, [join(app, 'readme-node.mjs')], app);
  if (!existsSync(join(app, 'line.tg'))) fail("README.md's Node example did not write line.tg");

  // 2. The /node entry points, with @types/node from the repository (the user's would do).
  run(process.execPath, [tsc, '-p', 'tsconfig.node.json', '--typeRoots', join(root, 'node_modules', '@types')], app);
  process.stdout.write(run(process.execPath, [join(app, 'out', 'node-files.js')], app));

  // 3. The same script bundled for the browser, in headless Chromium.
  const web = join(app, 'web');
  mkdirSync(web);
  await build({ entryPoints: [join(app, 'train.ts')], bundle: true, platform: 'browser', format: 'esm', target: 'es2022', outfile: join(web, 'train.js'), logLevel: 'warning', absWorkingDir: app });
  copyFileSync(join(app, 'index.html'), join(web, 'index.html'));
  const { url, server } = await serveStatic(web);
  const browser = await openBrowser();
  try {
    await browser.page.goto(url, { waitUntil: 'commit' }); // 'load' would wait for the whole run
    // Done when the script has left its result, or failed (an uncaught error, see index.html).
    await browser.page.waitForFunction(() => {
      const page = globalThis as unknown as Record<string, unknown>;
      return page.tapegradResult !== undefined || page.scriptFailed === true;
    }, undefined, { timeout: 180_000 });
    if (browser.errors.length > 0) fail(`chromium reported errors:\n${browser.errors.join('\n')}`);
    const result = await browser.page.evaluate(() => {
      const page = globalThis as unknown as Record<string, unknown>;
      return { ...(page.tapegradResult as Record<string, unknown>), isolated: page.crossOriginIsolated, workersStarted: page.workersStarted };
    });
    console.log(`chromium: ${JSON.stringify(result)}`);
    checkResult('chromium', result);
    if (result.isolated !== true) fail('chromium: the page is not cross-origin isolated (COOP/COEP headers missing?)');
    if (!((result.workersStarted as number) >= 1)) fail('chromium: the kernels started no Web Worker although the page is cross-origin isolated');
    if (browser.errors.length > 0) fail(`chromium reported errors:\n${browser.errors.join('\n')}`);
  } finally {
    await browser.close();
    server.close();
  }

  // 4. Core bundle size: what a browser app importing autograd, nn and optim ships.
  const core = await build({
    stdin: { contents: "export * from '@tapegrad/autograd'; export * from '@tapegrad/nn'; export * from '@tapegrad/optim';", resolveDir: app },
    bundle: true, minify: true, platform: 'browser', format: 'esm', target: 'es2022', write: false, logLevel: 'warning',
  });
  const bytes = core.outputFiles[0]!.contents;
  console.log(`core bundle (autograd + nn + optim, esbuild --minify): ${(bytes.length / 1024).toFixed(1)} KiB, gzipped ${(gzipSync(bytes).length / 1024).toFixed(1)} KiB`);
  console.log(`check-packages: ok in ${((performance.now() - started) / 1000).toFixed(0)} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function checkResult(where: string, r: Record<string, unknown>): void {
  const accuracy = r.testAccuracy as number;
  if (!(accuracy >= 0.9)) fail(`${where}: test accuracy ${accuracy} on the spirals, expected at least 0.9`);
  if (r.weightsRoundTrip !== true) fail(`${where}: weights did not survive serializeTensors/deserializeTensors`);
  if (r.threadsAgree !== true) fail(`${where}: the product on two threads differs from the one on one thread`);
}
