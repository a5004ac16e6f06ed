// Per-sample gradients of the MLP (784→128→10, tanh, squared error, float32) at batch 64:
// vmap(grad(loss)) against a loop of 64 grad calls and a stack, timed alternately. Both must give
// the same gradients; the largest difference goes in the row's name. `pnpm bench --only persample`.
import { grad, vmap, randn, manualSeed, stack, type Tensor } from '@tapegrad/autograd';
import { compare } from './harness.js';
import type { Row } from './report.js';

type P = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor };
const KEYS = ['w1', 'b1', 'w2', 'b2'] as const;

export async function perSampleRows(quick: boolean): Promise<Row[]> {
  const loss = (p: P, x: Tensor, y: Tensor) => x.matmul(p.w1).add(p.b1).tanh().matmul(p.w2).add(p.b2).sub(y).square().sum();
  manualSeed(0);
  const p: P = { w1: randn([784, 128]).mul(0.03), b1: randn([128]).mul(0.1), w2: randn([128, 10]).mul(0.1), b2: randn([10]).mul(0.1) };
  const xs = randn([64, 784]);
  const ys = randn([64, 10]);
  const withVmap = () => vmap(grad(loss), { inAxes: [null, 0, 0] })(p, xs, ys) as P;
  const withLoop = (): P => {
    const gs = Array.from({ length: 64 }, (_, i) => grad(loss)(p, xs.slice(i), ys.slice(i)));
    return Object.fromEntries(KEYS.map((k) => [k, stack(gs.map((g) => g[k]))])) as P;
  };
  const a = withVmap();
  const b = withLoop();
  const diff = Math.max(...KEYS.map((k) => a[k].sub(b[k]).abs().max().item()));
  if (!(diff <= 1e-5)) throw new Error(`per-sample: vmap(grad) and the loop disagree by ${diff}`);
  const ms = await compare([{ name: 'vmap', run: withVmap }, { name: 'loop', run: withLoop }], { warmup: 2, rounds: quick ? 3 : 9, minMs: 50 });
  const row = (how: string, value: number): Row => ({
    section: 'transforms', name: `per-sample grads, MLP 784-128-10, batch 64: ${how}`, unit: 'ms', higherIsBetter: false, values: { tapegrad: value },
  });
  return [row('vmap(grad)', ms.vmap!), row('loop of 64 grad calls', ms.loop!)];
}
