// Binary-op plumbing: numbers become tensors, dtypes must agree, shapes broadcast through expand.
import type { Tensor, TensorLike } from '../tensor.js';
import { asTensor } from './creation.js';
import { broadcastShapes, sameShape } from '../shape.js';
import { expand } from './movement.js';
import { checkTensorLike } from '../validate.js';

/** The dtype shared by the operands; numbers adopt the tensor's, and float32 vs float64 is an error. */
export function commonDType(op: string, operands: readonly TensorLike[]): Tensor['dtype'] {
  let dtype: Tensor['dtype'] | undefined;
  for (const v of operands) {
    if (typeof v === 'number') continue;
    if (dtype && v.dtype !== dtype) {
      throw new Error(`${op}: dtype mismatch: ${operands.map((o) => (typeof o === 'number' ? 'number' : o.dtype)).join(' vs ')}; convert one side (e.g. x.toDType('${dtype}'))`);
    }
    dtype = v.dtype;
  }
  return dtype ?? 'float32';
}

/** Coerces and broadcasts operands to one shape; an op's kernel then never sees mismatched shapes. */
export function broadcastOperands(op: string, operands: readonly TensorLike[]): Tensor[] {
  operands.forEach((v, i) => checkTensorLike(op, `operand ${i}`, v));
  const dtype = commonDType(op, operands);
  const tensors = operands.map((v) => asTensor(v, dtype));
  const shape = broadcastShapes(op, ...tensors.map((t) => t.shape));
  return tensors.map((t) => (sameShape(t.shape, shape) ? t : expand(t, shape)));
}
