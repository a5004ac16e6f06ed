// Built-in ops exportOnnx does not write, each with the reason its error message gives, and the ops
// whose results are never recorded on the tape (integer and bool results) so become constants of
// the trace. test/onnx-op-coverage.test.ts checks that every built-in op is in exactly one of these
// lists or has an export rule, and writes the lists into docs/interop.md.

/** Ops with no ONNX mapping, and why. */
export const notExported: Readonly<Record<string, string>> = {
  cumprod: 'ONNX has no cumulative product (CumProd does not exist; Exp(CumSum(Log)) fails on non-positive values)',
  unfold: 'im2col has no ONNX operator; export the convolution it implements instead',
  fold: 'col2im exists only from opset 18 with a different layout; not mapped',
  avgPool2dBackward: 'a backward-only op (it appears when a traced function computes a gradient)',
  conv2dWeightGrad: 'a backward-only op (it appears when a traced function computes a gradient)',
  maxPool2dBackward: 'a backward-only op (it appears when a traced function computes a gradient)',
  maxPool2dRoute: 'a backward-only op (it appears when a traced function computes a gradient under vmap)',
  maxPool2dGather: 'a forward-mode (jvp) op of maxPool2d',
  maxPool2dSelect: 'a forward-mode (jvp) op of maxPool2d under vmap',
  prodOthers: 'a backward-only op of prod (products of the other elements, under vmap)',
  sliceBackward: 'a backward-only op (it appears when a traced function computes a gradient)',
  attentionWeights: "a derivative-only op of scaledDotProductAttention (it recomputes the weights in its vjp and jvp)",
  padModeBackward: 'a backward-only op (it appears when a traced function computes a gradient)',
  maxUnpool2d: "ONNX MaxUnpool takes indices over the whole tensor, tapegrad's (as PyTorch's) are per plane; not mapped",
  maxUnpool2dGather: 'a backward-only op of maxUnpool2d (it appears when a traced function computes a gradient)',
  maxUnpool2dScatterAdd: 'a second-order op of maxUnpool2d',
};

/** Ops whose results are integer or bool tensors: never recorded, so constants of the trace. */
export const traceConstants: readonly string[] = [
  'argmax', 'argmin', 'argsort', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'isFinite', 'isInf', 'isNaN', 'oneHot', 'maxPool2dIndices',
  // nn's checks of class targets and Embedding ids (int32 in, int32 out)
  'classTargets', 'embeddingIds',
];
