// PyTorch-style printing: tensor([[ 1.0000, -2.5000], ...], requires_grad=True)
import type { Tensor } from './tensor.js';
import { contiguousData } from './kernels/layout.js';

const SUMMARIZE_ABOVE = 1000;
const EDGE = 3;

/** Formats values the way `torch.tensor.__repr__` does (4 decimals, or `1.` for whole numbers). */
export function formatTensor(t: Tensor): string {
  const flat = contiguousData(t.data);
  const shape = t.shape;
  const summarize = flat.length > SUMMARIZE_ABOVE;
  const allInts = flat.every((v) => Number.isInteger(v) || !Number.isFinite(v));
  let maxAbs = 0;
  let minAbs = Infinity;
  for (const v of flat) {
    if (Number.isFinite(v) && v !== 0) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
      minAbs = Math.min(minAbs, Math.abs(v));
    }
  }
  // PyTorch's rule: scientific notation when magnitudes span more than 1e3 or leave [1e-4, 1e8).
  const sci = !allInts && maxAbs !== 0 && (maxAbs / minAbs > 1000 || maxAbs >= 1e8 || minAbs < 1e-4);
  const fmtNum = (v: number): string => {
    if (t.dtype === 'bool') return v ? 'True' : 'False';
    if (t.dtype === 'int32') return `${v}`;
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    if (allInts) return `${v}.`;
    return sci ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : v.toFixed(4);
  };
  const cells = Array.from(flat, fmtNum);
  const width = Math.max(0, ...cells.map((c) => c.length));
  const pad = (s: string) => s.padStart(width);

  const prefix = 'tensor(';
  const render = (dim: number, offset: number, indent: number): string => {
    if (shape.length === 0) return cells[0]!;
    const n = shape[dim]!;
    const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const idx = summarize && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
    if (dim === shape.length - 1) {
      return `[${idx.map((i) => (i < 0 ? '...' : pad(cells[offset + i]!))).join(', ')}]`;
    }
    const sep = ',' + '\n'.repeat(shape.length - dim - 1) + ' '.repeat(indent + 1);
    return `[${idx.map((i) => (i < 0 ? '...' : render(dim + 1, offset + i * stride, indent + 1))).join(sep)}]`;
  };
  const extras: string[] = [];
  if (t.dtype === 'float64' || t.dtype === 'int32') extras.push(`dtype=${t.dtype}`);
  if (t.gradFn) extras.push(`grad_fn=<${t.gradFn.op.name}Backward>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  const body = render(0, 0, prefix.length);
  return `${prefix}${body}${extras.map((e) => ', ' + e).join('')})`;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}
