// The IDX format of MNIST and friends: a magic number, big-endian dimension sizes, raw values.
import { describeValue } from '@tapegrad/autograd';

/**
 * Element types an IDX file can declare (type codes 0x08 to 0x0E).
 *
 * @example
 * ```ts
 * const t: IdxDataType = 'ubyte'; // MNIST images and labels
 * ```
 * @category Loading
 */
export type IdxDataType = 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';

/**
 * The content of an IDX file: its element type, its dimensions and its values in row-major order
 * (in a typed array matching the type: `Uint8Array` for ubyte, `Float32Array` for float, …).
 *
 * @example
 * ```ts
 * const { type, shape, data } = parseIdx(bytes);
 * // type 'ubyte', shape [60000], data Uint8Array
 * ```
 * @category Loading
 */
export interface IdxArray {
  /** Element type declared by the file. */
  type: IdxDataType;
  /** Dimension sizes, outermost first. */
  shape: number[];
  /** The values, row-major. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

interface TypeInfo {
  type: IdxDataType;
  bytes: number;
  decode: (view: DataView, offset: number, count: number) => IdxArray['data'];
}

// Multi-byte values are big-endian; DataView reads them regardless of the machine's byte order.
function bigEndian<A extends Int16Array | Int32Array | Float32Array | Float64Array>(
  make: (n: number) => A,
  bytes: number,
  read: (v: DataView, at: number) => number,
): (view: DataView, offset: number, count: number) => A {
  return (view, offset, count) => {
    const out = make(count);
    for (let k = 0; k < count; k++) out[k] = read(view, offset + k * bytes);
    return out;
  };
}

const TYPES = new Map<number, TypeInfo>([
  [0x08, { type: 'ubyte', bytes: 1, decode: (v, o, n) => new Uint8Array(v.buffer.slice(v.byteOffset + o, v.byteOffset + o + n)) }],
  [0x09, { type: 'byte', bytes: 1, decode: (v, o, n) => new Int8Array(v.buffer.slice(v.byteOffset + o, v.byteOffset + o + n)) }],
  [0x0b, { type: 'short', bytes: 2, decode: bigEndian((n) => new Int16Array(n), 2, (v, at) => v.getInt16(at)) }],
  [0x0c, { type: 'int', bytes: 4, decode: bigEndian((n) => new Int32Array(n), 4, (v, at) => v.getInt32(at)) }],
  [0x0d, { type: 'float', bytes: 4, decode: bigEndian((n) => new Float32Array(n), 4, (v, at) => v.getFloat32(at)) }],
  [0x0e, { type: 'double', bytes: 8, decode: bigEndian((n) => new Float64Array(n), 8, (v, at) => v.getFloat64(at)) }],
]);

const hex = (n: number, digits: number) => `0x${n.toString(16).padStart(digits, '0')}`;
const KNOWN_TYPES = [...TYPES].map(([code, t]) => `${hex(code, 2)} (${t.type})`).join(', ');

/**
 * Parses IDX bytes already in memory (read from a file, or fetched in a browser); `source` names
 * them in errors. Gzipped bytes are refused with a hint: `readIdx` of `@tapegrad/data/node`
 * gunzips files, and a browser can decompress with `DecompressionStream('gzip')` first.
 *
 * @example
 * ```ts
 * const labels = parseIdx(new Uint8Array(await (await fetch(url)).arrayBuffer()), url);
 * ```
 * @category Loading
 */
export function parseIdx(bytes: Uint8Array, source = '<bytes>'): IdxArray {
  checkBytes('parseIdx', 'bytes', bytes);
  if (typeof source !== 'string') throw new Error(`parseIdx: source must be a string naming the bytes in messages (got ${describeValue(source)})`);
  if (isGzip(bytes)) {
    throw new Error(
      `parseIdx: ${source} is gzip-compressed (it starts with 0x1f 0x8b); decompress it first: readIdx of @tapegrad/data/node gunzips files, ` +
        `and in a browser: new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer())`,
    );
  }
  return decodeIdx(bytes, source, 'parseIdx');
}

/** Throws unless `bytes` is a Uint8Array (a Node Buffer is one). */
export function checkBytes(who: string, name: string, bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new Error(`${who}: ${name} must be a Uint8Array (got ${describeValue(bytes)}, expected the file's bytes)`);
}

/** Whether `bytes` start with the gzip magic bytes. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decodes uncompressed IDX bytes; `who` starts the error messages. */
export function decodeIdx(bytes: Uint8Array, source: string, who: string): IdxArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) {
    throw new Error(`${who}: ${source}: truncated header at byte offset 0: expected 4 bytes of magic number, got ${bytes.length}`);
  }
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(
      `${who}: ${source}: bad magic number ${hex(magic, 8)} at byte offset 0; an IDX file starts with two zero bytes, a type code and the number of dimensions`,
    );
  }
  const info = TYPES.get(bytes[2]!);
  if (!info) {
    throw new Error(`${who}: ${source}: bad magic number ${hex(magic, 8)}: unknown type code ${hex(bytes[2]!, 2)} at byte offset 2; expected one of ${KNOWN_TYPES}`);
  }
  const ndim = bytes[3]!;
  const dataOffset = 4 + 4 * ndim;
  if (bytes.length < dataOffset) {
    throw new Error(
      `${who}: ${source}: truncated header at byte offset 4: expected ${4 * ndim} bytes of dimension sizes (${ndim} dimension${ndim === 1 ? '' : 's'}), got ${bytes.length - 4}`,
    );
  }
  const shape = Array.from({ length: ndim }, (_, k) => view.getUint32(4 + 4 * k));
  const count = shape.reduce((a, b) => a * b, 1);
  if (count * info.bytes > bytes.length) {
    // Checked before anything is allocated: a corrupt header can claim more than memory holds.
    throw new Error(`${who}: ${source}: truncated data at byte offset ${dataOffset}: expected ${count * info.bytes} bytes (shape [${shape.join(',')}] of ${info.type}), got ${bytes.length - dataOffset}`);
  }
  const expected = count * info.bytes;
  const got = bytes.length - dataOffset;
  const what = `shape [${shape.join(',')}] of ${info.type}`;
  if (got < expected) {
    throw new Error(`${who}: ${source}: truncated data at byte offset ${dataOffset}: expected ${expected} bytes (${what}), got ${got}`);
  }
  if (got > expected) {
    throw new Error(
      `${who}: ${source}: ${got - expected} unexpected bytes after the data at byte offset ${dataOffset + expected} (${what} ends there)`,
    );
  }
  return { type: info.type, shape, data: info.decode(view, dataOffset, count) };
}
