// Draws docs/images/mlp-graph.svg, the picture in docs/getting-started.md ("Seeing the graph"):
// the recorded graph of a 2-layer MLP's cross-entropy loss, built from raw tensors so every op
// the tape saw is visible. Run with `npx tsx --conditions=@tapegrad/source scripts/render-graph.ts` (needs Graphviz's `dot`).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manualSeed, randn, tensor, zeros } from '@tapegrad/autograd';
import { saveGraph } from '@tapegrad/autograd/node';

manualSeed(0);
const x = randn([4, 3]); // a batch of 4 samples with 3 features
const target = tensor([[1, 0], [0, 1], [0, 1], [1, 0]]); // one-hot labels of 2 classes
const w1 = randn([3, 8], { requiresGrad: true });
const b1 = zeros([8], { requiresGrad: true });
const w2 = randn([8, 2], { requiresGrad: true });
const b2 = zeros([2], { requiresGrad: true });

const hidden = x.matmul(w1).add(b1).relu();
const logits = hidden.matmul(w2).add(b2);
const loss = logits.logSoftmax(1).mul(target).sum(1).mean().neg(); // cross-entropy

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'images', 'mlp-graph.svg');
mkdirSync(dirname(out), { recursive: true });
const saved = saveGraph(out, loss, { names: { x, target, w1, b1, w2, b2, logits } });
if (saved.format !== 'svg') process.exit(1); // saveGraph has said why (no Graphviz)
console.log(`wrote ${saved.path}`);
