// copyToContiguous (memcpy for contiguous views, the strided odometer otherwise) against reading
// every element with get(): offsets, permuted, flipped and broadcast views, 0-d arrays, dtype
// changes, and a fresh buffer.
// Kernels are internal, so this test imports them from src.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ndarray from 'ndarray';
import { copyToContiguous } from '../src/kernels/layout.js';

describe('copyToContiguous', () => {
  it('equals an element-by-element read of the view, in a new buffer', () => {
    const arb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }).chain((S) => fc.record({
      S: fc.constant(S), transpose: fc.boolean(), off: fc.nat(3), f64: fc.boolean(), to64: fc.boolean(),
      flip: fc.boolean(), bcast: fc.integer({ min: 0, max: 3 }),
    }));
    fc.assert(fc.property(arb, ({ S, transpose, off, f64, to64, flip, bcast }) => {
      const size = S.reduce((a, b) => a * b, 1);
      const data = new (f64 ? Float64Array : Float32Array)(off + size).map((_, i) => i * 1.25 - 3);
      let v = ndarray(data, S.slice(), undefined, off);
      if (transpose && S.length >= 2) v = v.transpose(...[...S.keys()].reverse());
      if (flip && S.length > 0) v = v.step(-1);
      // A leading broadcast dimension (stride 0), as expand() makes.
      if (bcast > 0) v = ndarray(v.data, [bcast, ...v.shape], [0, ...v.stride], v.offset);
      const got = copyToContiguous(v, to64 ? 'float64' : f64 ? 'float64' : 'float32');
      expect(got.buffer).not.toBe(data.buffer);
      expect(got instanceof Float64Array).toBe(to64 || f64);
      const want: number[] = [];
      const idx = new Array<number>(v.shape.length).fill(0);
      for (let k = 0; k < v.size; k++) {
        want.push(v.get(...idx));
        for (let d = idx.length - 1; d >= 0 && ++idx[d]! === v.shape[d]; d--) idx[d] = 0;
      }
      expect(Array.from(got)).toEqual(want);
    }), { numRuns: 300 });
  });
});
