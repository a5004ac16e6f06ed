// Issue 11's "every built-in op has a jvp rule and a batching rule", checked by enumeration: every
// op made by defineOp while loading the packages (and the ops the transforms make per call) must
// carry vjp, jvp and batch rules, or be listed below with the reason it stays on a fallback.
import { describe, expect, it, vi } from 'vitest';
import * as tg from '@tapegrad/autograd';
import '@tapegrad/nn';
import '@tapegrad/optim';
import '@tapegrad/train';
import '@tapegrad/data';
import { customJvp, customVjp, defineOp, detectAnomaly, stack, tensor, vmap, type Tensor } from '@tapegrad/autograd';
import { definedOps } from '../packages/autograd/src/define-op.js';

/** Ops deliberately without a rule, and why (the note names them). */
const onFallback: Record<string, { jvp?: string; batch?: string }> = {
  customVjp: {
    jvp: 'a custom vjp has no forward rule by definition; jvp transposes bwd (linear in g) twice, as documented',
    batch: "bwd's residuals are an arbitrary user value, so there is no batched bwd to call; vmap loops over the examples",
  },
  customJvp: {
    batch: 'batching f itself would bypass the custom rule under an outer jvp/grad; vmap loops over the examples so the rule applies per example',
  },
};

// Ops made per call: one of each, so the enumeration sees them.
customVjp((x: Tensor) => x, (x: Tensor) => [x, null], (_r, g) => [g]);
customJvp((x: Tensor) => x, ([x], [t]) => [x, t]);
tg.checkpoint((x: Tensor) => x);
// A snapshot before this file defines outsider ops of its own.
const builtins = [...definedOps()];

describe('every defineOp op has vjp, jvp and batch rules', () => {
  const ops = builtins;
  it('the enumeration sees the built-ins', () => {
    const names = new Set(ops.map((o) => o.record.name));
    // a sample across families and packages: if these are missing the registry is broken, not the rules
    for (const n of ['add', 'matmul', 'conv2d', 'round', 'argsort', 'binaryCrossEntropy', 'checkpoint', 'customVjp']) expect(names).toContain(n);
    expect(ops.length).toBeGreaterThan(100);
  });
  it('no op is on a fallback unless listed with a reason', () => {
    const missing = ops.flatMap((o) => {
      const allowed = onFallback[o.record.name] ?? {};
      return [
        ...(typeof o.record.backward === 'function' ? [] : [`${o.record.name}: vjp`]),
        ...(o.hasJvp || allowed.jvp ? [] : [`${o.record.name}: jvp`]),
        ...(o.hasBatch || allowed.batch ? [] : [`${o.record.name}: batch`]),
      ];
    });
    expect(missing).toEqual([]);
  });
  it('every listed fallback is still a fallback (the list cannot go stale)', () => {
    for (const [name, allowed] of Object.entries(onFallback)) {
      const op = ops.find((o) => o.record.name === name);
      expect(op, name).toBeDefined();
      if (allowed.jvp) expect(op!.hasJvp, `${name} has a jvp rule now: delete its row`).toBe(false);
      if (allowed.batch) expect(op!.hasBatch, `${name} has a batch rule now: delete its row`).toBe(false);
    }
  });
});

describe("an outsider's op without a batch rule", () => {
  // The warned-once set is per op name: a name no other test uses.
  const cubePlus = defineOp({
    name: 'outsiderCubePlusRuleless',
    forward: (x: Tensor, c: number) => x.pow(3).add(c),
    vjp: (g, { args: [x] }) => [g.mul(x.square().mul(3)), null],
  });
  const xs = tensor([[1, 2], [3, -1], [0.5, 4]], { dtype: 'float64' });
  const want = stack(xs.unbind(0).map((x) => x.pow(3).add(2)));

  it('falls back to a loop with the right result, warning once in anomaly mode', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const got = detectAnomaly(() => vmap((x: Tensor) => cubePlus(x, 2))(xs));
      expect(got.toArray()).toEqual(want.toArray());
      // again, on the other axis: still the right answer, no second warning
      const again = detectAnomaly(() => vmap((x: Tensor) => cubePlus(x, 2), { inAxes: 1, outAxes: 1 })(xs.transpose()));
      expect(again.toArray()).toEqual(want.transpose().toArray());
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/vmap: 'outsiderCubePlusRuleless' has no batching rule; looping over the 3 examples/);
    } finally {
      warn.mockRestore();
    }
  });
  it('stays silent outside anomaly mode', () => {
    const quiet = defineOp({ name: 'outsiderQuietRuleless', forward: (x: Tensor) => x.mul(2), vjp: (g) => [g.mul(2)] });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(vmap((x: Tensor) => quiet(x))(xs).toArray()).toEqual(xs.mul(2).toArray());
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
  it('its per-example gradients through the loop match the closed form', () => {
    const g = vmap(tg.grad((x: Tensor) => cubePlus(x, 2).sum()))(xs);
    expect(g.sub(xs.square().mul(3)).abs().max().item()).toBeLessThan(1e-12);
  });
});
