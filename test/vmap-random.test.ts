// Random ops under vmap (issue 11): with randomness 'different' (the default) each example gets its
// own draw, namely the [size, ...shape] draw the same generator would give outside vmap, so a
// seeded generator fixes the whole batch; 'same' shares one draw; 'error' refuses.
import { describe, expect, it } from 'vitest';
import { Generator, rand, randint, randn, stack, tensor, vmap, type Tensor } from '@tapegrad/autograd';
import { Dropout } from '@tapegrad/nn';

const xs = tensor([[1, 2], [3, 4], [5, 6], [7, 8]], { dtype: 'float64' });

describe('random ops under vmap', () => {
  it("'different': example i is row i of the batched draw from the same seed", () => {
    const got = vmap((x: Tensor) => randn([3], { dtype: 'float64', generator: new Generator(7) }).add(x.sum().mul(0)))(xs);
    const want = randn([4, 3], { dtype: 'float64', generator: new Generator(7) });
    expect(got.toArray()).toEqual(want.toArray());
    // independent samples: no two examples share a value
    const rows = got.toArray() as number[][];
    expect(new Set(rows.flat()).size).toBe(12);
  });

  it('seeding reproduces the batch; another seed changes every example', () => {
    const draw = (seed: number) => vmap((x: Tensor) => rand([2], { dtype: 'float64', generator: new Generator(seed) }).mul(x))(xs);
    expect(draw(1).toArray()).toEqual(draw(1).toArray());
    const [a, b] = [draw(1).toArray() as number[][], draw(2).toArray() as number[][]];
    a.forEach((row, i) => expect(row).not.toEqual(b[i]));
  });

  it('randint draws int32 per example; with an outer vmap each (outer, inner) pair gets its own', () => {
    const ints = vmap((x: Tensor) => randint(0, 1000, [5], { dtype: 'int32', generator: new Generator(3) }).add(x.sum().mul(0).toDType('int32')))(xs);
    expect(ints.dtype).toBe('int32');
    expect(ints.toArray()).toEqual(randint(0, 1000, [4, 5], { dtype: 'int32', generator: new Generator(3) }).toArray());
    const gen = new Generator(5);
    const nested = vmap(vmap((x: Tensor) => randn([], { dtype: 'float64', generator: gen }).add(x.mul(0))))(xs);
    expect(nested.shape).toEqual([4, 2]);
    expect(new Set((nested.toArray() as number[][]).flat()).size).toBe(8);
  });

  it("'same' shares one draw across the examples; 'error' refuses by name", () => {
    const same = vmap((x: Tensor) => randn([3], { dtype: 'float64', generator: new Generator(9) }).add(x.sum().mul(0)), { randomness: 'same' })(xs);
    const one = randn([3], { dtype: 'float64', generator: new Generator(9) });
    expect(same.toArray()).toEqual(stack([one, one, one, one]).toArray());
    expect(() => vmap((x: Tensor) => rand([2]).add(x), { randomness: 'error' })(xs)).toThrow(/^rand: random values inside vmap need a choice/);
  });

  it('Dropout under vmap masks each example independently, as a loop with the batched draw would', () => {
    const drop = new Dropout(0.5, { generator: new Generator(11) });
    const ones = tensor(Array.from({ length: 8 }, () => Array(16).fill(1)), { dtype: 'float64' });
    const y = vmap((x: Tensor) => drop.forward(x))(ones);
    const rows = (y.toArray() as number[][]).map((r) => r.join());
    expect(new Set(rows).size).toBe(8); // 8 different masks (equal ones: probability 8·7/2 · 2^-16)
    // kept values are scaled by 1/(1 − p), dropped are 0, per element
    expect((y.toArray() as number[][]).flat().every((v) => v === 0 || v === 2)).toBe(true);
  });
});
