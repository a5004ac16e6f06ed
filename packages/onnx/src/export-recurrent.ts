// RNN, LSTM and GRU modules export as ONNX's RNN/LSTM/GRU nodes rather than their unrolled tape,
// so a sequence axis can stay dynamic. exportOnnx watches the modules' forward calls while tracing;
// when the walk reaches a watched call's outputs it writes the nodes, reading the weights (under
// their state-dict names) into ONNX's layout: gate order i,o,f,c for the LSTM (PyTorch's i,f,g,o)
// and z,r,h for the GRU (PyTorch's r,z,n), W/R per direction stacked, B = [W_b, R_b].
import type { Tensor } from '@tapegrad/autograd';
import { GRU, LSTM, RNN, type Module } from '@tapegrad/nn';
import type { GraphBuilder } from './graph-builder.js';
import type { Dims } from './dynamic-dims.js';

type Recurrent = RNN | LSTM | GRU;

/** One forward call of a recurrent module seen while tracing. */
export interface RecurrentCall {
  readonly module: Recurrent;
  readonly input: Tensor;
  readonly h0: Tensor | null;
  readonly c0: Tensor | null;
  /** output, h_n and (LSTM) c_n. */
  readonly outputs: Tensor[];
}

/**
 * Watches every recurrent module of `model` while `run` traces it. Calls with per-sequence lengths
 * or an unbatched input are left to the unrolled form.
 */
export function watchRecurrent<T>(model: Module, run: () => T): { result: T; calls: RecurrentCall[] } {
  const calls: RecurrentCall[] = [];
  // ONNX's LSTM has no projection: an LSTM with projSize exports as its unrolled tape (matmuls and gates).
  const watched = model.modules().filter((m): m is Recurrent => m instanceof RNN || (m instanceof LSTM && m.projSize === 0) || m instanceof GRU);
  for (const m of watched) {
    const original = m.forward;
    const own = m as unknown as { forward: (input: Tensor, hx?: Tensor | [Tensor, Tensor], options?: { lengths?: unknown }) => unknown };
    own.forward = (input: Tensor, hx?: Tensor | [Tensor, Tensor], options?: { lengths?: unknown }) => {
      const r = (original as (...a: unknown[]) => [Tensor, Tensor | [Tensor, Tensor]]).call(m, input, hx, options);
      if (options?.lengths === undefined && input.ndim === 3) {
        const [h0, c0] = m instanceof LSTM ? ((hx as [Tensor, Tensor] | undefined) ?? [null, null]) : [(hx as Tensor | undefined) ?? null, null];
        const states = m instanceof LSTM ? (r[1] as [Tensor, Tensor]) : [r[1] as Tensor];
        calls.push({ module: m, input, h0, c0, outputs: [r[0], ...states] });
      }
      return r;
    };
  }
  try {
    return { result: run(), calls };
  } finally {
    for (const m of watched) delete (m as unknown as { forward?: unknown }).forward;
  }
}

/** Writes the nodes of one call; returns the value names and dims of its outputs. */
export function writeRecurrent(b: GraphBuilder, call: RecurrentCall, valueOf: (t: Tensor) => string, dimsOf: (t: Tensor) => Dims): { names: string[]; dims: Dims[] } {
  const m = call.module;
  const kind = m instanceof LSTM ? 'LSTM' : m instanceof GRU ? 'GRU' : 'RNN';
  const H = m.hiddenSize;
  const D = m.directions;
  const suffixes = D === 2 ? ['', '_reverse'] : [''];
  const param = (name: string) => (m as unknown as Record<string, Tensor | null | undefined>)[name] ?? null;
  const rows = (v: string, from: number, to: number) => b.node('Slice', [v, b.int64s([from * H]), b.int64s([to * H]), b.int64s([0])]);
  // PyTorch's gate blocks in ONNX's order (each block H rows).
  const order = kind === 'LSTM' ? [0, 3, 1, 2] : kind === 'GRU' ? [1, 0, 2] : [0];
  const reorder = (v: string) => (order.length === 1 ? v : b.node('Concat', order.map((k) => rows(v, k, k + 1)), { axis: { int: 0 } }));
  const stack = (vs: string[]) => b.node('Concat', vs.map((v) => b.node('Unsqueeze', [v, b.int64s([0])])), { axis: { int: 0 } });
  const xDims = dimsOf(call.input);
  // ONNX runs sequence first: [L, N, features].
  let x = valueOf(call.input);
  const [seqDim, batchDim] = m.batchFirst ? [xDims[1]!, xDims[0]!] : [xDims[0]!, xDims[1]!];
  if (m.batchFirst) x = b.node('Transpose', [x], { perm: { ints: [1, 0, 2] } });
  const states = (t: Tensor | null, layer: number) => (t ? b.node('Slice', [valueOf(t), b.int64s([layer * D]), b.int64s([(layer + 1) * D]), b.int64s([0])]) : '');
  const hs: string[] = [], cs: string[] = [];
  for (let layer = 0; layer < m.numLayers; layer++) {
    const W = stack(suffixes.map((s) => reorder(valueOf(param(`weight_ih_l${layer}${s}`)!))));
    const R = stack(suffixes.map((s) => reorder(valueOf(param(`weight_hh_l${layer}${s}`)!))));
    const B = m.bias ? stack(suffixes.map((s) => b.node('Concat', [reorder(valueOf(param(`bias_ih_l${layer}${s}`)!)), reorder(valueOf(param(`bias_hh_l${layer}${s}`)!))], { axis: { int: 0 } }))) : '';
    const attrs: Parameters<GraphBuilder['node']>[2] = { hidden_size: { int: H }, direction: { string: D === 2 ? 'bidirectional' : 'forward' } };
    if (kind === 'GRU') attrs.linear_before_reset = { int: 1 };
    if (m instanceof RNN) attrs.activations = { strings: new Array<string>(D).fill(m.nonlinearity === 'relu' ? 'Relu' : 'Tanh') };
    const ins = [x, W, R, B, '', states(call.h0, layer), ...(kind === 'LSTM' ? [states(call.c0, layer)] : [])];
    const outs = [b.fresh('y'), b.fresh('y_h'), ...(kind === 'LSTM' ? [b.fresh('y_c')] : [])];
    b.node(kind, ins, attrs, outs);
    // Y [L, D, N, H] → [L, N, D·H], the next layer's input.
    x = b.node('Reshape', [b.node('Transpose', [outs[0]!], { perm: { ints: [0, 2, 1, 3] } }), b.int64s([0, 0, -1])]);
    hs.push(outs[1]!);
    if (kind === 'LSTM') cs.push(outs[2]!);
  }
  const y = m.batchFirst ? b.node('Transpose', [x], { perm: { ints: [1, 0, 2] } }) : x;
  const finals = (vs: string[]) => (vs.length === 1 ? vs[0]! : b.node('Concat', vs, { axis: { int: 0 } }));
  const stateDims: Dims = [null, batchDim, null];
  return {
    names: [y, finals(hs), ...(kind === 'LSTM' ? [finals(cs)] : [])],
    dims: [m.batchFirst ? [batchDim, seqDim, null] : [seqDim, batchDim, null], stateDims, ...(kind === 'LSTM' ? [stateDims] : [])],
  };
}
