// Memory kept for backward with and without checkpoint() around each layer: a deep MLP (32 tanh
// layers with a residual, width 512, batch 256) and a Transformer encoder stack (8 pre-norm
// layers, d 128, 4 heads, feed-forward 512, 16 sequences of 128 tokens). The figure is the count
// of ArrayBuffer bytes a forward result keeps alive (see held()), i.e. what backward needs; both
// runs' gradients must agree. `pnpm bench --only checkpoint` (node's gc is exposed at run time).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Generator, checkpoint, gradients, randn, manualSeed, type Tensor } from '@tapegrad/autograd';
import { TransformerEncoderLayer, functionalCall } from '@tapegrad/nn';
import type { Row } from './report.js';

setFlagsFromString('--expose_gc');
const collect = runInNewContext('gc') as () => void;
// Array buffers a collection finds dead are freed after it, so one collection may still count
// them (a run once read 0 MiB held without checkpoint); the second one frees them.
const gc = () => {
  collect();
  collect();
};

/**
 * Bytes held by `forward`'s result and the graph behind it: memory with the result alive minus
 * memory once it is dropped, both after a full GC, so whatever else a run leaves behind (scratch,
 * a previous backward's buffers) is in both figures. A second forward gives the gradients.
 */
function held(forward: () => Tensor, wrt: readonly Tensor[]): [number, Tensor[]] {
  let y: Tensor | null = forward();
  gc();
  const alive = process.memoryUsage().arrayBuffers;
  y = null;
  gc();
  const bytes = alive - process.memoryUsage().arrayBuffers;
  const grads = gradients([forward()], [...wrt]);
  // Large results are computed on first read (fusion): read the gradients so their operands go.
  for (const g of grads) void g.data.data;
  return [bytes, grads];
}

function mlp(): { name: string; plain: () => Tensor; checkpointed: () => Tensor; wrt: Tensor[] } {
  manualSeed(0);
  const ws = Array.from({ length: 32 }, () => randn([512, 512]).mul(0.04).requiresGrad_());
  const x = randn([256, 512]);
  const layer = (h: Tensor, w: Tensor) => h.matmul(w).tanh().mul(1.1).add(h);
  const ck = checkpoint(layer);
  return {
    name: '32-layer MLP (width 512, batch 256)',
    plain: () => ws.reduce((h, w) => layer(h, w), x).square().mean(),
    checkpointed: () => ws.reduce((h, w) => ck(h, w), x).square().mean(),
    wrt: ws,
  };
}

function transformer(): { name: string; plain: () => Tensor; checkpointed: () => Tensor; wrt: Tensor[] } {
  const g = new Generator(0);
  const [depth, batch, seq, d] = [8, 16, 128, 128];
  const layers = Array.from({ length: depth }, () => new TransformerEncoderLayer(d, 4, { dimFeedforward: 4 * d, dropout: 0, normFirst: true, batchFirst: true, generator: g }));
  const named = layers.map((l) => l.namedParameters());
  const x = randn([batch, seq, d], { generator: g });
  // checkpoint differentiates only its arguments, so each layer runs through functionalCall with
  // its parameters passed in.
  const blocks = named.map((ps, i) =>
    checkpoint((h: Tensor, ...values: Tensor[]) => functionalCall(layers[i]!, Object.fromEntries(ps.map(([n], j) => [n, values[j]!])), h) as Tensor),
  );
  return {
    name: `Transformer encoder, ${depth} layers (d ${d}, 4 heads, ${batch}×${seq} tokens)`,
    plain: () => layers.reduce((h, l) => l.forward(h), x).square().mean(),
    checkpointed: () => blocks.reduce((h, block, i) => block(h, ...named[i]!.map(([, p]) => p)), x).square().mean(),
    wrt: named.flat().map(([, p]) => p),
  };
}

export async function checkpointRows(quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  for (const make of quick ? [mlp] : [mlp, transformer]) {
    const c = make();
    const [plain, g1] = held(c.plain, c.wrt);
    const [ck, g2] = held(c.checkpointed, c.wrt);
    const diff = Math.max(...g1.map((g, i) => g.sub(g2[i]!).abs().max().item()));
    if (diff !== 0) throw new Error(`checkpoint: gradients differ by ${diff} for the ${c.name}`);
    const row = (how: string, bytes: number): Row => ({
      section: 'memory', name: `held for backward, ${c.name}: ${how}`, unit: 'MiB', higherIsBetter: false, values: { tapegrad: bytes / 2 ** 20 },
    });
    rows.push(row('without checkpoint', plain), row('checkpoint per layer (same gradients)', ck));
  }
  return rows;
}
