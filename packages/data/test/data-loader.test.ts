import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, arange, tensor, type Tensor } from '@tapegrad/autograd';
import { DataLoader, TensorDataset, type Dataset } from '@tapegrad/data';

/** Features whose row i is [i, -i] and labels equal to i, so a batch tells which samples it holds. */
function indexedDataset(n: number): TensorDataset<[Tensor, Tensor]> {
  const rows = Array.from({ length: n }, (_, i) => [i, -i]);
  return new TensorDataset(tensor(rows, { shape: [n, 2] }), arange(n));
}

function epoch(loader: DataLoader<[Tensor, Tensor]>): number[][] {
  return [...loader].map(([x, y]) => {
    const ids = Array.from(y.contiguousData());
    expect(x.shape).toEqual([ids.length, 2]);
    expect(x.toArray()).toEqual(ids.map((i) => [i, -i])); // features stay paired with their labels
    return ids;
  });
}

const loaderCase = fc.record({
  n: fc.integer({ min: 0, max: 40 }),
  batchSize: fc.integer({ min: 1, max: 12 }),
  dropLast: fc.boolean(),
  shuffle: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

describe('DataLoader', () => {
  it('covers every sample exactly once per epoch (all but the dropped remainder with dropLast)', () => {
    fc.assert(
      fc.property(loaderCase, ({ n, batchSize, dropLast, shuffle, seed }) => {
        const loader = new DataLoader(indexedDataset(n), { batchSize, dropLast, shuffle, seed });
        for (let e = 0; e < 2; e++) {
          const batches = epoch(loader);
          expect(batches.length).toBe(loader.length);
          const full = Math.floor(n / batchSize);
          expect(loader.length).toBe(dropLast || n % batchSize === 0 ? full : full + 1);
          batches.forEach((b, k) => expect(b.length).toBe(k < full ? batchSize : n % batchSize));
          const seen = batches.flat();
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen.length).toBe(dropLast ? full * batchSize : n);
          if (!dropLast) expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
          if (!shuffle) expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
        }
      }),
    );
  });

  it('draws a new order each epoch and the same sequence of orders for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 8, max: 40 }), (seed, n) => {
        const a = new DataLoader(indexedDataset(n), { batchSize: 3, shuffle: true, seed });
        const b = new DataLoader(indexedDataset(n), { batchSize: 3, shuffle: true, generator: new Generator(seed) });
        const [a1, a2] = [epoch(a).flat(), epoch(a).flat()];
        expect(a1).not.toEqual(a2); // 8! orders: a repeat is (nearly) impossible
        expect([epoch(b).flat(), epoch(b).flat()]).toEqual([a1, a2]);
      }),
    );
  });

  it('batches any dataset by collating its samples', () => {
    const squares: Dataset<{ x: number; pair: [number, Tensor] }> = {
      length: 5,
      get: (i) => ({ x: i * i, pair: [i, tensor([i, i + 0.5])] }),
    };
    const batches = [...new DataLoader(squares, { batchSize: 2 })];
    expect(batches.length).toBe(3);
    expect(batches[0]!.x.toArray()).toEqual([0, 1]);
    expect(batches[0]!.pair[0].toArray()).toEqual([0, 1]);
    expect(batches[2]!.pair[1].toArray()).toEqual([[4, 4.5]]);
  });

  it('rejects invalid options', () => {
    const ds = indexedDataset(3);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow('DataLoader: batchSize must be a positive integer (got 0, expected an integer >= 1)');
    expect(() => new DataLoader(ds, { seed: 1, generator: new Generator(1) })).toThrow('DataLoader: pass either generator or seed, not both');
  });
});
