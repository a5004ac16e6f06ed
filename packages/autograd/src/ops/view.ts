// A strided view over another tensor's storage (internal helper of the shape ops).
import ndarray from 'ndarray';
import { Tensor } from '../tensor.js';

export function view(x: Tensor, shape: readonly number[], stride: readonly number[], offset: number): Tensor {
  return new Tensor(ndarray(x.data.data, shape.slice(), stride.slice(), offset));
}
