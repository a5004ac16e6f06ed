// Binary-op plumbing: numbers become tensors, dtypes promote as in PyTorch, shapes broadcast through expand.
import type { Tensor, TensorLike } from '../tensor.js';
import type { DType } from '../dtype.js';
import { asTensor } from './creation.js';
import { broadcastShapes, sameShape } from '../shape.js';
import { expand } from './movement.js';
import { checkTensorLike } from '../validate.js';
import { promotedType } from './promotion.js';
import { toDType } from './elementwise.js';

const OPERAND = ['operand 0', 'operand 1', 'operand 2'];

/** The dtype shared by the operands of ops that do not promote (matmul, scatterAdd, as in PyTorch); a mismatch is an error. */
export function commonDType(op: string, operands: readonly TensorLike[]): DType {
  let dtype: DType | undefined;
  for (const v of operands) {
    if (typeof v === 'number') continue;
    if (dtype && v.dtype !== dtype) {
      throw new Error(`${op}: dtype mismatch: ${operands.map((o) => (typeof o === 'number' ? 'number' : o.dtype)).join(' vs ')}; convert one side (e.g. x.toDType('${dtype}'))`);
    }
    dtype = v.dtype;
  }
  return dtype ?? 'float32';
}

/**
 * Coerces, promotes and broadcasts operands to one dtype and shape; an op's kernel then never sees
 * mismatched dtypes or shapes. The casts are `toDType` ops, so gradients flow back in each
 * operand's own dtype. `dtype` overrides the promoted dtype (e.g. float for true division).
 */
export function broadcastOperands(op: string, operands: readonly TensorLike[], dtypeOverride?: DType): Tensor[] {
  // Names made once: this runs for every elementwise op, where a fresh string per operand shows.
  for (let i = 0; i < operands.length; i++) checkTensorLike(op, OPERAND[i] ?? `operand ${i}`, operands[i]);
  const dtype = dtypeOverride ?? promotedType(operands);
  const tensors = operands.map((v) => toDType(asTensor(v, dtype), dtype));
  const shape = broadcastShapes(op, ...tensors.map((t) => t.shape));
  return tensors.map((t) => (sameShape(t.shape, shape) ? t : expand(t, shape)));
}
