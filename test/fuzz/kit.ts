// The bad-input fuzz: each export gets one table row saying how to call it validly and which
// arguments to spoil. A run replaces one spoilable argument of a fresh valid call with a drawn bad
// value and requires (1) an Error whose message starts with the export's name, (2) no TypeError or
// RangeError from inside the library, (3) every tensor argument, module parameter and optimizer
// state unchanged.
import fc from 'fast-check';
import { Tensor, concat, tensor } from '@tapegrad/autograd';

/** What an argument is, which decides the bad values drawn for it. */
export type Kind =
  | 't' // a Tensor
  | 'tl' // a Tensor or a number
  | 'ts' // an array of Tensors
  | 'shape' // a shape: non-negative integers (or one integer)
  | 'axis' // an axis of the tensor (integer in range)
  | 'int' // a non-negative integer
  | 'sint' // an integer of either sign (a seed, a shift, a diagonal offset)
  | 'data' // the data of tensor(): numbers or nested arrays of them
  | 'rshape' // a reshape target: non-negative integers and at most one -1, for the same element count
  | 'num' // a number (NaN allowed)
  | 'fin' // a finite number
  | 'opts' // an options object
  | 'cfg' // an options object whose present keys are spoiled one at a time too
  | 'fn' // a callback
  | 'str' // a string (path, name)
  | 'bool'
  | 'json' // plain JSON data
  | 'text' // any string ('' included)
  | '-'; // not spoiled

const junk = [null, 'abc', {}, [1, 2, 3], [[1, 2]], true, () => 1, Symbol('s'), 10n, new Float32Array(2)];

const base: Record<Exclude<Kind, '-' | 'cfg'>, fc.Arbitrary<unknown>> = {
  t: fc.constantFrom(undefined, 3, NaN, ...junk),
  tl: fc.constantFrom(undefined, ...junk),
  ts: fc.constantFrom(undefined, 3, 'abc', {}, [1, 2], [null], [tensor([1]), 'x']),
  shape: fc.oneof(fc.integer({ min: -50, max: -1 }), fc.constantFrom(1.5, NaN, Infinity, 'a', {}, [2, -1], [2, 0.5], [NaN], ['2'], [1e6, 1e6, 1e6], true)),
  axis: fc.oneof(fc.integer({ min: 6, max: 99 }), fc.integer({ min: -99, max: -7 }), fc.constantFrom(1.5, NaN, 'a', {}, Infinity, true)),
  int: fc.oneof(fc.integer({ min: -99, max: -1 }), fc.constantFrom(1.5, NaN, Infinity, 'a', {}, true)),
  sint: fc.oneof(fc.double({ min: -1e3, max: 1e3, noInteger: true }), fc.constantFrom(NaN, Infinity, -Infinity, 'a', '1', {}, true, null)),
  data: fc.constantFrom(undefined, null, 'abc', ['1', '2'], [1, 'a'], [[1, 2], [3]], [[1], 2], {}, { length: 2 }, true, () => 1, Symbol('s'), 10n, [10n], [null]),
  rshape: fc.oneof(fc.integer({ min: -50, max: -2 }), fc.constantFrom(1.5, NaN, Infinity, 'a', {}, [2, -2], [-1, -1], [2, 0.5], [NaN], ['2'], [4], [7], [1e6, 1e6, 1e6], true, null)),
  num: fc.constantFrom('a', {}, [], true, 10n, () => 1),
  fin: fc.constantFrom('a', {}, [], true, NaN, Infinity, -Infinity),
  opts: fc.constantFrom('abc', 5, [1], true, { bogusOption: 1 }, { notAnOption: true }),
  fn: fc.constantFrom(null, 3, 'f', {}, [], true),
  str: fc.constantFrom(null, 3, {}, [], true, ''),
  bool: fc.constantFrom('off', 'true', 0, 1, null, {}),
  text: fc.constantFrom(null, 3, {}, [], true, Symbol('s')),
  json: fc.constantFrom(undefined, () => 1, Symbol('s'), 10n, { f: () => 1 }, [1, 10n], new Map(), tensor([1])),
};

/**
 * A spoiler for a `'cfg'` argument: replaces one key of the valid options object (picked by `key`)
 * with a value of the wrong type for it, drawn by `pick` from the candidates that fit its valid value.
 */
export class KeySpoiler {
  constructor(readonly key: number, readonly pick: number) {}

  apply(valid: unknown, finiteOnly = true): unknown {
    if (valid === null || typeof valid !== 'object' || Array.isArray(valid)) return 'abc';
    const keys = Object.keys(valid).filter((k) => (valid as Record<string, unknown>)[k] !== undefined && (valid as Record<string, unknown>)[k] !== null);
    if (keys.length === 0) return { notAnOption: true };
    const k = keys[this.key % keys.length]!;
    const choices = wrongFor((valid as Record<string, unknown>)[k]).filter((v) => finiteOnly || typeof v !== 'number' || Number.isFinite(v));
    return { ...valid, [k]: choices[this.pick % choices.length] };
  }
}

/** Values that cannot stand in for `v` (same kind of value, wrong type or not a number). */
function wrongFor(v: unknown): unknown[] {
  if (v instanceof Tensor) return [3, 'abc', [[1, 2]], {}];
  switch (typeof v) {
    case 'number':
      return ['abc', NaN, {}, [], true, -Infinity, 10n];
    case 'boolean':
      return ['true', 0, 1, {}];
    case 'string':
      return [3, {}, true, []];
    case 'function':
      return [3, 'f', {}, true];
  }
  if (Array.isArray(v)) return ['abc', 3, true, {}];
  return ['abc', 3, true];
}

/** How {@link TensorSpoiler} changes the valid tensor of an argument. */
export type TensorSpoil =
  | 'grow' // one more element on the last axis (shapes no longer agree)
  | 'grow0' // one more element on the first axis
  | 'grow1' // one more element on axis 1 (channels)
  | 'rank0' // a 0-d tensor
  | 'rankUp' // a leading size-1 axis
  | 'int32' // the same values as int32
  | 'bool' // as bool
  | 'otherFloat' // float32 for float64 and back (dtypes no longer agree)
  | 'frac' // index values + 0.5 (fractional indices)
  | 'oob'; // index values + 100 (out of range)

/** A spoiler that derives a wrong tensor from the argument's valid one (wrong shape, rank, dtype or values). */
export class TensorSpoiler {
  constructor(readonly mode: TensorSpoil) {}

  apply(valid: unknown): unknown {
    if (!(valid instanceof Tensor)) return 'abc';
    const t = valid.detach();
    const grow = (axis: number) => (t.ndim === 0 ? t.reshape([1]).expand([2]).clone() : concat([t, t.narrow(axis, 0, 1)], axis));
    switch (this.mode) {
      case 'grow': return grow(Math.max(0, t.ndim - 1));
      case 'grow0': return grow(0);
      case 'grow1': return grow(Math.min(1, Math.max(0, t.ndim - 1)));
      case 'rank0': return tensor(1, { dtype: t.dtype });
      case 'rankUp': return t.unsqueeze(0).clone();
      case 'int32': return t.toDType('int32');
      case 'bool': return t.toDType('bool');
      case 'otherFloat': return t.toDType(t.dtype === 'float64' ? 'float32' : 'float64');
      case 'frac': return t.toDType('float64').add(0.5);
      case 'oob': return t.add(100);
    }
  }

  toJSON(): string {
    return `<${this.mode} of the valid tensor>`;
  }
}

/** A tensor argument whose shape, rank, dtype or values are constrained: junk plus the given derived spoils. */
export const tx = (...modes: TensorSpoil[]): fc.Arbitrary<unknown> =>
  fc.oneof(base.t, fc.constantFrom(...modes.map((m) => new TensorSpoiler(m))));

/** The bad values drawn for each kind of argument. */
export const bad: Record<Exclude<Kind, '-'>, fc.Arbitrary<unknown>> = {
  ...base,
  cfg: fc.oneof(base.opts, fc.tuple(fc.nat(20), fc.nat(20)).map(([k, p]) => new KeySpoiler(k, p))),
};

/** One row of the table: how to run the export with one spoiled argument. */
export interface Case {
  /** Prefix the message must start with (defaults to the export's name). */
  name?: string;
  /** A fresh valid call: the target, its arguments and how to invoke it. */
  valid: () => { args: unknown[]; call: (args: unknown[]) => unknown; owner?: unknown };
  /** Kind of each argument position, or the bad values to draw for it when no kind fits. */
  kinds: readonly (Kind | fc.Arbitrary<unknown>)[];
  /** For 'cfg' arguments: numbers in the options may be NaN/±Infinity (data such as an epoch record), so only wrong types are drawn. */
  nonFiniteOk?: boolean;
  /** Fast-check runs (default 12). */
  runs?: number;
}

/** A row for nothing-to-spoil exports (no arguments, types, constants), with the reason. */
export interface NoCase {
  none: string;
}

export type Row = Case | NoCase;

/** `f(...args)` for a plain function. */
export type KindOrArb = Kind | fc.Arbitrary<unknown>;

export const fn = (f: unknown, args: () => unknown[], ...kinds: KindOrArb[]): Case => ({
  valid: () => ({ args: args(), call: (a) => (f as (...x: unknown[]) => unknown)(...a) }),
  kinds,
});

/** `new C(...args)`. */
export const ctor = (C: unknown, args: () => unknown[], ...kinds: KindOrArb[]): Case => ({
  valid: () => ({ args: args(), call: (a) => new (C as new (...x: unknown[]) => unknown)(...a) }),
  kinds,
});

/** `make().method(...args)`; the owner's parameters/state must be unchanged after a failed call. */
export const method = <T>(make: () => T, name: string, args: (owner: T) => unknown[], ...kinds: KindOrArb[]): Case => ({
  valid: () => {
    const owner = make();
    return { owner, args: args(owner), call: (a) => (owner as Record<string, (...x: unknown[]) => unknown>)[name]!(...a) };
  },
  kinds,
});

/** The observable state of a value, to compare before and after a failed call. */
export function snapshot(v: unknown, seen = new Set<unknown>()): unknown {
  if (v instanceof Tensor) return { v: JSON.stringify(v.toArray()), s: [...v.shape], g: v.grad ? JSON.stringify(v.grad.toArray()) : null, r: v.requiresGrad };
  if (v === null || typeof v !== 'object' || seen.has(v) || ArrayBuffer.isView(v)) return ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : typeof v;
  seen.add(v);
  if (Array.isArray(v)) return v.map((x) => snapshot(x, seen));
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (typeof o.parameters === 'function') out.params = (o.parameters as () => Tensor[])().map((p) => snapshot(p, seen));
  if (typeof o.stateDict === 'function') {
    try {
      out.state = JSON.stringify((o.stateDict as () => unknown)(), (_k, x) => (x instanceof Tensor ? x.toArray() : typeof x === 'bigint' ? String(x) : x));
    } catch {
      out.state = 'unserializable';
    }
  }
  if (o.paramGroups) out.groups = JSON.stringify(o.paramGroups, (k, x) => (x instanceof Tensor ? x.toArray() : x));
  return out;
}

/** The outcome of one spoiled call, or a description of what went wrong. */
export function checkSpoiled(name: string, c: Case, pos: number, badValue: unknown): string | null {
  const { args, call, owner } = c.valid();
  if (badValue instanceof KeySpoiler) badValue = badValue.apply(args[pos], !c.nonFiniteOk);
  else if (badValue instanceof TensorSpoiler) badValue = badValue.apply(args[pos]);
  args[pos] = badValue;
  const before = JSON.stringify([snapshot(args), snapshot(owner)]);
  let error: unknown;
  try {
    call(args);
  } catch (e) {
    error = e;
  }
  const shown = `arg ${pos} = ${describe(badValue)}`;
  if (error === undefined) return `${name}(${shown}) did not throw`;
  if (!(error instanceof Error)) return `${name}(${shown}) threw a non-Error ${String(error)}`;
  if (error instanceof TypeError || error instanceof RangeError) return `${name}(${shown}) threw ${error.constructor.name}: ${error.message}`;
  const prefix = c.name ?? name;
  if (!error.message.startsWith(prefix)) return `${name}(${shown}) message does not start with '${prefix}': ${error.message}`;
  const after = JSON.stringify([snapshot(args), snapshot(owner)]);
  if (before !== after) return `${name}(${shown}) changed its inputs or owner's state before throwing`;
  return null;
}

export function describe(v: unknown): string {
  if (typeof v === 'symbol' || typeof v === 'bigint' || typeof v === 'function') return String(v).slice(0, 20);
  if (v instanceof Tensor) return `tensor[${v.shape}]`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
