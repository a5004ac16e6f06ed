// Just enough of vitest's API (describe/it with .each, hooks, expect with the matchers the bundled
// tests use) to run unchanged test files in a browser page, where vitest itself does not run.
// Tests are collected on import and run by `runCollected`, in order, sequentially.

type Fn = () => unknown;
interface Suite { name: string; tests: { name: string; fn: Fn }[]; suites: Suite[]; afterEach: Fn[]; beforeEach: Fn[]; beforeAll: Fn[]; afterAll: Fn[] }
const newSuite = (name: string): Suite => ({ name, tests: [], suites: [], afterEach: [], beforeEach: [], beforeAll: [], afterAll: [] });
const root = newSuite('');
let current = root;

const format = (name: string, value: unknown) => name.replace('%s', String(value));

function describeImpl(name: string, body: Fn): void {
  const suite = newSuite(name);
  current.suites.push(suite);
  const parent = current;
  current = suite;
  try {
    body();
  } finally {
    current = parent;
  }
}
function itImpl(name: string, fn: Fn): void {
  current.tests.push({ name, fn });
}
const withEach = <F extends (name: string, body: Fn) => void>(impl: F) =>
  Object.assign(impl, {
    each: <T>(cases: readonly T[]) => (name: string, body: (value: T) => unknown) => {
      for (const value of cases) impl(format(name, value), () => body(value));
    },
    skip: (_name: string, _body: Fn) => {},
  });

export const describe = withEach(describeImpl);
export const it = withEach(itImpl);
export const test = it;
export const beforeAll = (fn: Fn) => void current.beforeAll.push(fn);
export const afterAll = (fn: Fn) => void current.afterAll.push(fn);
export const beforeEach = (fn: Fn) => void current.beforeEach.push(fn);
export const afterEach = (fn: Fn) => void current.afterEach.push(fn);

/** An asymmetric matcher such as expect.closeTo(x): equal to any value it accepts. */
class Asymmetric {
  constructor(readonly accepts: (value: unknown) => boolean, readonly description: string) {}
  toJSON(): string {
    return this.description;
  }
}

function equal(a: unknown, b: unknown): boolean {
  if (b instanceof Asymmetric) return b.accepts(a);
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    return x.length === y.length && Array.from(x).every((v, i) => Object.is(v, y[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const show = (v: unknown) => {
  try {
    return JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x))?.slice(0, 300) ?? String(v);
  } catch {
    return String(v);
  }
};

function thrown(fn: unknown): Error | null {
  try {
    (fn as Fn)();
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
  return null;
}

function matchers(actual: unknown, negate: boolean) {
  const check = (pass: boolean, message: string) => {
    if (pass === negate) throw new Error(`expect: ${negate ? 'not ' : ''}${message}`);
  };
  const throwsLike = (expected?: string | RegExp | (new (...a: never[]) => Error)) => {
    const e = thrown(actual);
    const pass = e !== null && (expected === undefined
      || (typeof expected === 'string' ? e.message.includes(expected)
        : expected instanceof RegExp ? expected.test(e.message) : e instanceof expected));
    check(pass, `to throw ${String(expected ?? '')}, got ${e ? `'${e.message}'` : 'no error'}`);
  };
  return {
    toBe: (expected: unknown) => check(Object.is(actual, expected), `${show(actual)} to be ${show(expected)}`),
    toEqual: (expected: unknown) => check(equal(actual, expected), `${show(actual)} to equal ${show(expected)}`),
    toStrictEqual: (expected: unknown) => check(equal(actual, expected), `${show(actual)} to equal ${show(expected)}`),
    toBeNull: () => check(actual === null, `${show(actual)} to be null`),
    toBeUndefined: () => check(actual === undefined, `${show(actual)} to be undefined`),
    toBeDefined: () => check(actual !== undefined, `${show(actual)} to be defined`),
    toBeTruthy: () => check(Boolean(actual), `${show(actual)} to be truthy`),
    toBeFalsy: () => check(!actual, `${show(actual)} to be falsy`),
    toBeInstanceOf: (type: new (...a: never[]) => unknown) => check(actual instanceof type, `${show(actual)} to be an instance of ${type.name}`),
    toBeCloseTo: (expected: number, digits = 2) => check(closeTo(expected, digits)(actual), `${show(actual)} to be close to ${expected}`),
    toBeLessThan: (n: number) => check((actual as number) < n, `${show(actual)} to be < ${n}`),
    toBeLessThanOrEqual: (n: number) => check((actual as number) <= n, `${show(actual)} to be <= ${n}`),
    toBeGreaterThan: (n: number) => check((actual as number) > n, `${show(actual)} to be > ${n}`),
    toBeGreaterThanOrEqual: (n: number) => check((actual as number) >= n, `${show(actual)} to be >= ${n}`),
    toContain: (item: unknown) => check((actual as { includes(x: unknown): boolean }).includes(item), `${show(actual)} to contain ${show(item)}`),
    toHaveLength: (n: number) => check((actual as { length: number }).length === n, `${show(actual)} to have length ${n}`),
    toThrow: throwsLike,
    toThrowError: throwsLike,
  };
}

const closeTo = (expected: number, digits = 2) => (value: unknown) => typeof value === 'number' && Math.abs(value - expected) < 10 ** -digits / 2;

export function expect(actual: unknown) {
  return Object.assign(matchers(actual, false), { not: matchers(actual, true) });
}
expect.closeTo = (expected: number, digits = 2) => new Asymmetric(closeTo(expected, digits), `closeTo(${expected}, ${digits})`);

/** One test's outcome. */
export interface TestResult { name: string; ok: boolean; error?: string; ms: number }

/** Runs every collected test (hooks included) and returns the outcomes. */
export async function runCollected(): Promise<TestResult[]> {
  const results: TestResult[] = [];
  const visit = async (suite: Suite, path: string[], beforeEachs: Fn[], afterEachs: Fn[]) => {
    for (const hook of suite.beforeAll) await hook();
    const before = [...beforeEachs, ...suite.beforeEach];
    const after = [...suite.afterEach, ...afterEachs];
    for (const t of suite.tests) {
      const name = [...path, t.name].join(' > ');
      const start = performance.now();
      try {
        for (const hook of before) await hook();
        await t.fn();
        results.push({ name, ok: true, ms: performance.now() - start });
      } catch (e) {
        results.push({ name, ok: false, error: e instanceof Error ? e.message : String(e), ms: performance.now() - start });
      } finally {
        for (const hook of after) await hook();
      }
    }
    for (const child of suite.suites) await visit(child, [...path, child.name], before, after);
    for (const hook of suite.afterAll) await hook();
  };
  await visit(root, [], [], []);
  return results;
}
