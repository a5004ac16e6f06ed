// Variable-length batches for the recurrent layers: per-step masks from the sequence lengths, with
// which padding steps leave the state alone and give zero outputs (PyTorch's packed sequences).
import { describeValue, fromTyped, type Tensor } from '@tapegrad/autograd';

/** Per step t, a `[N, 1]` mask that is 1 where t < lengths[n]. */
export function stepMasks(layer: string, lengths: readonly number[] | Tensor, L: number, N: number, dtype: Tensor['dtype']): Tensor[] {
  const lens = Array.isArray(lengths) ? (lengths as number[]) : Array.from((lengths as Tensor).contiguousData());
  if (lens.length !== N || !lens.every((n) => Number.isInteger(n) && n >= 1 && n <= L)) {
    throw new Error(`${layer}: lengths must hold ${N} integers in 1..${L} (one per sequence of the batch), got ${describeValue(lens)}`);
  }
  return Array.from({ length: L }, (_, t) => {
    const data = dtype === 'float64' ? new Float64Array(N) : new Float32Array(N);
    lens.forEach((n, i) => (data[i] = t < n ? 1 : 0));
    return fromTyped(data, [N, 1]);
  });
}
