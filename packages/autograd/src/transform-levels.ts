// The stack of active forward-mode (jvp) and batching (vmap) levels, JAX's trace levels.
//
// A tensor takes part in a level by an entry in that level's side table: a jvp level maps a tensor
// to its tangent (a dual number), a vmap level maps a logical (per-example) tensor to the physical
// tensor holding every example and the axis they lie along. Tangents and physical tensors are
// ordinary tensors of the levels below, so levels nest. While the rule of level k runs, only levels
// below k are visible to the ops it calls: that keeps perturbations of different levels apart.
import type { Tensor } from './tensor.js';

/** A `jvp` level: each dual tensor's tangent. */
export interface JvpLevel {
  readonly kind: 'jvp';
  readonly tangents: WeakMap<Tensor, Tensor>;
}

/** Where a logical tensor's examples live. */
export interface Batched {
  readonly physical: Tensor;
  readonly dim: number;
}

/**
 * How random ops behave under `vmap` (as torch.func's `randomness`): a draw per example, one draw
 * shared by all, or an error.
 *
 * @example
 * ```ts
 * const r: Randomness = 'different';
 * ```
 * @category Transforms
 */
export type Randomness = 'different' | 'same' | 'error';

/** A `vmap` level: each logical tensor's physical tensor and batch axis. */
export interface VmapLevel {
  readonly kind: 'vmap';
  readonly size: number;
  readonly randomness: Randomness;
  readonly tracers: WeakMap<Tensor, Batched>;
}

export type Level = JvpLevel | VmapLevel;

const stack: Level[] = [];
/** Levels with index < visible are seen by ops; the rest are being processed. */
let visible = 0;
/** Every logical tensor made by any vmap level, to catch one escaping its vmap. */
const allTracers = new WeakSet<Tensor>();

/** Runs `fn` with a new level on top of the visible ones. */
export function withLevel<T>(level: Level, fn: () => T): T {
  const savedStack = stack.splice(visible);
  const savedVisible = visible;
  stack.push(level);
  visible = stack.length;
  try {
    return fn();
  } finally {
    stack.length = savedVisible;
    stack.push(...savedStack);
    visible = savedVisible;
  }
}

/** Runs `fn` seeing only the levels below `k`. */
export function belowLevel<T>(k: number, fn: () => T): T {
  const prev = visible;
  visible = Math.min(k, visible);
  try {
    return fn();
  } finally {
    visible = prev;
  }
}

/**
 * Hides every level (an op's forward computes plain values) and returns what {@link leaveBase}
 * restores in a `finally`; no closure, as it runs on every op call.
 */
export function enterBase(): number {
  const prev = visible;
  visible = 0;
  return prev;
}

export function leaveBase(prev: number): void {
  visible = prev;
}

export function levelAt(k: number): Level {
  return stack[k]!;
}

export function visibleLevels(): number {
  return visible;
}

/** Whether `t` takes part in level `k`. */
export function inLevel(level: Level, t: Tensor): boolean {
  return level.kind === 'jvp' ? level.tangents.has(t) : level.tracers.has(t);
}

/** Index of the highest visible level any of `inputs` takes part in, or -1. */
export function topLevelOf(inputs: readonly Tensor[]): number {
  for (let k = visible - 1; k >= 0; k--) {
    const level = stack[k]!;
    for (const t of inputs) if (inLevel(level, t)) return k;
  }
  return -1;
}

/** Index of the innermost visible vmap level, or -1 (random ops consult it). */
export function innermostVmap(): number {
  for (let k = visible - 1; k >= 0; k--) if (stack[k]!.kind === 'vmap') return k;
  return -1;
}

export function markTracer(level: VmapLevel, logical: Tensor, b: Batched): Tensor {
  level.tracers.set(logical, b);
  allTracers.add(logical);
  return logical;
}

export function isTracer(t: Tensor): boolean {
  return allTracers.has(t);
}

/**
 * Copies `from`'s part in every visible level onto `to` (a new tensor over the same values):
 * a fresh leaf made by `grad` keeps its tangents and its batching. With `tangents: false`, jvp
 * levels are dropped (detach / stopGradient: no derivative flows through).
 */
export function copyLevels(from: Tensor, to: Tensor, tangents: boolean): Tensor {
  for (let k = 0; k < visible; k++) {
    const level = stack[k]!;
    if (level.kind === 'jvp') {
      const t = level.tangents.get(from);
      if (t && tangents) level.tangents.set(to, t);
    } else {
      const b = level.tracers.get(from);
      if (b) markTracer(level, to, b);
    }
  }
  return to;
}

/** Throws when a logical tensor of a finished vmap reaches a place that reads its values. */
export function assertNotTracer(op: string, t: Tensor): void {
  if (allTracers.has(t)) {
    throw new Error(
      `${op}: this tensor is a batched value inside vmap (or escaped from one); its values differ per example and cannot be read here. ` +
        'Return it from the vmapped function instead',
    );
  }
}
