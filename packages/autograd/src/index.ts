/**
 * Tensors on ndarray with a recording tape: reverse mode (`backward`, `grad`, `vjp`), forward
 * mode (`jvp`), higher-order gradients, and `defineOp` to extend the op set.
 *
 * @example
 * ```ts
 * import { tensor, grad } from '@tapegrad/autograd';
 * const df = grad((x) => x.mul(x).sin().sum());
 * df(tensor([1, 2]));
 * ```
 * @module
 */
export { Tensor } from './tensor.js';
export type { TensorLike, GradHook, RemovableHandle } from './tensor.js';
export type { DType, TypedArray } from './dtype.js';
export { promoteTypes, resultType } from './ops/promotion.js';
export type { Nested } from './kernels/layout.js';
export { Generator, manualSeed, defaultGenerator } from './rng.js';
export type { GeneratorState } from './rng.js';
export { noGrad, enableGrad, isGradEnabled, detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from './grad-mode.js';
export { gradients } from './tape.js';
export { tapeStats } from './tape-stats.js';
export { setNumThreads, getNumThreads } from './threads.js';
export { fusedAdamUpdate, fusedSgdUpdate } from './kernels/optim-update.js';
export { optimizerState } from './kernels/optim-state.js';
export { flushPending } from './kernels/fused/lazy.js';
export type { FusedAdamParams, FusedSgdParams } from './kernels/optim-update.js';
export type { TapeStats } from './tape-stats.js';
export type { BackwardOptions, GradientsOptions, TapeNode, OpRecord } from './tape.js';
export { defineOp } from './define-op.js';
export {
  describeValue,
  fail,
  checkTensor,
  checkTensorLike,
  checkTensorList,
  checkNumber,
  checkFinite,
  checkRange,
  checkInt,
  checkBoolean,
  checkCallback,
  checkDType,
  checkShape,
  checkAxis,
  checkOptions,
  checkAllocation,
} from './validate.js';
export type { Op, OpSpec, VjpContext, ForwardResult, Grads, GradOf, Tangents, TangentOf, JvpContext, BatchDims, BatchDimOf, BatchContext } from './define-op.js';
export { grad, valueAndGrad, vjp, jvp, hvp } from './functional.js';
export type { ArgNums, GradResult, GradOptions } from './functional.js';
export { jacfwd, jacrev, jacobian, hessian, linearize } from './transforms/jacobian.js';
export type { JacobianOptions } from './transforms/jacobian.js';
export { customVjp, customJvp, checkpoint, stopGradient } from './transforms/custom.js';
export { vmap } from './transforms/vmap.js';
export type { VmapOptions, AxisSpec } from './transforms/vmap.js';
export type { Tree } from './transforms/pytree.js';
export type { Randomness } from './transform-levels.js';
export { gradcheck, gradgradcheck } from './testing/gradcheck.js';
export type { GradcheckOptions, GradcheckReport, GradcheckMismatch, GradcheckFn } from './testing/gradcheck.js';
export { peekGrad, zeroGrad } from './zero-grad.js';
export { unravelIndex } from './shape.js';
export { serializeTensors, deserializeTensors } from './serialize.js';
export type { TensorFile } from './serialize.js';
export { parseSafetensors, serializeSafetensors } from './safetensors.js';
export type { SafetensorsFile } from './safetensors.js';
export { toDot } from './graph.js';
export type { TensorNames, GraphOptions } from './graph.js';

export * from './ops/creation.js';
export * from './ops/elementwise.js';
export * from './ops/activation.js';
export * from './ops/compare.js';
export * from './ops/reduce.js';
export * from './ops/softmax-cross-entropy.js';
export * from './ops/linalg.js';
export * from './ops/movement.js';
export * from './ops/indexing.js';
export * from './ops/conv.js';
// Issue 12 ops (trig, special functions, rounding, activations, shape and index ops).
export * from './ops/trig.js';
export * from './ops/exp-log.js';
export * from './ops/rounding.js';
export * from './ops/more-activations.js';
export * from './ops/flip-roll.js';
export * from './ops/repeat.js';
export * from './ops/chunk.js';
export * from './ops/cumulative.js';
export * from './ops/sort.js';
export * from './ops/take.js';
export * from './ops/norm.js';
export * from './ops/einsum.js';
export * from './ops/attention.js';
