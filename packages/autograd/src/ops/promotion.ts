// PyTorch's type promotion for mixed operands (torch.result_type), with JS numbers as Python scalars.
import { Tensor, type TensorLike } from '../tensor.js';
import { assertDType, type DType } from '../dtype.js';

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };
const category = (d: DType): number => (d === 'bool' ? 0 : d === 'int32' ? 1 : 2);
const wider = (a: DType | undefined, b: DType): DType => (a === undefined || RANK[b] > RANK[a] ? b : a);

/**
 * The dtype of `a op b` for two dtypes: the wider of the two in the order bool < int32 < float32 <
 * float64, like `torch.promote_types`.
 *
 * @example
 * ```ts
 * promoteTypes('int32', 'float32'); // 'float32'
 * promoteTypes('bool', 'int32');    // 'int32'
 * ```
 * @category Tensor
 */
export function promoteTypes(a: DType, b: DType): DType {
  assertDType('promoteTypes', a);
  assertDType('promoteTypes', b);
  return wider(a, b);
}

/**
 * The dtype a mixed-operand op computes in, with PyTorch's rules (`torch.result_type`): tensors
 * with dimensions decide first; a 0-d tensor or a number only widens the result when it is of a
 * higher category (bool < integer < float). A number counts as an integer when `Number.isInteger`
 * holds (so `intTensor.mul(2)` stays int32 while `intTensor.mul(0.5)` is float32) and a float number
 * brings float32. Integer results never come from floats: there is no silent float → int.
 *
 * @example
 * ```ts
 * resultType([tensor([1, 2], { dtype: 'int32' }), 0.5]);          // 'float32'
 * resultType([tensor([1], { dtype: 'float32' }), tensor(2, { dtype: 'float64' })]); // 'float32'
 * ```
 * @category Tensor
 */
export function resultType(operands: readonly TensorLike[]): DType {
  if (!Array.isArray(operands)) throw new Error(`resultType: operands must be an array of tensors and numbers, got ${typeof operands}`);
  operands.forEach((v, i) => {
    if (!(v instanceof Tensor) && typeof v !== 'number') throw new Error(`resultType: operand ${i} must be a Tensor or a number, got ${typeof v}`);
  });
  return promotedType(operands);
}

/** {@link resultType} without argument checks, for ops that validate their operands themselves (after this). */
export function promotedType(operands: readonly TensorLike[]): DType {
  let dims: DType | undefined, zeroDim: DType | undefined, scalar: DType | undefined;
  for (const v of operands) {
    if (v instanceof Tensor) {
      if (v.ndim > 0) dims = wider(dims, v.dtype);
      else zeroDim = wider(zeroDim, v.dtype);
    } else {
      scalar = wider(scalar, Number.isInteger(v) ? 'int32' : 'float32');
    }
  }
  let out = dims;
  if (zeroDim !== undefined && (out === undefined || category(zeroDim) > category(out))) out = zeroDim;
  if (scalar !== undefined && (out === undefined || category(scalar) > category(out))) {
    out = operands.every((v) => typeof v === 'number') ? 'float32' : scalar;
  }
  return out ?? 'float32';
}
