import { describe, expect, it } from 'vitest';
import { Generator, tensor, zeros } from '@tapegrad/autograd';
import { Subset, TensorDataset, collate, materialize, randomSplit, trainValTestSplit, type Dataset } from '@tapegrad/data';

describe('TensorDataset', () => {
  const x = tensor([[1, 2], [3, 4], [5, 6]], { dtype: 'float64' });
  const y = tensor([0, 1, 0]);
  const ds = new TensorDataset(x, y);

  it('indexes every tensor along axis 0', () => {
    expect(ds.length).toBe(3);
    const [xi, yi] = ds.get(1);
    expect(xi.toArray()).toEqual([3, 4]);
    expect(xi.dtype).toBe('float64');
    expect(yi.shape).toEqual([]);
    expect(yi.item()).toBe(1);
  });

  it('gathers batches from the typed arrays, for short and long rows and non-contiguous tensors', () => {
    const [xb, yb] = ds.getBatch([2, 0]);
    expect(xb.toArray()).toEqual([[5, 6], [1, 2]]);
    expect(yb.toArray()).toEqual([0, 0]);
    const wide = tensor(Array.from({ length: 3 * 40 }, (_, k) => k), { shape: [3, 40] });
    expect(new TensorDataset(wide).getBatch([1])[0].toArray()).toEqual([Array.from({ length: 40 }, (_, k) => 40 + k)]);
    const transposed = new TensorDataset(x.transpose());
    expect(transposed.get(0)[0].toArray()).toEqual([1, 3, 5]);
  });

  it('rejects tensors of different lengths and out-of-range indices', () => {
    expect(() => new TensorDataset(zeros([3, 2]), zeros([4]))).toThrow(
      'TensorDataset: all tensors must have the same size along axis 0; tensor 0 has 3 but tensor 1 has 4 (shapes [3,2], [4])',
    );
    expect(() => new TensorDataset()).toThrow('TensorDataset: expected at least one tensor, got none');
    expect(() => new TensorDataset(tensor(1))).toThrow('TensorDataset: tensor 0 is 0-d; every tensor needs an axis 0 to index samples along');
    expect(() => ds.get(3)).toThrow('TensorDataset.get: index 3 is out of range for a dataset of length 3 (got 3, expected an integer in [0, 3))');
  });
});

describe('Subset, collate and materialize', () => {
  const ds = new TensorDataset(tensor([[1], [2], [3], [4]]), tensor([10, 20, 30, 40]));

  it('views a dataset at given indices and keeps the batch fast path', () => {
    const sub = new Subset(ds, [3, 1]);
    expect(sub.length).toBe(2);
    expect(sub.get(0)[1].item()).toBe(40);
    expect(sub.getBatch!([1, 0])[0].toArray()).toEqual([[2], [4]]);
    const [x, y] = materialize(sub);
    expect(x.toArray()).toEqual([[4], [2]]);
    expect(y.toArray()).toEqual([40, 20]);
    expect(() => new Subset(ds, [4])).toThrow('Subset: indices[0] is not an index of a dataset of length 4 (got 4, expected an integer in [0, 4))');
  });

  it('collates structures and names the sample that does not fit', () => {
    expect(collate([1, 2, 3]).toArray()).toEqual([1, 2, 3]);
    const plain: Dataset<[number, number]> = { length: 2, get: (i) => [i, 2 * i] };
    expect(materialize(plain).map((t) => t.toArray())).toEqual([[0, 1], [0, 2]]);
    expect(() => collate([tensor([1, 2]), tensor([1])])).toThrow(
      'collate: sample 1 has shape [1] but sample 0 has [2]; all samples must have the same shape',
    );
    expect(() => collate([{ a: [tensor([1]), 1] }, { a: [tensor([1]), 'x'] }])).toThrow('collate: sample 1 holds a string at .a[1] but sample 0 holds a number');
    expect(() => collate([])).toThrow('collate: expected at least one sample, got none');
  });
});

describe('randomSplit and trainValTestSplit', () => {
  const ds = new TensorDataset(tensor(Array.from({ length: 10 }, (_, i) => i)));
  const ids = (s: Subset<unknown>) => [...s.indices];

  it('splits by counts or fractions into disjoint parts covering the dataset', () => {
    const parts = randomSplit(ds, [0.5, 0.3, 0.2], 1);
    expect(parts.map((p) => p.length)).toEqual([5, 3, 2]);
    expect(parts.flatMap(ids).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(randomSplit(ds, [7, 3], 1).map((p) => p.length)).toEqual([7, 3]);
    // Leftovers from flooring go one each to the parts in order: 3.33 → 3 + 1, 3, 3.
    expect(randomSplit(ds, [1 / 3, 1 / 3, 1 / 3], 1).map((p) => p.length)).toEqual([4, 3, 3]);
  });

  it('is reproducible from a seed and differs between seeds', () => {
    expect(randomSplit(ds, [5, 5], 3).map(ids)).toEqual(randomSplit(ds, [5, 5], new Generator(3)).map(ids));
    expect(randomSplit(ds, [5, 5], 3).map(ids)).not.toEqual(randomSplit(ds, [5, 5], 4).map(ids));
  });

  it('rejects lengths that fit neither reading', () => {
    expect(() => randomSplit(ds, [5, 4])).toThrow(
      'randomSplit: lengths [5, 4] must be sample counts summing to the dataset length 10, or fractions summing to 1 (they sum to 9)',
    );
    expect(() => randomSplit(ds, [0.5, -0.5, 1])).toThrow('randomSplit: lengths[1] must be a non-negative number (got -0.5, expected a sample count or a fraction)');
  });

  it('makes train/val/test splits by fraction, shuffled or in order', () => {
    const { train, val, test } = trainValTestSplit(ds, { val: 0.2, test: 0.1, seed: 0 });
    expect([train.length, val.length, test.length]).toEqual([7, 2, 1]);
    expect([...ids(train), ...ids(val), ...ids(test)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const ordered = trainValTestSplit(ds, { val: 0.2, test: 0.2, shuffle: false });
    expect([ordered.train, ordered.val, ordered.test].map(ids)).toEqual([[0, 1, 2, 3, 4, 5], [6, 7], [8, 9]]);
    expect(() => trainValTestSplit(ds, { val: 0.5, test: 0.5 })).toThrow(
      'trainValTestSplit: val + test must leave samples for training (< 1), got 0.5 + 0.5 = 1',
    );
  });
});
