// The tapegrad tensor file: named tensors plus JSON metadata, validated on load.
//
//   offset 0   8 bytes   magic "TAPEGRAD"
//          8   u32 LE    format version (1)
//         12   u32 LE    header length H
//         16   H bytes   UTF-8 JSON: { tensors: [{ name, dtype, shape, offset, byteLength }], meta }
//          …   zero padding to a multiple of 8
//          D   data      each tensor's values, row-major, little-endian, at D + offset (8-aligned)
import { Tensor } from './tensor.js';
import { allocate, type DType, type TypedArray } from './dtype.js';
import { contiguousData, wrap } from './kernels/layout.js';
import { fmt, sizeOf } from './shape.js';
import { fail as failWith, MAX_ELEMENTS } from './validate.js';

const MAGIC = 'TAPEGRAD';
const VERSION = 1;
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  offset: number;
  byteLength: number;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

function bytesOf(data: TypedArray): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  if (littleEndian) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else {
    const view = new DataView(out.buffer);
    const size = data.BYTES_PER_ELEMENT;
    const write = (v: number, i: number) => {
      if (data instanceof Int32Array) view.setInt32(i * 4, v, true);
      else if (data instanceof Uint8Array) view.setUint8(i, v);
      else if (size === 4) view.setFloat32(i * 4, v, true);
      else view.setFloat64(i * 8, v, true);
    };
    for (let i = 0; i < data.length; i++) write(data[i]!, i);
  }
  return out;
}

/**
 * Encodes named tensors and JSON-serializable metadata in the tapegrad tensor format (see the
 * layout in `serialize.ts`: a magic string, a JSON header with each tensor's dtype and shape, then
 * the raw little-endian values).
 *
 * @example
 * ```ts
 * const bytes = serializeTensors({ weight: randn([2, 3]) }, { epoch: 3 });
 * ```
 * @category Serialization
 */
export function serializeTensors(tensors: Readonly<Record<string, Tensor>>, meta: unknown = null): Uint8Array {
  return encodeTensors('serializeTensors', tensors, meta);
}

/** Checks a record of tensors by name (a plain object whose every value is a Tensor). */
export function checkTensorRecord(fn: string, name: string, tensors: unknown): asserts tensors is Record<string, Tensor> {
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors) || tensors instanceof Tensor || ArrayBuffer.isView(tensors)) {
    failWith(fn, `${name} must be an object of tensors by name`, tensors, '{ name: Tensor, … }');
  }
  for (const [k, t] of Object.entries(tensors)) if (!(t instanceof Tensor)) failWith(fn, `entry '${k}' is not a Tensor`, t, 'a Tensor');
}

/** {@link serializeTensors} reporting errors as `fn` (saveTensors calls it too). */
export function encodeTensors(fn: string, tensors: Readonly<Record<string, Tensor>>, meta: unknown): Uint8Array {
  checkTensorRecord(fn, 'tensors', tensors);
  let metaJson: string | undefined;
  try {
    metaJson = JSON.stringify(meta);
  } catch (e) {
    failWith(fn, `meta must be JSON-serializable (${(e as Error).message})`, meta, 'a JSON value');
  }
  if (metaJson === undefined && meta !== undefined) failWith(fn, 'meta must be JSON-serializable', meta, 'a JSON value');
  const entries: Entry[] = [];
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const blob = bytesOf(contiguousData(t.data));
    entries.push({ name, dtype: t.dtype, shape: [...t.shape], offset, byteLength: blob.length });
    blobs.push(blob);
    offset = align8(offset + blob.length);
  }
  const header = new TextEncoder().encode(JSON.stringify({ tensors: entries, meta }));
  const dataStart = align8(16 + header.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, header.length, true);
  out.set(header, 16);
  entries.forEach((e, i) => out.set(blobs[i]!, dataStart + e.offset));
  return out;
}

/**
 * What {@link deserializeTensors} returns (and `loadTensors` of `@tapegrad/autograd/node`).
 *
 * @example
 * ```ts
 * const { tensors, meta }: TensorFile = deserializeTensors(bytes);
 * ```
 * @category Serialization
 */
export interface TensorFile {
  /** The tensors by name, each with its own buffer. */
  tensors: Record<string, Tensor>;
  /** The metadata saved alongside (null when none). */
  meta: unknown;
}

/**
 * Decodes bytes written by {@link serializeTensors} (read from a file, or fetched in a browser),
 * checking the magic, version, header and every
 * tensor's dtype, shape and extent; `source` names the file in errors.
 *
 * @example
 * ```ts
 * const { tensors } = deserializeTensors(serializeTensors({ w: ones([2]) }));
 * ```
 * @category Serialization
 */
export function deserializeTensors(bytes: Uint8Array, source = 'tensor data'): TensorFile {
  return decodeTensors('deserializeTensors', bytes, source);
}

/** {@link deserializeTensors} reporting errors as `fn` (loadTensors calls it with the path). */
export function decodeTensors(fn: string, bytes: Uint8Array, source: string): TensorFile {
  if (!(bytes instanceof Uint8Array)) failWith(fn, 'bytes must be a Uint8Array', bytes, 'a Uint8Array');
  if (typeof source !== 'string') failWith(fn, 'source must be a string', source, 'a name for messages');
  const fail = (what: string): never => {
    throw new Error(`${fn}: ${source}: ${what}`);
  };
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail(`not a tapegrad tensor file (expected the magic "${MAGIC}" at byte 0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION) fail(`unsupported format version ${version} (this tapegrad reads version ${VERSION})`);
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length) fail(`truncated: the header needs ${headerLength} bytes at offset 16 but the file has ${bytes.length} bytes`);
  let header: { tensors?: Entry[]; meta?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength)));
  } catch {
    return fail('the header at byte 16 is not valid JSON');
  }
  if (header === null || typeof header !== 'object' || !Array.isArray(header.tensors)) fail('the header has no tensor list');
  const dataStart = align8(16 + headerLength);
  const tensors: Record<string, Tensor> = {};
  for (const e of header.tensors!) {
    if (e === null || typeof e !== 'object' || typeof e.name !== 'string') fail(`a tensor entry of the header is malformed: ${JSON.stringify(e)}`);
    if (!Object.hasOwn(BYTES, e.dtype)) fail(`tensor '${e.name}' has unknown dtype ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`tensor '${e.name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    if (!(sizeOf(e.shape) <= MAX_ELEMENTS)) fail(`tensor '${e.name}' has shape ${fmt(e.shape)}, too large for one tensor`);
    const expected = sizeOf(e.shape) * BYTES[e.dtype];
    if (e.byteLength !== expected) fail(`tensor '${e.name}' of shape ${fmt(e.shape)} (${e.dtype}) needs ${expected} bytes, the header says ${e.byteLength}`);
    const start = dataStart + e.offset;
    if (!Number.isInteger(e.offset) || e.offset < 0 || start + expected > bytes.length) {
      fail(`truncated: tensor '${e.name}' needs bytes ${start}..${start + expected} but the file has ${bytes.length} bytes`);
    }
    const data = allocate(e.dtype, sizeOf(e.shape));
    const src = new DataView(bytes.buffer, bytes.byteOffset + start, expected);
    const read = (i: number): number => {
      switch (e.dtype) {
        case 'float32': return src.getFloat32(i * 4, true);
        case 'float64': return src.getFloat64(i * 8, true);
        case 'int32': return src.getInt32(i * 4, true);
        default: return +(src.getUint8(i) !== 0);
      }
    };
    for (let i = 0; i < data.length; i++) data[i] = read(i);
    tensors[e.name] = new Tensor(wrap(data, e.shape));
  }
  return { tensors, meta: header.meta ?? null };
}
