import type { NdArray } from 'ndarray';
import { assertGradDType, dtypeOf, type DType, type TypedArray } from './dtype.js';
import { sizeOf } from './shape.js';
import type { TapeNode } from './tape.js';
import { backward as runBackward, type BackwardOptions } from './tape.js';
import { formatTensor } from './format.js';
import { assertNotTracer, copyLevels } from './transform-levels.js';
import { contiguousData, toNested, type Nested } from './kernels/layout.js';
import { flushStorage, peekStorage } from './kernels/fused/lazy.js';
import { dropGrad, releaseOwnedGrad } from './grad-ownership.js';
import * as ew from './ops/elementwise.js';
import * as act from './ops/activation.js';
import * as cmp from './ops/compare.js';
import * as red from './ops/reduce.js';
import * as la from './ops/linalg.js';
import * as mv from './ops/movement.js';
import * as ix from './ops/indexing.js';
import * as inplace from './ops/inplace.js';
import * as trig from './ops/trig.js';
import * as expLog from './ops/exp-log.js';
import * as rnd from './ops/rounding.js';
import * as act2 from './ops/more-activations.js';
import * as fr from './ops/flip-roll.js';
import * as rep from './ops/repeat.js';
import * as chk from './ops/chunk.js';
import * as cum from './ops/cumulative.js';
import * as srt from './ops/sort.js';
import * as tk from './ops/take.js';
import * as nrm from './ops/norm.js';

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
 * An n-dimensional array of float32, float64, int32 or bool values stored as an `ndarray` view, which records
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
  /** The storage: a strided view over a `Float32Array`, `Float64Array`, `Int32Array` or (bool) `Uint8Array`. Views share it. */
  readonly data: NdArray<TypedArray>;
  /** Element type. */
  readonly dtype: DType;
  /** Whether gradients flow to this tensor; set it on leaves with {@link Tensor.requiresGrad_}. */
  requiresGrad: boolean;
  /** @internal the gradient behind {@link Tensor.grad}; the library reads it here without giving it away. */
  _grad: Tensor | null = null;
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
    this.dtype = dtypeOf(peekStorage(data));
    assertGradDType('Tensor', this.dtype, requiresGrad);
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
  /** Accumulated gradient of a leaf after `backward()` (and of a non-leaf after {@link Tensor.retainGrad}). */
  get grad(): Tensor | null {
    const g = this._grad;
    // Whoever reads it may keep it: its buffer is never recycled (see grad-ownership.ts).
    if (g !== null) releaseOwnedGrad(g);
    return g;
  }
  set grad(value: Tensor | null) {
    const old = this._grad;
    this._grad = value;
    if (old !== null && old !== value) dropGrad(old, flushGrad);
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
    assertNotTracer('toArray', this);
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
    assertNotTracer('item', this);
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
    assertNotTracer('contiguousData', this);
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
   * A non-scalar tensor needs a `gradient` of its own shape (the vector of the vector-Jacobian
   * product). Options as in PyTorch: `retainGraph` keeps the graph for a second backward,
   * `createGraph` records the backward pass so the gradients can be differentiated again.
   *
   * @example
   * ```ts
   * const x = tensor([1, 2, 3], { requiresGrad: true });
   * x.square().sum().backward();
   * x.grad?.toArray(); // [2, 4, 6]
   * x.mul(2).backward(ones([3]), { retainGraph: true });
   * ```
   */
  backward(gradient?: Tensor, options?: BackwardOptions): void;
  /**
   * The same with everything in one options object: `backward({ createGraph: true })`,
   * `backward({ gradient, retainGraph: true })`.
   *
   * @example
   * ```ts
   * const x = tensor(3, { requiresGrad: true });
   * x.mul(x).mul(x).backward({ createGraph: true });
   * x.grad?.item(); // 27; x.grad can be differentiated again
   * ```
   */
  backward(options: BackwardOptions & { gradient?: Tensor | undefined }): void;
  backward(first?: Tensor | (BackwardOptions & { gradient?: Tensor | undefined }), options?: BackwardOptions): void {
    if (first === undefined || first instanceof Tensor) {
      runBackward(this, first, checkBackwardOptions(options ?? {}, ['retainGraph', 'createGraph']));
      return;
    }
    if (typeof first !== 'object' || first === null) {
      throw new Error(`backward: expected a gradient Tensor or an options object { gradient, retainGraph, createGraph }, got ${String(first)}`);
    }
    if (options !== undefined) {
      throw new Error('backward: options were given twice; pass backward(gradient, { retainGraph, createGraph }) or backward({ gradient, retainGraph, createGraph })');
    }
    const { gradient, ...rest } = checkBackwardOptions(first, ['gradient', 'retainGraph', 'createGraph']);
    if (gradient !== undefined && !(gradient instanceof Tensor)) throw new Error(`backward: gradient must be a Tensor, got ${String(gradient)}`);
    runBackward(this, gradient, rest);
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
    // Under vmap the result stays batched; under jvp its tangent is zero (nothing flows through).
    return copyLevels(this, new Tensor(this.data, false), false);
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
    assertGradDType('requiresGrad_', this.dtype, requiresGrad);
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
  /** `a + b`, broadcasting. Same as `add(this, …)`. @example `x.add(1)` */
  add(other: TensorLike): Tensor { return ew.add(this, other); }
  /** `a - b`, broadcasting. Same as `sub(this, …)`. @example `x.sub(y)` */
  sub(other: TensorLike): Tensor { return ew.sub(this, other); }
  /** `a * b`, broadcasting. Same as `mul(this, …)`. @example `x.mul(2)` */
  mul(other: TensorLike): Tensor { return ew.mul(this, other); }
  /** `a / b`, broadcasting. Same as `div(this, …)`. @example `x.div(y)` */
  div(other: TensorLike): Tensor { return ew.div(this, other); }
  /** `a ** b`, broadcasting; the exponent may be a tensor (its gradient needs `a > 0`) or a number. Same as `pow(this, …)`. @example `x.pow(2)` */
  pow(exponent: TensorLike): Tensor { return ew.pow(this, exponent); }
  /** Elementwise maximum of `a` and `b`, broadcasting. Same as `maximum(this, …)`. @example `x.maximum(0)` */
  maximum(other: TensorLike): Tensor { return ew.maximum(this, other); }
  /** Elementwise minimum of `a` and `b`, broadcasting. Same as `minimum(this, …)`. @example `x.minimum(y)` */
  minimum(other: TensorLike): Tensor { return ew.minimum(this, other); }
  /** `-x`. Same as `neg(this, …)`. @example `x.neg()` */
  neg(): Tensor { return ew.neg(this); }
  /** `e ** x`. Same as `exp(this, …)`. @example `x.exp()` */
  exp(): Tensor { return ew.exp(this); }
  /** Natural logarithm (NaN below 0, -Inf at 0). Same as `log(this, …)`. @example `x.log()` */
  log(): Tensor { return ew.log(this); }
  /** `log(1 + x)`, accurate for small `x`. Same as `log1p(this, …)`. @example `x.log1p()` */
  log1p(): Tensor { return ew.log1p(this); }
  /** Square root. Same as `sqrt(this, …)`. @example `x.sqrt()` */
  sqrt(): Tensor { return ew.sqrt(this); }
  /** `1 / sqrt(x)`. Same as `rsqrt(this, …)`. @example `x.rsqrt()` */
  rsqrt(): Tensor { return ew.rsqrt(this); }
  /** `x * x`. Same as `square(this, …)`. @example `x.square()` */
  square(): Tensor { return ew.square(this); }
  /** Absolute value (gradient `sign(x)`, 0 at 0). Same as `abs(this, …)`. @example `x.abs()` */
  abs(): Tensor { return ew.abs(this); }
  /** -1, 0 or 1 by the sign of `x` (zero gradient). Same as `sign(this, …)`. @example `x.sign()` */
  sign(): Tensor { return ew.sign(this); }
  /** Sine. Same as `sin(this, …)`. @example `x.sin()` */
  sin(): Tensor { return ew.sin(this); }
  /** Cosine. Same as `cos(this, …)`. @example `x.cos()` */
  cos(): Tensor { return ew.cos(this); }
  /** Hyperbolic tangent. Same as `tanh(this, …)`. @example `x.tanh()` */
  tanh(): Tensor { return ew.tanh(this); }
  /** The error function, accurate to float64 precision. Same as `erf(this, …)`. @example `x.erf()` */
  erf(): Tensor { return ew.erf(this); }
  /** Converts to another dtype (a copy; the same tensor when it already has that dtype). Same as `toDType(this, …)`. @example `x.toDType('float64')` */
  toDType(dtype: DType): Tensor { return ew.toDType(this, dtype); }
  /** Limits values to `[min, max]`; either bound may be omitted (`null`/`undefined`). Same as `clamp(this, …)`. @example `x.clamp(0, 1)` */
  clamp(min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); }

  // ---- activations ----
  /** The logistic function 1 / (1 + e^-x), finite for any input. Same as `sigmoid(this, …)`. @example `x.sigmoid()` */
  sigmoid(): Tensor { return act.sigmoid(this); }
  /** log σ(x), computed without forming σ(x), so it stays exact where σ underflows. Same as `logSigmoid(this, …)`. @example `x.logSigmoid()` */
  logSigmoid(): Tensor { return act.logSigmoid(this); }
  /** max(x, 0). Same as `relu(this, …)`. @example `x.relu()` */
  relu(): Tensor { return act.relu(this); }
  /** x for x > 0 and `negativeSlope · x` otherwise. Same as `leakyRelu(this, …)`. @example `x.leakyRelu(0.1)` */
  leakyRelu(negativeSlope?: number): Tensor { return act.leakyRelu(this, negativeSlope); }
  /** Exponential linear unit: x for x > 0, α(e^x − 1) otherwise. Same as `elu(this, …)`. @example `x.elu()` */
  elu(alpha?: number): Tensor { return act.elu(this, alpha); }
  /** Gaussian error linear unit x·Φ(x); `approximate: 'tanh'` uses PyTorch's tanh approximation. Same as `gelu(this, …)`. @example `x.gelu()` */
  gelu(approximate?: 'none' | 'tanh'): Tensor { return act.gelu(this, approximate); }
  /** log(1 + e^(βx)) / β, a smooth relu; it returns x itself where βx > `threshold`, as PyTorch does. Same as `softplus(this, …)`. @example `x.softplus()` */
  softplus(beta?: number, threshold?: number): Tensor { return act.softplus(this, beta, threshold); }
  /** Sigmoid linear unit (swish) x·σ(x). Same as `silu(this, …)`. @example `x.silu()` */
  silu(): Tensor { return act.silu(this); }

  // ---- comparisons (masks, no grad) ----
  /** Bool mask, true where `a == b` (broadcasting). Same as `eq(this, …)`. @example `x.eq(0)` */
  eq(other: TensorLike): Tensor { return cmp.eq(this, other); }
  /** Bool mask, true where `a != b`. Same as `ne(this, …)`. @example `x.ne(0)` */
  ne(other: TensorLike): Tensor { return cmp.ne(this, other); }
  /** Bool mask, true where `a < b`. Same as `lt(this, …)`. @example `x.lt(0)` */
  lt(other: TensorLike): Tensor { return cmp.lt(this, other); }
  /** Bool mask, true where `a <= b`. Same as `le(this, …)`. @example `x.le(0)` */
  le(other: TensorLike): Tensor { return cmp.le(this, other); }
  /** Bool mask, true where `a > b`. Same as `gt(this, …)`. @example `x.gt(0)` */
  gt(other: TensorLike): Tensor { return cmp.gt(this, other); }
  /** Bool mask, true where `a >= b`. Same as `ge(this, …)`. @example `x.ge(0)` */
  ge(other: TensorLike): Tensor { return cmp.ge(this, other); }

  // ---- reductions ----
  /** Sum over `axis` (one axis, a list, or all when omitted); `keepDims` keeps reduced axes as size 1. Same as `sum(this, …)`. @example `x.sum(1, true)` */
  sum(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.sum(this, axis, keepDims); }
  /** Mean over `axis` (all axes when omitted). Same as `mean(this, …)`. @example `x.mean()` */
  mean(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.mean(this, axis, keepDims); }
  /** Largest value over `axis` (all axes when omitted); tied maxima share the gradient evenly. Same as `max(this, …)`. @example `x.max(0)` */
  max(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.max(this, axis, keepDims); }
  /** Smallest value over `axis` (all axes when omitted); tied minima share the gradient evenly. Same as `min(this, …)`. @example `x.min(0)` */
  min(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.min(this, axis, keepDims); }
  /** Index of the first largest value along `axis`, or into the flattened tensor when `axis` is omitted, as an int32 tensor (no gradient). Same as `argmax(this, …)`. @example `x.argmax(1)` */
  argmax(axis?: number, keepDims?: boolean): Tensor { return red.argmax(this, axis, keepDims); }
  /** Index of the first smallest value along `axis` (over the flattened tensor when omitted), as an int32 tensor; no gradient. Same as `argmin(this, …)`. @example `x.argmin(1)` */
  argmin(axis?: number, keepDims?: boolean): Tensor { return red.argmin(this, axis, keepDims); }
  /** Product over `axis` (all axes when omitted); the gradient is exact when some inputs are zero. Same as `prod(this, …)`. @example `x.prod(0)` */
  prod(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.prod(this, axis, keepDims); }
  /** Variance over `axis` with `correction` subtracted from the count (1 = unbiased, as torch.var). Same as `variance(this, …)`. @example `x.var(0)` */
  var(axis?: number | readonly number[], keepDims?: boolean, correction?: number): Tensor { return red.variance(this, axis, keepDims, correction); }
  /** Standard deviation over `axis`: the square root of {@link variance} with the same `correction`. Same as `std(this, …)`. @example `x.std(0)` */
  std(axis?: number | readonly number[], keepDims?: boolean, correction?: number): Tensor { return red.std(this, axis, keepDims, correction); }
  /** log Σ exp(x) over `axis` (all axes when omitted), shifted by the maximum so it cannot overflow. Same as `logSumExp(this, …)`. @example `x.logSumExp(-1)` */
  logSumExp(axis?: number | readonly number[], keepDims?: boolean): Tensor { return red.logSumExp(this, axis, keepDims); }
  /** exp(x) / Σ exp(x) along `axis` (default last), computed from x − max so large inputs are safe. Same as `softmax(this, …)`. @example `x.softmax(-1)` */
  softmax(axis?: number): Tensor { return red.softmax(this, axis); }
  /** log softmax(x) along `axis` (default last), exact far into the tails. Same as `logSoftmax(this, …)`. @example `x.logSoftmax(-1)` */
  logSoftmax(axis?: number): Tensor { return red.logSoftmax(this, axis); }

  // ---- linear algebra ----
  /** Matrix product with `torch.matmul` semantics: vector·vector gives a 0-d dot product, a 1-D operand acts as a row (left) or column (right) that is removed from the result, and operands of rank > 2 are stacks of matrices whose batch axes broadcast by NumPy rules. Same as `matmul(this, …)`. @example `a.matmul(b)` */
  matmul(other: Tensor): Tensor { return la.matmul(this, other); }
  /** Inner product of two 1-D tensors of the same length, as a 0-d tensor. Same as `dot(this, …)`. @example `a.dot(b)` */
  dot(other: Tensor): Tensor { return la.dot(this, other); }
  /** Outer product of two 1-D tensors: `out[i][j] = a[i] * b[j]`, shape `[a.size, b.size]`. Same as `outer(this, …)`. @example `a.outer(b)` */
  outer(other: Tensor): Tensor { return la.outer(this, other); }

  // ---- shape ----
  /** Returns the same values in a new shape; one dimension may be `-1` (inferred). A view when the input is contiguous, a copy otherwise. Same as `reshape(this, …)`. @example `x.reshape([2, -1])` */
  reshape(shape: readonly number[]): Tensor { return mv.reshape(this, shape); }
  /** Swaps two axes (a view); by default the last two, so `m.transpose()` is the matrix transpose. A tensor with fewer than two axes is returned as a view of itself. Same as `transpose(this, …)`. @example `x.transpose(0, 1)` */
  transpose(dim0?: number, dim1?: number): Tensor { return mv.transpose(this, dim0, dim1); }
  /** Reorders the axes (a view): output axis `i` is input axis `dims[i]`. Same as `permute(this, …)`. @example `x.permute([2, 0, 1])` */
  permute(dims: readonly number[]): Tensor { return mv.permute(this, dims); }
  /** Broadcasts size-1 axes (and new leading axes) to `shape` without copying (stride 0); `-1` keeps an axis as it is. The gradient sums back over the broadcast axes. Same as `expand(this, …)`. @example `x.expand([4, -1])` */
  expand(shape: readonly number[]): Tensor { return mv.expand(this, shape); }
  /** Broadcasts to `shape` by NumPy rules (a view); an alias of {@link expand} without `-1`. Same as `broadcastTo(this, …)`. @example `x.broadcastTo([4, 3])` */
  broadcastTo(shape: readonly number[]): Tensor { return mv.broadcastTo(this, shape); }
  /** Removes size-1 axes: all of them, or the listed ones (listed axes of another size are kept, as in PyTorch). Same as `squeeze(this, …)`. @example `x.squeeze(0)` */
  squeeze(axis?: number | readonly number[]): Tensor { return mv.squeeze(this, axis); }
  /** Inserts a size-1 axis at `axis` (which may be `ndim`, or negative counting from the end). Same as `unsqueeze(this, …)`. @example `x.unsqueeze(0)` */
  unsqueeze(axis: number): Tensor { return mv.unsqueeze(this, axis); }
  /** Flattens axes `startDim..endDim` (inclusive) into one. Same as `flatten(this, …)`. @example `x.flatten(1)` */
  flatten(startDim?: number, endDim?: number): Tensor { return mv.flatten(this, startDim, endDim); }
  /** Selects a strided sub-block (a view). One spec per leading axis; see {@link SliceSpec}. Same as `slice(this, …)`. @example `x.slice([0, 2], null, [null, null, -1])` */
  slice(...ranges: mv.SliceSpec[]): Tensor { return mv.slice(this, ...ranges); }
  /** A contiguous copy that does not share storage (the gradient passes straight through). Same as `clone(this, …)`. @example `x.clone()` */
  clone(): Tensor { return mv.clone(this); }
  /** The tensor itself when it is already contiguous, else a contiguous copy. Same as `contiguous(this, …)`. @example `x.transpose().contiguous()` */
  contiguous(): Tensor { return mv.contiguous(this); }

  // ---- indexing ----
  /** Picks values along `axis` by an index tensor of the same rank, like `torch.gather`: `out[i][j] = x[i][index[i][j]]` for `axis = 1`. The output has the index's shape. Indices are an int32 tensor (integer-valued float tensors are still accepted; no gradient). Same as `gather(this, …)`. @example `x.gather(1, idx)` */
  gather(axis: number, index: Tensor): Tensor { return ix.gather(this, axis, index); }
  /** Picks whole slices of `x` along `axis` in the order given, like `torch.index_select`. Indices may repeat; negative indices are an error (as in PyTorch). The index is a list of numbers or a 1-D tensor of integers (no gradient). Same as `indexSelect(this, …)`. @example `x.indexSelect(0, [2, 0])` */
  indexSelect(axis: number, index: Tensor | readonly number[]): Tensor { return ix.indexSelect(this, axis, index); }
  /** Cuts `x` along `axis` (default 0) into views, like `torch.split`: a number is the chunk size (the last chunk may be smaller), a list gives each section's size and must sum to the axis size. Same as `split(this, …)`. @example `x.split(2, 0)` */
  split(sizeOrSections: number | readonly number[], axis?: number): Tensor[] { return ix.split(this, sizeOrSections, axis); }
  /** Pads `x` with a constant `value` (default 0), like PyTorch's `F.pad(x, pads, value=...)`; negative amounts crop. See {@link PadSpec} for the two layouts of `pads`. Same as `pad(this, …)`. @example `x.pad([1, 1])` */
  pad(pads: ix.PadSpec, value?: number): Tensor { return ix.pad(this, pads, value); }

  // ---- issue 12: more elementwise math (PyTorch's Tensor methods of the same names) ----
  /** Tangent. Same as `tan(this)`. @example `x.tan()` */
  tan(): Tensor { return trig.tan(this); }
  /** Inverse sine. Same as `asin(this)`. @example `x.asin()` */
  asin(): Tensor { return trig.asin(this); }
  /** Inverse cosine. Same as `acos(this)`. @example `x.acos()` */
  acos(): Tensor { return trig.acos(this); }
  /** Inverse tangent. Same as `atan(this)`. @example `x.atan()` */
  atan(): Tensor { return trig.atan(this); }
  /** Angle of the point (other, this): `atan2(this, other)`, broadcasting. @example `y.atan2(x)` */
  atan2(other: TensorLike): Tensor { return trig.atan2(this, other); }
  /** Hyperbolic sine. Same as `sinh(this)`. @example `x.sinh()` */
  sinh(): Tensor { return trig.sinh(this); }
  /** Hyperbolic cosine. Same as `cosh(this)`. @example `x.cosh()` */
  cosh(): Tensor { return trig.cosh(this); }
  /** Inverse hyperbolic sine. Same as `asinh(this)`. @example `x.asinh()` */
  asinh(): Tensor { return trig.asinh(this); }
  /** Inverse hyperbolic cosine. Same as `acosh(this)`. @example `x.acosh()` */
  acosh(): Tensor { return trig.acosh(this); }
  /** Inverse hyperbolic tangent. Same as `atanh(this)`. @example `x.atanh()` */
  atanh(): Tensor { return trig.atanh(this); }
  /** Complementary error function, accurate in the tail. Same as `erfc(this)`. @example `x.erfc()` */
  erfc(): Tensor { return expLog.erfc(this); }
  /** `e ** x − 1`, accurate near 0. Same as `expm1(this)`. @example `x.expm1()` */
  expm1(): Tensor { return expLog.expm1(this); }
  /** `log(e^this + e^other)` without overflow, broadcasting. Same as `logaddexp(this, other)`. @example `a.logaddexp(b)` */
  logaddexp(other: TensorLike): Tensor { return expLog.logaddexp(this, other); }
  /** Rounds down (zero gradient). Same as `floor(this)`. @example `x.floor()` */
  floor(): Tensor { return rnd.floor(this); }
  /** Rounds up (zero gradient). Same as `ceil(this)`. @example `x.ceil()` */
  ceil(): Tensor { return rnd.ceil(this); }
  /** Rounds half to even, optionally to `decimals` places (zero gradient). Same as `round(this, options)`. @example `x.round({ decimals: 2 })` */
  round(options?: rnd.RoundOptions): Tensor { return rnd.round(this, options); }
  /** Rounds toward zero (zero gradient). Same as `trunc(this)`. @example `x.trunc()` */
  trunc(): Tensor { return rnd.trunc(this); }
  /** Fractional part `x − trunc(x)` (gradient 1). Same as `frac(this)`. @example `x.frac()` */
  frac(): Tensor { return rnd.frac(this); }
  /** A bool tensor, true where NaN. Same as `isNaN(this)`. @example `x.isNaN()` */
  isNaN(): Tensor { return rnd.isNaN(this); }
  /** A bool tensor, true where finite. Same as `isFinite(this)`. @example `x.isFinite()` */
  isFinite(): Tensor { return rnd.isFinite(this); }
  /** A bool tensor, true where ±Inf. Same as `isInf(this)`. @example `x.isInf()` */
  isInf(): Tensor { return rnd.isInf(this); }
  /** Parametric relu with a learned slope per channel (axis 1). Same as `prelu(this, weight)`. @example `x.prelu(w)` */
  prelu(weight: Tensor): Tensor { return act2.prelu(this, weight); }

  // ---- issue 12: shape and indexing ops ----
  /** Reverses the order of elements along `dims` (a view). Same as `flip(this, dims)`. @example `x.flip(0)` */
  flip(dims: number | readonly number[]): Tensor { return fr.flip(this, dims); }
  /** Shifts elements cyclically along `dims` (flattened when omitted). Same as `roll(this, …)`. @example `x.roll(1, 0)` */
  roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor { return fr.roll(this, shifts, dims); }
  /** Repeats along each axis (PyTorch's `Tensor.repeat`). Same as `repeat(this, repeats)`. @example `x.repeat([2, 1])` */
  repeat(repeats: readonly number[]): Tensor { return rep.repeat(this, repeats); }
  /** Repeats like `torch.tile` (short `reps` padded with leading 1s). Same as `tile(this, reps)`. @example `x.tile([2])` */
  tile(reps: readonly number[]): Tensor { return rep.tile(this, reps); }
  /** Lower triangle of the last two axes. Same as `tril(this, diagonal)`. @example `x.tril()` */
  tril(diagonal?: number): Tensor { return rep.tril(this, diagonal); }
  /** Upper triangle of the last two axes. Same as `triu(this, diagonal)`. @example `x.triu(1)` */
  triu(diagonal?: number): Tensor { return rep.triu(this, diagonal); }
  /** `value` where `mask` is non-zero, this elsewhere. Same as `maskedFill(this, mask, value)`. @example `x.maskedFill(mask, -Infinity)` */
  maskedFill(mask: Tensor, value: TensorLike): Tensor { return rep.maskedFill(this, mask, value); }
  /** Cuts into `chunks` views along `dim`. Same as `chunk(this, chunks, dim)`. @example `x.chunk(3, -1)` */
  chunk(chunks: number, dim?: number): Tensor[] { return chk.chunk(this, chunks, dim); }
  /** The view of `length` elements from `start` along `dim`. Same as `narrow(this, …)`. @example `x.narrow(1, 0, 2)` */
  narrow(dim: number, start: number, length: number): Tensor { return chk.narrow(this, dim, start, length); }
  /** The slices along `dim`, each without that axis. Same as `unbind(this, dim)`. @example `x.unbind(0)` */
  unbind(dim?: number): Tensor[] { return chk.unbind(this, dim); }

  // ---- issue 12: scans, sorting, taking, norms ----
  /** Running sums along `dim`. Same as `cumsum(this, dim)`. @example `x.cumsum(0)` */
  cumsum(dim: number): Tensor { return cum.cumsum(this, dim); }
  /** Running products along `dim`. Same as `cumprod(this, dim)`. @example `x.cumprod(0)` */
  cumprod(dim: number): Tensor { return cum.cumprod(this, dim); }
  /** Sorted values and their indices along `dim` (stable). Same as `sort(this, …)`. @example `x.sort(-1, true).values` */
  sort(dim?: number, descending?: boolean): srt.SortResult { return srt.sort(this, dim, descending); }
  /** The indices that sort along `dim` (stable). Same as `argsort(this, …)`. @example `x.argsort()` */
  argsort(dim?: number, descending?: boolean): Tensor { return srt.argsort(this, dim, descending); }
  /** The `k` largest (or smallest) values and their indices. Same as `topk(this, …)`. @example `x.topk(5).indices` */
  topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): srt.SortResult { return srt.topk(this, k, dim, largest, sorted); }
  /** Elements picked by flat indices. Same as `take(this, index)`. @example `x.take(tensor([0, 5]))` */
  take(index: Tensor): Tensor { return tk.take(this, index); }
  /** Values picked along `dim` by indices (flattened without `dim`). Same as `takeAlongDim(this, …)`. @example `x.takeAlongDim(idx, 1)` */
  takeAlongDim(indices: Tensor, dim?: number): Tensor { return tk.takeAlongDim(this, indices, dim); }
  /** Vector p-norm (or `'fro'`) over `axis`. Same as `norm(this, …)`. @example `x.norm(2, -1)` */
  norm(p?: number | 'fro', axis?: number | readonly number[], keepDims?: boolean): Tensor { return nrm.norm(this, p, axis, keepDims); }
}

/** `options` after checking its keys against `allowed` (unknown options are a mistake, not a no-op). */
function checkBackwardOptions<T extends object>(options: T, allowed: readonly string[]): T {
  if (typeof options !== 'object' || options === null) throw new Error(`backward: options must be an object, got ${String(options)}`);
  const unknown = Object.keys(options).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new Error(`backward: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; expected ${allowed.join(', ')}`);
  return options;
}

// console.log(t) in Node shows what String(t) shows instead of the object's internals. Node looks
// the hook up by this registered symbol, so naming it needs no import of node:util (browsers
// ignore it, and their consoles have their own object view).
Object.defineProperty(Tensor.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: Tensor): string {
    return this.toString();
  },
});

const flushGrad = (g: { readonly data: { readonly data: TypedArray } }) => flushStorage(g.data.data);
