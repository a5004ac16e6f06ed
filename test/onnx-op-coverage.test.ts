// Issue 13's "an op with no ONNX mapping is a clear error naming it", checked by enumeration: every
// op made by defineOp while loading the packages has an export rule, or is listed (with the reason
// its error gives) as not exported, or has integer/bool results that become constants of the trace.
// The lists per direction in docs/interop.md are generated here, so they cannot go stale:
// UPDATE_INTEROP_DOCS=1 npx vitest run test/onnx-op-coverage.test.ts rewrites them.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tg from '@tapegrad/autograd';
import '@tapegrad/nn';
import '@tapegrad/optim';
import '@tapegrad/train';
import '@tapegrad/data';
import { defineOp, randn, type Tensor } from '@tapegrad/autograd';
import { exportOnnx } from '@tapegrad/onnx';
import { definedOps } from '../packages/autograd/src/define-op.js';
import { exportableOps } from '../packages/onnx/src/export-rules.js';
import { notExported, traceConstants } from '../packages/onnx/src/export-unsupported.js';
import { importOps } from '../packages/onnx/src/import.js';

// Ops the transforms make per call (checkpoint, custom rules): made once here so they are seen.
tg.customVjp((x: Tensor) => x, (x: Tensor) => [x, null], (_r, g) => [g]);
tg.customJvp((x: Tensor) => x, ([x], [t]) => [x, t]);
tg.checkpoint((x: Tensor) => x);
const builtins = [...new Set(definedOps().map((o) => o.record.name))].sort();
const opNamed = (name: string) => definedOps().find((o) => o.record.name === name)! as unknown as (...args: unknown[]) => Tensor;
/** Per-call ops that wrap a user's function in one tape node. */
const perCall: Record<string, string> = {
  customVjp: 'a user-defined vjp: the tape holds one node whose forward ONNX cannot see',
  customJvp: 'a user-defined jvp: the tape holds one node whose forward ONNX cannot see',
  checkpoint: 'recomputes its function in backward: the tape holds one node whose forward ONNX cannot see',
};
const exported = new Set(exportableOps());
const code = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(' ');

/** The generated part of docs/interop.md. */
function opLists(): string {
  const supported = builtins.filter((n) => exported.has(n));
  const reasons = { ...notExported, ...perCall };
  const refused = builtins.filter((n) => !exported.has(n) && Object.hasOwn(reasons, n));
  const byReason = new Map<string, string[]>();
  for (const n of refused) byReason.set(reasons[n]!, [...(byReason.get(reasons[n]!) ?? []), n]);
  const constants = builtins.filter((n) => traceConstants.includes(n));
  return [
    `**Export** writes ${supported.length} of the ${builtins.length} built-in ops: ${code(supported)}.`,
    '',
    `Results of ${code(constants)} are integer or bool tensors, which the tape never records: like comparison masks, they are constants of the trace.`,
    '',
    'Not exported (an error naming the op and the reason):',
    '',
    ...[...byReason].map(([why, names]) => `- ${code(names)}: ${why}`),
    '',
    `**Import** runs ${Object.keys(importOps).length} ONNX operators (default domain): ${code(Object.keys(importOps).sort())}.`,
  ].join('\n');
}

describe('every built-in op is exported to ONNX, or refused with a reason', () => {
  it('the enumeration sees the built-ins', () => {
    for (const n of ['add', 'matmul', 'conv2d', 'selu', 'cumsum', 'binaryCrossEntropy', 'checkpoint']) expect(builtins).toContain(n);
  });

  it('each op is in exactly one list: exported, not exported (with a reason) or a trace constant', () => {
    const lists = builtins.map((n) => [n, [exported.has(n), Object.hasOwn(notExported, n) || Object.hasOwn(perCall, n), traceConstants.includes(n)].filter(Boolean).length] as const);
    expect(lists.filter(([, k]) => k !== 1).map(([n]) => n)).toEqual([]);
    // No stale rows: every listed name is still a built-in.
    for (const n of [...Object.keys(notExported), ...Object.keys(perCall), ...traceConstants]) expect(builtins, n).toContain(n);
  });

  it('trace constants are never recorded (their results are integer or bool)', () => {
    const x = tg.tensor([[1, 3], [2, 0]], { requiresGrad: true });
    const img = tg.randn([1, 1, 4, 4], { requiresGrad: true });
    const results = [
      tg.argmax(x, 1), tg.argmin(x, 1), tg.argsort(x, 1), tg.eq(x, 1), tg.ne(x, 1), tg.lt(x, 1), tg.le(x, 1), tg.gt(x, 1), tg.ge(x, 1),
      tg.isFinite(x), tg.isInf(x), tg.isNaN(x), tg.oneHot(tg.argmax(x, 1), 3), (tg.maxPool2d(img, { kernelSize: 2, returnIndices: true }) as Tensor[])[1]!,
      // nn's internal checks, called through the registry (int32 in, int32 out)
      opNamed('classTargets')(tg.tensor([1, 0], { dtype: 'int32' }), 2, -100, 'crossEntropy'),
      opNamed('embeddingIds')(tg.tensor([2, 0], { dtype: 'int32' }), 3, 'Embedding'),
    ];
    expect(results.length).toBe(traceConstants.length);
    for (const r of results) expect(r.gradFn).toBeNull();
  });

  it('exporting an op it cannot write is an error naming the op and the reason', () => {
    const img = () => randn([1, 1, 4, 4]);
    const probes: [string, (x: Tensor) => Tensor, Tensor][] = [
      ['cumprod', (x) => tg.cumprod(x, 0), randn([3])],
      ['unfold', (x) => tg.unfold(x, { kernelSize: 1 }), img()],
      ['fold', (x) => tg.fold(x, { kernelSize: 1, outputSize: 2 }), randn([1, 1, 4])],
      ['avgPool2dBackward', (x) => tg.grad((y: Tensor) => tg.avgPool2d(y, { kernelSize: 2 }).square().sum())(x), img()],
      ['maxPool2dBackward', (x) => tg.grad((y: Tensor) => tg.maxPool2d(y, { kernelSize: 2 }).square().sum())(x), img()],
      ['conv2dWeightGrad', (x) => tg.grad((w: Tensor) => tg.conv2d(tg.ones([1, 1, 4, 4]), w).square().sum())(x), randn([1, 1, 2, 2])],
      ['sliceBackward', (x) => tg.grad((y: Tensor) => y.slice([0, 2]).square().sum())(x), randn([3])],
      ['maxPool2dGather', (x) => tg.jvp((y: Tensor) => tg.maxPool2d(y, { kernelSize: 2 }), [x], [x])[1] as Tensor, img()],
      ['maxPool2dSelect', (x) => tg.vmap((y: Tensor) => tg.jvp((z: Tensor) => tg.maxPool2d(z, { kernelSize: 2 }), [y], [y])[1] as Tensor)(x), randn([2, 1, 1, 4, 4])],
      ['customVjp', tg.customVjp((x: Tensor) => x.exp(), (x: Tensor) => [x.exp(), x], (r, g) => [g.mul(r)]), randn([2])],
    ];
    for (const [name, f, x] of probes) {
      const why = (notExported[name] ?? perCall[name])!.replace(/[()]/g, '\\$&');
      expect(() => exportOnnx(f, [x]), name).toThrow(new RegExp(`^exportOnnx: op '${name}' \\(output shape \\[[0-9, ]*\\]\\) has no ONNX mapping(: ${why})?$`));
    }
    // An op of one's own, defined outside the packages, is refused by name too.
    const softsign = defineOp({ name: 'mySoftsign', forward: (x: Tensor) => x.div(x.abs().add(1)), vjp: (g, { args: [x] }) => [g.div(x.abs().add(1).square())] });
    expect(() => exportOnnx((x: Tensor) => softsign(x), [randn([2])])).toThrow(/^exportOnnx: op 'mySoftsign' \(output shape \[2\]\) has no ONNX mapping$/);
  });

  it('docs/interop.md lists the ops of each direction as generated from the registries', () => {
    const path = fileURLToPath(new URL('../docs/interop.md', import.meta.url));
    const doc = readFileSync(path, 'utf8');
    const [begin, end] = ['<!-- op lists: generated by test/onnx-op-coverage.test.ts -->\n', '\n<!-- end of op lists -->'];
    const from = doc.indexOf(begin);
    const to = doc.indexOf(end);
    expect(from, 'docs/interop.md has the op-list markers').toBeGreaterThanOrEqual(0);
    const want = opLists();
    if (process.env.UPDATE_INTEROP_DOCS) writeFileSync(path, doc.slice(0, from + begin.length) + want + doc.slice(to));
    else expect(doc.slice(from + begin.length, to), 'run UPDATE_INTEROP_DOCS=1 npx vitest run test/onnx-op-coverage.test.ts').toBe(want);
  });
});
