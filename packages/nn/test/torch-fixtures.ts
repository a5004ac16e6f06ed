// Reads torch-layers.json (made by fixtures/make-torch-fixtures.py from PyTorch with fixed weights).
import { readFileSync } from 'node:fs';
import { fromTyped, type Tensor } from '@tapegrad/autograd';
import type { Module } from '@tapegrad/nn';

interface Stored { shape: number[]; data: (number | string)[] }
type Case = Record<string, Stored | Record<string, Stored>>;

const all = JSON.parse(readFileSync(new URL('./fixtures/torch-layers.json', import.meta.url), 'utf8')) as Record<string, Case>;

/** A float64 tensor of a stored array. */
export const asTensor = (s: Stored): Tensor => fromTyped(Float64Array.from(s.data, Number), s.shape);

/** One fixture: `get(name)` for a tensor, `load(module)` to copy its PyTorch state dict in (strict). */
export function torchCase(name: string) {
  const c = all[name];
  if (!c) throw new Error(`no fixture ${name}`);
  return {
    get: (key: string): Tensor => asTensor(c[key] as Stored),
    load: (m: Module): void => {
      const state = Object.fromEntries(Object.entries(c.state as Record<string, Stored>).map(([k, v]) => [k, asTensor(v)]));
      m.loadStateDict(state);
    },
  };
}

/** Largest absolute difference between two tensors of the same shape. */
export function maxDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shapes differ: [${a.shape}] vs [${b.shape}]`);
  const x = a.contiguousData(), y = b.contiguousData();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}
