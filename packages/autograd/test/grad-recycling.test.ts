// Recycled gradient buffers (buffer-pool.ts, grad-ownership.ts): a leaf's adopted `.grad` that
// nobody read through the public `.grad` is reused by the next allocation of its dtype and length
// once `.grad` is cleared; one that was read is never reused, deferred readers keep their values,
// and results are the same with recycling on or off.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { allocate, type TypedArray } from '../src/dtype.js';
import { tensor } from '../src/index.js';
import { peekGrad, randn, zeros, zeroGrad } from '../src/index.js';
import { bufferPool, clearRecycled, recycle, recycledBytes } from '../src/buffer-pool.js';
import { isOwnedGrad } from '../src/grad-ownership.js';
import type { Tensor } from '../src/tensor.js';

const saved = { ...bufferPool };
beforeEach(() => clearRecycled());
afterEach(() => {
  Object.assign(bufferPool, saved);
  clearRecycled();
});

// A Linear layer's weight, 128×64 float32 = 32 KiB (above the pool's threshold): its gradient is
// the matmul's, which the tape adopts.
const weight = () => randn([128, 64], { requiresGrad: true });
const input = () => randn([8, 64]);
const lossOf = (w: Tensor, x: Tensor) => x.matmul(w.transpose(0, 1)).relu().sum();
const bufferOf = (g: Tensor | null): TypedArray => g!.data.data;

describe('gradient buffer recycling', () => {
  it('reuses the buffer of a gradient only the library read, zero-filled, with the same results', () => {
    const w = weight(), x = input();
    lossOf(w, x).backward();
    const first = bufferOf(peekGrad(w));
    const expected = Array.from(first);
    expect(isOwnedGrad(peekGrad(w)!)).toBe(true);
    w.zeroGrad();
    expect(recycledBytes()).toBe(first.byteLength);
    lossOf(w, x).backward();
    // The matmul's gradient is the next allocation of that length: it got the recycled buffer.
    expect(bufferOf(peekGrad(w))).toBe(first);
    expect(Array.from(bufferOf(peekGrad(w)))).toEqual(expected);
    expect(recycledBytes()).toBe(0);
  });

  it('never reuses a gradient read through .grad: its values stay as they were', () => {
    const w = weight(), x = input();
    lossOf(w, x).backward();
    const held = w.grad!;
    const values = Array.from(held.data.data);
    zeroGrad([w]);
    expect(recycledBytes()).toBe(0);
    const other = zeros([128, 64]);
    lossOf(w, x.mul(3)).backward();
    expect(bufferOf(peekGrad(w))).not.toBe(held.data.data);
    expect(other.data.data).not.toBe(held.data.data);
    expect(Array.from(held.data.data)).toEqual(values);
  });

  it('a recycled buffer is handed out zero-filled, also when .grad is replaced rather than cleared', () => {
    const w = weight();
    lossOf(w, input()).backward();
    const first = bufferOf(peekGrad(w));
    w.grad = tensor(new Array(64 * 128).fill(1)).reshape([128, 64]);
    const again = allocate('float32', 64 * 128);
    expect(again).toBe(first);
    expect(again.every((v) => v === 0)).toBe(true);
  });

  it('a taker that overwrites every element gets the buffer as it was; a matmul into it is exact', () => {
    const w = weight(), x = input();
    lossOf(w, x).backward();
    const first = bufferOf(peekGrad(w));
    first.fill(5);
    w.zeroGrad();
    const again = allocate('float32', 128 * 64, true);
    expect(again).toBe(first);
    expect(again.every((v) => v === 5)).toBe(true);
    // The weight gradient is a matmul, which allocates its product this way.
    w.zeroGrad();
    recycle(again);
    lossOf(w, x).backward();
    expect(bufferOf(peekGrad(w))).toBe(first);
    bufferPool.enabled = false;
    const fresh = weight();
    fresh.data.data.set(w.data.data);
    lossOf(fresh, x).backward();
    expect(Array.from(bufferOf(peekGrad(w)))).toEqual(Array.from(bufferOf(peekGrad(fresh))));
  });

  it('a deferred result reading the gradient keeps the values it was defined on', () => {
    const w = weight();
    lossOf(w, input()).backward();
    const g = peekGrad(w)!; // misuse on purpose: a deferred op on the gradient
    const values = Array.from(g.data.data);
    const doubled = g.mul(2);
    w.zeroGrad();
    allocate('float32', 64 * 128).fill(7); // takes the recycled buffer and writes it
    expect(Array.from(doubled.contiguousData())).toEqual(values.map((v) => Math.fround(v * 2)));
  });

  it('gradients built with createGraph, accumulated ones read by the library, and small ones', () => {
    const w = weight(), x = input();
    lossOf(w, x).backward({ createGraph: true });
    expect(isOwnedGrad(peekGrad(w)!)).toBe(false);
    w.zeroGrad();
    expect(recycledBytes()).toBe(0);
    // Two backward passes accumulate in place into the adopted buffer, which stays the library's.
    lossOf(w, x).backward();
    const adopted = bufferOf(peekGrad(w));
    lossOf(w, x).backward();
    expect(bufferOf(peekGrad(w))).toBe(adopted);
    w.zeroGrad();
    expect(recycledBytes()).toBe(adopted.byteLength);
    clearRecycled();
    const b = randn([16], { requiresGrad: true });
    b.mul(b).sum().backward();
    b.zeroGrad();
    expect(recycledBytes()).toBe(0);
  });

  it('recycles only whole buffers above the threshold, up to its bounds, and nothing when off', () => {
    const big = new Float32Array(8192);
    recycle(big.subarray(1));
    recycle(new Float32Array(new ArrayBuffer(8192 * 4 + 64), 0, 8192));
    recycle(new Float32Array(16));
    recycle(new Float32Array(0));
    expect(recycledBytes()).toBe(0);
    bufferPool.perLength = 1;
    recycle(big);
    recycle(new Float32Array(8192));
    expect(recycledBytes()).toBe(big.byteLength);
    expect(allocate('float64', 4096)).not.toBe(big); // same bytes, other dtype
    expect(allocate('int32', 8192)).not.toBe(big);
    bufferPool.enabled = false;
    expect(allocate('float32', 8192)).not.toBe(big);
    bufferPool.enabled = true;
    expect(allocate('float32', 8192)).toBe(big);
    bufferPool.maxBytes = 1000;
    recycle(new Float32Array(8192));
    expect(recycledBytes()).toBe(0);
    bufferPool.enabled = false;
    recycle(new Float32Array(8192));
    expect(recycledBytes()).toBe(0);
  });

  it('gives the same gradients with recycling on and off over repeated steps', () => {
    const grads = (on: boolean) => {
      bufferPool.enabled = on;
      clearRecycled();
      const w = tensor(Array.from({ length: 64 * 128 }, (_, i) => Math.sin(i))).reshape([128, 64]).requiresGrad_();
      const x = tensor(Array.from({ length: 8 * 64 }, (_, i) => Math.cos(i))).reshape([8, 64]);
      const out: number[][] = [];
      for (let step = 0; step < 4; step++) {
        w.zeroGrad();
        lossOf(w, x.mul(step + 1)).backward();
        out.push(Array.from(bufferOf(peekGrad(w))));
      }
      return out;
    };
    expect(grads(true)).toEqual(grads(false));
  });

  it('the pool empties itself once it has kept nothing for a second or two, not while it keeps buffers', () => {
    vi.useFakeTimers();
    try {
      const buffer = () => new Float32Array(8192);
      recycle(buffer());
      vi.advanceTimersByTime(900);
      recycle(buffer()); // kept again: the pool stays
      vi.advanceTimersByTime(900);
      expect(recycledBytes()).toBe(2 * 8192 * 4);
      vi.advanceTimersByTime(1200); // the first timer found a keep and waited once more
      expect(recycledBytes()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('peekGrad checks its argument', () => {
    expect(() => peekGrad(null as unknown as Tensor)).toThrow(/^peekGrad: t must be a Tensor/);
  });
});
