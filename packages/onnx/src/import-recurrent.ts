// ONNX's LSTM, GRU and RNN nodes (as torch.onnx.export writes nn.LSTM/nn.GRU/nn.RNN) run as
// tapegrad ops, step by step, so the imported weights W, R, B train like any other parameter.
// ONNX's gate orders: LSTM i, o, f, c; GRU z, r, h (PyTorch's are i, f, g, o and r, z, n).
import { stack, zeros, type Tensor } from '@tapegrad/autograd';
import { ints, tensorOf, type Value } from './import-values.js';
import type { OpContext } from './import-ops.js';

type Kind = 'LSTM' | 'GRU' | 'RNN';
type ImportOp = (c: OpContext) => Value[];

const GATES: Record<Kind, number> = { LSTM: 4, GRU: 3, RNN: 1 };
const DEFAULT_ACTIVATIONS: Record<Kind, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };

const act = (name: string) => (x: Tensor) => (name === 'Sigmoid' ? x.sigmoid() : name === 'Tanh' ? x.tanh() : x.relu());

function recurrent(kind: Kind): ImportOp {
  return (c) => {
    const input = (i: number) => (c.inputs[i] === undefined ? null : tensorOf(c.inputs[i], `${kind} input ${i}`));
    const H = c.attr<number>('hidden_size');
    const direction = c.attr<string>('direction', 'forward');
    if (!['forward', 'reverse', 'bidirectional'].includes(direction)) c.fail(`unknown direction '${direction}'`);
    const dirs = direction === 'bidirectional' ? 2 : 1;
    const layout = c.attr<number>('layout', 0);
    if (c.attr<number | undefined>('clip', undefined) !== undefined) c.fail('the clip attribute is not supported');
    if (c.attr<number>('input_forget', 0) !== 0) c.fail('input_forget = 1 is not supported');
    const activations = c.attr<string[]>('activations', [...DEFAULT_ACTIVATIONS[kind], ...(dirs === 2 ? DEFAULT_ACTIVATIONS[kind] : [])]);
    const per = DEFAULT_ACTIVATIONS[kind].length;
    const allowed = kind === 'RNN' ? ['Tanh', 'Relu'] : DEFAULT_ACTIVATIONS[kind];
    activations.forEach((a, i) => {
      if ((kind === 'RNN' && !allowed.includes(a)) || (kind !== 'RNN' && a !== allowed[i % per])) c.fail(`activations [${activations.join(', ')}] are not supported (only the defaults${kind === 'RNN' ? ', or Relu' : ''})`);
    });
    if (kind === 'LSTM' && c.inputs[7] !== undefined) c.fail('peephole weights (input P) are not supported');
    let x = input(0)!;
    if (x.ndim !== 3) c.fail(`expected X of rank 3, got shape [${x.shape.join(', ')}]`);
    if (layout === 1) x = x.transpose(0, 1);
    const [L, N] = x.shape as [number, number];
    if (c.inputs[4] !== undefined) {
      const lens = ints(c.inputs[4], 'sequence_lens');
      if (lens.some((n) => n !== L)) c.fail(`sequence_lens [${lens.join(', ')}] shorter than the sequence (${L}) are not supported`);
    }
    const [W, R, B] = [input(1)!, input(2)!, input(3)];
    const G = GATES[kind];
    if (W.shape[0] !== dirs || W.shape[1] !== G * H) c.fail(`W has shape [${W.shape.join(', ')}], expected [${dirs}, ${G * H}, input_size]`);
    const state = (i: number) => {
      const s = input(i);
      if (!s) return zeros([dirs, N, H], { dtype: x.dtype });
      return layout === 1 ? s.transpose(0, 1) : s;
    };
    const h0 = state(5);
    const c0 = kind === 'LSTM' ? state(6) : null;
    const linearBeforeReset = c.attr<number>('linear_before_reset', 0) === 1;
    const ys: Tensor[] = [], hs: Tensor[] = [], cs: Tensor[] = [];
    for (let d = 0; d < dirs; d++) {
      const f = act(activations[d * per]!), g = act(activations[d * per + 1] ?? 'Tanh'), h = act(activations[d * per + 2] ?? 'Tanh');
      const wb = B ? B.slice(d).slice([0, G * H]) : null;
      const rb = B ? B.slice(d).slice([G * H, 2 * G * H]) : null;
      let xi = x.matmul(W.slice(d).transpose(0, 1)); // every step's input projection: [L, N, G·H]
      if (wb) xi = xi.add(wb);
      const r = R.slice(d);
      const part = (t: Tensor, k: number) => t.slice(null, [k * H, (k + 1) * H]);
      let ht = h0.slice(d), ct = c0 ? c0.slice(d) : null;
      const steps = new Array<Tensor>(L);
      const reverse = direction === 'reverse' || d === 1;
      for (let i = 0; i < L; i++) {
        const t = reverse ? L - 1 - i : i;
        const xt = xi.slice(t);
        if (kind === 'GRU') {
          const rr = (k: number) => r.slice([k * H, (k + 1) * H]);
          const rbk = (k: number) => (rb ? rb.slice([k * H, (k + 1) * H]) : null);
          const plus = (v: Tensor, b: Tensor | null) => (b ? v.add(b) : v);
          const z = f(part(xt, 0).add(plus(ht.matmul(rr(0).transpose(0, 1)), rbk(0))));
          const rg = f(part(xt, 1).add(plus(ht.matmul(rr(1).transpose(0, 1)), rbk(1))));
          const hidden = linearBeforeReset
            ? rg.mul(plus(ht.matmul(rr(2).transpose(0, 1)), rbk(2)))
            : plus(rg.mul(ht).matmul(rr(2).transpose(0, 1)), rbk(2));
          const cand = g(part(xt, 2).add(hidden));
          ht = cand.sub(z.mul(cand)).add(z.mul(ht));
        } else {
          let gates = xt.add(ht.matmul(r.transpose(0, 1)));
          if (rb) gates = gates.add(rb);
          if (kind === 'RNN') ht = f(gates);
          else {
            const [ig, og, fg, cg] = [f(part(gates, 0)), f(part(gates, 1)), f(part(gates, 2)), g(part(gates, 3))];
            ct = fg.mul(ct!).add(ig.mul(cg));
            ht = og.mul(h(ct));
          }
        }
        steps[t] = ht;
      }
      ys.push(stack(steps, 0));
      hs.push(ht);
      if (ct) cs.push(ct);
    }
    // Y is [L, dirs, N, H] (layout 0) or [N, L, dirs, H]; the states [dirs, N, H] or [N, dirs, H].
    const y = stack(ys, 1);
    const finals = (s: Tensor[]) => (layout === 1 ? stack(s, 0).transpose(0, 1) : stack(s, 0));
    return [layout === 1 ? y.permute([2, 0, 1, 3]) : y, finals(hs), ...(kind === 'LSTM' ? [finals(cs)] : [])];
  };
}

/** The recurrent ONNX operators. */
export const recurrentOps: Record<string, ImportOp> = { LSTM: recurrent('LSTM'), GRU: recurrent('GRU'), RNN: recurrent('RNN') };

