// The README's main command, until the MNIST training demo lands: fits y = x·sin(3x) on [-2, 2]
// with a 1-32-32-1 tanh network, using only @tapegrad/autograd (tensors, backward, noGrad), and
// prints the loss as it falls and the fitted curve against the truth.
import { linspace, manualSeed, noGrad, randn, zeros, type Tensor } from '@tapegrad/autograd';

manualSeed(0);
const x = linspace(-2, 2, 200).reshape([-1, 1]);
const y = x.mul(x.mul(3).sin());

const layer = (fanIn: number, fanOut: number) => ({
  w: randn([fanIn, fanOut]).mul(Math.sqrt(1 / fanIn)).requiresGrad_(),
  b: zeros([fanOut], { requiresGrad: true }),
});
const layers = [layer(1, 32), layer(32, 32), layer(32, 1)];
const params = layers.flatMap((l) => [l.w, l.b]);
const model = (input: Tensor) =>
  layers.reduce((h, l, i) => {
    const z = h.matmul(l.w).add(l.b);
    return i < layers.length - 1 ? z.tanh() : z;
  }, input);

// Adam, written out: the optimizer package does the same with parameter groups and schedules.
const lr = 0.01;
const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
const m = params.map((p) => zeros(p.shape));
const v = params.map((p) => zeros(p.shape));
const start = performance.now();
const steps = 1500;
for (let t = 1; t <= steps; t++) {
  const loss = model(x).sub(y).square().mean();
  params.forEach((p) => p.zeroGrad());
  loss.backward();
  noGrad(() =>
    params.forEach((p, i) => {
      const g = p.grad!;
      m[i]!.mul_(beta1).add_(g, 1 - beta1);
      v[i]!.mul_(beta2).add_(g.square(), 1 - beta2);
      const mHat = m[i]!.div(1 - beta1 ** t);
      const vHat = v[i]!.div(1 - beta2 ** t);
      p.add_(mHat.div(vHat.sqrt().add(eps)), -lr);
    }),
  );
  if (t === 1 || t % 300 === 0) console.log(`step ${String(t).padStart(4)}  mse ${loss.item().toFixed(5)}`);
}
const seconds = (performance.now() - start) / 1000;

const fit = noGrad(() => model(x));
const finalMse = fit.sub(y).square().mean().item();
console.log(`\ntrained ${steps} Adam steps in ${seconds.toFixed(1)} s; final mse ${finalMse.toExponential(2)} (target variance ${y.var().item().toFixed(3)})`);
console.log('\n     x    x·sin(3x)    network');
for (const i of [0, 25, 50, 75, 100, 125, 150, 175, 199]) {
  const row = (t: Tensor) => (t.slice(i, 0).item()).toFixed(4).padStart(9);
  console.log(`${row(x)}  ${row(y)}  ${row(fit)}`);
}
