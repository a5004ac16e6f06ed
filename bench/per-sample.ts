// Per-sample gradients of the MLP (784→128→10, tanh, squared error) at batch 64:
// vmap(grad(loss)) against a loop of 64 grad calls. Run: npx tsx bench/per-sample.ts
// (kept out of bench/index.ts's sections; figures go to docs/performance.md by hand).
import { grad, vmap, randn, manualSeed, stack, type Tensor } from '@tapegrad/autograd';

type P = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor };
const loss = (p: P, x: Tensor, y: Tensor) => x.matmul(p.w1).add(p.b1).tanh().matmul(p.w2).add(p.b2).sub(y).square().sum();
manualSeed(0);
const p: P = { w1: randn([784, 128]).mul(0.03), b1: randn([128]).mul(0.1), w2: randn([128, 10]).mul(0.1), b2: randn([10]).mul(0.1) };
const xs = randn([64, 784]);
const ys = randn([64, 10]);

const perSampleVmap = () => vmap(grad(loss), { inAxes: [null, 0, 0] })(p, xs, ys) as P;
const perSampleLoop = () => {
  const gs = Array.from({ length: 64 }, (_, i) => grad(loss)(p, xs.slice(i), ys.slice(i)));
  return { w1: stack(gs.map((g) => g.w1)), b1: stack(gs.map((g) => g.b1)), w2: stack(gs.map((g) => g.w2)), b2: stack(gs.map((g) => g.b2)) };
};

function median(fn: () => unknown, rounds: number): number {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
}

const a = perSampleVmap();
const b = perSampleLoop();
const diff = Math.max(...(['w1', 'b1', 'w2', 'b2'] as const).map((k) => a[k].sub(b[k]).abs().max().item()));
const tv = median(perSampleVmap, 15);
const tl = median(perSampleLoop, 15);
console.log(`| per-sample grads, MLP 784-128-10, batch 64 | vmap(grad) ${tv.toFixed(1)} ms | loop of 64 grad ${tl.toFixed(1)} ms | ${(tl / tv).toFixed(2)}x | max diff ${diff.toExponential(1)} |`);
