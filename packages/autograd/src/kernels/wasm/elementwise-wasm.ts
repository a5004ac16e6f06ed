// Runs the generated SIMD elementwise kernels (elementwise-module.ts): chunk by chunk, the
// operands are copied into a WebAssembly.Memory of their own (unshared: no worker ever touches
// it), the kernel overwrites a vector operand's region in place, and the result is copied out into
// the fresh output array. The copies are memcpy speed; the win is the 4-wide (or 2-wide) arithmetic, and for
// float32 exp a polynomial instead of a Math.exp call per element. Compiled lazily per dtype;
// every entry point returns null (having done nothing) when WebAssembly SIMD is unavailable, the
// size is under the threshold, or memory cannot grow, and the caller runs its TypeScript loop.
import type { TypedArray } from '../../dtype.js';
import { BINARY, elementwiseModuleBytes, FORMS, unaryKinds, type SimdBinary, type SimdForm, type SimdUnary } from './elementwise-module.js';

interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

type Kernel = (...args: number[]) => void;
type Dtype = 'float32' | 'float64';

/**
 * minSize: elements from which the SIMD path runs. Measured ns/element SIMD vs TS loop (float32):
 * at 256 mul 5.7/5.6, exp 6.6/10.7, relu 5.1/6.0; at 1024 mul 1.9/2.8, exp 3.2/7.4; float64 alike
 * (call and allocation overhead dominate below ~256). chunk: elements copied in, computed and
 * copied out per kernel call, so WebAssembly memory stays at a few hundred KiB (it never shrinks)
 * instead of growing to twice the largest operand; 4 Ki–64 Ki and unchunked measured the same, the
 * fresh output array's page faults dominating at 1e7. Mutable so tests can force the path (minSize
 * 0) or switch it off (enabled false); not part of the public API.
 */
export const simdElementwise = { enabled: true, minSize: 512, chunk: 16384 };

const PAGE = 65536;
const MAX_BYTES = 0x7fff0000; // keeps byte addresses below 2^31
let memory: WasmMemory | null = null;
const modules = new Map<Dtype, Record<string, Kernel> | null>();

function ensureMemory(bytes: number): boolean {
  if (!WA || bytes > MAX_BYTES) return false;
  try {
    memory ??= new WA.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
    const have = memory.buffer.byteLength;
    if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  } catch {
    return false;
  }
}

function kernels(dtype: Dtype): Record<string, Kernel> | null {
  let k = modules.get(dtype);
  if (k !== undefined) return k;
  k = null;
  try {
    const bytes = elementwiseModuleBytes(dtype);
    if (WA && WA.validate(bytes) && ensureMemory(PAGE)) {
      k = new WA.Instance(new WA.Module(bytes), { env: { mem: memory } }).exports as Record<string, Kernel>;
    }
  } catch {
    k = null;
  }
  modules.set(dtype, k);
  return k;
}

/** True when the SIMD elementwise kernels for `dtype` validate and compile here. */
export function simdElementwiseAvailable(dtype: Dtype): boolean {
  return kernels(dtype) !== null;
}

const dtypeOf = (x: TypedArray): Dtype | null => (x instanceof Float32Array ? 'float32' : x instanceof Float64Array ? 'float64' : null);
const pad = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** A fresh view of the whole memory (views of an unshared memory detach when it grows). */
function view(dtype: Dtype): Float32Array | Float64Array {
  return dtype === 'float32' ? new Float32Array(memory!.buffer) : new Float64Array(memory!.buffer);
}

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
