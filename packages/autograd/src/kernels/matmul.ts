// Batched matrix product over strided ndarray views, built on `gemm`. Batch axes may have any
// strides (broadcast axes have stride 0) and are walked by offset; only the last two axes must be
// a row-major or transposed matrix, else that operand is copied once. No autograd in here.
import type { NdArray } from 'ndarray';
import type { TypedArray } from '../dtype.js';
import { allocate, dtypeOf } from '../dtype.js';
import { copyToContiguous, wrap } from './layout.js';
import { sizeOf } from '../shape.js';
import { gemm } from './gemm.js';

type Nd = NdArray<TypedArray>;

/** How one operand is fed to gemm: its buffer, whether its matrices are stored transposed, batch strides. */
export interface Operand {
  data: TypedArray;
  offset: number;
  trans: boolean;
  /** One stride per output batch axis; 0 where the operand is broadcast. */
  batchStride: number[];
}

/** Row-major (0), column-major (1) or neither (-1) for a rows×cols matrix with these strides. */
function matrixLayout(rows: number, cols: number, sr: number, sc: number): 0 | 1 | -1 {
  // A size-1 axis never moves, so its stride is irrelevant.
  if ((cols <= 1 || sc === 1) && (rows <= 1 || sr === cols)) return 0;
  if ((rows <= 1 || sr === 1) && (cols <= 1 || sc === rows)) return 1;
  return -1;
}

/**
 * Whether gemm reads `x`'s matrices (its last two axes) as stored transposed: column-major and
 * not also row-major (a matrix with a size-1 axis counts as row-major), as `prepare` decides.
 */
export function storedTransposed(x: Nd): boolean {
  const r = x.shape.length;
  return matrixLayout(x.shape[r - 2]!, x.shape[r - 1]!, x.stride[r - 2]!, x.stride[r - 1]!) === 1;
}

/** `x` ([...xBatch, rows, cols], xBatch broadcasting to `batch`) as a gemm operand (copied once if neither layout). */
export function prepare(x: Nd, batch: readonly number[]): Operand {
  const r = x.shape.length;
  let layout = matrixLayout(x.shape[r - 2]!, x.shape[r - 1]!, x.stride[r - 2]!, x.stride[r - 1]!);
  if (layout === -1) {
    // e.g. a column slice with row stride > cols: gemm needs packed matrices.
    x = wrap(copyToContiguous(x), x.shape);
    layout = 0;
  }
  const lead = batch.length - (r - 2);
  const batchStride = batch.map((_, i) => (i < lead || x.shape[i - lead] === 1 ? 0 : x.stride[i - lead]!));
  return { data: x.data, offset: x.offset, trans: layout === 1, batchStride };
}

/**
 * C[...batch, m, n] = A[...aBatch, m, k] · B[...bBatch, k, n] as a new contiguous buffer, where
 * `batch` is the broadcast of the two batch shapes (the caller checks shapes).
 */
export function batchedMatmul(a: Nd, b: Nd, batch: readonly number[]): TypedArray {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[ra - 2]!;
  const k = a.shape[ra - 1]!;
  const n = b.shape[rb - 1]!;
  const count = sizeOf(batch);
  // gemm writes every element of C (it does not accumulate here), for every batch entry.
  const out = allocate(dtypeOf(a.data), count * m * n, true);
  if (out.length === 0) return out;
  const A = prepare(a, batch);
  const B = prepare(b, batch);
  // Odometer over the batch axes, moving both offsets incrementally.
  const idx = new Array<number>(batch.length).fill(0);
  let aOff = A.offset;
  let bOff = B.offset;
  for (let t = 0; t < count; t++) {
    gemm(m, n, k, A.data, aOff, A.trans, B.data, bOff, B.trans, out, t * m * n);
    for (let d = batch.length - 1; d >= 0; d--) {
      aOff += A.batchStride[d]!;
      bOff += B.batchStride[d]!;
      idx[d]! += 1;
      if (idx[d]! < batch[d]!) break;
      idx[d] = 0;
      aOff -= A.batchStride[d]! * batch[d]!;
      bOff -= B.batchStride[d]! * batch[d]!;
    }
  }
  return out;
}
