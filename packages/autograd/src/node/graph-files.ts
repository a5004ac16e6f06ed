// The recorded graph as SVG through the system Graphviz `dot` program, and written to files.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Tensor } from '../tensor.js';
import { dotOf, GRAPH_KEYS, type GraphOptions } from '../graph.js';
import type { toDot } from '../graph.js'; // for the {@link toDot} in the docs
import { checkCallback, checkOptions, fail } from '../validate.js';

/**
 * Options of {@link renderSvg}.
 *
 * @example
 * ```ts
 * renderSvg(dot, { command: '/opt/graphviz/bin/dot' });
 * ```
 * @category Graph
 */
export interface RenderOptions {
  /** The Graphviz executable; defaults to `dot` on the `PATH`. */
  command?: string;
}

/**
 * Renders DOT text to SVG with the system Graphviz `dot` binary. Returns `null` when that binary
 * is not installed (so callers can fall back to writing the DOT); throws with Graphviz's message
 * when it is installed but rejects the input.
 *
 * @example
 * ```ts
 * const svg = renderSvg(toDot(loss));
 * if (svg === null) console.log('install graphviz to render the graph');
 * ```
 * @category Graph
 */
export function renderSvg(dot: string, options: RenderOptions = {}): string | null {
  return render('renderSvg', dot, checkOptions('renderSvg', options, ['command']));
}

function render(fn: string, dot: string, options: RenderOptions): string | null {
  if (typeof dot !== 'string' || dot.trim() === '') fail(fn, 'dot must be non-empty DOT source', dot, "a string such as 'digraph { a -> b }'");
  const command = options.command ?? 'dot';
  if (typeof command !== 'string' || command === '') fail(fn, 'command must be a non-empty string', command, "an executable name or path such as 'dot'");
  const result = spawnSync(command, ['-Tsvg'], { input: dot, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`renderSvg: could not run '${command}': ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(`renderSvg: '${command} -Tsvg' exited with status ${result.status}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/**
 * Options of {@link saveGraph}: those of {@link toDot}, the renderer, and where notices go.
 *
 * @example
 * ```ts
 * saveGraph('graph.svg', loss, { names: { w }, warn: () => {} });
 * ```
 * @category Graph
 */
export interface SaveGraphOptions extends GraphOptions, RenderOptions {
  /** Receives the notice when `dot` is missing and DOT was written instead; defaults to `console.warn`. */
  warn?: (message: string) => void;
}

/**
 * What {@link saveGraph} wrote.
 *
 * @example
 * ```ts
 * const { path, format } = saveGraph('graph.svg', loss);
 * ```
 * @category Graph
 */
export interface SavedGraph {
  /** The file written (the `.dot` twin of the requested path when SVG could not be rendered). */
  path: string;
  /** What the file holds. */
  format: 'svg' | 'dot';
}

/**
 * Writes the graph behind `outputs` to a file: DOT for a `.dot`/`.gv` path, SVG for a `.svg`
 * path. Without Graphviz installed, an `.svg` request writes the DOT next to it (same name,
 * `.dot` extension) and says so through `options.warn`, rather than failing a training script.
 *
 * @example
 * ```ts
 * const saved = saveGraph('model-graph.svg', loss, { names: model.namedParameters() });
 * console.log(`graph written to ${saved.path}`);
 * ```
 * @category Graph
 */
export function saveGraph(path: string, outputs: Tensor | readonly Tensor[], options: SaveGraphOptions = {}): SavedGraph {
  if (typeof path !== 'string' || path === '') fail('saveGraph', 'path must be a non-empty string', path, 'a file path ending in .svg, .dot or .gv');
  checkOptions('saveGraph', options, [...GRAPH_KEYS, 'command', 'warn']);
  if (options.warn !== undefined) checkCallback('saveGraph', 'warn', options.warn);
  const dot = dotOf('saveGraph', outputs, options ?? {});
  if (/\.(dot|gv)$/i.test(path)) {
    write(path, dot);
    return { path, format: 'dot' };
  }
  if (!/\.svg$/i.test(path)) {
    throw new Error(`saveGraph: cannot tell the format of '${path}'; use a .svg, .dot or .gv file name`);
  }
  const svg = render('saveGraph', dot, options);
  if (svg !== null) {
    write(path, svg);
    return { path, format: 'svg' };
  }
  const dotPath = path.replace(/\.svg$/i, '.dot');
  write(dotPath, dot);
  (options.warn ?? console.warn)(
    `saveGraph: Graphviz 'dot' was not found, so ${dotPath} holds the DOT source instead of ${path}; ` +
      `install graphviz and run 'dot -Tsvg ${dotPath} -o ${path}'`,
  );
  return { path: dotPath, format: 'dot' };
}

/** Writes a graph file; a file error names saveGraph and the path. */
function write(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    fail('saveGraph', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path, 'a writable file path');
  }
}
