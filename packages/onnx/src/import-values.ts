// Values flowing through an imported graph: float tensors are tapegrad tensors (differentiable);
// integer and boolean values (shapes, axes, indices, masks) are static arrays known at import time.
import { fromTyped, Tensor } from '@tapegrad/autograd';
import { AttrType, DataType, num, type Attribute, type TensorProto } from './proto.js';

/** An integer or boolean tensor computed on the JS side (shapes, indices): never differentiated. */
export interface Static {
  readonly static: true;
  readonly dtype: number;
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/** What a graph value holds. */
export type Value = Tensor | Static;

export const isStatic = (v: Value | undefined): v is Static => v !== undefined && !(v instanceof Tensor);
export const staticOf = (dtype: number, shape: readonly number[], data: readonly number[]): Static => ({ static: true, dtype, shape: [...shape], data: [...data] });

const isFloat = (t: number) => t === DataType.FLOAT || t === DataType.DOUBLE || t === DataType.FLOAT16;

function rawValues(t: TensorProto, count: number): number[] {
  const raw = t.raw_data!;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const read: Record<number, [number, (o: number) => number]> = {
    [DataType.FLOAT]: [4, (o) => view.getFloat32(o, true)],
    [DataType.DOUBLE]: [8, (o) => view.getFloat64(o, true)],
    [DataType.INT64]: [8, (o) => Number(view.getBigInt64(o, true))],
    [DataType.INT32]: [4, (o) => view.getInt32(o, true)],
    [DataType.INT8]: [1, (o) => view.getInt8(o)],
    [DataType.UINT8]: [1, (o) => view.getUint8(o)],
    [DataType.BOOL]: [1, (o) => view.getUint8(o)],
  };
  const r = read[t.data_type];
  if (!r) throw new Error(`importOnnx: tensor '${t.name}' has ONNX data type ${t.data_type}, which is not supported`);
  if (raw.byteLength !== r[0] * count) throw new Error(`importOnnx: tensor '${t.name}' holds ${raw.byteLength} bytes for ${count} elements`);
  return Array.from({ length: count }, (_, i) => r[1](i * r[0]));
}

/** Decodes a TensorProto: float data as a (constant) tensor, anything else as a static value. */
export function decodeTensor(t: TensorProto): Value {
  const shape = (t.dims ?? []).map(num);
  const count = shape.reduce((a, b) => a * b, 1);
  let values: number[];
  if (t.raw_data && t.raw_data.length > 0) values = rawValues(t, count);
  else values = (t.float_data ?? t.double_data ?? t.int32_data ?? t.int64_data ?? []).map((v) => num(v as number));
  if (values.length !== count) throw new Error(`importOnnx: tensor '${t.name}' of shape [${shape.join(', ')}] holds ${values.length} values`);
  if (!isFloat(t.data_type)) return staticOf(t.data_type, shape, values);
  const data = t.data_type === DataType.DOUBLE ? Float64Array.from(values) : Float32Array.from(values);
  return fromTyped(data, shape);
}

/** An attribute's value as a JS value (numbers, arrays, strings, tensors). */
export function attrValue(a: Attribute): unknown {
  switch (a.type) {
    case AttrType.FLOAT: return a.f ?? 0;
    case AttrType.INT: return num(a.i);
    case AttrType.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case AttrType.TENSOR: return decodeTensor(a.t!);
    case AttrType.FLOATS: return [...(a.floats ?? [])];
    case AttrType.INTS: return (a.ints ?? []).map(num);
    case AttrType.STRINGS: return (a.strings ?? []).map((x) => new TextDecoder().decode(x));
    default: throw new Error(`importOnnx: attribute '${a.name}' has unsupported type ${a.type}`);
  }
}

/** A static value's integers (axes, shapes, indices). */
export function ints(v: Value | undefined, what: string): number[] {
  if (v === undefined) throw new Error(`importOnnx: ${what} is missing`);
  if (!isStatic(v)) throw new Error(`importOnnx: ${what} must be known when the graph is imported (a constant or computed from shapes), not a float tensor`);
  return [...v.data];
}

/** A float tensor (static values become constant tensors of `like`'s dtype). */
export function tensorOf(v: Value | undefined, what: string, like?: Tensor): Tensor {
  if (v === undefined) throw new Error(`importOnnx: ${what} is missing`);
  if (v instanceof Tensor) return v;
  const data = like?.dtype === 'float64' ? Float64Array.from(v.data) : Float32Array.from(v.data);
  return fromTyped(data, v.shape);
}
