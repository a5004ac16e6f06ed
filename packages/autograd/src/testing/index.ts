/**
 * Tools to test ops the way tapegrad tests its own: finite-difference gradient checks and
 * fast-check arbitraries (requires `fast-check` installed).
 *
 * @example
 * ```ts
 * import { gradcheck, tensorArb } from '@tapegrad/autograd/testing';
 * ```
 * @module testing
 */
export { gradcheck, gradgradcheck } from './gradcheck.js';
export type { GradcheckOptions, GradcheckReport, GradcheckMismatch, GradcheckFn } from './gradcheck.js';
export { shapeArb, broadcastShapesArb, tensorArb, tensorsArb } from './arbitraries.js';
export type { ShapeConstraints, ValueConstraints } from './arbitraries.js';
