// Flat access to tensor values for the fused update loops. Optimizers write parameters and their
// own state buffers element by element instead of chaining tensor ops: one pass, no temporaries,
// and nothing can reach the tape. Not exported from the package.
import { flushPending, fromTyped, noGrad, optimizerState, type Tensor, type TypedArray } from '@tapegrad/autograd';

/**
 * Runs `write` on the values of `t` in row-major order so that what it writes becomes `t`'s
 * values. A contiguous tensor (the normal case for parameters and state) is written through its
 * own storage; a strided view gets a scratch copy that is copied back.
 */
export function writeInPlace(t: Tensor, write: (values: TypedArray) => void): void {
  // Deferred elementwise results read their operands when computed: compute those reading t first.
  flushPending(t);
  const values = t.contiguousData(); // shares storage when contiguous, else a fresh copy
  write(values);
  if (values.buffer !== t.data.data.buffer) noGrad(() => t.copy_(fromTyped(values, t.shape)));
}

/** Read-only row-major values of `t` (the tensor's own storage when contiguous). */
export function readValues(t: Tensor): TypedArray {
  return t.contiguousData();
}

/** Writable row-major values of a tensor this package allocated (always contiguous). */
export function ownValues(t: Tensor): TypedArray {
  flushPending(t);
  const values = t.contiguousData();
  if (values.buffer !== t.data.data.buffer) throw new Error('optim: internal state tensor is not contiguous');
  return values;
}

/**
 * A fresh contiguous tensor of `like`'s shape and dtype holding `source` (or `fill`). `resident`
 * state (optimizers whose update is a fused kernel) lives in WebAssembly memory where the kernel
 * updates it in place; snapshots (stateDict) are plain arrays.
 */
export function stateTensor(like: Tensor, source?: ArrayLike<number>, fill = 0, resident = false): Tensor {
  const n = like.size;
  const dtype = like.dtype === 'float64' ? 'float64' : 'float32';
  const values = resident ? optimizerState(dtype, n) : dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  if (source) values.set(source);
  else if (fill !== 0) values.fill(fill);
  return fromTyped(values, like.shape);
}
