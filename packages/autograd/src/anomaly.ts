// NaN/Inf checks used in anomaly mode (see grad-mode.ts).
import type { Tensor } from './tensor.js';
import type { TapeNode } from './tape.js';
import { fmt } from './shape.js';
import { contiguousData } from './kernels/layout.js';

// While a vjp runs, the tape checks its results and names the node; the ops inside the vjp must
// not pre-empt that with a less useful forward error.
let inVjp = 0;

/** Runs a vjp with forward anomaly checks suspended. */
export function duringVjp<T>(fn: () => T): T {
  inVjp++;
  try {
    return fn();
  } finally {
    inVjp--;
  }
}

function hasNonFinite(t: Tensor): boolean {
  const d = contiguousData(t.data);
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return true;
  return false;
}

function describe(name: string, inputs: readonly Tensor[]): string {
  return `'${name}' (input shapes ${inputs.map((t) => fmt(t.shape)).join(', ') || 'none'})`;
}

/** Throws when `t` holds NaN or Inf, naming the node's op, its input shapes and where it was created. */
export function assertFinite(node: TapeNode, t: Tensor, what: string): void {
  if (!hasNonFinite(t)) return;
  const where = node.createdAt ? `\nthe op was created at:\n${node.createdAt}` : '';
  throw new Error(`detectAnomaly: the ${what} of ${describe(node.op.name, node.inputs)} holds NaN or Inf${where}`);
}

/** Forward check: the op's output holds NaN/Inf though its inputs did not. */
export function assertFiniteOutput(name: string, inputs: readonly Tensor[], out: Tensor): void {
  if (inVjp > 0 || !hasNonFinite(out) || inputs.some(hasNonFinite)) return;
  const stack = new Error().stack?.split('\n').slice(3, 9).join('\n');
  throw new Error(`detectAnomaly: the output of ${describe(name, inputs)} holds NaN or Inf\nthe op was called at:\n${stack}`);
}
