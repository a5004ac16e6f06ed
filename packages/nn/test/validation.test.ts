// Bad input to nn's public surface: constructors name the class and use the shared message form,
// forward refuses plain arrays, and a failed loadStateDict leaves every parameter and buffer as it was.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, randn, tensor, zeros, type Tensor } from '@tapegrad/autograd';
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Embedding, GroupNorm, LayerNorm, Linear, MaxPool2d,
  MultiheadAttention, ReLU, RNN, Sequential, TransformerEncoderLayer, type Module,
} from '@tapegrad/nn';

const f64 = { dtype: 'float64' } as const;

describe('layer constructors', () => {
  it('name the class and say what a size must be', () => {
    expect(() => new Linear(-1, 2)).toThrow('Linear: inFeatures must be a non-negative integer (got -1, expected an integer >= 0)');
    expect(() => new Conv2d(2.5, 1, 3)).toThrow('Conv2d: inChannels must be a positive integer (got 2.5, expected an integer >= 1)');
    expect(() => new Embedding(5, 0)).toThrow('Embedding: embeddingDim must be a positive integer (got 0, expected an integer >= 1)');
    expect(() => new BatchNorm1d('3' as never)).toThrow('BatchNorm1d: numFeatures must be a positive integer (got a string "3", expected an integer >= 1)');
    expect(() => new LayerNorm({} as never)).toThrow(/^LayerNorm: normalizedShape must be an integer or a list of them/);
    expect(() => new Dropout(1.5)).toThrow('Dropout: p must be a probability (got 1.5, expected a number in [0, 1])');
  });

  // Every layer constructor taking options refuses a key it does not know (as Python's unexpected
  // keyword argument) and a wrong value for one it does, before building anything.
  const layers: [string, (o: object) => Module][] = [
    ['Linear', (o) => new Linear(3, 2, o)],
    ['Conv2d', (o) => new Conv2d(2, 1, 3, o)],
    ['LayerNorm', (o) => new LayerNorm(3, o)],
    ['BatchNorm1d', (o) => new BatchNorm1d(3, o)],
    ['BatchNorm2d', (o) => new BatchNorm2d(3, o)],
    ['Embedding', (o) => new Embedding(5, 2, o)],
    ['Dropout', (o) => new Dropout(0.5, o)],
    ['MaxPool2d', (o) => new MaxPool2d(2, o)],
    ['AvgPool2d', (o) => new AvgPool2d(2, o)],
    ['GroupNorm', (o) => new GroupNorm(1, 2, o)],
    ['MultiheadAttention', (o) => new MultiheadAttention(4, 2, o)],
    ['TransformerEncoderLayer', (o) => new TransformerEncoderLayer(4, 2, o)],
    ['RNN', (o) => new RNN(3, 2, o)],
  ];
  it.each(layers)('%s rejects unknown options and wrong option values', (name, make) => {
    expect(() => make({ bogus: 1 })).toThrow(new RegExp(`^${name}: unexpected option 'bogus'`));
    expect(() => make('abc' as never)).toThrow(new RegExp(`^${name}: options must be an object`));
  });

  it('checks dtype, generator and flags wherever a layer takes them', () => {
    expect(() => new Linear(3, 2, { dtype: 'int32' })).toThrow("Linear: parameters need a floating-point dtype (got a string \"int32\", expected 'float32' or 'float64')");
    expect(() => new Linear(3, 2, { dtype: 'float16' as never })).toThrow(/^Linear: unknown dtype \(got a string "float16"/);
    expect(() => new Conv2d(2, 1, 3, { generator: 7 as never })).toThrow('Conv2d: generator must be a Generator (got 7, expected a Generator (or undefined for the global one))');
    expect(() => new Linear(3, 2, { bias: 'no' as never })).toThrow('Linear: bias must be a boolean (got a string "no", expected true or false)');
    expect(() => new BatchNorm1d(3, { momentum: [] as never })).toThrow(/^BatchNorm1d: momentum must be in \[0, 1\] or null/);
    expect(() => new LayerNorm(3, { eps: -1 })).toThrow(/^LayerNorm: eps must be a non-negative finite number/);
    expect(new Linear(3, 2, { generator: new Generator(1), ...f64 }).weight.dtype).toBe('float64');
  });
});

describe('forward', () => {
  it('refuses a plain array, naming the layer and how to wrap it', () => {
    expect(() => new Linear(2, 1).forward([[1, 2]] as never)).toThrow('Linear: x must be a Tensor (got an array of length 1, expected a Tensor (wrap plain arrays with tensor(...)))');
    expect(() => new Sequential(new Linear(2, 1), new ReLU()).forward(null as never)).toThrow(/^Sequential: x must be a Tensor \(got null/);
  });
});

/** Every parameter and buffer of `m`, by name, as plain values (with their dtype). */
const contents = (m: Module) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, [t.dtype, t.shape.join('x'), Array.from(t.contiguousData())]]));

describe('loadStateDict checks everything before writing anything', () => {
  const model = () => new Sequential(new Linear(3, 4, f64), new BatchNorm1d(4, f64), new Linear(4, 2, f64));

  it('leaves every parameter and buffer unchanged when any entry is wrong, whichever and wherever', () => {
    const keys = Object.keys(model().stateDict());
    // Spoil one entry of a valid, different state: wrong shape, dtype, type, or a missing/unexpected key.
    const spoil = fc.record({ key: fc.constantFrom(...keys), how: fc.constantFrom('shape', 'dtype', 'array', 'missing', 'extra', 'null') });
    fc.assert(
      fc.property(spoil, ({ key, how }) => {
        const m = model();
        const source = model();
        noGradTrain(source);
        const state: Record<string, unknown> = { ...source.stateDict() };
        const t = state[key] as Tensor;
        if (how === 'shape') state[key] = zeros([...t.shape, 1], { dtype: t.dtype });
        if (how === 'dtype') state[key] = t.toDType(t.dtype === 'float64' ? 'float32' : 'float64');
        if (how === 'array') state[key] = t.toArray();
        if (how === 'missing') delete state[key];
        if (how === 'extra') state[`${key}_typo`] = t;
        if (how === 'null') state[key] = null;
        const before = contents(m);
        expect(() => m.loadStateDict(state as Record<string, Tensor>)).toThrow(/^loadStateDict: cannot load state into Sequential \(the model was left unchanged\)/);
        expect(contents(m)).toEqual(before);
      }),
      { seed: 9, numRuns: 40 },
    );
  });

  it('checks its options and the state argument', () => {
    const m = model();
    const before = contents(m);
    expect(() => m.loadStateDict(m.stateDict(), { strict: 'yes' } as never)).toThrow('loadStateDict: strict must be a boolean (got a string "yes", expected true or false)');
    expect(() => m.loadStateDict(m.stateDict(), { stric: false } as never)).toThrow(/^loadStateDict: unexpected option 'stric'/);
    expect(() => m.loadStateDict([tensor([1])] as never)).toThrow(/^loadStateDict: state must be an object of tensors by name \(got an array of length 1/);
    expect(contents(m)).toEqual(before);
  });

  it('loads a good state completely', () => {
    const m = model();
    const source = model();
    noGradTrain(source);
    m.loadStateDict(source.stateDict());
    expect(contents(m)).toEqual(contents(source));
  });
});

/** Moves a model's buffers away from their initial values (one training-mode forward). */
function noGradTrain(m: Module): void {
  (m as Sequential).forward(randn([5, 3], f64));
}
