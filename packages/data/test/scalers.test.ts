import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tensor, type Tensor } from '@tapegrad/autograd';
import { MinMaxScaler, OneHotEncoder, StandardScaler, oneHot } from '@tapegrad/data';

const f64 = (rows: number[][]) => tensor(rows, { dtype: 'float64' });
const jsonRoundTrip = <S>(s: S): S => JSON.parse(JSON.stringify(s)) as S;

// Random [N, F] float64 matrices of moderate values; some columns are constant on purpose.
const matrixArb = fc
  .record({ n: fc.integer({ min: 1, max: 6 }), f: fc.integer({ min: 1, max: 4 }) })
  .chain(({ n, f }) =>
    fc.tuple(
      fc.array(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: f, maxLength: f }), { minLength: n, maxLength: n }),
      fc.array(fc.boolean(), { minLength: f, maxLength: f }),
    ),
  )
  .map(([rows, constant]) => f64(rows.map((r) => r.map((v, j) => (constant[j] ? 7 : v)))));

function expectClose(a: Tensor, b: Tensor, tol = 1e-9): void {
  const x = a.contiguousData();
  const y = b.contiguousData();
  expect(a.shape).toEqual(b.shape);
  x.forEach((v, k) => expect(Math.abs(v - y[k]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(y[k]!))));
}

describe('MinMaxScaler', () => {
  const x = f64([[0, 5, -1], [10, 5, 1], [5, 5, 0]]);

  it('maps each column to [0, 1] and a constant column to 0 (not NaN)', () => {
    const s = new MinMaxScaler();
    expect(s.fitTransform(x).toArray()).toEqual([[0, 0, 0], [1, 0, 1], [0.5, 0, 0.5]]);
    expect(s.dataMin).toEqual([0, 5, -1]);
    expect(s.dataMax).toEqual([10, 5, 1]);
    expect(s.transform(f64([[20, 6, 3]])).toArray()).toEqual([[2, 1, 2]]);
  });

  it('uses a custom range and inverts exactly', () => {
    const s = new MinMaxScaler({ range: [-1, 1] }).fit(x);
    const y = s.transform(x);
    expect(y.toArray()).toEqual([[-1, -1, -1], [1, -1, 1], [0, -1, 0]]);
    expect(s.inverseTransform(y).toArray()).toEqual(x.toArray());
  });

  it('round-trips its state through JSON', () => {
    const s = new MinMaxScaler({ range: [2, 4] }).fit(x);
    const state = jsonRoundTrip(s.state());
    expect(state).toEqual({ type: 'MinMaxScaler', range: [2, 4], dataMin: [0, 5, -1], dataMax: [10, 5, 1] });
    expect(MinMaxScaler.fromState(state).transform(x).toArray()).toEqual(s.transform(x).toArray());
  });

  it('inverseTransform undoes transform on random data', () => {
    fc.assert(fc.property(matrixArb, (m) => {
      const s = new MinMaxScaler();
      const y = s.fitTransform(m);
      y.contiguousData().forEach((v) => expect(v >= -1e-12 && v <= 1 + 1e-12).toBe(true));
      expectClose(s.inverseTransform(y), m);
    }));
  });
});

describe('StandardScaler', () => {
  const x = f64([[1, 7, 0], [3, 7, 0], [5, 7, 6]]);

  it('standardizes with the population std and leaves constant columns at 0', () => {
    const s = new StandardScaler();
    const y = s.fitTransform(x);
    expect(s.mean).toEqual([3, 7, 2]);
    expect(s.scale).toEqual([Math.sqrt(8 / 3), 1, Math.sqrt(8)]);
    expectClose(y, f64([[-Math.sqrt(1.5), 0, -1 / Math.sqrt(2)], [0, 0, -1 / Math.sqrt(2)], [Math.sqrt(1.5), 0, Math.sqrt(2)]]));
    expect(y.contiguousData().every(Number.isFinite)).toBe(true);
  });

  it('does not blow up a constant column whose mean has rounding error', () => {
    const s = new StandardScaler().fit(f64([[0.1], [0.1], [0.1]]));
    expect(s.scale).toEqual([1]);
    expect(Math.abs(s.transform(f64([[0.1]])).item())).toBeLessThan(1e-15);
    // Denormal deviations square to exactly 0: found by the property below.
    expect(new StandardScaler().fit(f64([[0], [-5e-324]])).scale).toEqual([1]);
  });

  it('honours withMean / withStd, keeps the dtype, and round-trips state', () => {
    const s = new StandardScaler({ withMean: false }).fit(x);
    expect(s.transform(f64([[3, 7, 2]])).toArray()).toEqual([[3 / Math.sqrt(8 / 3), 7, 2 / Math.sqrt(8)]]);
    expect(new StandardScaler().fit(x).transform(tensor([[3, 7, 2]])).dtype).toBe('float32');
    const restored = StandardScaler.fromState(jsonRoundTrip(s.state()));
    expect(restored.state()).toEqual(s.state());
    expect(restored.withMean).toBe(false);
  });

  it('inverseTransform undoes transform, and transformed training columns have mean 0', () => {
    fc.assert(fc.property(matrixArb, (m) => {
      const s = new StandardScaler();
      const y = s.fitTransform(m);
      expectClose(s.inverseTransform(y), m);
      const [n, f] = y.shape as [number, number];
      const data = y.contiguousData();
      for (let j = 0; j < f; j++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += data[i * f + j]!;
        expect(Math.abs(sum / n)).toBeLessThan(1e-9);
      }
    }));
  });
});

describe('scaler errors', () => {
  it('name the method and what was expected', () => {
    expect(() => new StandardScaler().transform(f64([[1]]))).toThrow(
      'StandardScaler.transform: not fitted yet; call fit() or fitTransform() on the training split first',
    );
    expect(() => new MinMaxScaler().fit(tensor([1, 2]))).toThrow(
      'MinMaxScaler.fit: expected a 2-D tensor [N, F] (one row per sample, one column per feature), got shape [2]',
    );
    expect(() => new MinMaxScaler().fit(f64([[1, 2]])).transform(f64([[1, 2, 3]]))).toThrow(
      'MinMaxScaler.transform: expected 2 columns (as in fit), got 3 (shape [1,3])',
    );
    expect(() => new StandardScaler().fit(f64([[1, 2], [3, NaN]]))).toThrow(
      'StandardScaler.fit: row 1, column 1 is NaN; drop or impute missing values before fitting',
    );
    expect(() => new MinMaxScaler({ range: [1, 0] })).toThrow('MinMaxScaler: range must be two finite numbers [min, max] with min < max (got [1, 0], expected e.g. [0, 1])');
    expect(() => StandardScaler.fromState({ type: 'MinMaxScaler' } as never)).toThrow(
      "StandardScaler.fromState: expected a state with type 'StandardScaler' (got a string \"MinMaxScaler\", expected 'StandardScaler')",
    );
    expect(() => MinMaxScaler.fromState({ type: 'MinMaxScaler', range: [0, 1], dataMin: [0, 1], dataMax: [1] })).toThrow(
      'MinMaxScaler.fromState: state.dataMax has 1 entries but state.dataMin has 2',
    );
  });
});

describe('oneHot', () => {
  it('encodes class labels as indicator rows', () => {
    expect(oneHot(tensor([0, 2, 1]), 3).toArray()).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    expect(oneHot([1, 0]).toArray()).toEqual([[0, 1], [1, 0]]);
    expect(oneHot([], 2).shape).toEqual([0, 2]);
  });

  it('rejects labels that are not classes', () => {
    expect(() => oneHot([0, 3], 3)).toThrow('oneHot: label 3 at index 1 is out of range for 3 classes (expected 0..2)');
    expect(() => oneHot([0.5])).toThrow('oneHot: label 0.5 at index 0 is not a class index (a non-negative integer)');
    expect(() => oneHot([1], 1.5)).toThrow('oneHot: numClasses must be a non-negative integer (got 1.5, expected an integer >= 0)');
    expect(() => oneHot(tensor([[0]]))).toThrow('oneHot: expected labels of shape [N], got shape [1,1]');
  });
});

describe('OneHotEncoder', () => {
  const x = tensor([[0, 10], [2, 20], [0, 20]]);

  it('encodes each column as a block of sorted categories and inverts it', () => {
    const enc = new OneHotEncoder();
    const y = enc.fitTransform(x);
    expect(enc.categories).toEqual([[0, 2], [10, 20]]);
    expect(y.toArray()).toEqual([[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 0, 1]]);
    expect(enc.inverseTransform(y).toArray()).toEqual(x.toArray());
    expect(enc.inverseTransform(tensor([[0.2, 0.7, 0.9, 0.1]])).toArray()).toEqual([[2, 10]]);
  });

  it('rejects or ignores unseen categories', () => {
    const enc = new OneHotEncoder().fit(x);
    expect(() => enc.transform(tensor([[1, 10]]))).toThrow(
      "OneHotEncoder.transform: row 0, column 0 holds 1, which was not seen in fit (known: 0, 2); pass handleUnknown: 'ignore' to encode it as zeros",
    );
    const lenient = new OneHotEncoder({ handleUnknown: 'ignore' }).fit(x);
    const y = lenient.transform(tensor([[1, 10]]));
    expect(y.toArray()).toEqual([[0, 0, 1, 0]]);
    expect(lenient.inverseTransform(y).toArray()).toEqual([[NaN, 10]]);
  });

  it('round-trips its state through JSON', () => {
    const enc = new OneHotEncoder({ handleUnknown: 'ignore' }).fit(x);
    const state = jsonRoundTrip(enc.state());
    expect(state).toEqual({ type: 'OneHotEncoder', handleUnknown: 'ignore', categories: [[0, 2], [10, 20]] });
    expect(OneHotEncoder.fromState(state).transform(x).toArray()).toEqual(enc.transform(x).toArray());
  });
});
