import { describe, expect, it } from 'vitest';
import { Generator, manualSeed, ones, randn, tensor, type Tensor } from '@tapegrad/autograd';
import { Dropout, Embedding, GELU, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from '@tapegrad/nn';
import { flat, moduleGradcheck } from './helpers.js';

const f64 = { dtype: 'float64' as const };
const input = (shape: number[], seed = 0) => randn(shape, { ...f64, requiresGrad: true, generator: new Generator(seed) });

describe('Dropout', () => {
  it('in training zeroes about p of the elements and scales the rest by 1 / (1 − p)', () => {
    const y = flat(new Dropout(0.3, { generator: new Generator(1) }).forward(ones([20000])));
    const zeros = y.filter((v) => v === 0).length / y.length;
    expect(zeros).toBeGreaterThan(0.28);
    expect(zeros).toBeLessThan(0.32);
    y.filter((v) => v !== 0).forEach((v) => expect(v).toBeCloseTo(1 / 0.7, 6));
  });

  it('is the identity in evaluation mode and for p = 0; p = 1 zeroes everything', () => {
    const x = randn([4, 5]);
    expect(new Dropout(0.5).eval().forward(x)).toBe(x);
    expect(new Dropout(0).forward(x)).toBe(x);
    expect(flat(new Dropout(1).forward(x)).every((v) => v === 0)).toBe(true);
    expect(() => new Dropout(1.5)).toThrow('Dropout: p must be a probability (got 1.5, expected a number in [0, 1])');
  });

  it('is reproducible from its generator or from the global seed', () => {
    const a = flat(new Dropout(0.5, { generator: new Generator(7) }).forward(ones([50])));
    expect(flat(new Dropout(0.5, { generator: new Generator(7) }).forward(ones([50])))).toEqual(a);
    manualSeed(3);
    const b = flat(new Dropout(0.5).forward(ones([50])));
    manualSeed(3);
    expect(flat(new Dropout(0.5).forward(ones([50])))).toEqual(b);
  });

  it('passes gradcheck with a fixed mask', () => {
    const gen = new Generator(0);
    moduleGradcheck(new Dropout(0.4, { generator: gen }), [input([3, 4])], { before: () => gen.seed(11) });
    expect(new Dropout(0.25).extraRepr()).toBe('p=0.25');
  });
});

describe('Embedding', () => {
  it('looks up rows: output [...ids.shape, dim]', () => {
    const emb = new Embedding(10, 3);
    const y = emb.forward(tensor([[1, 2], [4, 9]]));
    expect(y.shape).toEqual([2, 2, 3]);
    const rows = emb.weight.toArray() as number[][];
    expect(y.toArray()).toEqual([[rows[1], rows[2]], [rows[4], rows[9]]]);
    expect(emb.forward(tensor(3)).shape).toEqual([3]);
  });

  it('accumulates gradients of repeated ids; the padding row starts at zero and gets none', () => {
    const emb = new Embedding(4, 2, { paddingIdx: 0 });
    expect(flat(emb.weight).slice(0, 2)).toEqual([0, 0]);
    emb.forward(tensor([1, 1, 2, 0, 0])).sum().backward();
    expect(emb.weight.grad!.toArray()).toEqual([[0, 0], [2, 2], [1, 1], [0, 0]]);
    expect(new Embedding(4, 2, { paddingIdx: -1 }).paddingIdx).toBe(3);
    expect(new Embedding(4, 2, { paddingIdx: 0 }).extraRepr()).toBe('4, 2, padding_idx=0');
  });

  it('passes gradcheck in float64 for its table', () => {
    // Without paddingIdx: the padding row is read but deliberately passes no gradient (as PyTorch).
    moduleGradcheck(new Embedding(5, 3, f64), [tensor([[0, 3], [3, 4]], f64)]);
  });

  it('names bad ids', () => {
    const emb = new Embedding(10, 3);
    expect(() => emb.forward(tensor([[1, 12]]))).toThrow('Embedding(10, 3): id 12 at flat position 1 of ids with shape [1,2] is not an integer in 0..9');
    expect(() => emb.forward(tensor([0.5]))).toThrow(/id 0.5 at flat position 0/);
    expect(() => emb.forward(tensor([-1]))).toThrow(/id -1/);
    expect(() => new Embedding(4, 2, { paddingIdx: 4 })).toThrow(/paddingIdx must be an integer in -4..3/);
  });
});

describe('activation modules', () => {
  const x = () => tensor([-2, -0.5, 0.5, 3], f64);
  const cases: [string, () => import('@tapegrad/nn').Module<[Tensor], Tensor>, (v: number) => number][] = [
    ['ReLU()', () => new ReLU(), (v) => Math.max(v, 0)],
    ['LeakyReLU(negative_slope=0.2)', () => new LeakyReLU(0.2), (v) => (v > 0 ? v : 0.2 * v)],
    ['Sigmoid()', () => new Sigmoid(), (v) => 1 / (1 + Math.exp(-v))],
    ['Tanh()', () => new Tanh(), Math.tanh],
    ["GELU(approximate='tanh')", () => new GELU('tanh'), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
    ['Identity()', () => new Identity(), (v) => v],
  ];

  it.each(cases)('%s computes its function, prints like PyTorch and passes gradcheck', (repr, make, f) => {
    const m = make();
    flat(m.forward(x())).forEach((v, i) => expect(v).toBeCloseTo(f(flat(x())[i]!), 10));
    expect(String(m)).toBe(repr);
    moduleGradcheck(m, [tensor([-2, -0.5, 0.5, 3], { ...f64, requiresGrad: true })]);
  });

  it('GELU defaults to the exact form', () => {
    expect(new GELU().forward(tensor([1], f64)).item()).toBeCloseTo(0.8413447460685429, 10);
    expect(() => new GELU('fast' as never)).toThrow(/GELU: approximate must be 'none' or 'tanh'/);
  });

  it('Softmax and LogSoftmax work along their dim', () => {
    const logits = tensor([[0, Math.log(3)], [1000, -1000]], f64);
    flat(new Softmax(1).forward(logits)).forEach((v, i) => expect(v).toBeCloseTo([0.25, 0.75, 1, 0][i]!, 12));
    expect(flat(new Softmax(0).forward(tensor([[0, 0], [0, 0]])))).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(flat(new LogSoftmax().forward(logits)).slice(2)).toEqual([0, -2000]);
    expect(String(new LogSoftmax(1))).toBe('LogSoftmax(dim=1)');
    moduleGradcheck(new Softmax(0), [input([3, 2])]);
    moduleGradcheck(new LogSoftmax(-1), [input([2, 3])]);
  });
});
