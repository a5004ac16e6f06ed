// Every tensor wraps its storage in an ndarray view, so making one is on the path of every op.
// `ndarray()` picks the view's class by the storage's type on each call, through a Buffer check
// and Object.prototype.toString: about a seventh of a tiny op's time (docs/performance.md). Here
// the class is asked of `ndarray()` once per storage type and rank, then called directly with the
// arguments its generated constructor takes (data, each extent, each stride, offset; a 0-d view
// takes data and offset). nd-view.test.ts checks the views agree with `ndarray()`'s.
import ndarray, { type NdArray } from 'ndarray';
import type { TypedArray } from '../dtype.js';

type Make = (data: TypedArray, shape: readonly number[], stride: readonly number[], offset: number) => NdArray<TypedArray>;
type View = new (...args: unknown[]) => NdArray<TypedArray>;

const STORAGE: readonly unknown[] = [Float32Array, Float64Array, Int32Array, Uint8Array];
const makers: Make[][] = STORAGE.map(() => []);

function makerFor(View: View, rank: number): Make {
  switch (rank) {
    case 0: return (a, _s, _t, o) => new View(a, o);
    case 1: return (a, s, t, o) => new View(a, s[0], t[0], o);
    case 2: return (a, s, t, o) => new View(a, s[0], s[1], t[0], t[1], o);
    case 3: return (a, s, t, o) => new View(a, s[0], s[1], s[2], t[0], t[1], t[2], o);
    case 4: return (a, s, t, o) => new View(a, s[0], s[1], s[2], s[3], t[0], t[1], t[2], t[3], o);
    default: return (a, s, t, o) => new View(a, ...s, ...t, o);
  }
}

/** An ndarray view of `data` (as `ndarray(data, shape, stride, offset)`, without its per-call type lookup). */
export function ndView(data: TypedArray, shape: readonly number[], stride: readonly number[], offset: number): NdArray<TypedArray> {
  const kind = STORAGE.indexOf(data.constructor);
  // Subclasses (a Node Buffer is a Uint8Array) and anything else keep ndarray()'s own choice.
  if (kind < 0) return ndarray(data, shape.slice(), stride.slice(), offset);
  const list = makers[kind]!;
  let make = list[shape.length];
  if (make === undefined) {
    const first = ndarray(data, shape.slice(), stride.slice(), offset);
    list[shape.length] = makerFor(first.constructor as View, shape.length);
    return first;
  }
  return make(data, shape, stride, offset);
}
