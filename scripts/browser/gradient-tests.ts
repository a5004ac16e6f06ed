// The browser bundle of a subset of autograd's own tests: the property-based gradient checks of
// the elementwise, matrix-product and convolution ops (against finite differences, first and
// second order), and the bit-for-bit checks of the WebAssembly SIMD elementwise kernels against
// their JavaScript reference. Same files as in Node, with vitest replaced by vitest-shim.ts.
import '../../test/setup.js';
import '../../packages/autograd/test/elementwise.test.js';
import '../../packages/autograd/test/linalg.test.js';
import '../../packages/autograd/test/conv.test.js';
import '../../packages/autograd/test/kernels-simd-elementwise.test.js';
import { runCollected } from './vitest-shim.js';

const results = await runCollected();
(globalThis as unknown as { testResults: typeof results }).testResults = results;
