// Shared helpers for op tests: property-based first- and second-order gradient checks.
import fc from 'fast-check';
import type { Tensor } from '@tapegrad/autograd';
import { gradcheck, gradgradcheck, type GradcheckOptions } from '@tapegrad/autograd/testing';

export interface PropertyGradOptions extends GradcheckOptions {
  /** Also check second derivatives (for smooth ops). */
  second?: boolean;
  /** Override the global number of runs (e.g. for expensive ops). */
  numRuns?: number;
}

/**
 * Asserts, for every input tuple the arbitrary draws, that `f`'s analytic gradient matches
 * central finite differences (and, with `second`, that its gradient of gradient does).
 */
export function propertyGradcheck(
  inputs: fc.Arbitrary<Tensor[]>,
  f: (...xs: Tensor[]) => Tensor | Tensor[],
  options: PropertyGradOptions = {},
): void {
  const { second = false, numRuns, ...tolerances } = options;
  fc.assert(
    fc.property(inputs, (xs) => {
      gradcheck(f, xs, { ...tolerances, raiseException: true });
      if (second) gradgradcheck(f, xs, tolerances);
    }),
    numRuns === undefined ? {} : { numRuns },
  );
}
