import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manualSeed, randn, tensor, toDot, zeros, type Tensor } from '@tapegrad/autograd';
import { renderSvg, saveGraph } from '@tapegrad/autograd/node';

const hasDot = !spawnSync('dot', ['-V']).error;
const dir = mkdtempSync(join(tmpdir(), 'tapegrad-graph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OP = 'shape=box, style="rounded,filled", fillcolor="#eeeeee"';
const PARAM = 'shape=box, style=filled, fillcolor="#cfe2f3"';

describe('toDot', () => {
  it('gives the exact DOT of a tiny expression, broadcast expand included', () => {
    const x = tensor([[1, 2]]);
    const w = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const b = tensor([0, 0, 0], { requiresGrad: true });
    const y = x.matmul(w).add(b).relu().sum();
    expect(toDot(y)).toBe(
      [
        'digraph tapegrad {',
        '  graph [rankdir=TB];',
        '  node [fontname="Helvetica", fontsize=10];',
        '  n0 [label="input\\n[1, 2]", shape=ellipse];',
        `  n1 [label="parameter\\n[2, 3]", ${PARAM}];`,
        `  n2 [label="matmul\\n[1, 3]", ${OP}];`,
        `  n3 [label="parameter\\n[3]", ${PARAM}];`,
        `  n4 [label="expand\\n[1, 3]", ${OP}];`,
        `  n5 [label="add\\n[1, 3]", ${OP}];`,
        `  n6 [label="relu\\n[1, 3]", ${OP}];`,
        `  n7 [label="sum\\n[]", ${OP}, penwidth=2];`,
        '  n0 -> n2;',
        '  n1 -> n2;',
        '  n3 -> n4;',
        '  n2 -> n5;',
        '  n4 -> n5;',
        '  n5 -> n6;',
        '  n6 -> n7;',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('labels parameters from a Map, a record or namedParameters()-style pairs, and escapes labels', () => {
    const w = randn([2, 2], { requiresGrad: true });
    const b = randn([2], { requiresGrad: true });
    const y = w.add(b).sum();
    const viaRecord = toDot(y, { names: { 'layer.weight': w, 'say "hi" \\ bye': b } });
    expect(viaRecord).toContain(`[label="layer.weight\\n[2, 2]", ${PARAM}]`);
    expect(viaRecord).toContain(`[label="say \\"hi\\" \\\\ bye\\n[2]", ${PARAM}]`);
    const viaPairs = toDot(y, { names: [['fc.weight', w], ['fc.bias', b]] });
    const viaMap = toDot(y, { names: new Map<Tensor, string>([[w, 'fc.weight'], [b, 'fc.bias']]) });
    expect(viaMap).toBe(viaPairs);
    expect(viaPairs).toContain('label="fc.bias\\n[2]"');
  });

  it('names tied weights with every name, intermediates above their op, and keeps multi-use edges', () => {
    const w = randn([3], { requiresGrad: true });
    const h = w.mul(w);
    const dot = toDot(h.exp(), { names: [['enc.w', w], ['dec.w', w], ['hidden', h]], rankDir: 'LR' });
    expect(dot).toContain('graph [rankdir=LR];');
    expect(dot).toContain('label="enc.w, dec.w\\n[3]"');
    expect(dot).toContain('label="hidden\\nmul\\n[3]"');
    expect(dot.match(/n0 -> n1;/g)).toHaveLength(2);
  });

  it('shows the value of a one-valued constant (one element, or broadcast as a stride-0 view)', () => {
    const w = randn([2], { requiresGrad: true });
    const dot = toDot(w.mul(tensor([0.25])).add(tensor([1 / 3])).div(tensor([[5, 7]])));
    expect(dot).toContain('n1 [label="constant 0.25\\n[2]", shape=ellipse];'); // broadcast to w's shape outside the tape
    expect(dot).toContain('label="constant 0.333333\\n[2]"');
    expect(dot).toContain('label="input\\n[1, 2]"'); // two different values: not a constant
  });

  it('draws several outputs sharing a subgraph once, each output with a thick border', () => {
    const x = randn([2], { requiresGrad: true });
    const h = x.exp();
    const dot = toDot([h.sum(), h.mean()]);
    expect(dot.match(/label="exp/g)).toHaveLength(1);
    expect(dot.match(/penwidth=2/g)).toHaveLength(2);
    expect(toDot(x)).toContain(`n0 [label="parameter\\n[2]", ${PARAM}, penwidth=2];`);
  });

  it('still draws a graph freed by backward()', () => {
    const w = randn([4, 3], { requiresGrad: true });
    const loss = randn([2, 4]).matmul(w).square().mean();
    const before = toDot(loss, { names: { w } });
    loss.backward();
    expect(loss.gradFn?.args).toBeNull(); // freed: only args/saved are dropped
    expect(toDot(loss, { names: { w } })).toBe(before);
  });

  it('walks a chain of 20,000 ops without overflowing the stack', () => {
    let y = randn([1], { requiresGrad: true });
    for (let i = 0; i < 20_000; i++) y = y.mul(1.0001);
    const dot = toDot(y);
    expect(dot).toContain('n20000 [label="mul\\n[1]"');
    expect(dot).toContain('n19999 -> n20000;');
  });
});

describe('renderSvg and saveGraph', () => {
  const loss = () => {
    const w = randn([3, 2], { requiresGrad: true });
    return { w, loss: randn([4, 3]).matmul(w).relu().sum() };
  };

  it.skipIf(!hasDot)('renders SVG text with the dot binary', () => {
    const svg = renderSvg(toDot(loss().loss))!;
    expect(svg).toContain('<svg');
    expect(svg).toContain('matmul');
    expect(() => renderSvg('digraph {')).toThrow(/renderSvg: 'dot -Tsvg' exited with status/);
  });

  it('returns null when the Graphviz binary is not installed', () => {
    expect(renderSvg(toDot(loss().loss), { command: 'tapegrad-no-such-dot' })).toBeNull();
    if (!hasDot) expect(renderSvg('digraph {}')).toBeNull();
  });

  it('writes DOT for .dot paths and rejects unknown extensions', () => {
    const { w, loss: y } = loss();
    const path = join(dir, 'g.dot');
    expect(saveGraph(path, y, { names: { w } })).toEqual({ path, format: 'dot' });
    expect(readFileSync(path, 'utf8')).toBe(toDot(y, { names: { w } }));
    expect(() => saveGraph(join(dir, 'g.png'), y)).toThrow(/use a \.svg, \.dot or \.gv file name/);
  });

  it('falls back to the .dot twin, and says so, when dot is missing', () => {
    const messages: string[] = [];
    const path = join(dir, 'fallback.svg');
    const saved = saveGraph(path, loss().loss, { command: 'tapegrad-no-such-dot', warn: (m) => messages.push(m) });
    expect(saved).toEqual({ path: join(dir, 'fallback.dot'), format: 'dot' });
    expect(existsSync(path)).toBe(false);
    expect(readFileSync(saved.path, 'utf8')).toMatch(/^digraph tapegrad \{/);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("Graphviz 'dot' was not found");
  });

  it.skipIf(!hasDot)('writes an SVG file when dot is installed', () => {
    const path = join(dir, 'g.svg');
    expect(saveGraph(path, loss().loss)).toEqual({ path, format: 'svg' });
    expect(readFileSync(path, 'utf8')).toContain('<svg');
  });
});

describe('docs/getting-started.md, "Seeing the graph"', () => {
  it('the MLP example draws the graph pictured in docs/images/mlp-graph.svg', () => {
    manualSeed(0);
    const x = randn([4, 3]);
    const target = tensor([[1, 0], [0, 1], [0, 1], [1, 0]]);
    const w1 = randn([3, 8], { requiresGrad: true }), b1 = zeros([8], { requiresGrad: true });
    const w2 = randn([8, 2], { requiresGrad: true }), b2 = zeros([2], { requiresGrad: true });
    const logits = x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
    const loss = logits.logSoftmax(1).mul(target).sum(1).mean().neg();
    const dot = toDot(loss, { names: { x, target, w1, b1, w2, b2, logits } });
    expect(dot).toContain('label="w1\\n[3, 8]", shape=box, style=filled');
    expect(dot).toContain('label="logits\\nadd\\n[4, 2]"');
    // The committed picture shows every label of today's graph: rerun scripts/render-graph.ts if not.
    const svg = readFileSync(new URL('../../../docs/images/mlp-graph.svg', import.meta.url), 'utf8');
    const labels = [...dot.matchAll(/label="([^"]*)"/g)].flatMap((m) => m[1]!.split('\\n'));
    const texts = new Set([...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]));
    expect(labels.filter((l) => !texts.has(l))).toEqual([]);
    expect(svg.match(/<g id="node\d+" class="node">/g)).toHaveLength(dot.match(/^  n\d+ \[/gm)!.length);
  });
});
