// Resampling one axis as a product with a constant matrix: adaptive average pooling and
// nearest/linear interpolation are linear in the input, so y = x·Aᵀ along the last axis gives
// the exact forward and, through matmul, exact gradients of every order with no new op.
import { fromTyped, type DType, type Tensor } from '@tapegrad/autograd';

/** A dense `[rows, cols]` matrix from its nonzero entries. */
function matrix(rows: number, cols: number, dtype: DType, fill: (set: (r: number, c: number, v: number) => void) => void): Tensor {
  const data = dtype === 'float64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  fill((r, c, v) => (data[r * cols + c] = data[r * cols + c]! + v));
  return fromTyped(data, [rows, cols]);
}

/** PyTorch's adaptive windows: output i averages input ⌊i·n/m⌋ .. ⌈(i+1)·n/m⌉ − 1. */
export function adaptiveWindow(i: number, n: number, m: number): [number, number] {
  return [Math.floor((i * n) / m), Math.ceil(((i + 1) * n) / m)];
}

/** `[m, n]` matrix whose row i averages the i-th adaptive window of n inputs. */
export function adaptiveAverageMatrix(n: number, m: number, dtype: DType): Tensor {
  return matrix(m, n, dtype, (set) => {
    for (let i = 0; i < m; i++) {
      const [s, e] = adaptiveWindow(i, n, m);
      for (let j = s; j < e; j++) set(i, j, 1 / (e - s));
    }
  });
}

/**
 * `[m, n]` interpolation matrix from n input to m output positions, with PyTorch's coordinate
 * rules: `scale` is n/m, or 1/scaleFactor when the caller gave a scale factor.
 */
export function interpolationMatrix(n: number, m: number, mode: 'nearest' | 'linear', alignCorners: boolean, scale: number, dtype: DType): Tensor {
  return matrix(m, n, dtype, (set) => {
    for (let i = 0; i < m; i++) {
      if (mode === 'nearest') {
        set(i, Math.min(Math.floor(i * scale), n - 1), 1);
        continue;
      }
      let src = alignCorners ? (m > 1 ? (i * (n - 1)) / (m - 1) : 0) : Math.max(0, (i + 0.5) * scale - 0.5);
      src = Math.min(src, n - 1);
      const lo = Math.floor(src);
      const hi = Math.min(lo + 1, n - 1);
      const w = src - lo;
      set(i, lo, 1 - w);
      set(i, hi, w);
    }
  });
}

/** Applies `A` `[m, n]` along the last (`'w'`) or second-to-last (`'h'`) axis of `x`: n entries become m. */
export function alongAxis(x: Tensor, axis: 'h' | 'w', A: Tensor): Tensor {
  return axis === 'w' ? x.matmul(A.transpose(0, 1)) : A.matmul(x);
}
