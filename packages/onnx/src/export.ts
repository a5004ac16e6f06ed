// exportOnnx: runs the forward pass once on example inputs, then writes the recorded tape as an ONNX
// graph, with the model's parameters and buffers as initializers under their state-dict names.
import { describeValue, enableGrad, noGrad, Tensor } from '@tapegrad/autograd';
import { Module } from '@tapegrad/nn';
import { GraphBuilder, elemType } from './graph-builder.js';
import { expandRecord, ruleFor, type RuleContext } from './export-rules.js';
import { encodeModel, type ValueInfo } from './proto.js';
import { notExported } from './export-unsupported.js';
import { watchRecurrent, writeRecurrent, type RecurrentCall } from './export-recurrent.js';
import { dynamicInputDims, inferDims, reshapeDims, type Dims } from './dynamic-dims.js';

/**
 * The integer or bool graph input that `t` is a row-major view of (same storage and size, offset 0,
 * contiguous), or null. Integer ops are not recorded, so this is how ids reshaped by a layer
 * (Embedding flattens them) stay connected to the graph input; any other integer computation on an
 * input is a constant of the trace.
 */
function viewOfInput(t: Tensor, inputs: readonly Tensor[]): Tensor | null {
  if (t.dtype !== 'int32' && t.dtype !== 'bool') return null;
  const source = inputs.find((x) => x !== t && x.data.data === t.data.data);
  if (!source || source.size !== t.size || t.data.offset !== 0) return null;
  let stride = 1;
  for (let k = t.ndim - 1; k >= 0; k--) {
    if (t.shape[k] !== 1 && t.data.stride[k] !== stride) return null;
    stride *= t.shape[k]!;
  }
  return source;
}

/**
 * Options of {@link exportOnnx}.
 *
 * @example
 * ```ts
 * const options: ExportOnnxOptions = { opset: 17, dynamicAxes: { input: { 0: 'batch' }, output: { 0: 'batch' } } };
 * ```
 * @category ONNX
 */
export interface ExportOnnxOptions {
  /** The ONNX opset (default 17; 13 to 21 are written). From 20 `gelu` is one `Gelu` node. */
  opset?: number;
  /** Graph input names (default `input`, or `input_0`, `input_1`, … for several). */
  inputNames?: readonly string[];
  /** Graph output names (default `output`, or `output_0`, … for several). */
  outputNames?: readonly string[];
  /**
   * Axes of inputs and outputs left free in the graph, by value name and axis, with a name for each:
   * `{ input: { 0: 'batch', 1: 'seq' }, output: { 0: 'batch', 1: 'seq' } }`. Any axis may be dynamic
   * (a batch, a sequence length, an image size); the export fails, naming the op, where a traced op
   * fixes its size (a slice of part of it, a constant of fixed size along it, a reshape that cannot
   * tell where it goes). Output axes that follow from dynamic input axes are named in the graph
   * even when not listed here.
   */
  dynamicAxes?: Readonly<Record<string, Readonly<Record<number, string>>>>;
}

const KNOWN = new Set(['opset', 'inputNames', 'outputNames', 'dynamicAxes']);

/**
 * What {@link exportOnnx} traces: a module, or a function of tensors returning a tensor or a list of them.
 *
 * @example
 * ```ts
 * const f: Traceable = (q, k) => softmax(q.matmul(k.transpose(-2, -1)), -1);
 * ```
 * @category ONNX
 */
export type Traceable = Module | ((...inputs: Tensor[]) => Tensor | readonly Tensor[]);

function checkOptions(options: ExportOnnxOptions, inputs: number, outputs: () => number): Required<Omit<ExportOnnxOptions, 'dynamicAxes'>> & Pick<ExportOnnxOptions, 'dynamicAxes'> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`exportOnnx: options must be an object (got ${describeValue(options)}, expected e.g. { opset: 17 })`);
  }
  const unknown = Object.keys(options).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) throw new Error(`exportOnnx: unknown option(s) ${unknown.join(', ')} (known: ${[...KNOWN].join(', ')})`);
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 13 || opset > 21) throw new Error(`exportOnnx: opset must be an integer from 13 to 21, got ${describeValue(opset)}`);
  const names = (given: readonly string[] | undefined, stem: string, n: number) => {
    if (given !== undefined && !(Array.isArray(given) && given.every((g) => typeof g === 'string'))) {
      throw new Error(`exportOnnx: ${stem}Names must be an array of names (got ${describeValue(given)}, expected strings)`);
    }
    if (given && given.length !== n) throw new Error(`exportOnnx: ${stem}Names has ${given.length} names for ${n} ${stem}s`);
    return given ? [...given] : n === 1 ? [stem] : Array.from({ length: n }, (_, i) => `${stem}_${i}`);
  };
  return { opset, inputNames: names(options.inputNames, 'input', inputs), get outputNames() { return names(options.outputNames, 'output', outputs()); }, dynamicAxes: options.dynamicAxes };
}

function valueInfo(name: string, t: Tensor, dims: Dims): ValueInfo {
  // A dynamic axis is named in the graph (an output axis merged from several inputs' gets its label, e.g. 'batch*2').
  const dim = t.shape.map((d, i) => (dims[i] != null ? { dim_param: dims[i]! } : { dim_value: d }));
  return { name, type: { tensor_type: { elem_type: elemType(t), shape: { dim } } } };
}

/**
 * Exports a model (or a function of tensors) to ONNX bytes: runs it once on `exampleInputs` (a
 * module in evaluation mode, restored afterwards), walks the recorded tape from the outputs, and
 * writes each op as ONNX nodes, with parameters and buffers as initializers named as in
 * `stateDict()`. Like `torch.jit.trace`, what the tape does not record becomes a constant: values
 * computed under `noGrad`, comparison masks, indices. An op with no ONNX mapping is an error naming it.
 *
 * @example
 * ```ts
 * const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
 * const bytes = exportOnnx(model, [randn([2, 4])], { dynamicAxes: { input: { 0: 'batch' }, output: { 0: 'batch' } } });
 * writeFileSync('mlp.onnx', bytes);
 * ```
 * @category ONNX
 */
export function exportOnnx(model: Traceable, exampleInputs: readonly Tensor[], options: ExportOnnxOptions = {}): Uint8Array {
  if (!(model instanceof Module) && typeof model !== 'function') {
    throw new Error(`exportOnnx: model must be an nn Module or a function of tensors (got ${describeValue(model)}, expected e.g. new Linear(4, 2))`);
  }
  if (!Array.isArray(exampleInputs) || !exampleInputs.every((t) => t instanceof Tensor)) {
    throw new Error(`exportOnnx: exampleInputs must be an array of tensors (got ${describeValue(exampleInputs)}, expected e.g. [randn([1, 4])])`);
  }
  let outputs: Tensor[] = [];
  const opts = checkOptions(options, exampleInputs.length, () => outputs.length);
  const inputDims = exampleInputs.map((t, i) => dynamicInputDims(t, opts.inputNames[i]!, opts.dynamicAxes?.[opts.inputNames[i]!]));
  // Leaves of our own, so the graph inputs are exactly these objects and every op on them is recorded.
  // Integer and bool inputs (token ids) cannot require grad; see viewOfInput for how they are traced.
  const inputs = exampleInputs.map((t) => (t.dtype === 'int32' || t.dtype === 'bool' ? t.detach().clone() : t.detach().clone().requiresGrad_(true)));
  const names = new Map<Tensor, string>();
  if (model instanceof Module) {
    for (const [n, p] of model.namedParameters()) names.set(p, n);
    for (const [n, buf] of model.namedBuffers()) names.set(buf, n);
  }
  const recurrentOf = new Map<Tensor, RecurrentCall>();
  const wasTraining = model instanceof Module ? model.modules().map((m) => m.training) : [];
  try {
    if (model instanceof Module) model.eval();
    // Recurrent modules' calls are watched so they export as ONNX RNN/LSTM/GRU nodes.
    let traced: { result: unknown; calls: RecurrentCall[] };
    try {
      traced = model instanceof Module
        ? watchRecurrent(model, () => enableGrad(() => model.forward(...inputs)))
        : { result: enableGrad(() => model(...inputs)), calls: [] };
    } catch (e) {
      throw new Error(`exportOnnx: the model's forward failed on the example inputs: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
    for (const call of traced.calls) for (const o of call.outputs) recurrentOf.set(o, call);
    const result = traced.result;
    outputs = Array.isArray(result) ? [...result] : [result as Tensor];
  } finally {
    if (model instanceof Module) model.modules().forEach((m, i) => (m.training = wasTraining[i]!));
  }
  if (!outputs.every((t) => t instanceof Tensor)) throw new Error('exportOnnx: the forward pass must return a tensor or an array of tensors');
  const b = new GraphBuilder(opts.opset);
  const graphInputs = opts.inputNames;
  const value = new Map<Tensor, string>();
  // Labels of the dynamic axes of every value written so far (see dynamic-dims.ts).
  const dims = new Map<Tensor, Dims>();
  const used = new Set<Tensor>();
  // Each dynamic name's example size and where the graph reads it (the first input axis named so).
  const sizes = new Map<string, number>();
  const sources = new Map<string, [string, number]>();
  inputDims.forEach((d, i) => d.forEach((label, k) => {
    if (label !== null && !sizes.has(label)) {
      sizes.set(label, inputs[i]!.shape[k]!);
      sources.set(label, [graphInputs[i]!, k]);
    }
  }));
  const shapeValue = (target: readonly (number | string)[]): string => {
    if (target.every((v) => typeof v === 'number')) return b.int64s(target as number[]);
    const parts = target.map((v) => {
      if (typeof v === 'number') return b.int64s([v]);
      const [input, axis] = sources.get(v)!;
      used.add(inputs[graphInputs.indexOf(input)]!);
      return b.node('Gather', [b.node('Shape', [input]), b.int64s([axis])]);
    });
    return b.node('Concat', parts, { axis: { int: 0 } });
  };
  inputs.forEach((t, i) => {
    value.set(t, graphInputs[i]!);
    dims.set(t, inputDims[i]!);
  });
  /** The dims of a tensor a node reads: its own, or (past tapegrad's broadcasting expands) its source's. */
  const dimsOf = (x: Tensor): { shape: readonly number[]; dims: Dims } => {
    let y = x;
    while (!dims.has(y) && y.gradFn && y.gradFn.op === expandRecord() && y.gradFn.args !== null) y = y.gradFn.inputs[0]!;
    if (dims.has(y)) return { shape: y.shape, dims: dims.get(y)! };
    // A constant never written at full size: its broadcast axes (stride 0) count as size 1.
    return { shape: x.shape.map((d, k) => (x.data.stride[k] === 0 ? 1 : d)), dims: x.shape.map(() => null) };
  };
  const valueOf = (t: Tensor): string => {
    const known = value.get(t);
    if (known !== undefined) {
      if (inputs.includes(t)) used.add(t);
      return known;
    }
    const node = t.gradFn;
    let name: string;
    const view = node === null ? viewOfInput(t, inputs) : null;
    const call = recurrentOf.get(t);
    if (call) {
      const written = writeRecurrent(b, call, valueOf, (x) => dimsOf(x).dims);
      call.outputs.forEach((o, i) => {
        value.set(o, written.names[i]!);
        dims.set(o, written.dims[i]!);
        recurrentOf.delete(o);
      });
      return value.get(t)!;
    } else if (view) {
      // The tape does not record integer ops, but a reshape of an integer input shares its storage.
      const source = valueOf(view);
      const r = reshapeDims(view.shape, dims.get(view)!, t.shape, sizes);
      if (typeof r === 'string') throw new Error(`exportOnnx: a reshape of integer input '${source}': ${r}`);
      name = b.node('Reshape', [source, shapeValue(r.target)]);
      dims.set(t, r.dims);
    } else if (node === null) {
      name = b.tensor(names.get(t) ?? b.fresh('const'), t);
    } else {
      if (node.args === null) throw new Error(`exportOnnx: the graph through '${node.op.name}' was freed by backward(); export from a fresh forward pass`);
      const rule = ruleFor(node.op);
      if (!rule) {
        const why = Object.hasOwn(notExported, node.op.name) ? `: ${notExported[node.op.name]}` : '';
        throw new Error(`exportOnnx: op '${node.op.name}' (output shape [${t.shape.join(', ')}]) has no ONNX mapping${why}`);
      }
      const ctx: RuleContext = {
        b, node,
        input: (i) => valueOf(node.inputs[i]!),
        value: (x) => valueOf(x),
        broadcastInput: (i) => {
          let x = node.inputs[i]!;
          // tapegrad broadcasts with an explicit expand; ONNX's own (NumPy) broadcasting is the same, so skip it.
          while (x.gradFn && x.gradFn.op === expandRecord() && x.gradFn.args !== null) x = x.gradFn.inputs[0]!;
          // Constants broadcast before the op (a scalar made the operand's shape) need not be written at full size.
          if (x.gradFn === null && !value.has(x) && !names.has(x) && x.data.stride.some((s, k) => s === 0 && x.shape[k]! > 1)) {
            const compact = noGrad(() => x.slice(...x.data.stride.map((s, k) => (s === 0 && x.shape[k]! > 1 ? ([0, 1] as const) : null))).clone());
            return b.tensor(b.fresh('const'), compact);
          }
          return valueOf(x);
        },
        batched: (i) => (valueOf(node.inputs[i]!), dimsOf(node.inputs[i]!).dims[0] != null),
        dims: (i) => (valueOf(node.inputs[i]!), dimsOf(node.inputs[i]!).dims),
        dimsOf: (x) => (valueOf(x), dimsOf(x).dims),
        sizes,
        shape: shapeValue,
        fail: (why) => {
          throw new Error(`exportOnnx: op '${node.op.name}' (output shape [${t.shape.join(', ')}]): ${why}`);
        },
      };
      const r = rule(ctx);
      name = typeof r === 'string' ? r : r.name;
      const found = typeof r === 'object' && 'dims' in r ? r.dims : inferDims(t.shape, node.inputs.map(dimsOf), typeof r === 'string' ? null : r.batched);
      if (typeof found === 'string') ctx.fail(found);
      dims.set(t, found);
    }
    value.set(t, name);
    return name;
  };
  const outputNames = opts.outputNames;
  const outputDims: Dims[] = [];
  outputs.forEach((t, i) => {
    const v = valueOf(t);
    const want = outputNames[i]!;
    b.node('Identity', [v], {}, [want]);
    const have = dims.get(t) ?? t.shape.map(() => null);
    for (const axis of Object.keys(opts.dynamicAxes?.[want] ?? {})) {
      if (have[Number(axis)] == null) throw new Error(`exportOnnx: output '${want}' does not keep a dynamic axis of an input at axis ${axis}, so that axis cannot be dynamic`);
    }
    outputDims.push(have.map((label, k) => opts.dynamicAxes?.[want]?.[k] ?? label));
  });
  inputs.forEach((t, i) => {
    if (!used.has(t)) {
      throw new Error(`exportOnnx: input ${i} ('${graphInputs[i]}') does not reach the outputs through recorded ops (values computed under noGrad, such as comparison masks, are constants of the trace)`);
    }
  });
  for (const n of Object.keys(opts.dynamicAxes ?? {})) {
    if (!graphInputs.includes(n) && !outputNames.includes(n)) throw new Error(`exportOnnx: dynamicAxes names '${n}', which is neither an input nor an output`);
  }
  return encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: opts.opset }],
    producer_name: 'tapegrad',
    producer_version: '0.1.0',
    graph: {
      name: model instanceof Module ? model.constructor.name || 'model' : 'tapegrad',
      node: b.nodes,
      initializer: b.initializers,
      input: inputs.map((t, i) => valueInfo(graphInputs[i]!, t, inputDims[i]!)),
      output: outputs.map((t, i) => valueInfo(outputNames[i]!, t, outputDims[i]!)),
    },
  });
}
