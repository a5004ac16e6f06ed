// Matrix products: matmul (1-D, 2-D, batched N-D with batch broadcasting), dot, outer.
// Everything funnels into one op on operands of rank >= 2; 1-D operands become a row or a column
// (a recorded view) first, so the op and its vjp never special-case vectors.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';
import { broadcastShapes, fmt, sameShape } from '../shape.js';
import { isGradEnabled } from '../grad-mode.js';
import { visibleLevels } from '../transform-levels.js';
import { wrap } from '../kernels/layout.js';
import { batchedMatmul, storedTransposed } from '../kernels/matmul.js';
import { commonDType } from './broadcast.js';
import { sumTo } from './reduce.js';
import { checkTensor } from '../validate.js';
import { multilinearJvp, toFront } from './batch-rules.js';
import { markExclusive } from '../grad-ownership.js';

const batchOf = (t: Tensor) => t.shape.slice(0, -2);

// The vjp is written with this same op and views, so it is recorded under createGraph and
// matmul is differentiable to any order. Transposes stay views: the kernel reads them in place.
const matmulOp: Op<[Tensor, Tensor, readonly number[]]> = defineOp({
  name: 'matmul',
  forward: (a: Tensor, b: Tensor, batch: readonly number[]) => {
    const shape = [...batch, a.shape[a.ndim - 2]!, b.shape[b.ndim - 1]!];
    return new Tensor(wrap(batchedMatmul(a.data, b.data, batch), shape));
  },
  vjp: (g, { args: [a, b] }) => [
    a.requiresGrad ? productGrad(g, b.transpose(-2, -1), a) : null,
    b.requiresGrad ? productGrad(a.transpose(-2, -1), g, b) : null,
    null,
  ],
  jvp: multilinearJvp(0, 1),
  batch: ([a, b, batch], [da, db], { size }) => {
    // One operand shared by every example and no batch dims: fold the examples into the rows of a
    // (or the columns of b), one large product instead of `size` small ones.
    if (db === null && batch.length === 0) {
      const [m, k] = a.shape.filter((_, i) => i !== da) as [number, number];
      const rows = toFront(a, da, size).reshape([size * m, k]);
      return [matmulOp(rows, b, []).reshape([size, m, b.shape[1]!]), 0];
    }
    if (da === null && batch.length === 0) {
      const [k, n] = b.shape.filter((_, i) => i !== db) as [number, number];
      const cols = toFront(b, db, size).permute([1, 0, 2]).reshape([k, size * n]);
      return [matmulOp(a, cols, []).reshape([a.shape[0]!, size, n]), 1];
    }
    // Otherwise the examples become a leading batch dim (size 1 for a shared operand, broadcast).
    const lift = (x: Tensor, d: number | null) => {
      let xb = d === null ? x.unsqueeze(0) : toFront(x, d, size);
      while (xb.ndim < batch.length + 3) xb = xb.unsqueeze(1);
      return xb;
    };
    return [matmulOp(lift(a, da), lift(b, db), [size, ...batch]), 0];
  },
});

/**
 * The gradient `x @ y` of the operand `of`, summed over its broadcast batch axes. When `of` is
 * stored transposed (a Linear layer's `weight.transpose(0, 1)`), the product is computed as
 * `(yᵀ @ xᵀ)ᵀ`: the same values in `of`'s own layout, so the transpose's vjp hands the weight a
 * row-major gradient in a buffer nothing else holds, which the weight adopts as its `.grad`
 * instead of copying it (strided, before).
 * Both forms add the same products in the same order, so the values are bit-identical, provided
 * gemm takes its plain-JS branch for both (which depends on whether its B operand is stored
 * transposed) and nothing is recorded; under createGraph or a transform the plain form keeps the
 * recorded graph as it was.
 */
function productGrad(x: Tensor, y: Tensor, of: Tensor): Tensor {
  if (!isGradEnabled() && visibleLevels() === 0 && storedTransposed(of.data)) {
    const yT = y.transpose(-2, -1);
    const xT = x.transpose(-2, -1);
    if (storedTransposed(xT.data) === storedTransposed(y.data) && sameShape(batchOf(of), broadcastShapes('matmul', batchOf(x), batchOf(y)))) {
      const product = matmul2(yT, xT);
      markExclusive(product.data.data);
      return product.transpose(-2, -1);
    }
  }
  return sumTo(matmul2(x, y), of.shape);
}

/** Both operands of rank >= 2 with matching inner dimensions (already checked or true by construction). */
function matmul2(a: Tensor, b: Tensor): Tensor {
  return matmulOp(a, b, broadcastShapes('matmul', batchOf(a), batchOf(b)));
}

/**
 * Matrix product with `torch.matmul` semantics: vector·vector gives a 0-d dot product, a 1-D
 * operand acts as a row (left) or column (right) that is removed from the result, and operands
 * of rank > 2 are stacks of matrices whose batch axes broadcast by NumPy rules.
 *
 * @example
 * ```ts
 * matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]])); // [[17], [39]]
 * matmul(tensor([1, 2]), tensor([3, 4]));               // 11 (0-d)
 * matmul(zeros([5, 1, 2, 3]), zeros([4, 3, 6])).shape;  // [5, 4, 2, 6]
 * ```
 * @category Linear algebra
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', 'a', a);
  checkTensor('matmul', 'b', b);
  commonDType('matmul', [a, b]);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`matmul: both operands need at least 1 dimension, got shapes ${fmt(a.shape)} @ ${fmt(b.shape)}; use mul for scalars`);
  }
  const inner = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  if (a.shape[a.ndim - 1] !== inner) throw new Error(`matmul: inner dimensions differ: ${fmt(a.shape)} @ ${fmt(b.shape)}`);
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
  let batch: number[];
  try {
    batch = broadcastShapes('matmul', batchOf(a2), batchOf(b2));
  } catch {
    throw new Error(
      `matmul: batch dimensions ${fmt(batchOf(a2))} and ${fmt(batchOf(b2))} cannot be broadcast together: ${fmt(a.shape)} @ ${fmt(b.shape)}`,
    );
  }
  const out = matmulOp(a2, b2, batch);
  if (a.ndim > 1 && b.ndim > 1) return out;
  const shape = [...batch];
  if (a.ndim > 1) shape.push(a.shape[a.ndim - 2]!);
  if (b.ndim > 1) shape.push(b.shape[b.ndim - 1]!);
  return out.reshape(shape);
}

/**
 * Inner product of two 1-D tensors of the same length, as a 0-d tensor.
 *
 * @example
 * ```ts
 * dot(tensor([1, 2, 3]), tensor([4, 5, 6])); // 32
 * ```
 * @category Linear algebra
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkTensor('dot', 'a', a);
  checkTensor('dot', 'b', b);
  commonDType('dot', [a, b]);
  if (a.ndim !== 1 || b.ndim !== 1) throw new Error(`dot: expected two 1-D tensors, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}; use matmul for matrices`);
  if (a.shape[0] !== b.shape[0]) throw new Error(`dot: sizes differ: ${fmt(a.shape)} and ${fmt(b.shape)}`);
  return matmul(a, b);
}

/**
 * Outer product of two 1-D tensors: `out[i][j] = a[i] * b[j]`, shape `[a.size, b.size]`.
 *
 * @example
 * ```ts
 * outer(tensor([1, 2]), tensor([3, 4, 5])); // [[3, 4, 5], [6, 8, 10]]
 * ```
 * @category Linear algebra
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkTensor('outer', 'a', a);
  checkTensor('outer', 'b', b);
  commonDType('outer', [a, b]);
  if (a.ndim !== 1 || b.ndim !== 1) throw new Error(`outer: expected two 1-D tensors, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  // A column times a row with inner size 1: one gemm, and matmul's vjp for free.
  return matmul2(a.unsqueeze(1), b.unsqueeze(0));
}
