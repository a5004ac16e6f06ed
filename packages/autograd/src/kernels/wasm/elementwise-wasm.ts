// Runs the generated SIMD elementwise kernels (elementwise-module.ts): chunk by chunk, the
// operands are copied into the streaming kernels' WebAssembly.Memory (simd-memory.ts), the kernel overwrites a vector operand's region in place, and the result is copied out into
// the fresh output array. The copies are memcpy speed; the win is the 4-wide (or 2-wide) arithmetic, and for
// float32 exp a polynomial instead of a Math.exp call per element. Compiled lazily per dtype;
// every entry point returns null (having done nothing) when WebAssembly SIMD is unavailable, the
// size is under the threshold, or memory cannot grow, and the caller runs its TypeScript loop.
import type { TypedArray } from '../../dtype.js';
import { BINARY, elementwiseModuleBytes, FORMS, unaryKinds, type SimdBinary, type SimdForm, type SimdUnary } from './elementwise-module.js';
import { ensureMemory, instantiate, memoryView } from './simd-memory.js';

type Kernel = (...args: number[]) => void;
type Dtype = 'float32' | 'float64';

/**
 * minSize: elements from which the SIMD path runs. Measured ns/element SIMD vs TS loop (float32):
 * at 256 mul 5.7/5.6, exp 6.6/10.7, relu 5.1/6.0; at 1024 mul 1.9/2.8, exp 3.2/7.4; float64 alike
 * (call and allocation overhead dominate below ~256). chunk: elements copied in, computed and
 * copied out per kernel call, so WebAssembly memory stays at a few hundred KiB (it never shrinks)
 * instead of growing to twice the largest operand; 4 Ki–64 Ki and unchunked measured the same, the
 * fresh output array's page faults dominating at 1e7. Mutable so tests can force the path (minSize
 * 0) or switch it off (enabled false); not part of the public API. minWidth: the shortest row
 * simdBinaryRows takes; with one call per row it still measured 2× the TS loop at width 4 (1024
 * rows, bias and per-row operands, both dtypes) and ties below minSize.
 */
export const simdElementwise = { enabled: true, minSize: 512, chunk: 16384, minWidth: 4 };

const modules = new Map<Dtype, Record<string, Kernel> | null>();

function kernels(dtype: Dtype): Record<string, Kernel> | null {
  let k = modules.get(dtype);
  if (k === undefined) modules.set(dtype, (k = instantiate(elementwiseModuleBytes(dtype)) as Record<string, Kernel> | null));
  return k;
}

/** True when the SIMD elementwise kernels for `dtype` validate and compile here. */
export function simdElementwiseAvailable(dtype: Dtype): boolean {
  return kernels(dtype) !== null;
}

const dtypeOf = (x: TypedArray): Dtype | null => (x instanceof Float32Array ? 'float32' : x instanceof Float64Array ? 'float64' : null);
const pad = (bytes: number) => Math.ceil(bytes / 64) * 64;

const view = memoryView;

/**
 * out[i] = a[·] ∘ b[·] for i < n, where an operand with step 1 is read at [off + i] and one with
 * step 0 is the single value at [off]. Both arrays must have the same float dtype. Null: use the TS loop.
 */
export function simdBinary(
  kind: SimdBinary, n: number, a: TypedArray, aOff: number, ia: number, b: TypedArray, bOff: number, ib: number,
): TypedArray | null {
  if (!simdElementwise.enabled || n < simdElementwise.minSize || n === 0) return null;
  const dtype = dtypeOf(a);
  if (!dtype || dtypeOf(b) !== dtype || !BINARY.includes(kind)) return null;
  const form: SimdForm | null = ia === 1 && ib === 1 ? 'vv' : ia === 1 && ib === 0 ? 'vs' : ia === 0 && ib === 1 ? 'sv' : null;
  if (!form || !FORMS.includes(form)) return null;
  const k = kernels(dtype);
  if (!k) return null;
  const es = a.BYTES_PER_ELEMENT;
  const chunk = Math.min(n, simdElementwise.chunk);
  const bytes = pad(chunk * es);
  const aAt = 0, bAt = bytes, oAt = form === 'sv' ? bAt : aAt; // the vector operand's region
  if (!ensureMemory(2 * bytes)) return null;
  const v = view(dtype);
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const run = k[`${kind}_${form}`]!;
  // A broadcast value is written once; the kernels never overwrite it (the output goes to the
  // vector operand's region).
  if (ia === 0) v[aAt / es] = a[aOff]!;
  if (ib === 0) v[bAt / es] = b[bOff]!;
  for (let s = 0; s < n; s += chunk) {
    const len = Math.min(chunk, n - s);
    if (ia === 1) v.set(a.subarray(aOff + s, aOff + s + len), aAt / es);
    if (ib === 1) v.set(b.subarray(bOff + s, bOff + s + len), bAt / es);
    run(aAt, bAt, oAt, pad(len * es));
    out.set(v.subarray(oAt / es, oAt / es + len), s);
  }
  return out;
}

/** out[i] = op(x[i]) for the first n elements of x; null: use the TS loop. */
export function simdUnary(kind: SimdUnary, x: TypedArray, n: number): TypedArray | null {
  if (!simdElementwise.enabled || n < simdElementwise.minSize || n === 0) return null;
  const dtype = dtypeOf(x);
  if (!dtype || !unaryKinds(dtype === 'float32').includes(kind)) return null;
  const k = kernels(dtype);
  if (!k) return null;
  const es = x.BYTES_PER_ELEMENT;
  const chunk = Math.min(n, simdElementwise.chunk);
  if (!ensureMemory(pad(chunk * es))) return null;
  const v = view(dtype);
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const run = k[kind]!;
  for (let s = 0; s < n; s += chunk) {
    const len = Math.min(chunk, n - s);
    v.set(x.subarray(s, s + len), 0);
    run(0, 0, pad(len * es));
    out.set(v.subarray(0, len), s);
  }
  return out;
}

/**
 * How one operand of a rows × inner product is laid out, from its (outer, inner) steps: full
 * (row r at r·inner), one row repeated (a bias), one value per row (keepdim reductions such as
 * softmax's max), or one value. Anything else (transposed, strided) is left to the TS loops.
 */
type RowLayout = 'full' | 'row' | 'col' | 'one';
function rowLayout(outer: number, inner: number, width: number): RowLayout | null {
  if (inner === 1) return outer === width ? 'full' : outer === 0 ? 'row' : null;
  if (inner === 0) return outer === 1 ? 'col' : outer === 0 ? 'one' : null;
  return null;
}

/**
 * out = a ∘ b over a rows × width loop (map2's two merged dimensions), one kernel call per row, so
 * a broadcast row or column is copied in once per chunk and never expanded. Null: use the TS loop.
 */
export function simdBinaryRows(
  kind: SimdBinary, rows: number, width: number,
  a: TypedArray, aOff: number, aOuter: number, ia: number, b: TypedArray, bOff: number, bOuter: number, ib: number,
): TypedArray | null {
  const n = rows * width;
  if (!simdElementwise.enabled || n < simdElementwise.minSize || width < simdElementwise.minWidth) return null;
  const dtype = dtypeOf(a);
  if (!dtype || dtypeOf(b) !== dtype || !BINARY.includes(kind)) return null;
  const la = rowLayout(aOuter, ia, width), lb = rowLayout(bOuter, ib, width);
  const form: SimdForm | null = ia === 1 && ib === 1 ? 'vv' : ia === 1 ? 'vs' : ib === 1 ? 'sv' : null;
  if (!la || !lb || !form) return null;
  const k = kernels(dtype);
  if (!k) return null;
  const es = a.BYTES_PER_ELEMENT;
  const chunkRows = Math.max(1, Math.floor(simdElementwise.chunk / width));
  // Regions (bytes): A | B | O, each room for a chunk of full rows plus one vector of overrun: a
  // row's kernel call runs to the next 16 bytes, so it may write into the next row's output slot
  // (rewritten by the next call) and read past its operand row (only those lanes use it).
  const region = pad(chunkRows * width * es + 16);
  const aAt = 0, bAt = region, oAt = 2 * region;
  if (!ensureMemory(3 * region)) return null;
  const v = view(dtype);
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const run = k[`${kind}_${form}`]!;
  const rowBytes = Math.ceil((width * es) / 16) * 16;
  /** Copies the operand's part for rows [r0, r0 + m) to `at`; returns its per-row byte step. */
  const load = (x: TypedArray, off: number, l: RowLayout, at: number, r0: number, m: number, first: boolean): number => {
    if (l === 'full') v.set(x.subarray(off + r0 * width, off + (r0 + m) * width), at / es);
    else if (l === 'col') v.set(x.subarray(off + r0, off + r0 + m), at / es);
    else if (first) v.set(x.subarray(off, off + (l === 'row' ? width : 1)), at / es);
    return l === 'full' ? width * es : l === 'col' ? es : 0;
  };
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const m = Math.min(chunkRows, rows - r0);
    const da = load(a, aOff, la, aAt, r0, m, r0 === 0);
    const db = load(b, bOff, lb, bAt, r0, m, r0 === 0);
    for (let r = 0; r < m; r++) run(aAt + r * da, bAt + r * db, oAt + r * width * es, rowBytes);
    out.set(v.subarray(oAt / es, oAt / es + m * width), r0 * width);
  }
  return out;
}
