// ndView (kernels/nd-view.ts) calls the class ndarray() would pick directly: its views must be
// ndarray()'s in every observable way, for each storage type and rank, at any strides and offset
// (negative strides included), and storage ndarray() classes differently (a Node Buffer) must
// still get ndarray()'s own choice. Kernels are internal, so this test imports them from src.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { ndView } from '../src/kernels/nd-view.js';
import type { TypedArray } from '../src/dtype.js';

const STORAGE = [Float32Array, Float64Array, Int32Array, Uint8Array] as const;

function same(data: TypedArray, shape: number[], stride: number[], offset: number) {
  const mine = ndView(data, shape, stride, offset), theirs = ndarray(data, shape.slice(), stride.slice(), offset);
  expect(mine.constructor).toBe(theirs.constructor);
  expect(mine.data).toBe(data);
  expect([mine.dtype, mine.shape, mine.stride, mine.offset, mine.size, mine.dimension])
    .toEqual([theirs.dtype, theirs.shape, theirs.stride, theirs.offset, theirs.size, theirs.dimension]);
  // Every element reads the same cell.
  const n = theirs.size, index = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    expect(mine.index(...index)).toBe(theirs.index(...index));
    for (let d = shape.length - 1; d >= 0 && ++index[d]! === shape[d]; d--) index[d] = 0;
  }
}

describe('ndView', () => {
  it("makes ndarray()'s views, for each storage type and rank 0-6 (the first call and the cached ones)", () => {
    const arb = fc.array(fc.record({ n: fc.integer({ min: 0, max: 3 }), s: fc.integer({ min: -4, max: 4 }) }), { maxLength: 6 })
      .chain((dims) => fc.record({ dims: fc.constant(dims), kind: fc.integer({ min: 0, max: 3 }), extra: fc.nat(4) }));
    fc.assert(fc.property(arb, ({ dims, kind, extra }) => {
      const shape = dims.map((d) => d.n), stride = dims.map((d) => d.s);
      // An offset that keeps every element inside the storage, whatever the strides' signs.
      const low = dims.reduce((acc, d) => acc + Math.min(0, (Math.max(d.n, 1) - 1) * d.s), 0);
      const high = dims.reduce((acc, d) => acc + Math.max(0, (Math.max(d.n, 1) - 1) * d.s), 0);
      const offset = -low + (extra % 2);
      const data = new STORAGE[kind]!(offset + high + 1 + extra);
      same(data, shape, stride, offset);
      same(data, shape, stride, offset);
    }));
  });

  it("leaves storage ndarray() classes by itself (a Node Buffer) to ndarray()", () => {
    const buffer = Buffer.from([1, 2, 3, 4]);
    const v = ndView(buffer, [2, 2], [2, 1], 0);
    expect(v.dtype).toBe(ndarray(buffer, [2, 2]).dtype);
    expect(v.get(1, 0)).toBe(3);
  });
});
