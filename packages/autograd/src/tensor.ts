import type { NdArray } from 'ndarray';
import { dtypeOf, type DType, type TypedArray } from './dtype.js';
import { sizeOf } from './shape.js';
import type { TapeNode } from './tape.js';
import { backward as runBackward, type BackwardOptions } from './tape.js';
import { formatTensor } from './format.js';
import { contiguousData, toNested, type Nested } from './kernels/layout.js';
import * as ew from './ops/elementwise.js';
import * as act from './ops/activation.js';
import * as cmp from './ops/compare.js';
import * as red from './ops/reduce.js';
import * as la from './ops/linalg.js';
import * as mv from './ops/movement.js';
import * as ix from './ops/indexing.js';
import * as inplace from './ops/inplace.js';

/**
 * A number, or a tensor; binary ops accept either on both sides and broadcast.
 *
 * @example
 * ```ts
 * const v: TensorLike = 2;
 * tensor([1, 2]).mul(v);
 * ```
 * @category Tensor
 */
export type TensorLike = Tensor | number;

/**
 * A handle returned by {@link Tensor.registerHook}; `remove()` detaches the hook.
 *
 * @example
 * ```ts
 * const h = x.registerHook((g) => g.mul(2));
 * h.remove();
 * ```
 * @category Autograd
 */
export interface RemovableHandle {
  /** Detaches the hook; later backward passes no longer call it. */
  remove(): void;
}

/**
 * A gradient hook: called with the gradient flowing into a tensor, it may return a replacement.
 *
 * @example
 * ```ts
 * const clip: GradHook = (g) => g.clamp(-1, 1);
 * ```
 * @category Autograd
 */
export type GradHook = (grad: Tensor) => Tensor | void;

/**
 * An n-dimensional array of float32 or float64 values stored as an `ndarray` view, which records
 * the ops applied to it on the tape when it (or an input) requires grad.
 *
 * Create tensors with {@link tensor}, {@link zeros}, {@link randn} and friends. Every method is a
 * one-line delegate to the function of the same name (`x.add(y)` is `add(x, y)`).
 *
 * @example
 * ```ts
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.mul(x).sum();
 * y.backward();
 * console.log(x.grad?.toString()); // tensor([[2., 4.], [6., 8.]])
 * ```
 * @category Tensor
 */
export class Tensor {
  /** The storage: a strided view over a `Float32Array` or `Float64Array`. Views share it. */
  readonly data: NdArray<TypedArray>;
  /** Element type. */
  readonly dtype: DType;
  /** Whether gradients flow to this tensor; set it on leaves with {@link Tensor.requiresGrad_}. */
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf after `backward()` (and of a non-leaf after {@link Tensor.retainGrad}). */
  grad: Tensor | null = null;
  /** The tape node that produced this tensor, or `null` for a leaf. */
  gradFn: TapeNode | null = null;
  /** @internal hooks run on the gradient of this tensor during backward. */
  hooks: GradHook[] = [];
  /** @internal whether a non-leaf keeps its `.grad`. */
  retainsGrad = false;

  /**
   * Wraps an ndarray (no copy). Prefer {@link tensor} and the other creation functions.
   *
   * @example
   * ```ts
   * import ndarray from 'ndarray';
   * const t = new Tensor(ndarray(new Float32Array([1, 2, 3]), [3]));
   * ```
   */
  constructor(data: NdArray<TypedArray>, requiresGrad = false) {
    this.data = data;
    this.dtype = dtypeOf(data.data);
    this.requiresGrad = requiresGrad;
  }

  /** Dimensions, outermost first. Do not mutate. */
  get shape(): readonly number[] {
    return this.data.shape;
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.data.shape.length;
  }
  /** Number of elements. */
  get size(): number {
    return sizeOf(this.data.shape);
  }
  /** True for tensors created by the user rather than by an op (they hold `.grad` after backward). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /**
   * The values as nested arrays (a number for a 0-d tensor).
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).toArray(); // [[1, 2], [3, 4]]
   * ```
   */
  toArray(): Nested {
    return toNested(this.data);
  }

  /**
   * The single value of a one-element tensor.
   *
   * @example
   * ```ts
   * tensor([[3]]).item(); // 3
   * ```
   */
  item(): number {
    if (this.size !== 1) {
      throw new Error(`item: only one-element tensors can be converted to a number, got shape [${this.shape.join(',')}] (${this.size} elements)`);
    }
    return contiguousData(this.data)[0]!;
  }

  /**
   * The values in row-major order as a typed array. Shares storage when the tensor is contiguous,
   * so treat it as read-only unless you own the tensor.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).transpose().contiguousData(); // Float32Array [1, 3, 2, 4]
   * ```
   */
  contiguousData(): TypedArray {
    return contiguousData(this.data);
  }

  /**
   * Prints like PyTorch: `tensor([1.5000, 2.0000], requires_grad=True)`.
   *
   * @example
   * ```ts
   * console.log(String(tensor([1, 2])));
   * ```
   */
  toString(): string {
    return formatTensor(this);
  }

  // ---- autograd ----

  /**
   * Runs reverse mode from this tensor and accumulates gradients into every leaf's `.grad`.
   * A non-scalar tensor needs `gradOutput` of its own shape.
   *
   * @example
   * ```ts
   * const x = tensor([1, 2, 3], { requiresGrad: true });
   * x.square().sum().backward();
   * x.grad?.toArray(); // [2, 4, 6]
   * ```
   */
  backward(gradOutput?: Tensor, options: BackwardOptions = {}): void {
    runBackward(this, gradOutput, options);
  }

  /**
   * A tensor sharing this one's storage but cut from the tape (no grad history).
   *
   * @example
   * ```ts
   * const frozen = w.detach();
   * ```
   */
  detach(): Tensor {
    return new Tensor(this.data, false);
  }

  /**
   * Sets `requiresGrad` in place on a leaf and returns `this`.
   *
   * @example
   * ```ts
   * const w = zeros([3]).requiresGrad_();
   * ```
   */
  requiresGrad_(requiresGrad = true): this {
    if (!this.isLeaf && !requiresGrad) {
      throw new Error(`requiresGrad_: cannot turn off requiresGrad on a non-leaf tensor produced by '${this.gradFn!.op.name}'; use detach()`);
    }
    this.requiresGrad = requiresGrad;
    return this;
  }

  /**
   * Keeps `.grad` on this non-leaf tensor after backward (leaves always keep it).
   *
   * @example
   * ```ts
   * const h = x.mul(2); h.retainGrad();
   * h.sum().backward(); // h.grad is now set
   * ```
   */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /**
   * Registers a hook called with this tensor's gradient during backward; returning a tensor replaces it.
   *
   * @example
   * ```ts
   * const handle = x.registerHook((g) => g.mul(0.5));
   * handle.remove();
   * ```
   */
  registerHook(hook: GradHook): RemovableHandle {
    if (!this.requiresGrad) throw new Error(`registerHook: cannot register a hook on a tensor that does not require grad (shape [${this.shape.join(',')}])`);
    this.hooks.push(hook);
    return { remove: () => void (this.hooks = this.hooks.filter((h) => h !== hook)) };
  }

  /**
   * Clears `.grad` (sets it to `null`, as PyTorch's `zero_grad(set_to_none=True)`).
   *
   * @example
   * ```ts
   * w.zeroGrad();
   * ```
   */
  zeroGrad(): void {
    this.grad = null;
  }

  // ---- in-place (outside the tape; for optimizers and initializers) ----
  /**
   * Copies `src` (a number or a tensor broadcastable to this shape) into this tensor's storage.
   * Throws on a tensor that requires grad unless recording is off ({@link noGrad}).
   *
   * @example
   * ```ts
   * noGrad(() => w.copy_(zerosLike(w)));
   * ```
   */
  copy_(src: TensorLike): this { inplace.copyInPlace(this, src); return this; }
  /**
   * In place `this += alpha * other` (broadcasting `other`), outside the tape.
   *
   * @example
   * ```ts
   * noGrad(() => w.add_(w.grad!, -0.1)); // an SGD step
   * ```
   */
  add_(other: TensorLike, alpha = 1): this { inplace.addInPlace(this, other, alpha); return this; }
  /**
   * In place `this *= other` (broadcasting `other`), outside the tape.
   *
   * @example
   * ```ts
   * noGrad(() => w.mul_(0.99)); // weight decay
   * ```
   */
  mul_(other: TensorLike): this { inplace.mulInPlace(this, other); return this; }
  /**
   * Fills with zeros in place, outside the tape.
   *
   * @example
   * ```ts
   * buffer.zero_();
   * ```
   */
  zero_(): this { inplace.copyInPlace(this, 0); return this; }

  // ---- elementwise ----
  /** {@inheritDoc add} @example `x.add(1)` */
  add(other: TensorLike): Tensor { return ew.add(this, other); }
  /** {@inheritDoc sub} @example `x.sub(y)` */
  sub(other: TensorLike): Tensor { return ew.sub(this, other); }
  /** {@inheritDoc mul} @example `x.mul(2)` */
  mul(other: TensorLike): Tensor { return ew.mul(this, other); }
  /** {@inheritDoc div} @example `x.div(y)` */
  div(other: TensorLike): Tensor { return ew.div(this, other); }
  /** {@inheritDoc pow} @example `x.pow(2)` */
  pow(exponent: TensorLike): Tensor { return ew.pow(this, exponent); }
  /** {@inheritDoc maximum} @example `x.maximum(0)` */
  maximum(other: TensorLike): Tensor { return ew.maximum(this, other); }
  /** {@inheritDoc minimum} @example `x.minimum(y)` */
  minimum(other: TensorLike): Tensor { return ew.minimum(this, other); }
  /** {@inheritDoc neg} @example `x.neg()` */
  neg(): Tensor { return ew.neg(this); }
  /** {@inheritDoc exp} @example `x.exp()` */
  exp(): Tensor { return ew.exp(this); }
  /** {@inheritDoc log} @example `x.log()` */
  log(): Tensor { return ew.log(this); }
  /** {@inheritDoc log1p} @example `x.log1p()` */
  log1p(): Tensor { return ew.log1p(this); }
  /** {@inheritDoc sqrt} @example `x.sqrt()` */
  sqrt(): Tensor { return ew.sqrt(this); }
  /** {@inheritDoc rsqrt} @example `x.rsqrt()` */
  rsqrt(): Tensor { return ew.rsqrt(this); }
  /** {@inheritDoc square} @example `x.square()` */
  square(): Tensor { return ew.square(this); }
  /** {@inheritDoc abs} @example `x.abs()` */
  abs(): Tensor { return ew.abs(this); }
  /** {@inheritDoc sign} @example `x.sign()` */
  sign(): Tensor { return ew.sign(this); }
  /** {@inheritDoc sin} @example `x.sin()` */
  sin(): Tensor { return ew.sin(this); }
  /** {@inheritDoc cos} @example `x.cos()` */
  cos(): Tensor { return ew.cos(this); }
  /** {@inheritDoc tanh} @example `x.tanh()` */
  tanh(): Tensor { return ew.tanh(this); }
  /** {@inheritDoc erf} @example `x.erf()` */
  erf(): Tensor { return ew.erf(this); }
  /** {@inheritDoc toDType} @example `x.toDType('float64')` */
  toDType(dtype: DType): Tensor { return ew.toDType(this, dtype); }
  /** {@inheritDoc clamp} @example `x.clamp(0, 1)` */
  clamp(min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); }

  // ---- activations ----
  /** {@inheritDoc sigmoid} @example `x.sigmoid()` */
  sigmoid(): Tensor { return act.sigmoid(this); }
  /** {@inheritDoc logSigmoid} @example `x.logSigmoid()` */
  logSigmoid(): Tensor { return act.logSigmoid(this); }
  /** {@inheritDoc relu} @example `x.relu()` */
  relu(): Tensor { return act.relu(this); }
  /** {@inheritDoc leakyRelu} @example `x.leakyRelu(0.1)` */
  leakyRelu(negativeSlope?: number): Tensor { return act.leakyRelu(this, negativeSlope); }
  /** {@inheritDoc elu} @example `x.elu()` */
  elu(alpha?: number): Tensor { return act.elu(this, alpha); }
  /** {@inheritDoc gelu} @example `x.gelu()` */
  gelu(approximate?: 'none' | 'tanh'): Tensor { return act.gelu(this, approximate); }
  /** {@inheritDoc softplus} @example `x.softplus()` */
  softplus(beta?: number, threshold?: number): Tensor { return act.softplus(this, beta, threshold); }
  /** {@inheritDoc silu} @example `x.silu()` */
  silu(): Tensor { return act.silu(this); }

  // ---- comparisons (masks, no grad) ----
  /** {@inheritDoc eq} @example `x.eq(0)` */
  eq(other: TensorLike): Tensor { return cmp.eq(this, other); }
  /** {@inheritDoc ne} @example `x.ne(0)` */
  ne(other: TensorLike): Tensor { return cmp.ne(this, other); }
  /** {@inheritDoc lt} @example `x.lt(0)` */
  lt(other: TensorLike): Tensor { return cmp.lt(this, other); }
  /** {@inheritDoc le} @example `x.le(0)` */
  le(other: TensorLike): Tensor { return cmp.le(this, other); }
  /** {@inheritDoc gt} @example `x.gt(0)` */
  gt(other: TensorLike): Tensor { return cmp.gt(this, other); }
  /** {@inheritDoc ge} @example `x.ge(0)` */
  ge(other: TensorLike): Tensor { return cmp.ge(this, other); }

  // ---- reductions ----
  /** {@inheritDoc sum} @example `x.sum(1, true)` */
  sum(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.sum(this, axis, keepDims); }
  /** {@inheritDoc mean} @example `x.mean()` */
  mean(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.mean(this, axis, keepDims); }
  /** {@inheritDoc max} @example `x.max(0)` */
  max(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.max(this, axis, keepDims); }
  /** {@inheritDoc min} @example `x.min(0)` */
  min(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.min(this, axis, keepDims); }
  /** {@inheritDoc argmax} @example `x.argmax(1)` */
  argmax(axis?: number, keepDims?: boolean): Tensor { return red.argmax(this, axis, keepDims); }
  /** {@inheritDoc argmin} @example `x.argmin(1)` */
  argmin(axis?: number, keepDims?: boolean): Tensor { return red.argmin(this, axis, keepDims); }
  /** {@inheritDoc prod} @example `x.prod(0)` */
  prod(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.prod(this, axis, keepDims); }
  /** {@inheritDoc variance} @example `x.var(0)` */
  var(axis?: number | readonly number[], keepDims?: boolean, correction?: number): Tensor { return red.variance(this, axis, keepDims, correction); }
  /** {@inheritDoc std} @example `x.std(0)` */
  std(axis?: number | readonly number[], keepDims?: boolean, correction?: number): Tensor { return red.std(this, axis, keepDims, correction); }
  /** {@inheritDoc logSumExp} @example `x.logSumExp(-1)` */
  logSumExp(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.logSumExp(this, axis, keepDims); }
  /** {@inheritDoc softmax} @example `x.softmax(-1)` */
  softmax(axis?: number): Tensor { return red.softmax(this, axis); }
  /** {@inheritDoc logSoftmax} @example `x.logSoftmax(-1)` */
  logSoftmax(axis?: number): Tensor { return red.logSoftmax(this, axis); }

  // ---- linear algebra ----
  /** {@inheritDoc matmul} @example `a.matmul(b)` */
  matmul(other: Tensor): Tensor { return la.matmul(this, other); }
  /** {@inheritDoc dot} @example `a.dot(b)` */
  dot(other: Tensor): Tensor { return la.dot(this, other); }
  /** {@inheritDoc outer} @example `a.outer(b)` */
  outer(other: Tensor): Tensor { return la.outer(this, other); }

  // ---- shape ----
  /** {@inheritDoc reshape} @example `x.reshape([2, -1])` */
  reshape(shape: readonly number[]): Tensor { return mv.reshape(this, shape); }
  /** {@inheritDoc transpose} @example `x.transpose(0, 1)` */
  transpose(dim0?: number, dim1?: number): Tensor { return mv.transpose(this, dim0, dim1); }
  /** {@inheritDoc permute} @example `x.permute([2, 0, 1])` */
  permute(dims: readonly number[]): Tensor { return mv.permute(this, dims); }
  /** {@inheritDoc expand} @example `x.expand([4, -1])` */
  expand(shape: readonly number[]): Tensor { return mv.expand(this, shape); }
  /** {@inheritDoc broadcastTo} @example `x.broadcastTo([4, 3])` */
  broadcastTo(shape: readonly number[]): Tensor { return mv.broadcastTo(this, shape); }
  /** {@inheritDoc squeeze} @example `x.squeeze(0)` */
  squeeze(axis?: number | readonly number[]): Tensor { return mv.squeeze(this, axis); }
  /** {@inheritDoc unsqueeze} @example `x.unsqueeze(0)` */
  unsqueeze(axis: number): Tensor { return mv.unsqueeze(this, axis); }
  /** {@inheritDoc flatten} @example `x.flatten(1)` */
  flatten(startDim?: number, endDim?: number): Tensor { return mv.flatten(this, startDim, endDim); }
  /** {@inheritDoc slice} @example `x.slice([0, 2], null, [null, null, -1])` */
  slice(...ranges: mv.SliceSpec[]): Tensor { return mv.slice(this, ...ranges); }
  /** {@inheritDoc clone} @example `x.clone()` */
  clone(): Tensor { return mv.clone(this); }
  /** {@inheritDoc contiguous} @example `x.transpose().contiguous()` */
  contiguous(): Tensor { return mv.contiguous(this); }

  // ---- indexing ----
  /** {@inheritDoc gather} @example `x.gather(1, idx)` */
  gather(axis: number, index: Tensor): Tensor { return ix.gather(this, axis, index); }
  /** {@inheritDoc indexSelect} @example `x.indexSelect(0, [2, 0])` */
  indexSelect(axis: number, index: Tensor | readonly number[]): Tensor { return ix.indexSelect(this, axis, index); }
  /** {@inheritDoc split} @example `x.split(2, 0)` */
  split(sizeOrSections: number | readonly number[], axis?: number): Tensor[] { return ix.split(this, sizeOrSections, axis); }
  /** {@inheritDoc pad} @example `x.pad([1, 1])` */
  pad(pads: ix.PadSpec, value?: number): Tensor { return ix.pad(this, pads, value); }
}
