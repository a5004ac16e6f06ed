// Collects the nodes, initializers and value names of an ONNX graph while the exporter walks a tape.
import type { Tensor } from '@tapegrad/autograd';
import { AttrType, DataType, type Attribute, type NodeProto, type TensorProto } from './proto.js';

/** An attribute value: numbers become INT or FLOAT by the rule's choice, arrays INTS/FLOATS. */
export type AttrValue = { int: number } | { float: number } | { ints: readonly number[] } | { floats: readonly number[] } | { string: string } | { strings: readonly string[] };

/** The ONNX element type of a tapegrad dtype. */
export const elemType = (t: Tensor) => ({ float32: DataType.FLOAT, float64: DataType.DOUBLE, int32: DataType.INT32, bool: DataType.BOOL })[t.dtype];

/** Little-endian bytes of a tensor's values (row-major), in its own element type. */
export function tensorProto(name: string, t: Tensor): TensorProto {
  const data = t.contiguousData();
  const bytes = new Uint8Array(data.length * data.BYTES_PER_ELEMENT);
  const view = new DataView(bytes.buffer);
  if (t.dtype === 'float64') data.forEach((v, i) => view.setFloat64(i * 8, v, true));
  else if (t.dtype === 'float32') data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else if (t.dtype === 'int32') data.forEach((v, i) => view.setInt32(i * 4, v, true));
  else bytes.set(data);
  return { name, dims: [...t.shape], data_type: elemType(t), raw_data: bytes };
}

function attribute(name: string, v: AttrValue): Attribute {
  if ('int' in v) return { name, type: AttrType.INT, i: v.int };
  if ('float' in v) return { name, type: AttrType.FLOAT, f: v.float };
  if ('ints' in v) return { name, type: AttrType.INTS, ints: [...v.ints] };
  if ('floats' in v) return { name, type: AttrType.FLOATS, floats: [...v.floats] };
  if ('strings' in v) return { name, type: AttrType.STRINGS, strings: v.strings.map((x) => new TextEncoder().encode(x)) };
  return { name, type: AttrType.STRING, s: new TextEncoder().encode(v.string) };
}

/** The graph being written: node list, initializers and fresh names. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly opset: number;
  #count = 0;

  constructor(opset: number) {
    this.opset = opset;
  }

  /** A new value name with a readable stem. */
  fresh(stem: string): string {
    return `${stem}_${this.#count++}`;
  }

  /** Appends a node; returns its (first) output name. */
  node(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, outputs: readonly string[] = [this.fresh(opType.toLowerCase())]): string {
    this.nodes.push({
      op_type: opType,
      name: `${opType}_${this.nodes.length}`,
      input: [...inputs],
      output: [...outputs],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outputs[0]!;
  }

  /** A float initializer holding `t`. */
  tensor(name: string, t: Tensor): string {
    this.initializers.push(tensorProto(name, t));
    return name;
  }

  /** An int64 initializer (shapes, axes, slice bounds). */
  int64s(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.fresh('const_i64');
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.initializers.push({ name, dims: [...dims], data_type: DataType.INT64, raw_data: bytes });
    return name;
  }

  /** A scalar initializer of the element type of `like`. */
  scalar(value: number, like: Tensor): string {
    const name = this.fresh('const');
    const bytes = new Uint8Array(like.dtype === 'float64' ? 8 : 4);
    const view = new DataView(bytes.buffer);
    if (like.dtype === 'float64') view.setFloat64(0, value, true);
    else view.setFloat32(0, value, true);
    this.initializers.push({ name, dims: [], data_type: elemType(like), raw_data: bytes });
    return name;
  }
}
