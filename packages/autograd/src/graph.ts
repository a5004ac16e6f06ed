// The recorded graph as Graphviz DOT text (rendering it with the `dot` program and writing files
// is in node/graph-files.ts). Only names and shapes are read (op.name, inputs, output), never
// args/saved, so a graph freed by backward() still draws.
import { Tensor } from './tensor.js';
import { checkOptions, checkTensor, fail } from './validate.js';

/**
 * Names for tensors in a graph picture: a `Map` from tensor to name, a record of name → tensor
 * (`{ w1, b1 }`), or `[name, tensor]` pairs such as a module's `namedParameters()`.
 *
 * @example
 * ```ts
 * const names: TensorNames = { w1, b1 };
 * toDot(loss, { names: model.namedParameters() });
 * ```
 * @category Graph
 */
export type TensorNames =
  | ReadonlyMap<Tensor, string>
  | Readonly<Record<string, Tensor>>
  | Iterable<readonly [string, Tensor]>;

/**
 * Options of {@link toDot} (and of `saveGraph` in `@tapegrad/autograd/node`).
 *
 * @example
 * ```ts
 * const options: GraphOptions = { names: { w, b }, rankDir: 'LR' };
 * ```
 * @category Graph
 */
export interface GraphOptions {
  /** Labels for parameters, inputs or intermediates; unnamed leaves show as `parameter`, `input` or `constant <value>`. */
  names?: TensorNames;
  /** Direction of the layout: top to bottom (default), left to right, and their reverses. */
  rankDir?: 'TB' | 'LR' | 'BT' | 'RL';
}

// Node styles: ops are grey rounded boxes, parameters blue boxes, other leaves plain ellipses;
// the tensors asked for are drawn with a thick border so the eye finds where the graph ends.
const STYLE = {
  op: 'shape=box, style="rounded,filled", fillcolor="#eeeeee"',
  parameter: 'shape=box, style=filled, fillcolor="#cfe2f3"',
  input: 'shape=ellipse',
} as const;

function nameMap(fn: string, names: TensorNames | undefined): Map<Tensor, string> {
  const map = new Map<Tensor, string>();
  if (names === undefined || names === null) return map;
  if (typeof names !== 'object') fail(fn, 'names must be a Map, an object or a list of [name, tensor] pairs', names, 'a Map<Tensor, string>, { name: Tensor } or [name, Tensor][]');
  // A tensor named twice (tied weights) shows both names rather than silently one of them.
  const add = (t: Tensor, name: string) => {
    checkTensor(fn, `names entry ${JSON.stringify(String(name))}`, t);
    if (typeof name !== 'string') fail(fn, 'a name must be a string', name, 'a string');
    map.set(t, map.has(t) ? `${map.get(t)}, ${name}` : name);
  };
  if (names instanceof Map) for (const [t, name] of names) add(t, name);
  else if (Symbol.iterator in names) {
    for (const pair of names as Iterable<readonly [string, Tensor]>) {
      if (!Array.isArray(pair) || pair.length !== 2) fail(fn, 'names must hold [name, tensor] pairs', pair, 'a [string, Tensor] pair');
      add(pair[1], pair[0]);
    }
  }
  else for (const [name, t] of Object.entries(names)) add(t, name);
  return map;
}

/** A DOT double-quoted string: backslashes first, since DOT reads `\n`, `\l`, `\N` in labels. */
function quote(lines: readonly string[]): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\r\n]+/g, '\\n');
  return `"${lines.map(esc).join('\\n')}"`;
}

const fmtShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * An unnamed leaf. A constant holding one value (a one-element tensor, or a scalar broadcast by a
 * binary op, which is a stride-0 view) shows that value: `constant 4` says more than `input`.
 */
function leafName(t: Tensor): string {
  if (t.requiresGrad) return 'parameter';
  const { shape, stride, data, offset } = t.data;
  const oneValue = t.size > 0 && shape.every((n, i) => n === 1 || stride[i] === 0);
  return oneValue ? `constant ${Number(data[offset]!.toPrecision(6))}` : 'input';
}

/** Post-order over the graph (inputs before the op that used them), iterative for deep chains. */
function postOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [];
  for (const root of roots) {
    if (seen.has(root)) continue;
    seen.add(root);
    stack.push([root, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const inputs = top[0].gradFn?.inputs ?? [];
      if (top[1] < inputs.length) {
        const child = inputs[top[1]++]!;
        if (!seen.has(child)) {
          seen.add(child);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        order.push(top[0]);
      }
    }
  }
  return order;
}

/**
 * The recorded computation graph behind `outputs` as Graphviz DOT text: one node per op (its name
 * and output shape), one per leaf (parameters, i.e. leaves that require grad, apart from inputs
 * and constants), and an edge from each input to the op that consumed it. Node ids (`n0`, `n1`,
 * …) follow a fixed traversal order, so the same expression always gives the same text.
 *
 * @example
 * ```ts
 * const w = randn([3, 2], { requiresGrad: true });
 * const x = randn([4, 3]);
 * const loss = x.matmul(w).relu().sum();
 * console.log(toDot(loss, { names: { w } }));
 * // digraph tapegrad { … n1 [label="w\n[3, 2]", shape=box, …]; n0 -> n2; … }
 * ```
 * @category Graph
 */
export function toDot(outputs: Tensor | readonly Tensor[], options: GraphOptions = {}): string {
  return dotOf('toDot', outputs, checkOptions('toDot', options, GRAPH_KEYS));
}

/** Option keys of {@link toDot}. */
export const GRAPH_KEYS = ['names', 'rankDir'];

/** {@link toDot} for already checked option keys, reporting errors as `fn` (saveGraph calls it too). */
export function dotOf(fn: string, outputs: Tensor | readonly Tensor[], options: GraphOptions): string {
  const roots: readonly Tensor[] = Array.isArray(outputs) ? outputs : [outputs as Tensor];
  if (Array.isArray(outputs) && outputs.length === 0) fail(fn, 'outputs must not be empty', outputs, 'a Tensor or a non-empty array of Tensors');
  roots.forEach((t, i) => checkTensor(fn, Array.isArray(outputs) ? `outputs[${i}]` : 'outputs', t));
  if (options.rankDir !== undefined && !['TB', 'LR', 'BT', 'RL'].includes(options.rankDir)) fail(fn, 'unknown rankDir', options.rankDir, "'TB', 'LR', 'BT' or 'RL'");
  const names = nameMap(fn, options.names);
  const isRoot = new Set(roots);
  const ids = new Map<Tensor, string>();
  const lines = ['digraph tapegrad {', `  graph [rankdir=${options.rankDir ?? 'TB'}];`, '  node [fontname="Helvetica", fontsize=10];'];
  const edges: string[] = [];
  for (const t of postOrder(roots)) {
    const id = `n${ids.size}`;
    ids.set(t, id);
    const name = names.get(t);
    const node = t.gradFn;
    let label: string[];
    let style: string;
    if (node) {
      label = [...(name === undefined ? [] : [name]), node.op.name, fmtShape(t.shape)];
      style = STYLE.op;
      for (const input of node.inputs) edges.push(`  ${ids.get(input)!} -> ${id};`);
    } else {
      label = [name ?? leafName(t), fmtShape(t.shape)];
      style = t.requiresGrad ? STYLE.parameter : STYLE.input;
    }
    lines.push(`  ${id} [label=${quote(label)}, ${style}${isRoot.has(t) ? ', penwidth=2' : ''}];`);
  }
  return [...lines, ...edges, '}', ''].join('\n');
}
