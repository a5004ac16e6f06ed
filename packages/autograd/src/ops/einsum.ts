// einsum, lowered to ops that already have every rule: diagonals by an identity mask and a sum,
// labels used once summed away early, and each pair of operands contracted by one batched matmul
// (permute → reshape → matmul → reshape). Gradients, second order, jvp and vmap come from those ops.
import type { Tensor } from '../tensor.js';
import { fmt, sizeOf } from '../shape.js';
import { eye } from './creation.js';
import { matmul } from './linalg.js';
import { commonDType } from './broadcast.js';
import { checkTensorList } from '../validate.js';

/** Ellipsis axes get labels from here up (letters are char codes below 128). */
const ELLIPSIS = 1000;

interface Operand {
  t: Tensor;
  labels: number[];
}

const labelName = (l: number) => (l >= ELLIPSIS ? '...' : String.fromCharCode(l));

/** The labels of one term; `null` marks where `...` stands. */
function parseTerm(term: string, where: string): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = 0; i < term.length; i++) {
    if (term.startsWith('...', i)) {
      if (out.includes(null)) throw new Error(`einsum: ${where} contains more than one '...'`);
      out.push(null);
      i += 2;
    } else if (/[a-zA-Z]/.test(term[i]!)) out.push(term.charCodeAt(i));
    else throw new Error(`einsum: invalid subscript '${term[i]}' in ${where}; subscripts are letters a-z, A-Z and '...'`);
  }
  return out;
}

/** Expands `...` to `count` ellipsis labels aligned to the right of `total`. */
function expandEllipsis(term: (number | null)[], count: number, total: number): number[] {
  return term.flatMap((l) => (l === null ? Array.from({ length: count }, (_, j) => ELLIPSIS + total - count + j) : [l]));
}

function parse(equation: string, tensors: readonly Tensor[]): { operands: Operand[]; output: number[]; sizes: Map<number, number> } {
  const eq = equation.replace(/\s/g, '');
  const arrow = eq.split('->');
  if (arrow.length > 2) throw new Error(`einsum: equation '${equation}' has more than one '->'`);
  const terms = arrow[0]!.split(',');
  if (terms.length !== tensors.length) throw new Error(`einsum: equation '${equation}' has ${terms.length} input term${terms.length === 1 ? '' : 's'} but ${tensors.length} operand${tensors.length === 1 ? ' was' : 's were'} given`);
  const parsed = terms.map((t, i) => parseTerm(t, `operand ${i}'s subscripts '${t}'`));
  const ellCounts = parsed.map((p, i) => {
    const letters = p.filter((l) => l !== null).length;
    const t = tensors[i]!;
    const hasEll = p.includes(null);
    if (hasEll ? t.ndim < letters : t.ndim !== letters) {
      throw new Error(`einsum: operand ${i} has ${t.ndim} dimension${t.ndim === 1 ? '' : 's'} (shape ${fmt(t.shape)}) but its subscripts '${terms[i]}' name ${letters}${hasEll ? ' or more' : ''}`);
    }
    return t.ndim - letters;
  });
  const total = Math.max(0, ...ellCounts);
  const operands = parsed.map((p, i) => ({ t: tensors[i]!, labels: expandEllipsis(p, ellCounts[i]!, total) }));
  const sizes = new Map<number, number>();
  operands.forEach(({ t, labels }, i) => labels.forEach((l, d) => {
    const seen = sizes.get(l);
    const n = t.shape[d]!;
    if (seen === undefined || seen === 1) sizes.set(l, n);
    else if (n !== seen && n !== 1) {
      throw new Error(`einsum: subscript ${labelName(l)} has size ${n} for operand ${i} which does not broadcast with previously seen size ${seen}`);
    }
  }));
  const ellLabels = Array.from({ length: total }, (_, j) => ELLIPSIS + j);
  let output: number[];
  if (arrow.length === 2) {
    const out = parseTerm(arrow[1]!, `the output subscripts '${arrow[1]}'`);
    output = expandEllipsis(out, total, total);
    output.forEach((l) => {
      if (l < ELLIPSIS && !sizes.has(l)) throw new Error(`einsum: output subscript ${labelName(l)} does not appear in the inputs`);
    });
    if (new Set(output).size !== output.length) throw new Error(`einsum: output subscripts '${arrow[1]}' repeat a subscript`);
  } else {
    // Implicit output: the ellipsis axes, then the letters used exactly once, in ASCII order.
    const counts = new Map<number, number>();
    operands.forEach(({ labels }) => labels.forEach((l) => counts.set(l, (counts.get(l) ?? 0) + 1)));
    output = [...ellLabels, ...[...counts].filter(([l, c]) => c === 1 && l < ELLIPSIS).map(([l]) => l).sort((a, b) => a - b)];
  }
  return { operands, output, sizes };
}

/** Takes the diagonal of every label repeated within one operand ('ii->i'). */
function diagonals(op: Operand): Operand {
  let { t, labels } = op;
  for (let q = 0; q < labels.length; q++) {
    const p = labels.indexOf(labels[q]!);
    if (p === q) continue;
    const n = t.shape[p]!;
    if (t.shape[q] !== n) throw new Error(`einsum: subscript ${labelName(labels[q]!)} is repeated in one operand with different sizes ${t.shape[p]} and ${t.shape[q]}`);
    const mask = eye(n, n, { dtype: t.dtype }).reshape(t.shape.map((d, i) => (i === p || i === q ? n : 1)));
    t = t.mul(mask).sum(q);
    labels = labels.filter((_, i) => i !== q);
    q--;
  }
  return { t, labels };
}

/** Sums the axes whose labels `keep` rejects. */
function sumOut(op: Operand, keep: (l: number) => boolean): Operand {
  const axes = op.labels.map((l, i) => (keep(l) ? -1 : i)).filter((i) => i >= 0);
  if (axes.length === 0) return op;
  return { t: op.t.sum(axes), labels: op.labels.filter((l) => keep(l)) };
}

/** `op.t` with axes reordered to `order` (labels), each broadcast to `sizes` where listed in `grow`. */
function arrange(op: Operand, order: number[], grow: Set<number>, sizes: Map<number, number>): Tensor {
  let t = op.t.permute(order.map((l) => op.labels.indexOf(l)));
  if (order.some((l, i) => grow.has(l) && t.shape[i] !== sizes.get(l))) t = t.expand(order.map((l, i) => (grow.has(l) ? sizes.get(l)! : t.shape[i]!)));
  return t;
}

// A same-shape reshape of a transposed view would copy it; matmul reads transposes in place, so
// 'bhqd,bhkd->bhqk' runs as q @ kᵀ with no copy.
const reshapeIfNeeded = (t: Tensor, shape: number[]) => (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : t.reshape(shape));

/** Contracts two operands with one batched matmul: [batch, aFree, k] @ [batch, k, bFree]. */
function contract(a: Operand, b: Operand, needed: Set<number>, sizes: Map<number, number>): Operand {
  const inB = new Set(b.labels);
  const shared = a.labels.filter((l) => inB.has(l));
  const batch = shared.filter((l) => needed.has(l));
  const summed = shared.filter((l) => !needed.has(l));
  const aFree = a.labels.filter((l) => !inB.has(l));
  const bFree = b.labels.filter((l) => !a.labels.includes(l));
  const grow = new Set(summed); // a contracted size-1 axis broadcasts against the other side
  const at = arrange(a, [...batch, ...aFree, ...summed], grow, sizes);
  const bt = arrange(b, [...batch, ...summed, ...bFree], grow, sizes);
  const nb = batch.length;
  const k = sizeOf(summed.map((l) => sizes.get(l)!));
  const aFreeShape = at.shape.slice(nb, nb + aFree.length);
  const bFreeShape = bt.shape.slice(nb + summed.length);
  const a2 = reshapeIfNeeded(at, [...at.shape.slice(0, nb), sizeOf(aFreeShape), k]);
  const b2 = reshapeIfNeeded(bt, [...bt.shape.slice(0, nb), k, sizeOf(bFreeShape)]);
  const c = matmul(a2, b2);
  return { t: reshapeIfNeeded(c, [...c.shape.slice(0, nb), ...aFreeShape, ...bFreeShape]), labels: [...batch, ...aFree, ...bFree] };
}

/**
 * Einstein summation, like `torch.einsum`: `'ij,jk->ik'` is a matrix product, `'bij,bjk->bik'` a
 * batched one, `'ii->i'` a diagonal, `'i,j->ij'` an outer product, `'...ij->...ji'` a transpose
 * over any leading axes (ellipsis axes broadcast like NumPy). Without `->` the output is the
 * ellipsis axes, then the subscripts used once, in alphabetical (ASCII) order. Operands are
 * contracted left to right, each pair by one batched matmul; size-1 axes broadcast.
 *
 * @example
 * ```ts
 * einsum('ij,jk->ik', a, b);             // matmul(a, b)
 * einsum('bhqd,bhkd->bhqk', q, k);       // attention scores
 * einsum('ii', eye(3));                  // trace: 3
 * einsum('...ij->...ji', x);             // batched transpose
 * einsum('i,i', [tensor([1, 2]), tensor([3, 4])]); // 11
 * ```
 * @category Linear algebra
 */
export function einsum(equation: string, ...operands: (Tensor | readonly Tensor[])[]): Tensor {
  if (typeof equation !== 'string') throw new Error(`einsum: the equation must be a string, got ${typeof equation}`);
  const tensors = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as Tensor[];
  if (tensors.length === 0) throw new Error('einsum: expected at least one operand');
  checkTensorList('einsum', 'operands', tensors);
  commonDType('einsum', tensors);
  const { operands: ops, output, sizes } = parse(equation, tensors);
  const outSet = new Set(output);
  let list = ops.map(diagonals);
  // Labels nobody else needs are summed away before any product.
  list = list.map((op, i) => sumOut(op, (l) => outSet.has(l) || list.some((o, j) => j !== i && o.labels.includes(l))));
  while (list.length > 1) {
    const needed = new Set(output);
    list.slice(2).forEach((o) => o.labels.forEach((l) => needed.add(l)));
    const [a, b] = [list[0]!, list[1]!];
    const keepFor = (other: Operand) => (l: number) => needed.has(l) || other.labels.includes(l);
    list = [contract(sumOut(a, keepFor(b)), sumOut(b, keepFor(a)), needed, sizes), ...list.slice(2)];
  }
  const last = sumOut(list[0]!, (l) => outSet.has(l));
  const t = last.t.permute(output.map((l) => last.labels.indexOf(l)));
  const full = output.map((l) => sizes.get(l)!);
  return t.shape.every((d, i) => d === full[i]) ? t : t.expand(full);
}
