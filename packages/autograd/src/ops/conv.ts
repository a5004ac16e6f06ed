// The public 2-D convolution and its two adjoints (the ops themselves are in conv-ops.ts).
import type { Tensor } from '../tensor.js';
import { assertShape, fmt, sameShape } from '../shape.js';
import type { ConvDims } from '../kernels/conv.js';
import { checkConv, isBatched, sameDType, specOf, type ConvSpec, type Pair } from './conv-args.js';
import { checkShape, checkTensor } from '../validate.js';
import { pad } from './pad.js';
import { conv2dOp, inputGradOp, weightGradOp } from './conv-ops.js';

export * from './pool.js';
export * from './unfold.js';
export * from './conv-transpose.js';
export * from './unpool.js';

/**
 * Options of {@link conv2d}: each of stride, padding and dilation is a number or `[h, w]`.
 *
 * @example
 * ```ts
 * const o: Conv2dOptions = { stride: 2, padding: [1, 0], groups: 2 };
 * ```
 * @category Convolution
 */
export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: number | readonly [number, number];
  /**
   * Zeros added on both sides of each spatial axis (default 0), or `'valid'` (none) or `'same'`
   * (output size = input size; stride must be 1). As in PyTorch, `'same'` with an even dilated
   * kernel puts the extra zero on the bottom/right.
   */
  padding?: number | readonly [number, number] | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: number | readonly [number, number];
  /** Input and output channels are split into this many independent groups (default 1). */
  groups?: number;
}

/**
 * 2-D convolution (cross-correlation, as in PyTorch) of `input` [N, C, H, W] (or unbatched
 * [C, H, W]) with `weight` [O, C/groups, kH, kW], plus an optional `bias` [O]. The output is
 * [N, O, H', W'] with H' = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1. Differentiable
 * to any order in input, weight and bias.
 *
 * @example
 * ```ts
 * const x = randn([1, 3, 8, 8]);
 * const w = randn([16, 3, 3, 3], { requiresGrad: true });
 * const y = conv2d(x, w, zeros([16]), { padding: 1 }); // [1, 16, 8, 8]
 * ```
 * @category Convolution
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkTensor('conv2d', 'input', input);
  checkTensor('conv2d', 'weight', weight);
  if (bias !== undefined && bias !== null) checkTensor('conv2d', 'bias', bias);
  const kernel: Pair | undefined = weight.ndim === 4 ? [weight.shape[2]!, weight.shape[3]!] : undefined;
  const s = specOf('conv2d', options, kernel ?? [1, 1]);
  const batched = isBatched('conv2d', input);
  // 'same' with an even dilated kernel: the one extra zero goes after (bottom/right), padded explicitly.
  const [eH, eW] = s.extra;
  const x = eH > 0 || eW > 0 ? pad(input, [0, eW, 0, eH]) : input;
  const xShape = batched ? x.shape : [1, ...x.shape];
  const d = checkConv('conv2d', xShape, x.shape, weight.shape, s);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== d.O)) {
    throw new Error(`conv2d: expected bias of shape [${d.O}] (one per output channel of weight ${fmt(weight.shape)}), got ${fmt(bias.shape)}`);
  }
  sameDType('conv2d', bias ? [input, weight, bias] : [input, weight], ['input', 'weight', 'bias']);
  const spec: ConvSpec = { stride: s.stride, padding: s.padding, dilation: s.dilation, groups: s.groups };
  if (batched) return conv2dOp(x, weight, bias ?? null, spec);
  return conv2dOp(x.unsqueeze(0), weight, bias ?? null, spec).squeeze(0);
}

/** Options of the adjoint ops: numeric padding (or 'valid'). */
function plainSpec(op: string, options: Conv2dOptions | undefined): ConvSpec {
  const { stride, padding, dilation, groups } = specOf(op, options);
  return { stride, padding, dilation, groups };
}

/** Checks the gradient's shape against the convolution it belongs to. */
function checkGradOutput(op: string, g: Tensor, x: readonly number[], w: readonly number[], d: ConvDims): void {
  const expected = [d.N, d.O, d.geo.oH, d.geo.oW];
  if (!sameShape(g.shape, expected)) {
    throw new Error(`${op}: expected gradOutput of shape ${fmt(expected)} for input ${fmt(x)} and weight ${fmt(w)}, got ${fmt(g.shape)}`);
  }
}

/**
 * The gradient of {@link conv2d} with respect to its input (a transposed convolution): given
 * `gradOutput` [N, O, H', W'] and `weight`, returns a tensor of `inputShape` [N, C, H, W]. Like
 * `torch.nn.grad.conv2d_input`; differentiable to any order.
 *
 * @example
 * ```ts
 * const w = randn([4, 2, 3, 3]);
 * const gx = conv2dInputGrad(ones([1, 4, 6, 6]), w, [1, 2, 8, 8]); // [1, 2, 8, 8]
 * ```
 * @category Convolution
 */
export function conv2dInputGrad(gradOutput: Tensor, weight: Tensor, inputShape: readonly number[], options: Conv2dOptions = {}): Tensor {
  checkTensor('conv2dInputGrad', 'gradOutput', gradOutput);
  checkTensor('conv2dInputGrad', 'weight', weight);
  const op = 'conv2dInputGrad';
  const s = plainSpec(op, options);
  checkShape(op, 'inputShape', inputShape);
  if (inputShape.length !== 4) throw new Error(`${op}: expected inputShape [N, C, H, W], got ${fmt(inputShape)}`);
  assertShape(op, inputShape);
  const d = checkConv(op, inputShape, inputShape, weight.shape, s);
  checkGradOutput(op, gradOutput, inputShape, weight.shape, d);
  sameDType(op, [gradOutput, weight], ['gradOutput', 'weight']);
  return inputGradOp(gradOutput, weight, [...inputShape], s);
}

/**
 * The gradient of {@link conv2d} with respect to its weight: given `input` [N, C, H, W] and
 * `gradOutput` [N, O, H', W'], returns a tensor of `weightShape` [O, C/groups, kH, kW]. Like
 * `torch.nn.grad.conv2d_weight`; differentiable to any order.
 *
 * @example
 * ```ts
 * const x = randn([1, 2, 8, 8]);
 * const gw = conv2dWeightGrad(x, ones([1, 4, 6, 6]), [4, 2, 3, 3]); // [4, 2, 3, 3]
 * ```
 * @category Convolution
 */
export function conv2dWeightGrad(input: Tensor, gradOutput: Tensor, weightShape: readonly number[], options: Conv2dOptions = {}): Tensor {
  checkTensor('conv2dWeightGrad', 'input', input);
  checkTensor('conv2dWeightGrad', 'gradOutput', gradOutput);
  const op = 'conv2dWeightGrad';
  const s = plainSpec(op, options);
  checkShape(op, 'weightShape', weightShape);
  if (input.ndim !== 4) throw new Error(`${op}: expected input of shape [N, C, H, W], got ${fmt(input.shape)}`);
  const d = checkConv(op, input.shape, input.shape, weightShape, s);
  checkGradOutput(op, gradOutput, input.shape, weightShape, d);
  sameDType(op, [input, gradOutput], ['input', 'gradOutput']);
  return weightGradOp(input, gradOutput, [...weightShape], s);
}
