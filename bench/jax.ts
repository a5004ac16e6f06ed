// jax-js (@jax-js/jax, wasm backend) as a peer: the same MLP and CNN training steps and the same
// elementwise chain, each whole step under `jit` (one compiled program: forward, cross-entropy,
// gradient, Adam). Adam is written out as optax's `adam` computes it (bias-corrected moments,
// eps outside the square root). jax-js frees arrays by reference counting: every function
// consumes its array arguments, so an array used twice is passed as `.ref` the first time.
// In Node there is no global `Worker`, so jax-js's wasm backend runs on the calling thread.
import { jit, nn, numpy as np, random, tree, valueAndGrad, lax, type Array as JArray } from '@jax-js/jax';
import type { Contender } from './harness.js';

type Params = JArray[];
type Forward = (p: Params, x: JArray) => JArray;

/** Normal(0, sqrt(2/fanIn)) weights from one key per tensor; the figures do not depend on the values. */
function init(shapes: readonly number[][], fanIns: readonly number[], seed: number): Params {
  const keys = random.split(random.key(seed), shapes.length);
  return shapes.map((s, i) => (fanIns[i]! > 0
    ? random.normal(keys.ref.slice(i), s).mul(Math.sqrt(2 / fanIns[i]!))
    : np.zeros(s)));
}

/** Mean cross-entropy of integer labels given as one-hot rows. */
function crossEntropy(logits: JArray, oneHot: JArray): JArray {
  return nn.logSoftmax(logits, -1).mul(oneHot).sum(-1).mean().neg();
}

/**
 * One jitted step: (params, m, v, t, x, y) → [params', m', v', t + 1, loss], with optax's Adam
 * (lr 1e-3, β = (0.9, 0.999), ε = 1e-8): m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), p − lr·m̂/(√v̂ + ε).
 */
function trainStep(forward: Forward) {
  const [lr, b1, b2, eps] = [1e-3, 0.9, 0.999, 1e-8];
  const loss = (p: Params, x: JArray, y: JArray) => crossEntropy(forward(p, x), y);
  return jit((p: Params, m: Params, v: Params, t: JArray, x: JArray, y: JArray) => {
    const [value, grads] = valueAndGrad(loss)(p.map((a) => a.ref), x, y);
    const t1 = t.add(1);
    const bc1 = np.power(b1, t1.ref).neg().add(1);
    const bc2 = np.power(b2, t1.ref).neg().add(1);
    const m1 = m.map((mi, i) => mi.mul(b1).add(grads[i]!.ref.mul(1 - b1)));
    const v1 = v.map((vi, i) => vi.mul(b2).add(np.square(grads[i]!).mul(1 - b2)));
    const p1 = p.map((pi, i) => {
      const mHat = m1[i]!.ref.div(bc1.ref);
      const vHat = v1[i]!.ref.div(bc2.ref);
      return pi.sub(mHat.mul(lr).div(np.sqrt(vHat).add(eps)));
    });
    bc1.dispose();
    bc2.dispose();
    return [p1, m1, v1, t1, value] as const;
  });
}

/** A contender running `forward`'s training step on fixed random inputs. */
function stepContender(forward: Forward, params: () => Params, xShape: number[], classes: number): Contender {
  let run: (() => void) | undefined;
  let release: (() => void) | undefined;
  return {
    name: 'jax-js',
    dispose: () => {
      release?.();
      run = release = undefined;
    },
    run: () => {
      if (!run) {
        const step = trainStep(forward);
        let p = params();
        let m = p.map((a) => np.zerosLike(a.ref));
        let v = p.map((a) => np.zerosLike(a.ref));
        let t = np.array(0);
        const keys = random.split(random.key(7), 2);
        const x = random.normal(keys.ref.slice(0), xShape);
        const labels = random.randint(keys.slice(1), { minval: 0, maxval: classes, shape: [xShape[0]!] });
        const y = nn.oneHot(labels, classes);
        run = () => {
          const [p1, m1, v1, t1, loss] = step(p, m, v, t, x.ref, y.ref);
          [p, m, v, t] = [p1 as Params, m1 as Params, v1 as Params, t1];
          loss.dataSync(); // waits for the step, as tfjs's dataSync does
        };
        release = () => {
          tree.dispose([p, m, v, t, x, y]);
          step.dispose();
        };
      }
      run();
    },
  };
}

const dense = (x: JArray, w: JArray, b: JArray) => np.matmul(x, w).add(b);

/** MLP 784-256-128-10 at batch 64. */
export function jaxMlp(): Contender {
  const forward: Forward = (p, x) => dense(nn.relu(dense(nn.relu(dense(x, p[0]!, p[1]!)), p[2]!, p[3]!)), p[4]!, p[5]!);
  const shapes = [[784, 256], [256], [256, 128], [128], [128, 10], [10]];
  return stepContender(forward, () => init(shapes, [784, 0, 256, 0, 128, 0], 0), [64, 784], 10);
}

/** 2×2 max-pool, stride 2, of NCHW (even sizes) as a reshape and a max over the window axes. */
function pool(x: JArray): JArray {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return x.reshape([n, c, h / 2, 2, w / 2, 2]).max([3, 5]);
}

/** The demo's CNN (NCHW, as lax.conv takes it) at batch 32. */
export function jaxCnn(): Contender {
  const conv = (x: JArray, k: JArray, b: JArray) => lax.conv(x, k, [1, 1], 'VALID').add(b.reshape([1, -1, 1, 1]));
  const forward: Forward = (p, x) => {
    const h1 = pool(nn.relu(conv(x, p[0]!, p[1]!)));
    const h2 = pool(nn.relu(conv(h1, p[2]!, p[3]!)));
    const f = h2.reshape([x.shape[0]!, 512]);
    return dense(nn.relu(dense(f, p[4]!, p[5]!)), p[6]!, p[7]!);
  };
  const shapes = [[16, 1, 5, 5], [16], [32, 16, 5, 5], [32], [512, 64], [64], [64, 10], [10]];
  return stepContender(forward, () => init(shapes, [25, 0, 400, 0, 512, 0, 64, 0], 0), [32, 1, 28, 28], 10);
}

/** `x*y + exp(x)` over `size` float32 elements, jitted (one fused kernel). */
export function jaxElementwise(size: number): Contender {
  let run: (() => void) | undefined;
  let release: (() => void) | undefined;
  return {
    name: 'jax-js',
    dispose: () => {
      release?.();
      run = release = undefined;
    },
    run: () => {
      if (!run) {
        const f = jit((x: JArray, y: JArray) => x.ref.mul(y).add(np.exp(x)));
        const keys = random.split(random.key(1), 2);
        const x = random.normal(keys.ref.slice(0), [size]);
        const y = random.normal(keys.slice(1), [size]);
        run = () => {
          f(x.ref, y.ref).dataSync(); // dataSync consumes the result
        };
        release = () => {
          tree.dispose([x, y]);
          f.dispose();
        };
      }
      run();
    },
  };
}
