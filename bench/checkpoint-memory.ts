// Memory kept for backward by a deep MLP (32 tanh layers of width 512, batch 256, float32), with
// and without checkpoint() around each layer: external (ArrayBuffer) bytes after the forward pass,
// before backward. Run: npx tsx --expose-gc bench/checkpoint-memory.ts (after `pnpm run build`).
import { checkpoint, gradients, randn, manualSeed, type Tensor } from '@tapegrad/autograd';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
manualSeed(0);
const ws = Array.from({ length: 32 }, () => randn([512, 512]).mul(0.04).requiresGrad_());
const x = randn([256, 512]);
const layer = (h: Tensor, w: Tensor) => h.matmul(w).tanh().mul(1.1).add(h);

function held(segment: (h: Tensor, w: Tensor) => Tensor): [number, Tensor[]] {
  gc();
  const before = process.memoryUsage().arrayBuffers;
  const y = ws.reduce((h, w) => segment(h, w), x).square().mean();
  gc();
  const after = process.memoryUsage().arrayBuffers;
  return [after - before, gradients([y], ws)];
}
const [plain, g1] = held(layer);
const [ck, g2] = held(checkpoint(layer));
const diff = Math.max(...g1.map((g, i) => g.sub(g2[i]!).abs().max().item()));
const mb = (b: number) => (b / 2 ** 20).toFixed(1);
console.log(`| 32-layer MLP, width 512, batch 256 | without ${mb(plain)} MB | with checkpoint ${mb(ck)} MB | max grad diff ${diff} |`);
