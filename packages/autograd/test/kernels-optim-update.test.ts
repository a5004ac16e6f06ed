// The WebAssembly SIMD optimizer updates (kernels/wasm/optim-module.ts) against their TypeScript
// references, which round every operation to float32 in the kernel's order: results must be
// bit-identical for random sizes (non-multiples of the vector width, several chunks), random
// values including special ones, and every option (AMSGrad, weight decay, maximize, momentum,
// dampening, Nesterov, first step). Kernels are internal, so this test imports them from src.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fusedAdamUpdate, fusedSgdUpdate, simdOptim } from '../src/kernels/optim-update.js';
import { expectSameBits as expectSame } from './kernel-cases.js';

const saved = { ...simdOptim };
afterEach(() => Object.assign(simdOptim, saved));

const SPECIAL = [0, -0, 1, -1, 1e-45, -1e-40, 1e-20, 3e38, -3e38, Infinity, NaN];
const valueArb = fc.oneof(fc.constantFrom(...SPECIAL), fc.float({ noDefaultInfinity: false }).map(Number), fc.double({ min: -10, max: 10, noNaN: true }));
const sizeArb = fc.oneof(fc.constantFrom(0, 1, 3, 4, 5, 63, 64, 65), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 2000, max: 9000 }));
const arrays = (count: number) => fc.record({ n: sizeArb, vals: fc.array(valueArb, { minLength: 1, maxLength: 50 }), seed: fc.nat(1000) })
  .map(({ n, vals, seed }) => Array.from({ length: count }, (_, k) => Float32Array.from({ length: n }, (_, i) => vals[(i * 7 + k * 13 + seed) % vals.length]!)));

/** Runs `update` on copies with the SIMD path forced on and off; returns both results. */
function both(inputs: Float32Array[], update: (a: Float32Array[]) => void): [Float32Array[], Float32Array[]] {
  const simd = inputs.map((a) => a.slice()), ref = inputs.map((a) => a.slice());
  Object.assign(simdOptim, { enabled: true, minSize: 0, chunk: 1024 });
  update(simd);
  simdOptim.enabled = false;
  update(ref);
  return [simd, ref];
}

describe('fused optimizer kernels, float32', () => {
  it('Adam/AdamW/AMSGrad: SIMD bit-identical to the float32 reference', () => {
    fc.assert(fc.property(arrays(5), fc.boolean(), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.boolean(), fc.integer({ min: 1, max: 50 }), fc.constantFrom(1, -1),
      (inputs, amsgrad, wd, decoupled, t, sign) => {
        inputs[3] = inputs[3]!.map(Math.abs); // second moments are non-negative
        inputs[4] = inputs[4]!.map(Math.abs);
        const [lr, b1, b2] = [1e-2, 0.9, 0.999];
        const h = { sign, l2: decoupled ? 0 : wd, beta1: b1, beta2: b2, shrink: decoupled ? 1 - lr * wd : 1, stepSize: lr / (1 - b1 ** t), bc2Sqrt: Math.sqrt(1 - b2 ** t), eps: 1e-8 };
        const [simd, ref] = both(inputs, ([p, g, m, v, vmax]) => fusedAdamUpdate(p!, g!, m!, v!, amsgrad ? vmax! : null, h));
        for (const k of [0, 2, 3, 4]) expectSame(simd[k]!, ref[k]!);
        expectSame(simd[1]!, inputs[1]!); // the gradient is read only
      }), { numRuns: 60, seed: 10 });
  });

  it('SGD with and without (Nesterov) momentum: SIMD bit-identical to the float32 reference', () => {
    fc.assert(fc.property(arrays(3), fc.constantFrom(0, 0.9, 0.5), fc.constantFrom(0, 0.1), fc.boolean(), fc.boolean(), fc.constantFrom(0, 1e-3), fc.constantFrom(1, -1),
      (inputs, momentum, dampening, nesterov, first, l2, sign) => {
        const h = { sign, l2, lr: 0.05, momentum, dampening, nesterov: nesterov && momentum > 0, first };
        const [simd, ref] = both(inputs, ([p, g, b]) => fusedSgdUpdate(p!, g!, momentum === 0 ? null : b!, h));
        expectSame(simd[0]!, ref[0]!);
        expectSame(simd[2]!, ref[2]!);
      }), { numRuns: 60, seed: 11 });
  });

  it('computes in float32: one Adam step by hand', () => {
    const p = new Float32Array([1, -2, 0.5, 3, 0.25]), g = new Float32Array([0.5, -1, 0, 2, 1e-3]);
    const m = new Float32Array(5), v = new Float32Array(5);
    Object.assign(simdOptim, { minSize: 0 });
    const h = { sign: 1, l2: 0, beta1: 0.9, beta2: 0.999, shrink: 1, stepSize: 0.1 / 0.1, bc2Sqrt: Math.sqrt(0.001), eps: 1e-8 };
    fusedAdamUpdate(p, g, m, v, null, h);
    // First step: m̂ = g, v̂ = g², so each nonzero g moves p by lr·sign(g) (up to eps and rounding).
    const want = [0.9, -1.9, 0.5, 2.9, 0.15];
    want.forEach((w, i) => expect(p[i]).toBeCloseTo(w, 5));
  });

  it('names the function when lengths differ', () => {
    const a = new Float32Array(4), b = new Float32Array(3);
    expect(() => fusedAdamUpdate(a, b, a.slice(), a.slice(), null, { sign: 1, l2: 0, beta1: 0.9, beta2: 0.9, shrink: 1, stepSize: 1, bc2Sqrt: 1, eps: 1 }))
      .toThrow('fusedAdamUpdate: grad has 3 elements, param has 4');
    expect(() => fusedSgdUpdate(a, a.slice(), b, { sign: 1, l2: 0, lr: 1, momentum: 0.9, dampening: 0, nesterov: false, first: true }))
      .toThrow('fusedSgdUpdate: momentumBuffer has 3 elements, param has 4');
  });
});
