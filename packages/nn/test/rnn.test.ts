import { describe, expect, it } from 'vitest';
import { Generator, concat, randn, stack, tensor, type Tensor } from '@tapegrad/autograd';
import { GRU, GRUCell, LSTM, LSTMCell, Module, RNN, RNNCell } from '@tapegrad/nn';
import { flat, moduleGradcheck } from './helpers.js';
import { maxDiff, torchCase } from './torch-fixtures.js';

const f64 = { dtype: 'float64' as const };
const tensorOf = (v: number[]) => tensor(v, f64);
const rnd = (shape: number[], seed: number) => randn(shape, { ...f64, generator: new Generator(seed) });
const sig = (v: number) => 1 / (1 + Math.exp(-v));
/** W·x + b for plain arrays: W [rows, cols] flat, taking rows r0..r0+n. */
const affine = (W: number[], cols: number, b: number[], x: number[], r0: number, n: number) =>
  Array.from({ length: n }, (_, r) => x.reduce((s, v, j) => s + W[(r0 + r) * cols + j]! * v, b[r0 + r]!));

describe('recurrent cells by their equations', () => {
  const x = [0.3, -1.2, 0.8], h = [0.5, -0.1], c = [0.2, 0.7];
  const H = 2;
  const params = (m: Module) => Object.fromEntries(m.namedParameters().map(([n, p]) => [n, flat(p)]));

  it('LSTMCell: i, f, g, o gates in PyTorch order', () => {
    const cell = new LSTMCell(3, H, { ...f64, generator: new Generator(1) });
    const p = params(cell);
    const pre = (k: number) => affine(p.weight_ih!, 3, p.bias_ih!, x, k * H, H).map((v, j) => v + affine(p.weight_hh!, H, p.bias_hh!, h, k * H, H)[j]!);
    const [i, f, g, o] = [pre(0).map(sig), pre(1).map(sig), pre(2).map(Math.tanh), pre(3).map(sig)];
    const c2 = c.map((cv, j) => f[j]! * cv + i[j]! * g[j]!);
    const h2 = c2.map((cv, j) => o[j]! * Math.tanh(cv));
    const [hOut, cOut] = cell.forward(tensorOf(x), [tensorOf(h), tensorOf(c)]);
    flat(hOut).forEach((v, j) => expect(v).toBeCloseTo(h2[j]!, 12));
    flat(cOut).forEach((v, j) => expect(v).toBeCloseTo(c2[j]!, 12));
  });

  it('GRUCell: r, z, n with the reset gate on the recurrent part', () => {
    const cell = new GRUCell(3, H, { ...f64, generator: new Generator(2) });
    const p = params(cell);
    const xi = (k: number) => affine(p.weight_ih!, 3, p.bias_ih!, x, k * H, H);
    const hh = (k: number) => affine(p.weight_hh!, H, p.bias_hh!, h, k * H, H);
    const r = xi(0).map((v, j) => sig(v + hh(0)[j]!));
    const z = xi(1).map((v, j) => sig(v + hh(1)[j]!));
    const n = xi(2).map((v, j) => Math.tanh(v + r[j]! * hh(2)[j]!));
    const expected = n.map((nv, j) => (1 - z[j]!) * nv + z[j]! * h[j]!);
    flat(cell.forward(tensorOf(x), tensorOf(h))).forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 12));
  });

  it('RNNCell: tanh and relu; zero state by default', () => {
    for (const nonlinearity of ['tanh', 'relu'] as const) {
      const cell = new RNNCell(3, H, { ...f64, nonlinearity, bias: false, generator: new Generator(3) });
      const p = params(cell);
      const pre = affine(p.weight_ih!, 3, [0, 0], x, 0, H);
      const expected = pre.map((v) => (nonlinearity === 'tanh' ? Math.tanh(v) : Math.max(0, v)));
      flat(cell.forward(tensorOf(x))).forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 12));
    }
  });

  it('cells: gradients agree with finite differences', () => {
    moduleGradcheck(new LSTMCell(3, 2, { ...f64, generator: new Generator(4) }), [rnd([2, 3], 5).requiresGrad_()]);
    moduleGradcheck(new GRUCell(3, 2, { ...f64, generator: new Generator(6) }), [rnd([2, 3], 7).requiresGrad_(), rnd([2, 2], 8).requiresGrad_()]);
    moduleGradcheck(new RNNCell(3, 2, { ...f64, generator: new Generator(9) }), [rnd([2, 3], 10).requiresGrad_(), rnd([2, 2], 11).requiresGrad_()]);
  });
});

describe('RNN / LSTM / GRU', () => {
  it('have PyTorch parameter names and shapes, layer by layer and direction', () => {
    const lstm = new LSTM(3, 4, { numLayers: 2, bidirectional: true });
    expect(lstm.namedParameters().map(([n, p]) => `${n}:${p.shape}`)).toEqual([
      'weight_ih_l0:16,3', 'weight_hh_l0:16,4', 'bias_ih_l0:16', 'bias_hh_l0:16',
      'weight_ih_l0_reverse:16,3', 'weight_hh_l0_reverse:16,4', 'bias_ih_l0_reverse:16', 'bias_hh_l0_reverse:16',
      'weight_ih_l1:16,8', 'weight_hh_l1:16,4', 'bias_ih_l1:16', 'bias_hh_l1:16',
      'weight_ih_l1_reverse:16,8', 'weight_hh_l1_reverse:16,4', 'bias_ih_l1_reverse:16', 'bias_hh_l1_reverse:16',
    ]);
    expect(new GRU(3, 4, { bias: false }).namedParameters().map(([n, p]) => `${n}:${p.shape}`)).toEqual(['weight_ih_l0:12,3', 'weight_hh_l0:12,4']);
    expect(String(new LSTM(3, 4, { numLayers: 2, bidirectional: true }))).toBe('LSTM(3, 4, num_layers=2, bidirectional=True)');
  });

  it('LSTM equals its cell unrolled step by step, forward and reverse, layer on layer', () => {
    const lstm = new LSTM(3, 2, { ...f64, numLayers: 2, bidirectional: true, generator: new Generator(12) });
    const x = rnd([4, 2, 3], 13);
    const [out, [hn, cn]] = lstm.forward(x);
    const cells = [0, 1].map((layer) => ['', '_reverse'].map((sfx) => {
      const cell = new LSTMCell(layer === 0 ? 3 : 4, 2, f64);
      cell.loadStateDict(Object.fromEntries(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((k) => [k, lstm.stateDict()[`${k}_l${layer}${sfx}`]!])));
      return cell;
    }));
    let input = [0, 1, 2, 3].map((t) => x.slice(t));
    const hs: Tensor[] = [], cs: Tensor[] = [];
    for (const [fwd, bwd] of cells) {
      const run = (cell: LSTMCell, order: number[]) => {
        let s: [Tensor, Tensor] | undefined;
        const outs: Tensor[] = [];
        for (const t of order) outs[t] = (s = cell.forward(input[t]!, s))[0];
        hs.push(s![0]);
        cs.push(s![1]);
        return outs;
      };
      const [a, b] = [run(fwd!, [0, 1, 2, 3]), run(bwd!, [3, 2, 1, 0])];
      input = a.map((v, t) => concat([v, b[t]!], 1));
    }
    expect(maxDiff(out, stack(input, 0))).toBeLessThan(1e-14);
    expect(maxDiff(hn, stack(hs, 0))).toBeLessThan(1e-14);
    expect(maxDiff(cn, stack(cs, 0))).toBeLessThan(1e-14);
  });

  for (const kind of ['RNN', 'LSTM', 'GRU'] as const) {
    it(`${kind} matches torch (2 layers, bidirectional, batch_first, initial states, packed lengths)`, () => {
      const c = torchCase(kind);
      const make = { RNN: () => new RNN(3, 4, o), LSTM: () => new LSTM(3, 4, o), GRU: () => new GRU(3, 4, o) };
      const o = { ...f64, numLayers: 2, bidirectional: true, batchFirst: true };
      const m = make[kind]();
      c.load(m);
      const x = c.get('x');
      if (m instanceof LSTM) {
        const [y, [hn, cn]] = m.forward(x, [c.get('h0'), c.get('c0')]);
        expect(Math.max(maxDiff(y, c.get('out')), maxDiff(hn, c.get('hn')), maxDiff(cn, c.get('cn')))).toBeLessThan(1e-12);
        const [yp, [hp, cp]] = m.forward(x, undefined, { lengths: [5, 3] });
        expect(Math.max(maxDiff(yp, c.get('packedOut')), maxDiff(hp, c.get('packedHn')), maxDiff(cp, c.get('packedCn')))).toBeLessThan(1e-12);
      } else {
        const r = m as RNN;
        const [y, hn] = r.forward(x, c.get('h0'));
        expect(Math.max(maxDiff(y, c.get('out')), maxDiff(hn, c.get('hn')))).toBeLessThan(1e-12);
        const [yp, hp] = r.forward(x, undefined, { lengths: [5, 3] });
        expect(Math.max(maxDiff(yp, c.get('packedOut')), maxDiff(hp, c.get('packedHn')))).toBeLessThan(1e-12);
      }
    });
  }

  it('LSTM with projSize: PyTorch names and shapes, and h_t = W_hr·(o ∘ tanh(c_t)) step by step', () => {
    const names = new LSTM(3, 5, { numLayers: 2, bidirectional: true, projSize: 2 }).namedParameters().map(([n, p]) => `${n}:${p.shape}`);
    expect(names.slice(0, 5)).toEqual(['weight_ih_l0:20,3', 'weight_hh_l0:20,2', 'bias_ih_l0:20', 'bias_hh_l0:20', 'weight_hr_l0:2,5']);
    expect(names.slice(10, 12)).toEqual(['weight_ih_l1:20,4', 'weight_hh_l1:20,2']);
    expect(String(new LSTM(3, 5, { projSize: 2, numLayers: 2 }))).toBe('LSTM(3, 5, proj_size=2, num_layers=2)');
    // one layer by its equations, with plain arrays
    const lstm = new LSTM(3, 4, { ...f64, projSize: 2, generator: new Generator(30) });
    const P = Object.fromEntries(lstm.namedParameters().map(([n, p]) => [n, flat(p)]));
    const x = rnd([5, 1, 3], 31);
    const [out, [hn, cn]] = lstm.forward(x, [rnd([1, 1, 2], 32), rnd([1, 1, 4], 33)]);
    let h = flat(rnd([1, 1, 2], 32)), c = flat(rnd([1, 1, 4], 33));
    const outs: number[][] = [];
    for (let t = 0; t < 5; t++) {
      const xt = flat(x.slice(t).slice(0));
      const pre = (k: number) => affine(P.weight_ih_l0!, 3, P.bias_ih_l0!, xt, 4 * k, 4).map((v, r) => v + affine(P.weight_hh_l0!, 2, P.bias_hh_l0!, h, 4 * k, 4)[r]!);
      const [i, f, g, o] = [pre(0).map(sig), pre(1).map(sig), pre(2).map(Math.tanh), pre(3).map(sig)];
      c = c.map((cv, r) => f[r]! * cv + i[r]! * g[r]!);
      const m = c.map((cv, r) => o[r]! * Math.tanh(cv));
      h = affine(P.weight_hr_l0!, 4, [0, 0], m, 0, 2);
      outs.push(h);
    }
    expect(maxDiff(out, tensor(outs, f64).reshape([5, 1, 2]))).toBeLessThan(1e-14);
    expect(maxDiff(hn, tensor([[h]], f64))).toBeLessThan(1e-14);
    expect(maxDiff(cn, tensor([[c]], f64))).toBeLessThan(1e-14);
  });

  it('LSTM with projSize matches torch (2 layers, bidirectional, batch_first, initial states, packed lengths)', () => {
    const c = torchCase('LSTMProj');
    const m = new LSTM(3, 5, { ...f64, numLayers: 2, bidirectional: true, batchFirst: true, projSize: 2 });
    c.load(m);
    expect(Object.keys(m.stateDict())).toEqual(m.namedParameters().map(([n]) => n));
    const [y, [hn, cn]] = m.forward(c.get('x'), [c.get('h0'), c.get('c0')]);
    expect(Math.max(maxDiff(y, c.get('out')), maxDiff(hn, c.get('hn')), maxDiff(cn, c.get('cn')))).toBeLessThan(1e-12);
    const [yp, [hp, cp]] = m.forward(c.get('x'), undefined, { lengths: [4, 2] });
    expect(Math.max(maxDiff(yp, c.get('packedOut')), maxDiff(hp, c.get('packedHn')), maxDiff(cp, c.get('packedCn')))).toBeLessThan(1e-12);
  });

  it('gradients agree with finite differences (bidirectional, 2 layers, lengths, initial state)', () => {
    class Wrap extends Module<[Tensor, Tensor], Tensor> {
      constructor(readonly rnn: GRU | LSTM) { super(); }
      forward(x: Tensor, h0: Tensor) {
        if (this.rnn instanceof LSTM) {
          const [y, [hn, cn]] = this.rnn.forward(x, [h0, h0.mul(0.5)], { lengths: [3, 2] });
          return y.sum().add(hn.sum()).add(cn.mul(2).sum());
        }
        const [y, hn] = this.rnn.forward(x, h0, { lengths: [3, 2] });
        return y.square().sum().add(hn.sum());
      }
    }
    const opts = { ...f64, numLayers: 2, bidirectional: true };
    moduleGradcheck(new Wrap(new GRU(2, 2, { ...opts, generator: new Generator(14) })), [rnd([3, 2, 2], 15).requiresGrad_(), rnd([4, 2, 2], 16).requiresGrad_()]);
    moduleGradcheck(new Wrap(new LSTM(2, 2, { ...opts, generator: new Generator(17) })), [rnd([3, 2, 2], 18).requiresGrad_(), rnd([4, 2, 2], 19).requiresGrad_()]);
    class Projected extends Module<[Tensor], Tensor> {
      lstm = new LSTM(2, 3, { ...opts, projSize: 2, generator: new Generator(24) });
      forward(x: Tensor) {
        const [y, [hn, cn]] = this.lstm.forward(x, undefined, { lengths: [3, 2] });
        return y.square().sum().add(hn.sum()).add(cn.sum());
      }
    }
    moduleGradcheck(new Projected(), [rnd([3, 2, 2], 25).requiresGrad_()]);
    moduleGradcheck(new RNN(2, 3, { ...f64, nonlinearity: 'relu', generator: new Generator(20) }), [rnd([3, 2], 21).requiresGrad_()]);
  });

  it('dropout between layers only in training; unbatched input', () => {
    const gru = new GRU(3, 4, { numLayers: 2, dropout: 0.5, generator: new Generator(22) });
    const x = randn([5, 2, 3]);
    expect(maxDiff(gru.forward(x)[0], gru.forward(x)[0])).toBeGreaterThan(0);
    gru.eval();
    const [y, hn] = gru.forward(x);
    expect(maxDiff(y, gru.forward(x)[0])).toBe(0);
    const [yu, hu] = gru.forward(x.slice(null, 1));
    expect([yu.shape, hu.shape]).toEqual([[5, 4], [2, 4]]);
    expect(maxDiff(yu, y.slice(null, 1))).toBeLessThan(1e-6);
    expect(maxDiff(hu, hn.slice(null, 1))).toBeLessThan(1e-6);
  });

  it('reject bad arguments and unknown options', () => {
    expect(() => new GRU(3, 4, { projSize: 2 } as never)).toThrow(/GRU: unexpected option 'projSize'/);
    expect(() => new LSTM(3, 4, { projSize: 4 })).toThrow('LSTM: projSize must be smaller than hiddenSize (got 4 and 4)');
    expect(() => new LSTM(3, 4, { projSize: -1 })).toThrow(/LSTM: projSize must be a non-negative integer/);
    expect(() => new LSTM(3, 4, { projSize: 2 }).forward(randn([5, 2, 3]), [randn([1, 2, 4]), randn([1, 2, 4])])).toThrow(/h0 must be \[1,2,2\] \(layers·directions, batch, projSize\)/);
    expect(() => new RNN(3, 4, { nonlinearity: 'sigmoid' as never })).toThrow(/RNN: nonlinearity must be 'tanh' or 'relu'/);
    expect(() => new GRU(3, 0)).toThrow('GRU: hiddenSize must be a positive integer (got 0, expected an integer >= 1)');
    const gru = new GRU(3, 4);
    expect(() => gru.forward(randn([5, 2, 2]))).toThrow(/GRU\(3, 4\): expected input \[seq, batch, feature\] or \[seq, feature\] with 3 features, got \[5,2,2\]/);
    expect(() => gru.forward(randn([5, 2, 3]), randn([2, 2, 4]))).toThrow(/hx must be \[1,2,4\]/);
    expect(() => gru.forward(randn([5, 2, 3]), undefined, { lengths: [6, 1] })).toThrow(/lengths must hold 2 integers in 1..5/);
  });
});
