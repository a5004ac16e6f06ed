// The safetensors format (Hugging Face), on bytes so it runs in browsers too:
//
//   offset 0   u64 LE     header length N (at most 100,000,000, as the reference implementation)
//          8   N bytes    UTF-8 JSON: { name: { dtype, shape, data_offsets: [begin, end) }, __metadata__?: { string: string } },
//                         padded with spaces to a multiple of 8
//        8+N   data       every tensor's values, little-endian, row-major, at 8 + N + begin
//
// Validation follows the reference reader (huggingface/safetensors `read_metadata`/`validate`):
// sorted by offset, each tensor starts where the previous one ended (no gap, no overlap), its
// byte length is exactly shape × dtype size, and the last end is the end of the buffer.
import { Tensor } from './tensor.js';
import { contiguousData, wrap } from './kernels/layout.js';
import { fmt, sizeOf } from './shape.js';
import { duplicateTopLevelKey } from './json-keys.js';
import { checkTensorRecord } from './serialize.js';
import { fail as failWith } from './validate.js';

const MAX_HEADER = 100_000_000;
/** The safetensors dtype each tapegrad dtype is written as. */
const STORED: Record<Tensor['dtype'], string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
const SIZES: Record<string, number> = { BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8 };
/** int32's range: I64 values outside it are refused rather than wrapped. */
const INT32_MAX = 2n ** 31n - 1n;
const INT32_MIN = -(2n ** 31n);

/**
 * What {@link parseSafetensors} returns.
 *
 * @example
 * ```ts
 * const { tensors, metadata }: SafetensorsFile = parseSafetensors(bytes);
 * ```
 * @category Serialization
 */
export interface SafetensorsFile {
  /** The tensors by name, each with its own buffer. */
  tensors: Record<string, Tensor>;
  /** The `__metadata__` string map (empty when the file has none). */
  metadata: Record<string, string>;
}

interface Info {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function fail(what: string): never {
  throw new Error(`parseSafetensors: ${what}`);
}

/** Decodes IEEE half precision. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function checkInfo(name: string, raw: unknown): Info {
  const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (raw === null || typeof raw !== 'object') fail(`tensor '${name}': expected {dtype, shape, data_offsets}, got ${JSON.stringify(raw)}`);
  const keys = Object.keys(e).filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
  if (keys.length > 0) fail(`tensor '${name}': unknown field(s) ${keys.join(', ')}`);
  if (typeof e.dtype !== 'string' || !(e.dtype in SIZES)) fail(`tensor '${name}': unknown dtype ${JSON.stringify(e.dtype)}`);
  if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(`tensor '${name}': invalid shape ${JSON.stringify(e.shape)}`);
  const off = e.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`tensor '${name}': data_offsets must be two non-negative integers, got ${JSON.stringify(off)}`);
  }
  return { name, dtype: e.dtype as string, shape: e.shape as number[], begin: off[0] as number, end: off[1] as number };
}

/** Reads one tensor's bytes: floats into float32 (float64 for F64), I32/I64 into int32 (range-checked), BOOL into bool. */
function decode(info: Info, src: DataView): Tensor {
  const n = sizeOf(info.shape);
  const { name, dtype } = info;
  if (dtype === 'F64') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = src.getFloat64(i * 8, true);
    return new Tensor(wrap(out, info.shape));
  }
  if (dtype === 'I32' || dtype === 'I64') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (dtype === 'I32') out[i] = src.getInt32(i * 4, true);
      else {
        const v = src.getBigInt64(i * 8, true);
        if (v > INT32_MAX || v < INT32_MIN) fail(`tensor '${name}' (I64) holds ${v} at flat index ${i}, outside the int32 range [-2^31, 2^31 - 1]`);
        out[i] = Number(v);
      }
    }
    return new Tensor(wrap(out, info.shape));
  }
  if (dtype === 'BOOL') {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const b = src.getUint8(i);
      if (b > 1) fail(`tensor '${name}' (BOOL) holds byte ${b} at flat index ${i}; booleans are 0 or 1`);
      out[i] = b;
    }
    return new Tensor(wrap(out, info.shape));
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case 'F32': out[i] = src.getFloat32(i * 4, true); break;
      case 'F16': out[i] = halfToFloat(src.getUint16(i * 2, true)); break;
      case 'BF16': out[i] = new Float32Array(new Uint32Array([src.getUint16(i * 2, true) << 16]).buffer)[0]!; break;
      default: fail(`tensor '${name}': dtype ${dtype} is valid safetensors but not supported (supported: F32, F64, F16, BF16, I32, I64, BOOL)`);
    }
  }
  return new Tensor(wrap(out, info.shape));
}

/**
 * Decodes a safetensors file held in memory, validating it as the reference implementation does:
 * a header of at most 100 MB, a JSON object without duplicate names, and offsets that cover the
 * data exactly (no gap, no overlap, nothing left over). F32 and F64 keep their precision; F16 and
 * BF16 are read into float32; I32 is read into int32, I64 into int32 when every value is in
 * int32's range (refused otherwise, e.g. BatchNorm's `num_batches_tracked` reads as int32), and
 * BOOL into bool.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = parseSafetensors(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * model.loadStateDict(tensors);
 * ```
 * @category Serialization
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) fail(`the header length ${n} exceeds the 100,000,000-byte limit`);
  const headerLength = Number(n);
  if (8 + headerLength > bytes.length) fail(`the header length ${headerLength} runs past the end of the ${bytes.length}-byte buffer`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    return fail('the header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header must be a JSON object');
  const dup = duplicateTopLevelKey(text);
  if (dup !== null) fail(`the header names '${dup}' twice`);
  const metadata: Record<string, string> = {};
  const infos: Info[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ value of '${k}' must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
    } else infos.push(checkInfo(name, raw));
  }
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const info of infos) {
    if (info.begin !== expected || info.end < info.begin) {
      fail(`tensor '${info.name}' has data_offsets [${info.begin}, ${info.end}] but must start at ${expected} (offsets may not overlap or leave gaps)`);
    }
    const bytesNeeded = sizeOf(info.shape) * SIZES[info.dtype]!;
    if (info.end - info.begin !== bytesNeeded) {
      fail(`tensor '${info.name}' of shape ${fmt(info.shape)} (${info.dtype}) needs ${bytesNeeded} bytes, its data_offsets span ${info.end - info.begin}`);
    }
    expected = info.end;
  }
  const dataStart = 8 + headerLength;
  if (dataStart + expected !== bytes.length) {
    fail(`the tensors cover ${expected} data bytes but the buffer holds ${bytes.length - dataStart} after the header (incomplete or trailing data)`);
  }
  const tensors: Record<string, Tensor> = {};
  for (const info of infos) {
    const src = new DataView(bytes.buffer, bytes.byteOffset + dataStart + info.begin, info.end - info.begin);
    tensors[info.name] = decode(info, src);
  }
  return { tensors, metadata };
}

/**
 * Encodes named tensors (and an optional string → string `metadata` map) as safetensors bytes:
 * float32 tensors as F32, float64 as F64, int32 as I32 and bool as BOOL, laid out as the reference writer does (by descending
 * dtype alignment, then by name; header padded with spaces to 8 bytes). The result loads in
 * Python with `safetensors.torch.load_file` / `load(bytes)`.
 *
 * @example
 * ```ts
 * const bytes = serializeSafetensors(model.stateDict(), { format: 'pt' });
 * ```
 * @category Serialization
 */
export function serializeSafetensors(tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const name = 'serializeSafetensors';
  return encodeSafetensors('serializeSafetensors', tensors, metadata);
}

/** {@link serializeSafetensors} reporting errors as `name` (saveSafetensors calls it too). */
export function encodeSafetensors(name: string, tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  checkTensorRecord(name, 'tensors', tensors);
  if (metadata === null || metadata === undefined) metadata = {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) failWith(name, 'metadata must be an object of strings', metadata, '{ key: string, … }');
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') failWith(name, `metadata value of '${k}' must be a string`, v, 'a string');
  }
  const entries = Object.entries(tensors).map(([key, t]) => {
    if (!(t instanceof Tensor)) throw new Error(`${name}: entry '${key}' is not a Tensor`);
    if (key === '__metadata__') throw new Error(`${name}: '__metadata__' is reserved and cannot name a tensor`);
    return { key, t, dtype: STORED[t.dtype] };
  });
  entries.sort((a, b) => SIZES[b.dtype]! - SIZES[a.dtype]! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const e of entries) {
    const size = e.t.size * SIZES[e.dtype]!;
    header[e.key] = { dtype: e.dtype, shape: [...e.t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const headerBytes = new Uint8Array(padded).fill(0x20); // spaces, as the reference writer pads
  headerBytes.set(json);
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(headerBytes, 8);
  let pos = 8 + padded;
  for (const e of entries) {
    const data = contiguousData(e.t.data);
    if (e.dtype === 'F64') for (let i = 0; i < data.length; i++, pos += 8) view.setFloat64(pos, data[i]!, true);
    else if (e.dtype === 'F32') for (let i = 0; i < data.length; i++, pos += 4) view.setFloat32(pos, data[i]!, true);
    else if (e.dtype === 'I32') for (let i = 0; i < data.length; i++, pos += 4) view.setInt32(pos, data[i]!, true);
    else for (let i = 0; i < data.length; i++, pos += 1) view.setUint8(pos, data[i]!);
  }
  return out;
}
