// `pnpm bench`: figures for the engine itself. Peers (tfjs) and the full table come with the
// rest of the performance work; this measures tape bookkeeping, matmul through the public API
// and the gemm kernels (plain JS against WebAssembly SIMD, see gemm.ts).
import { matmul, randn, tensor, type Tensor } from '@tapegrad/autograd';
import { gemmFigures, gemmTable } from './gemm.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void, reps: number): number {
  fn(); // warm-up
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const rows: string[] = ['| benchmark | median | unit |', '| --- | --- | --- |'];

// 1,000 tiny scalar ops, forward + backward: the cost of recording and walking the tape.
const chainMs = time(() => {
  const x = tensor(0.5, { requiresGrad: true });
  let y: Tensor = x;
  for (let i = 0; i < 500; i++) y = y.mul(1.0001).add(0.001);
  y.backward();
}, 20);
rows.push(`| chain of 1,000 scalar ops, forward + backward | ${((chainMs * 1000) / 1000).toFixed(2)} | µs per op |`);

// Through the public API (allocation of the result and the tape included); transposes are views.
for (const n of [128, 256, 512, 1024]) {
  const a = randn([n, n]);
  const b = randn([n, n]);
  for (const [name, f] of [
    ['A·B', () => matmul(a, b)],
    ['A·Bᵀ', () => matmul(a, b.transpose(0, 1))],
    ['Aᵀ·B', () => matmul(a.transpose(0, 1), b)],
  ] as const) {
    const ms = time(() => void f(), n >= 512 ? 5 : 20);
    rows.push(`| float32 matmul N=${n} ${name} | ${((2 * n ** 3) / (ms * 1e6)).toFixed(1)} | GFLOP/s |`);
  }
}
console.log(rows.join('\n'));
console.log();
console.log(gemmTable(gemmFigures()).join('\n'));
