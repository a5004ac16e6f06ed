// ONNX protobuf messages through protobufjs and the official schema (embedded as text, parsed once).
// Messages are plain objects with the schema's field names (snake_case, as in onnx.proto).
import protobuf from 'protobufjs';
import { onnxProtoText } from './onnx-proto-text.js';

/** An AttributeProto as a plain object; only the field matching `type` is set. */
export interface Attribute {
  name: string;
  type: number;
  f?: number;
  i?: number | Long;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: (number | Long)[];
  strings?: Uint8Array[];
}
interface Long {
  toNumber(): number;
}
/** A TensorProto: dims and data (raw little-endian bytes or a typed field). */
export interface TensorProto {
  name?: string;
  dims: (number | Long)[];
  data_type: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  double_data?: number[];
  int32_data?: number[];
  int64_data?: (number | Long)[];
}
/** A NodeProto. */
export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  op_type: string;
  domain?: string;
  attribute: Attribute[];
}
/** A ValueInfoProto with a tensor type. */
export interface ValueInfo {
  name: string;
  type?: { tensor_type?: { elem_type: number; shape?: { dim: { dim_value?: number | Long; dim_param?: string }[] } } };
}
/** A GraphProto. */
export interface GraphProto {
  node: NodeProto[];
  name: string;
  initializer: TensorProto[];
  input: ValueInfo[];
  output: ValueInfo[];
  value_info?: ValueInfo[];
}
/** A ModelProto. */
export interface ModelProto {
  ir_version: number | Long;
  opset_import: { domain?: string; version: number | Long }[];
  producer_name?: string;
  producer_version?: string;
  graph: GraphProto;
}

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11 } as const;
/** AttributeProto.AttributeType values used here. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

let modelType: protobuf.Type | null = null;
function model(): protobuf.Type {
  modelType ??= protobuf.parse(onnxProtoText, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/** Serializes a ModelProto. */
export function encodeModel(m: ModelProto): Uint8Array {
  const type = model();
  const err = type.verify(m);
  if (err) throw new Error(`exportOnnx: internal error, invalid ModelProto: ${err}`);
  return type.encode(type.fromObject(m)).finish();
}

/** Parses a ModelProto (int64 fields become numbers; byte fields stay Uint8Array). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const type = model();
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (e) {
    throw new Error(`importOnnx: not an ONNX model (protobuf decoding failed: ${(e as Error).message})`, { cause: e });
  }
  return type.toObject(message, { longs: Number, defaults: false, arrays: true }) as ModelProto;
}

/** A number from a field that may be a protobufjs Long. */
export const num = (v: number | Long | undefined): number => (v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());
