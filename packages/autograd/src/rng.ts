import { checkInt, describeValue } from './validate.js';
/**
 * A seedable pseudo-random generator (xoshiro128**), so runs are reproducible.
 * Each module that draws randomness can own one, or use the global one that {@link manualSeed} resets.
 *
 * @example
 * ```ts
 * const gen = new Generator(42);
 * gen.uniform(); // same number on every run
 * ```
 * @category Random
 */
export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  /** Creates a generator seeded with `seed` (any integer). */
  constructor(seed = 0) {
    this.reseed('Generator', seed);
  }

  /**
   * Resets the state from an integer seed (splitmix32 spreads it over the 128-bit state).
   *
   * @example
   * ```ts
   * new Generator().seed(7);
   * ```
   */
  seed(seed: number): this {
    return this.reseed('Generator.seed', seed);
  }

  private reseed(fn: string, seed: number): this {
    // Any safe integer, negative too (as torch.manual_seed); a fraction or NaN would silently truncate.
    checkInt(fn, 'seed', seed);
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    this.spare = null;
    return this;
  }

  /**
   * The full state (four 32-bit words and the cached normal sample), JSON-serializable, so a
   * checkpoint can resume the exact random stream.
   *
   * @example
   * ```ts
   * const saved = gen.getState();
   * const a = gen.uniform();
   * gen.setState(saved);
   * gen.uniform() === a; // true
   * ```
   */
  getState(): GeneratorState {
    return { words: Array.from(this.s), spare: this.spare };
  }

  /**
   * Restores a state from {@link Generator.getState}; throws on a malformed one.
   *
   * @example
   * ```ts
   * other.setState(gen.getState());
   * ```
   */
  setState(state: GeneratorState): this {
    const ok = Array.isArray(state?.words) && state.words.length === 4 && state.words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32);
    if (!ok || (state.spare !== null && typeof state.spare !== 'number')) {
      throw new Error(`Generator.setState: expected { words: four 32-bit unsigned integers, spare: number | null }, got ${describeValue(state)}`);
    }
    this.s.set(state.words);
    this.spare = state.spare;
    return this;
  }

  /**
   * A uniform integer in [0, 2^32).
   *
   * @example
   * ```ts
   * new Generator(1).nextUint32();
   * ```
   */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /**
   * A uniform float in [0, 1) with 53 random bits.
   *
   * @example
   * ```ts
   * new Generator(1).uniform();
   * ```
   */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A standard normal sample (Box–Muller, caching the second value).
   *
   * @example
   * ```ts
   * new Generator(1).normal();
   * ```
   */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * A uniform integer in [0, n).
   *
   * @example
   * ```ts
   * new Generator(1).int(10);
   * ```
   */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * A random permutation of 0..n-1 (Fisher–Yates).
   *
   * @example
   * ```ts
   * new Generator(3).permutation(5); // e.g. [2, 0, 4, 1, 3]
   * ```
   */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }
}

/**
 * A {@link Generator}'s state as plain data.
 *
 * @example
 * ```ts
 * const state: GeneratorState = new Generator(1).getState();
 * JSON.stringify(state);
 * ```
 * @category Random
 */
export interface GeneratorState {
  /** The four 32-bit words of xoshiro128**. */
  words: number[];
  /** The second Box–Muller sample waiting to be returned, if any. */
  spare: number | null;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * The generator used by `rand`, `randn` and friends when none is passed.
 *
 * @example
 * ```ts
 * defaultGenerator.uniform();
 * ```
 * @category Random
 */
export const defaultGenerator = new Generator(0);

/**
 * Seeds the global generator so that every later random draw is reproducible.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * const a = randn([3]);
 * manualSeed(0);
 * const b = randn([3]); // same values as a
 * ```
 * @category Random
 */
export function manualSeed(seed: number): void {
  checkInt('manualSeed', 'seed', seed);
  defaultGenerator.seed(seed);
}
