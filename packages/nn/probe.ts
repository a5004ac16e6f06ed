import { Generator, manualSeed, noGrad, rand, type Tensor } from '@tapegrad/autograd';
import { Dropout, LayerNorm, Linear, Module, crossEntropy } from './src/index.js';

class ResidualBlock extends Module<[Tensor], Tensor> {
  norm: LayerNorm; fc1: Linear; fc2: Linear; dropout: Dropout;
  constructor(dim: number, hidden: number, p = 0.1) {
    super();
    this.norm = new LayerNorm(dim);
    this.fc1 = new Linear(dim, hidden);
    this.fc2 = new Linear(hidden, dim);
    this.dropout = new Dropout(p);
  }
  forward(x: Tensor): Tensor {
    const h = this.fc2.forward(this.fc1.forward(this.norm.forward(x)).gelu());
    return x.add(this.dropout.forward(h));
  }
}
class ResidualMlp extends Module<[Tensor], Tensor> {
  stem = new Linear(2, 16);
  blocks = [new ResidualBlock(16, 32), new ResidualBlock(16, 32)];
  head = new Linear(16, 2);
  forward(x: Tensor): Tensor {
    let h = this.stem.forward(x);
    for (const block of this.blocks) h = block.forward(h);
    return this.head.forward(h);
  }
}
manualSeed(0);
const gen = new Generator(1);
const points = rand([256, 2], { generator: gen }).mul(3).sub(1.5);
const labels = points.square().sum(1).gt(1);
const model = new ResidualMlp();
console.log(String(model), model.numParameters());
const t0 = Date.now();
for (let epoch = 0; epoch < 300; epoch++) {
  model.train();
  const loss = crossEntropy(model.forward(points), labels);
  model.zeroGrad();
  loss.backward();
  noGrad(() => { for (const p of model.parameters()) p.add_(p.grad!, -0.1); });
  if (epoch % 50 === 0) console.log(epoch, loss.item());
}
model.eval();
const pred = noGrad(() => model.forward(points).argmax(1));
console.log('acc', pred.eq(labels).mean().item(), Date.now() - t0);
