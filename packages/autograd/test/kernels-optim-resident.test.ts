// Optimizer state resident in WebAssembly memory (kernels/optim-state.ts, the arenas of
// wasm/simd-memory.ts): the fused updates on resident state are bit-identical to the TypeScript
// reference loops on plain arrays, for every mix of resident and plain operands, both dtypes and
// sizes around the SIMD threshold and the chunk; the arena allocator never hands out overlapping
// regions and reclaims a region once its array is garbage-collected.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fusedAdamUpdate, fusedSgdUpdate, simdOptim } from '../src/kernels/optim-update.js';
import { optimizerState, residentRegion, residentState } from '../src/kernels/optim-state.js';
import { allocateResident, freeResident, residentUsage, type ResidentRegion } from '../src/kernels/wasm/simd-memory.js';

const saved = { simd: { ...simdOptim }, resident: { ...residentState } };
afterEach(() => {
  Object.assign(simdOptim, saved.simd);
  Object.assign(residentState, saved.resident);
});

const SPECIAL = [0, -0, 1, -1, 1e-45, -1e-40, 1e-20, 3e38, -3e38, Infinity, NaN];
const valueArb = fc.oneof(fc.constantFrom(...SPECIAL), fc.float({ noDefaultInfinity: false }).map(Number), fc.double({ min: -10, max: 10, noNaN: true }));
// 0, 1, around the vector width, below/above minSize (32), not multiples of 4, several chunks of 1024.
const sizeArb = fc.oneof(fc.constantFrom(0, 1, 3, 4, 5, 31, 32, 33, 63, 65, 1023, 1025), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 2000, max: 5000 }));
const inputsArb = (count: number) => fc.record({ n: sizeArb, vals: fc.array(valueArb, { minLength: 1, maxLength: 50 }), seed: fc.nat(1000) })
  .map(({ n, vals, seed }) => Array.from({ length: count }, (_, k) => Array.from({ length: n }, (_, i) => vals[(i * 7 + k * 13 + seed) % vals.length]!)));

/** Identical values, NaN matching NaN and −0 distinct from +0. */
function expectSame(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) expect([i, got[i]]).toEqual([i, want[i]]);
}

/** `values` in an array from optimizerState (resident for float32 when `resident`) or a plain one. */
function place(values: number[], dtype: 'float32' | 'float64', resident: boolean): Float32Array | Float64Array {
  residentState.enabled = resident;
  const a = optimizerState(dtype, values.length);
  residentState.enabled = true;
  a.set(values);
  return a;
}

/**
 * Runs `update` with operands placed as `mask` says (bit i: operand i resident) and the SIMD path
 * on, and on plain arrays with the reference loops; returns both results as plain arrays.
 */
function compare(inputs: number[][], dtype: 'float32' | 'float64', mask: number, update: (a: (Float32Array | Float64Array)[]) => void): [number[][], number[][]] {
  Object.assign(simdOptim, { enabled: true, minSize: 32, chunk: 1024 });
  const placed = inputs.map((v, i) => place(v, dtype, ((mask >> i) & 1) === 1));
  if (dtype === 'float32') placed.forEach((a, i) => expect(residentRegion(a) !== undefined).toBe(((mask >> i) & 1) === 1 && a.length > 0));
  update(placed);
  simdOptim.enabled = false;
  const ref = inputs.map((v) => (dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v)));
  update(ref);
  return [placed.map((a) => Array.from(a)), ref.map((a) => Array.from(a))];
}

describe('fused optimizer updates on resident state', () => {
  it('Adam/AdamW/AMSGrad: bit-identical to the reference for any mix of resident and plain operands', () => {
    fc.assert(fc.property(inputsArb(5), fc.nat(31), fc.constantFrom<'float32' | 'float64'>('float32', 'float64'), fc.boolean(), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.boolean(), fc.integer({ min: 1, max: 50 }), fc.constantFrom(1, -1),
      (inputs, mask, dtype, amsgrad, wd, decoupled, t, sign) => {
        inputs[3] = inputs[3]!.map(Math.abs);
        inputs[4] = inputs[4]!.map(Math.abs);
        const [lr, b1, b2] = [1e-2, 0.9, 0.999];
        const h = { sign, l2: decoupled ? 0 : wd, beta1: b1, beta2: b2, shrink: decoupled ? 1 - lr * wd : 1, stepSize: lr / (1 - b1 ** t), bc2Sqrt: Math.sqrt(1 - b2 ** t), eps: 1e-8 };
        const [got, want] = compare(inputs, dtype, mask, ([p, g, m, v, vmax]) => fusedAdamUpdate(p!, g!, m!, v!, amsgrad ? vmax! : null, h));
        for (const k of [0, 2, 3, 4]) expectSame(got[k]!, want[k]!);
        expectSame(got[1]!, dtype === 'float32' ? Array.from(Float32Array.from(inputs[1]!)) : inputs[1]!);
      }), { numRuns: 80, seed: 20 });
  });

  it('SGD with and without (Nesterov) momentum: bit-identical to the reference for any mix of operands', () => {
    fc.assert(fc.property(inputsArb(3), fc.nat(7), fc.constantFrom<'float32' | 'float64'>('float32', 'float64'), fc.constantFrom(0, 0.9), fc.constantFrom(0, 0.1), fc.boolean(), fc.boolean(), fc.constantFrom(1, -1),
      (inputs, mask, dtype, momentum, dampening, nesterov, first, sign) => {
        const h = { sign, l2: 1e-3, lr: 0.05, momentum, dampening, nesterov: nesterov && momentum > 0 && dampening === 0, first };
        const [got, want] = compare(inputs, dtype, mask, ([p, g, b]) => fusedSgdUpdate(p!, g!, momentum === 0 ? null : b!, h));
        expectSame(got[0]!, want[0]!);
        expectSame(got[2]!, want[2]!);
      }), { numRuns: 60, seed: 21 });
  });

  it('a subarray of resident state is not mistaken for a region (it is copied, the rest untouched)', () => {
    Object.assign(simdOptim, { minSize: 0, chunk: 1024 });
    const whole = optimizerState('float32', 40).fill(1);
    const m = whole.subarray(3, 13), v = whole.subarray(20, 30);
    const p = new Float32Array(10).fill(2), g = new Float32Array(10).fill(0.5);
    const h = { sign: 1, l2: 0, beta1: 0.9, beta2: 0.999, shrink: 1, stepSize: 0.1, bc2Sqrt: 1, eps: 1e-8 };
    expect(residentRegion(m)).toBeUndefined();
    fusedAdamUpdate(p, g, m, v, null, h);
    const want = [new Float32Array(10).fill(2), g, new Float32Array(10).fill(1), new Float32Array(10).fill(1)];
    simdOptim.enabled = false;
    fusedAdamUpdate(want[0]!, want[1]!, want[2]!, want[3]!, null, h);
    expectSame(p, want[0]!);
    expectSame(m, want[2]!);
    expectSame(v, want[3]!);
    for (const i of [0, 1, 2, 13, 19, 30, 39]) expect(whole[i]).toBe(1);
  });

  it('optimizerState: zero-filled even where a freed region held values; float64 and size 0 are plain arrays', () => {
    const a = optimizerState('float32', 100);
    expect(residentRegion(a)).toBeDefined();
    a.fill(7);
    freeResident(residentRegion(a)!); // as the finalizer would, once `a` is unreachable
    const b = optimizerState('float32', 100);
    expect(residentRegion(b)!.at).toBe(residentRegion(a)!.at);
    expectSame(b, new Float32Array(100));
    expect(optimizerState('float64', 5)).toEqual(new Float64Array(5));
    expect(residentRegion(optimizerState('float32', 0))).toBeUndefined();
    expect(() => optimizerState('int32' as 'float32', 3)).toThrow(/^optimizerState: dtype must be float32 or float64/);
    expect(() => optimizerState('float32', -1)).toThrow(/^optimizerState: n must be a non-negative integer/);
  });
});

describe('resident arenas', () => {
  it('never hand out overlapping regions, stay clear of the scratch, and give everything back', () => {
    const before = residentUsage();
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 200_000 }), fc.nat()), { minLength: 1, maxLength: 60 }), (ops) => {
      const live: { r: ResidentRegion; bytes: number }[] = [];
      for (const [alloc, bytes, pick] of ops) {
        if (alloc || live.length === 0) {
          const r = allocateResident(bytes)!;
          expect(r.at % 64).toBe(0);
          expect(r.at).toBeGreaterThanOrEqual(r.arena.scratch + r.arena.scratchBytes);
          expect(r.at + bytes).toBeLessThanOrEqual(r.arena.memory.buffer.byteLength);
          for (const o of live) {
            if (o.r.arena === r.arena) expect(r.at + Math.max(bytes, 1) <= o.r.at || o.r.at + Math.max(o.bytes, 1) <= r.at).toBe(true);
          }
          live.push({ r, bytes });
        } else freeResident(live.splice(pick % live.length, 1)[0]!.r);
      }
      for (const o of live) freeResident(o.r);
      expect(residentUsage().bytes).toBe(before.bytes);
    }), { numRuns: 40, seed: 22 });
  });

  it('a region larger than an arena gets an arena of its own, dropped once empty', () => {
    const before = residentUsage();
    const big = allocateResident(80 * 1024 * 1024)!;
    expect(residentUsage().arenas).toBe(before.arenas + 1);
    expect(big.arena.memory.buffer.byteLength).toBeGreaterThanOrEqual(big.at + 80 * 1024 * 1024);
    freeResident(big);
    freeResident(big); // a second free is ignored
    expect(residentUsage()).toEqual(before);
  });

  it('a region is returned once its array is garbage-collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    /**
     * Collects until `want` bytes are in use (or, without `want`, until the figure has held for
     * five rounds: earlier tests' arrays finalize too), polling for up to ~4 s. Finalizers run
     * some time after a collection, later under load, so a single quiet round proves nothing.
     */
    const settle = async (want?: number) => {
      for (let i = 0, last = -1, still = 0; i < 200; i++) {
        const now = residentUsage().bytes;
        if (want === undefined ? (still = now === last ? still + 1 : 0) >= 5 : now === want) break;
        last = now;
        gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      return residentUsage().bytes;
    };
    const before = await settle();
    let kept: Float32Array | Float64Array | null = optimizerState('float32', 1000);
    (() => { for (let i = 0; i < 10; i++) optimizerState('float32', 1000); })();
    expect(residentUsage().bytes).toBe(before + 11 * 4032);
    expect(await settle(before + 4032)).toBe(before + 4032); // the array still referenced keeps its region
    kept.fill(1);
    kept = null;
    expect(await settle(before)).toBe(before);
  });
});
