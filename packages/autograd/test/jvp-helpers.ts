// Forward-mode checks for op tests: jvp (the op's jvp rule) against central finite differences
// along a random direction, for every input tuple an arbitrary draws.
import fc from 'fast-check';
import { expect } from 'vitest';
import { Generator, jvp, noGrad, randn, type Tensor } from '@tapegrad/autograd';

export function jvpcheck(f: (...xs: Tensor[]) => Tensor, xs: readonly Tensor[], { eps = 1e-6, atol = 1e-6, rtol = 1e-5, seed = 0 } = {}): void {
  const gen = new Generator(seed);
  const ts = xs.map((x) => randn(x.shape, { dtype: 'float64', generator: gen }));
  const [, tOut] = jvp(f, [...xs], ts);
  const at = (s: number) => noGrad(() => f(...xs.map((x, i) => x.detach().add(ts[i]!.mul(s)))));
  const fd = noGrad(() => at(eps).sub(at(-eps)).div(2 * eps));
  const got = Array.from(tOut.contiguousData());
  const want = Array.from(fd.contiguousData());
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    if (!(Math.abs(g - want[i]!) <= atol + rtol * Math.abs(want[i]!))) {
      throw new Error(`jvpcheck: element ${i}: jvp ${g} vs finite differences ${want[i]} (shapes ${xs.map((x) => `[${x.shape.join(',')}]`).join(', ')})`);
    }
  });
}

/** {@link jvpcheck} for every tuple `inputs` draws. */
export function propertyJvpcheck(inputs: fc.Arbitrary<Tensor[]>, f: (...xs: Tensor[]) => Tensor, options: Parameters<typeof jvpcheck>[2] = {}): void {
  fc.assert(fc.property(inputs, (xs) => jvpcheck(f, xs, options)));
}
