// The issue-11 properties for a list of functions of one tensor: forward mode agrees with reverse
// mode (⟨u, J v⟩ = ⟨Jᵀ u, v⟩ for random x, u, v), and vmap(f) equals stacking f over the examples
// (batch axis first, and moved elsewhere in and out).
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { jvp, stack, tensor, vjp, vmap, type Tensor } from '@tapegrad/autograd';

export interface RuleFamily {
  name: string;
  shape: number[];
  f: (x: Tensor) => Tensor;
  /** Draw distinct values (ops with ties, such as max pooling). */
  distinct?: boolean;
}

const f64 = (v: number[], shape: number[]) => tensor(v, { dtype: 'float64' }).reshape(shape);
const dot = (a: Tensor, b: Tensor) => a.mul(b).sum().item();

function values(n: number, distinct: boolean): fc.Arbitrary<number[]> {
  const arb = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n });
  return distinct ? fc.uniqueArray(fc.integer({ min: -500, max: 500 }), { minLength: n, maxLength: n }).map((a) => a.map((v) => v / 100)) : arb;
}

export function checkRules(families: readonly RuleFamily[]): void {
  for (const fam of families) {
    const n = fam.shape.reduce((a, b) => a * b, 1);
    it(`${fam.name}: <u, J v> = <J^T u, v>`, () => {
      fc.assert(
        fc.property(values(n, fam.distinct ?? false), values(n, false), (xv, vv) => {
          const x = f64(xv, fam.shape);
          const v = f64(vv, fam.shape);
          const [y, jv] = jvp(fam.f, [x], [v]);
          const u = f64(Array.from({ length: y.size }, (_, i) => Math.cos(3 * i + 1)), [...y.shape]);
          const [, pull] = vjp(fam.f, x);
          const lhs = dot(u, jv);
          const rhs = dot(pull(u)[0]!, v);
          expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * (1 + Math.abs(lhs)));
        }),
        { seed: 11, numRuns: 10 },
      );
    });
    it(`${fam.name}: vmap equals stacking`, () => {
      fc.assert(
        fc.property(values(3 * n, fam.distinct ?? false), (xv) => {
          const xs = f64(xv, [3, ...fam.shape]);
          const got = vmap(fam.f)(xs);
          const want = stack([0, 1, 2].map((i) => fam.f(xs.slice(i))));
          expect(got.shape).toEqual(want.shape);
          expect(got.sub(want).abs().max().item()).toBeLessThan(1e-12);
          const moved = vmap(fam.f, { inAxes: 1, outAxes: -1 })(xs.transpose(0, 1));
          expect(moved.sub(want.permute([...want.shape.slice(1).map((_, i) => i + 1), 0])).abs().max().item()).toBeLessThan(1e-12);
        }),
        { seed: 12, numRuns: 5 },
      );
    });
  }
}
