// Runs generated SIMD expression kernels (wasm-codegen.ts): chunk by chunk, the operands are
// copied into the streaming kernels' WebAssembly.Memory (simd-memory.ts), the kernel writes the
// result region, and the result is copied out into the output array. The copies are memcpy
// speed; the win is the 4-wide (or 2-wide) arithmetic, float32 exp as a polynomial, and one pass
// over a whole chain. Kernels compile lazily per (expression, dtype, forms). Every entry point
// returns false (having done nothing) when WebAssembly SIMD is unavailable, the size is under the
// threshold, a layout is not one it handles, or memory cannot grow; the caller then runs run-js.ts.
import type { TypedArray } from '../../dtype.js';
import { assemble } from '../wasm/assembler.js';
import { ensureMemory, instantiate, memoryView } from '../wasm/simd-memory.js';
import { exprKey, simdLowerable, type Expr } from './expr.js';
import { expressionKernel, type Form } from './wasm-codegen.js';

type Kernel = (...args: number[]) => void;

/**
 * minSize: elements from which the SIMD path runs. Measured ns/element SIMD vs TS loop (float32):
 * at 256 mul 5.7/5.6, exp 6.6/10.7, relu 5.1/6.0; at 1024 mul 1.9/2.8, exp 3.2/7.4; float64 alike
 * (call and allocation overhead dominate below ~256). chunk: elements copied in, computed and
 * copied out per kernel call, so WebAssembly memory stays at a few hundred KiB (it never shrinks).
 * minWidth: the shortest row the rows path takes (one call per row). Mutable so tests can force
 * the path (minSize 0) or switch it off (enabled false); not part of the public API.
 */
export const simdElementwise = { enabled: true, minSize: 512, chunk: 16384, minWidth: 4 };

const kernels = new Map<string, Kernel | null>();

/** The compiled kernel, or null when SIMD does not validate or compile here. */
function kernelFor(root: Expr, f32: boolean, forms: readonly Form[]): Kernel | null {
  const key = `${f32 ? 'f32' : 'f64'}|${forms.join('')}|${exprKey(root)}`;
  let k = kernels.get(key);
  if (k === undefined) {
    const exports = instantiate(assemble([expressionKernel('k', root, f32, forms)]));
    kernels.set(key, (k = exports ? (exports.k as Kernel) : null));
  }
  return k;
}

/** True when SIMD expression kernels for `dtype` validate and compile here. */
export function simdElementwiseAvailable(dtype: 'float32' | 'float64'): boolean {
  return kernelFor({ k: 'add', a: { k: 'in', i: 0 }, b: { k: 'in', i: 0 } }, dtype === 'float32', ['v']) !== null;
}

const pad = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * How one operand of a rows × width loop is laid out, from its (outer, inner) steps: full (row r
 * at r·width), one row repeated (a bias), one value per row (keepdim reductions such as softmax's
 * max), or one value. Anything else (transposed, strided) is left to the TS loops.
 */
type RowLayout = 'full' | 'row' | 'col' | 'one';
function rowLayout(outer: number, inner: number, width: number, rows: number): RowLayout | null {
  if (inner === 1) return outer === width || rows === 1 ? 'full' : outer === 0 ? 'row' : null;
  if (inner === 0) return outer === 0 || rows === 1 ? 'one' : outer === 1 ? 'col' : null;
  return null;
}

/** One operand as the rows loop sees it: its array, offset, and steps per row and per element. */
export interface Operand { readonly data: TypedArray; readonly offset: number; readonly outer: number; readonly inner: number }

/**
 * out = root(operands) over a rows × width loop (a flat run is rows = 1), writing `out` row-major.
 * A broadcast row or column is copied in once per chunk and never expanded; a flat run is chunked
 * by elements, a rows loop by rows with one kernel call per row. False: use the TS loops.
 */
export function runWasm(root: Expr, ops: readonly Operand[], rows: number, width: number, out: Float32Array | Float64Array): boolean {
  const n = rows * width;
  if (!simdElementwise.enabled || n < simdElementwise.minSize || n === 0) return false;
  if (rows > 1 && width < simdElementwise.minWidth) return false;
  const f32 = out instanceof Float32Array;
  if (!simdLowerable(root, f32 ? 'float32' : 'float64')) return false;
  const layouts: RowLayout[] = [];
  for (const o of ops) {
    if (o.data.constructor !== out.constructor) return false;
    const l = rowLayout(o.outer, o.inner, width, rows);
    if (!l) return false;
    layouts.push(l);
  }
  const forms: Form[] = layouts.map((l) => (l === 'full' || l === 'row' ? 'v' : 's'));
  const run = kernelFor(root, f32, forms);
  if (!run) return false;
  const es = out.BYTES_PER_ELEMENT;
  // A flat run is one long row cut into chunks; a rows loop takes whole rows per chunk. Regions
  // (bytes): one per operand and one for the result, each room for a chunk plus one vector of
  // overrun (a row's call runs to the next 16 bytes: it may write into the next row's output slot,
  // rewritten by the next call, and read past its operand row, only for lanes nobody keeps).
  const flat = rows === 1;
  const chunkRows = flat ? 1 : Math.max(1, Math.floor(simdElementwise.chunk / width));
  const chunkLen = flat ? Math.min(n, simdElementwise.chunk) : chunkRows * width;
  const region = pad(chunkLen * es + 16);
  const oAt = ops.length * region;
  if (!ensureMemory((ops.length + 1) * region)) return false;
  const v = memoryView(f32 ? 'float32' : 'float64');
  const args = new Array<number>(ops.length + 2).fill(0);
  // Broadcast rows and single values are written once: nothing overwrites an operand region.
  ops.forEach((o, k) => {
    if (layouts[k] === 'row') v.set(o.data.subarray(o.offset, o.offset + width), (k * region) / es);
    if (layouts[k] === 'one') v[(k * region) / es] = o.data[o.offset]!;
  });
  if (flat) {
    for (let s = 0; s < n; s += chunkLen) {
      const len = Math.min(chunkLen, n - s);
      ops.forEach((o, k) => {
        if (layouts[k] === 'full') v.set(o.data.subarray(o.offset + s, o.offset + s + len), (k * region) / es);
        args[k] = k * region;
      });
      args[ops.length] = oAt;
      args[ops.length + 1] = Math.ceil((len * es) / 16) * 16;
      run(...args);
      out.set(v.subarray(oAt / es, oAt / es + len), s);
    }
    return true;
  }
  const rowBytes = Math.ceil((width * es) / 16) * 16;
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const m = Math.min(chunkRows, rows - r0);
    ops.forEach((o, k) => {
      const at = (k * region) / es;
      if (layouts[k] === 'full') v.set(o.data.subarray(o.offset + r0 * o.outer, o.offset + (r0 + m) * o.outer), at);
      else if (layouts[k] === 'col') v.set(o.data.subarray(o.offset + r0, o.offset + r0 + m), at);
    });
    for (let r = 0; r < m; r++) {
      for (let k = 0; k < ops.length; k++) {
        const l = layouts[k]!;
        args[k] = k * region + (l === 'full' ? r * width * es : l === 'col' ? r * es : 0);
      }
      args[ops.length] = oAt + r * width * es;
      args[ops.length + 1] = rowBytes;
      run(...args);
    }
    out.set(v.subarray(oAt / es, oAt / es + m * width), r0 * width);
  }
  return true;
}
