// Attention masks as PyTorch reads them: a boolean mask marks positions that may NOT be attended
// (true = masked), a floating mask is added to the scores (−∞ masks, 0 keeps).
import { fromTyped, where, type DType, type Tensor, checkAllocation, checkDType, checkInt, checkOptions, checkTensor, fail } from '@tapegrad/autograd';
import { fmtShape } from '../format.js';

/**
 * A `[size, size]` float mask with −∞ above the diagonal and 0 elsewhere: position i may attend
 * to positions 0..i only (PyTorch's `Transformer.generate_square_subsequent_mask`).
 *
 * @example
 * ```ts
 * generateSquareSubsequentMask(3).toArray(); // [[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]
 * ```
 * @category Layers
 */
export function generateSquareSubsequentMask(size: number, options: { dtype?: DType } = {}): Tensor {
  checkInt('generateSquareSubsequentMask', 'size', size, { min: 0 });
  const o = checkOptions('generateSquareSubsequentMask', options, ['dtype']);
  const dtype = o.dtype === undefined ? 'float32' : checkDType('generateSquareSubsequentMask', 'dtype', o.dtype);
  if (dtype !== 'float32' && dtype !== 'float64') fail('generateSquareSubsequentMask', 'an additive mask needs a floating-point dtype', dtype, "'float32' or 'float64'");
  checkAllocation('generateSquareSubsequentMask', size * size);
  const data = dtype === 'float64' ? new Float64Array(size * size) : new Float32Array(size * size);
  for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) data[i * size + j] = -Infinity;
  return fromTyped(data, [size, size]);
}

/** True for a boolean-typed mask (once the library has a bool dtype); float masks are additive. */
const isBoolMask = (m: Tensor): boolean => (m.dtype as string) === 'bool';

/** The mask as an additive float tensor of `dtype`: boolean true → −∞, false → 0; float masks as given. */
export function additiveMask(layer: string, name: string, mask: Tensor, dtype: DType): Tensor {
  checkTensor('additiveMask', 'mask', mask);
  if (isBoolMask(mask)) return where(mask, -Infinity, 0).toDType(dtype);
  if (mask.dtype !== dtype) {
    throw new Error(`${layer}: ${name} is ${mask.dtype} but the query is ${dtype}; a float mask must match the query's dtype (or pass a bool mask)`);
  }
  return mask;
}

/**
 * `attnMask` ([L, S] or [N·H, L, S]) and `keyPaddingMask` ([N, S], or [S] unbatched) merged into
 * one additive mask that broadcasts against scores `[N, H, L, S]`, or null when neither is given.
 */
export function mergeMasks(
  layer: string, dtype: DType, dims: { n: number; h: number; l: number; s: number },
  attnMask: Tensor | null | undefined, keyPaddingMask: Tensor | null | undefined,
): Tensor | null {
  const { n, h, l, s } = dims;
  let out: Tensor | null = null;
  if (attnMask) {
    const m = additiveMask(layer, 'attnMask', attnMask, dtype);
    if (m.ndim === 2 && m.shape[0] === l && m.shape[1] === s) out = m;
    else if (m.ndim === 3 && m.shape[0] === n * h && m.shape[1] === l && m.shape[2] === s) out = m.reshape([n, h, l, s]);
    else throw new Error(`${layer}: attnMask must be [${l},${s}] or [${n * h},${l},${s}] (batch·heads, target, source), got ${fmtShape(m.shape)}`);
  }
  if (keyPaddingMask) {
    const m = additiveMask(layer, 'keyPaddingMask', keyPaddingMask, dtype);
    const ok = (m.ndim === 2 && m.shape[0] === n && m.shape[1] === s) || (m.ndim === 1 && n === 1 && m.shape[0] === s);
    if (!ok) throw new Error(`${layer}: keyPaddingMask must be [${n},${s}] (batch, source), got ${fmtShape(m.shape)}`);
    const k = m.reshape([n, 1, 1, s]);
    out = out ? out.add(k) : k;
  }
  return out;
}
