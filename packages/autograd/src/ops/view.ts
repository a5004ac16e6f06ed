// A strided view over another tensor's storage (internal helper of the shape ops).
import { ndView } from '../kernels/nd-view.js';
import { Tensor } from '../tensor.js';

export function view(x: Tensor, shape: readonly number[], stride: readonly number[], offset: number): Tensor {
  return new Tensor(ndView(x.data.data, shape, stride, offset));
}
