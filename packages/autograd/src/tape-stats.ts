// A read-only view of the tape's bookkeeping, so tests (and users chasing a leak) can check that
// backward releases every graph it walks, without relying on wall time or process memory.
import { tapeCounters } from './tape.js';

/**
 * Counts of tape nodes since the process started. See {@link tapeStats}.
 *
 * @example
 * ```ts
 * const { live } = tapeStats();
 * ```
 * @category Autograd
 */
export interface TapeStats {
  /** Nodes recorded: one per op applied to a tensor that requires grad, with grad mode on. */
  readonly recorded: number;
  /** Nodes whose arguments and saved tensors a backward pass has released. */
  readonly released: number;
  /**
   * `recorded − released`: nodes still holding their saved tensors. Nodes of a graph that was
   * never backpropagated (or was with `retainGraph`) stay counted here even after the garbage
   * collector reclaims them, so this counts graphs waiting for backward, not bytes.
   */
  readonly live: number;
}

/**
 * Snapshot of the tape's node counts: after a training step's `backward()` (without
 * `retainGraph`) `live` returns to where it was before the forward pass.
 *
 * @example
 * ```ts
 * const before = tapeStats();
 * const x = tensor([1, 2], { requiresGrad: true });
 * x.mul(x).sum().backward();
 * tapeStats().recorded - before.recorded; // 2 nodes: mul and sum
 * tapeStats().live - before.live; // 0: backward released both
 * ```
 * @category Autograd
 */
export function tapeStats(): TapeStats {
  const { recorded, released } = tapeCounters;
  return { recorded, released, live: recorded - released };
}
