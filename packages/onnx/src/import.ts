// importOnnx: an ONNX graph as a tapegrad Module. Float initializers become parameters (or buffers,
// for BatchNormalization statistics) named as in the graph, and forward interprets the nodes with
// differentiable tapegrad ops, so the model can be fine-tuned with any optimizer.
import { Tensor } from '@tapegrad/autograd';
import { BufferTensor, Module, Parameter } from '@tapegrad/nn';
import { decodeModel, num, type GraphProto, type NodeProto } from './proto.js';
import { attrValue, decodeTensor, type Value } from './import-values.js';
import { importOps as baseOps } from './import-ops.js';
import { moreImportOps } from './import-ops-more.js';
import { recurrentOps } from './import-recurrent.js';

/** Every supported ONNX operator (default domain), by op type. */
export const importOps = { ...baseOps, ...moreImportOps, ...recurrentOps };

/** Places a tensor at a dotted path of nested modules (so state-dict keys follow the initializer names). */
class Holder extends Module<[], never> {
  forward(): never {
    throw new Error('importOnnx: an initializer holder has no forward; call the imported model');
  }
}

function place(root: Module, path: string, value: Tensor | Module): void {
  const parts = path.split('.');
  let m = root as unknown as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) {
    const next = m[p];
    if (next === undefined) m[p] = new Holder();
    else if (!(next instanceof Module)) throw new Error(`importOnnx: initializer names clash at '${path}'`);
    m = m[p] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
  if (last in m) throw new Error(`importOnnx: initializer '${path}' clashes with another name`);
  m[last] = value;
}

/**
 * A model imported by {@link importOnnx}: `forward(...inputs)` runs the graph with tapegrad ops
 * (differentiable, so it trains), and its parameters are the graph's float initializers.
 *
 * @example
 * ```ts
 * const model: OnnxModel = importOnnx(readFileSync('model.onnx'));
 * const y = model.forward(randn([1, 4]));
 * ```
 * @category ONNX
 */
export class OnnxModel extends Module<Tensor[], Tensor | Tensor[]> {
  readonly #graph: GraphProto;
  readonly #opset: number;
  readonly #constants: Map<string, Value>;
  readonly #tensors: Map<string, Tensor>;

  /** @internal Built by {@link importOnnx}. */
  constructor(graph: GraphProto, opset: number) {
    super();
    this.#graph = graph;
    this.#opset = opset;
    this.#constants = new Map();
    this.#tensors = new Map();
    const statistics = new Set(graph.node.filter((n) => n.op_type === 'BatchNormalization').flatMap((n) => n.input.slice(3, 5)));
    // Resize's roi and scales are settings, not weights: constants, never trained.
    const settings = new Set(graph.node.filter((n) => n.op_type === 'Resize').flatMap((n) => n.input.slice(1, 3)));
    for (const init of graph.initializer) {
      const value = decodeTensor(init);
      const name = init.name!;
      // Float tensors with more than one element are trained; scalars are constants of the graph (scales, epsilons).
      if (value instanceof Tensor && value.size > 1 && !settings.has(name)) {
        const member = statistics.has(name) ? new BufferTensor(value) : new Parameter(value);
        place(this, name, member);
        this.#tensors.set(name, member);
      } else this.#constants.set(name, value);
    }
    for (const node of graph.node) {
      if (!Object.hasOwn(importOps, node.op_type) || (node.domain ?? '') !== '') {
        throw new Error(`importOnnx: op '${node.domain ? `${node.domain}::` : ''}${node.op_type}' (node '${node.name ?? ''}') is not supported`);
      }
    }
  }

  /** The graph's input names, in order. */
  get inputNames(): string[] {
    const initializers = new Set(this.#graph.initializer.map((i) => i.name));
    return this.#graph.input.map((i) => i.name).filter((n) => !initializers.has(n));
  }

  /** Runs the graph on `inputs` (in {@link OnnxModel.inputNames} order); one output is returned bare. */
  forward(...inputs: Tensor[]): Tensor | Tensor[] {
    const names = this.inputNames;
    if (inputs.length !== names.length) throw new Error(`OnnxModel: expected ${names.length} input(s) (${names.join(', ')}), got ${inputs.length}`);
    const values = new Map<string, Value>(this.#constants);
    for (const [name, t] of this.#tensors) values.set(name, t);
    names.forEach((n, i) => values.set(n, inputs[i]!));
    for (const node of this.#graph.node) this.#run(node, values);
    const outs = this.#graph.output.map((o) => {
      const v = values.get(o.name);
      if (!(v instanceof Tensor)) throw new Error(`OnnxModel: output '${o.name}' is not a float tensor`);
      return v;
    });
    return outs.length === 1 ? outs[0]! : outs;
  }

  #run(node: NodeProto, values: Map<string, Value>): void {
    const attrs = new Map(node.attribute.map((a) => [a.name, attrValue(a)]));
    const where = `node '${node.name ?? ''}' (${node.op_type})`;
    const inputs = node.input.map((n) => {
      if (n === '') return undefined;
      const v = values.get(n);
      if (v === undefined) throw new Error(`OnnxModel: ${where} reads '${n}', which nothing produced`);
      return v;
    });
    const fail = (why: string): never => {
      throw new Error(`OnnxModel: ${where}: ${why}`);
    };
    const outs = importOps[node.op_type]!({
      inputs,
      opset: this.#opset,
      attr: <T>(name: string, ...fallback: [T?]): T => {
        if (attrs.has(name)) return attrs.get(name) as T;
        if (fallback.length === 0) fail(`the required attribute '${name}' is missing`);
        return fallback[0] as T;
      },
      fail,
    });
    node.output.forEach((n, i) => {
      if (n !== '' && outs[i] !== undefined) values.set(n, outs[i]!);
    });
  }
}

/**
 * Builds a differentiable model from ONNX bytes (e.g. from `torch.onnx.export` or
 * {@link exportOnnx}): float initializers become parameters named as in the graph (BatchNorm
 * statistics become buffers), and `forward` runs the nodes with tapegrad ops, so the model can be
 * evaluated, differentiated and fine-tuned. Unsupported ops are an error naming them.
 *
 * @example
 * ```ts
 * const model = importOnnx(readFileSync('mlp.onnx'));
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
 * mseLoss(model.forward(x) as Tensor, y).backward();
 * optimizer.step();
 * ```
 * @category ONNX
 */
export function importOnnx(bytes: Uint8Array): OnnxModel {
  if (!(bytes instanceof Uint8Array)) throw new Error('importOnnx: expected the model as a Uint8Array');
  const model = decodeModel(bytes);
  if (!model.graph) throw new Error('importOnnx: the model has no graph');
  const opset = model.opset_import.find((o) => (o.domain ?? '') === '');
  return new OnnxModel(model.graph, opset ? num(opset.version) : 1);
}
