// Memory of a conv → relu → max-pool training loop with recycled gradient buffers, counted after a
// forced collection rather than timed: a recycled buffer outlives its step in the buffer pool, so
// nothing that stays reachable from it (or from the pool itself) may hold on to a step's graph or
// buffers. Two such leaks once kept every step's buffers alive inside a synchronous loop (the
// README demo grew by 1.6 MB per step and slowed down by half): the pool's weak references (a
// WeakRef keeps its target until the synchronous job ends) and max pooling's notes about its
// gradient buffers (which held the pool's input tensor, and through it the step's graph).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Generator, conv2d, maxPool2d, noGrad, peekGrad, randn, softmaxCrossEntropy, tensor, zeroGrad, type Tensor } from '../src/index.js';
import { bufferPool } from '../src/buffer-pool.js';
import { poolGrad } from '../src/ops/relu-pool-grad.js';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

function cnn(seed: number) {
  const gen = new Generator(seed);
  const param = (shape: number[], scale: number) => noGrad(() => randn(shape, { generator: gen }).mul(scale)).requiresGrad_();
  const params = [param([8, 1, 5, 5], 0.2), param([8], 0), param([16, 8, 5, 5], 0.07), param([16], 0), param([256, 10], 0.06)];
  const labels = tensor(Array.from({ length: 16 }, (_, i) => i % 10), { dtype: 'int32' });
  const step = (): number => {
    const [w1, b1, w2, b2, w3] = params as [Tensor, Tensor, Tensor, Tensor, Tensor];
    // A fresh batch each step, as a data loader (or augmentation) gives.
    const x = randn([16, 1, 28, 28], { generator: gen });
    const h1 = maxPool2d(conv2d(x, w1, b1).relu(), { kernelSize: 2 });
    const h2 = maxPool2d(conv2d(h1, w2, b2).relu(), { kernelSize: 2 });
    const loss = softmaxCrossEntropy(h2.reshape([16, 256]).matmul(w3), labels);
    zeroGrad(params);
    loss.backward();
    noGrad(() => params.forEach((p) => p.add_(peekGrad(p)!, -0.01)));
    return loss.item();
  };
  return { step };
}

// The second collection frees what the first only found dead (array buffers are swept after it).
const liveArrayBufferBytes = () => {
  collect();
  collect();
  return process.memoryUsage().arrayBuffers;
};

describe('recycled buffers over a training loop', () => {
  it('200 conv → relu → pool steps in one synchronous loop keep no step alive', () => {
    expect(bufferPool.enabled && poolGrad.inPlace && poolGrad.fused).toBe(true);
    const { step } = cnn(3);
    for (let i = 0; i < 20; i++) step();
    const before = liveArrayBufferBytes();
    for (let i = 0; i < 200; i++) step();
    const grown = liveArrayBufferBytes() - before;
    // One step's conv1 activations alone are 16·8·24·24·4 = 295 KB; a leak of one buffer per step
    // would add 59 MB here.
    expect(grown, `live ArrayBuffer bytes grew by ${grown}`).toBeLessThan(8e6);
  });
});
