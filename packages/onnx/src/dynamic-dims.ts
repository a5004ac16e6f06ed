// Which axes of each traced value are dynamic (free in the ONNX graph), for exportOnnx's
// dynamicAxes. A dynamic axis carries a label: the name the user gave it (`'batch'`, `'seq'`), or
// a product of names and a static factor when a reshape merges axes (`'batch*2'`). Static axes are null.

/** One label (or null) per axis. */
export type Dims = readonly (string | null)[];

/** The names and static factor a label stands for: 'batch*seq*2' → { names: ['batch', 'seq'], factor: 2 }. */
function parse(label: string): { names: string[]; factor: number } {
  const parts = label.split('*');
  const factor = parts.filter((p) => /^[0-9]+$/.test(p)).reduce((a, p) => a * Number(p), 1);
  return { names: parts.filter((p) => !/^[0-9]+$/.test(p)), factor };
}

/** The label of an axis holding `names` times a static factor. */
function labelOf(names: readonly string[], factor: number): string {
  return [...names, ...(factor === 1 ? [] : [String(factor)])].join('*');
}

/**
 * Output dims and the Reshape target for a reshape from `inShape` (dims `inDims`) to `outShape`.
 * Leading axes kept in place are copied (0 in the target); the dynamic axes after them must merge
 * into one output axis, written as −1 (found by its size in the example).
 */
export function reshapeDims(inShape: readonly number[], inDims: Dims, outShape: readonly number[], sizes?: ReadonlyMap<string, number>): { dims: Dims; target: (number | string)[] } | string {
  if (inDims.every((d) => d === null)) return { dims: outShape.map(() => null), target: [...outShape] };
  let p = 0;
  while (p < inShape.length && p < outShape.length && inShape[p] === outShape[p]) p++;
  const restAxes = inDims.map((d, k) => k).filter((k) => k >= p && inDims[k] !== null);
  const rest = restAxes.map((k) => inDims[k]!);
  const dims: (string | null)[] = outShape.map((_, k) => (k < p ? inDims[k]! : null));
  const target: (number | string)[] = outShape.map((d, k) => (k < p && inDims[k] !== null ? 0 : d));
  if (rest.length === 0) return { dims, target };
  const names = rest.flatMap((l) => parse(l).names);
  // The example size of the dynamic names alone (each label's static factor taken out).
  const dynamicSize = restAxes.reduce((a, k) => a * (inShape[k]! / parse(inDims[k]!).factor), 1);
  const candidates = outShape.map((d, k) => k).filter((k) => k >= p && outShape[k]! % dynamicSize === 0);
  const exact = candidates.filter((k) => outShape[k] === dynamicSize);
  const pick = exact.length === 1 ? exact : candidates;
  if (pick.length !== 1 && sizes) {
    // Several names merged before (ids flattened by an Embedding) come apart again: each name to an
    // output axis of its example size, in order, read from its graph input when the graph runs.
    const split = splitNames(names, outShape, p, sizes);
    if (split) {
      split.forEach((name, k) => {
        if (name === null) return;
        dims[k] = name;
        target[k] = name;
      });
      return { dims, target };
    }
  }
  if (pick.length !== 1) {
    return `cannot tell which axis of [${outShape.join(', ')}] holds the dynamic axes ${rest.map((l) => `'${l}'`).join(', ')} of [${inShape.join(', ')}]${pick.length > 1 ? ' (give dynamic axes example sizes that differ from the static ones)' : ''}`;
  }
  const j = pick[0]!;
  dims[j] = labelOf(names, outShape[j]! / dynamicSize);
  target[j] = -1;
  return { dims, target };
}

/** Output axes (from p on) for each name in order, matched by example size, or null when they do not all fit. */
function splitNames(names: readonly string[], outShape: readonly number[], p: number, sizes: ReadonlyMap<string, number>): (string | null)[] | null {
  if (names.length < 2) return null;
  // Unambiguous only: as many output axes of each example size as names of that size.
  const count = (list: readonly number[], n: number) => list.filter((v) => v === n).length;
  const nameSizes = names.map((n) => sizes.get(n)!);
  if (nameSizes.some((n) => count(outShape.slice(p), n) !== count(nameSizes, n))) return null;
  const picked: (string | null)[] = outShape.map(() => null);
  let k = p;
  for (const name of names) {
    while (k < outShape.length && outShape[k] !== sizes.get(name)) k++;
    if (k === outShape.length) return null;
    picked[k++] = name;
  }
  return picked;
}

/** A label for a dynamic axis whose size an op changes (a strided convolution, a pooling). */
export const derived = (label: string, op: string) => `${op}(${label})`;

/** The dims of graph input `name` from the user's `dynamicAxes` entry, validated. */
export function dynamicInputDims(t: { shape: readonly number[] }, name: string, spec: Readonly<Record<number, string>> | undefined): Dims {
  const dims: (string | null)[] = t.shape.map(() => null);
  for (const [key, label] of Object.entries(spec ?? {})) {
    const axis = Number(key);
    if (!Number.isInteger(axis) || axis < 0 || axis >= t.shape.length) throw new Error(`exportOnnx: dynamicAxes of '${name}' names axis ${key}, but the input has ${t.shape.length} axes`);
    if (typeof label !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(label)) throw new Error(`exportOnnx: dynamicAxes of '${name}' names axis ${key} ${JSON.stringify(label)}; a name is a letter or _ followed by letters, digits or _`);
    // Size 1 would be indistinguishable from broadcasting, and ops treat size 0 and 1 specially.
    if (t.shape[axis]! < 2) throw new Error(`exportOnnx: dynamic axis ${axis} ('${label}') of '${name}' has size ${t.shape[axis]} in the example; give an example with at least 2 there`);
    dims[axis] = label;
  }
  return dims;
}

/**
 * Dims of an op's output when its rule did not give them: for an elementwise op (output shape the
 * broadcast of the inputs'), each axis takes its inputs' label; a fixed-size input along a dynamic
 * axis is refused. A rule that returned `batched` (axis 0 only) keeps that. Otherwise, an op that
 * changes shapes refuses dynamic inputs. Returns the dims or the reason for the error.
 */
export function inferDims(out: readonly number[], inputs: readonly { shape: readonly number[]; dims: Dims }[], batched: boolean | null): Dims | string {
  const dynamic = inputs.filter((x) => x.dims.some((d) => d !== null));
  if (dynamic.length === 0) return out.map(() => null);
  if (batched !== null) {
    if (dynamic.some((x) => x.dims.some((d, k) => d !== null && k > 0))) return 'this op keeps only axis 0 dynamic (its other axes are fixed in the graph)';
    return out.map((_, k) => (k === 0 && batched ? dynamic[0]!.dims[0]! : null));
  }
  const labels: (string | null)[] = out.map(() => null);
  const fixed: boolean[] = out.map(() => false);
  for (const x of inputs) {
    if (x.shape.length > out.length) return 'no rule for dynamic axes (the op changes shapes)';
    for (let k = 0; k < x.shape.length; k++) {
      const j = k + out.length - x.shape.length;
      const [n, d] = [x.shape[k]!, x.dims[k]!];
      if (n === out[j]) {
        if (d !== null) labels[j] ??= d;
        else if (n !== 1) fixed[j] = true;
      } else if (n !== 1 || d !== null) return 'no rule for dynamic axes (the op changes shapes)';
    }
  }
  const clash = labels.findIndex((l, j) => l !== null && fixed[j]);
  if (clash >= 0) return `a tensor of fixed size ${out[clash]} (a constant or parameter of the trace) meets dynamic axis '${labels[clash]}' at axis ${clash}, so that axis cannot be dynamic`;
  return labels;
}
