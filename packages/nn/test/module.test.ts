import { describe, expect, it } from 'vitest';
import { manualSeed, noGrad, ones, randn, tensor, zeros, type Tensor } from '@tapegrad/autograd';
import {
  BatchNorm1d, BufferTensor, Dropout, Linear, Module, ModuleList, Parameter, ReLU, Sequential, buffer, functionalCall, parameter,
} from '@tapegrad/nn';
import { flat } from './helpers.js';

class Affine extends Module<[Tensor], Tensor> {
  scale = parameter(ones([3]));
  shift = parameter(zeros([3]));
  count = buffer(zeros([]));
  constantNotAParameter = ones([3]);
  forward(x: Tensor) {
    return x.mul(this.scale).add(this.shift);
  }
}

class Net extends Module<[Tensor], Tensor> {
  encoder = new Linear(3, 4);
  layers = [new Linear(4, 4), new Linear(4, 4)];
  nested = [[new Affine()]];
  head = new Sequential(new ReLU(), new Linear(4, 2));
  norm = new BatchNorm1d(2);
  forward(x: Tensor) {
    let h = this.nested[0]![0]!.forward(x);
    h = this.encoder.forward(h);
    for (const l of this.layers) h = l.forward(h);
    return this.norm.forward(this.head.forward(h));
  }
}

describe('Module: discovery by walking fields', () => {
  it('finds parameters of nested modules and arrays with dotted names, in declaration order', () => {
    const names = new Net().namedParameters().map(([n]) => n);
    expect(names).toEqual([
      'encoder.weight', 'encoder.bias',
      'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias',
      'nested.0.0.scale', 'nested.0.0.shift',
      'head.1.weight', 'head.1.bias',
      'norm.weight', 'norm.bias',
    ]);
  });

  it('ignores plain tensor fields, and lists buffers separately', () => {
    const a = new Affine();
    expect(a.parameters()).toEqual([a.scale, a.shift]);
    expect(a.namedBuffers()).toEqual([['count', a.count]]);
    expect(new Net().namedBuffers().map(([n]) => n)).toEqual([
      'nested.0.0.count', 'norm.running_mean', 'norm.running_var', 'norm.num_batches_tracked',
    ]);
  });

  it('lists children and modules (depth first, each once, self first)', () => {
    const net = new Net();
    expect(net.namedChildren().map(([n]) => n)).toEqual(['encoder', 'layers.0', 'layers.1', 'nested.0.0', 'head', 'norm']);
    expect(net.children()[0]).toBe(net.encoder);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'encoder', 'layers.0', 'layers.1', 'nested.0.0', 'head', 'head.0', 'head.1', 'norm']);
    expect(net.modules()[0]).toBe(net);
  });

  it('lists a shared (tied) parameter or module once, and survives reference cycles', () => {
    class Tied extends Module<[Tensor], Tensor> {
      a = new Linear(2, 2);
      b = new Linear(2, 2);
      again = this.a;
      self = this;
      forward(x: Tensor) { return this.b.forward(this.a.forward(x)); }
    }
    const t = new Tied();
    t.b.weight = t.a.weight;
    expect(t.namedParameters().map(([n]) => n)).toEqual(['a.weight', 'a.bias', 'b.bias']);
    expect(t.numParameters()).toBe(4 + 2 + 2);
    expect(t.modules()).toHaveLength(3);
  });

  it('hides #private fields from the walk', () => {
    class Holder extends Module<[Tensor], Tensor> {
      readonly #teacher = new Linear(2, 2);
      own = new Linear(2, 1);
      forward(x: Tensor) { return this.own.forward(this.#teacher.forward(x)); }
    }
    expect(new Holder().namedParameters().map(([n]) => n)).toEqual(['own.weight', 'own.bias']);
  });

  it('Parameter and BufferTensor share storage with what they wrap; only parameters require grad', () => {
    const t = tensor([1, 2]);
    const p = new Parameter(t);
    const b = new BufferTensor(t);
    expect(p.requiresGrad && p.isLeaf).toBe(true);
    expect(b.requiresGrad).toBe(false);
    expect(new Parameter(t, false).requiresGrad).toBe(false);
    noGrad(() => p.add_(1));
    expect(flat(t)).toEqual([2, 3]);
    expect(String(p)).toMatch(/^Parameter containing:\ntensor\(/);
  });
});

describe('Module: modes and bookkeeping', () => {
  it('train() and eval() propagate to every descendant', () => {
    const net = new Net();
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
    net.train(false);
    expect(net.head.training).toBe(false);
  });

  it('zeroGrad clears every parameter gradient', () => {
    const net = new Net();
    net.forward(randn([4, 3])).sum().backward();
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('numParameters counts elements, optionally only trainable ones', () => {
    expect(new Linear(784, 256).numParameters()).toBe(784 * 256 + 256);
    const net = new Sequential(new Linear(3, 4), new Linear(4, 2, { bias: false }));
    expect(net.numParameters()).toBe(12 + 4 + 8);
    net[0]!.requiresGrad_(false);
    expect(net.numParameters({ trainableOnly: true })).toBe(8);
    expect(net.numParameters()).toBe(24);
  });

  it('apply visits every module, children before parents', () => {
    const seen: string[] = [];
    new Sequential(new Linear(2, 2), new Sequential(new ReLU())).apply((m) => seen.push(m.constructor.name));
    expect(seen.at(-1)).toBe('Sequential');
    expect(seen.indexOf('ReLU')).toBeLessThan(seen.lastIndexOf('Sequential'));
    expect(seen).toHaveLength(4);
  });

  it('toDType converts float parameters and buffers (the int32 counter stays), keeps ties and frozen flags', () => {
    const net = new Net();
    net.head[1]!.requiresGrad_(false);
    net.layers[1]!.weight = net.layers[0]!.weight;
    const before = flat(net.encoder.weight);
    net.toDType('float64');
    expect(net.parameters().every((p) => p.dtype === 'float64' && p instanceof Parameter)).toBe(true);
    expect(net.namedBuffers().every(([n, b]) => b.dtype === (n.endsWith('num_batches_tracked') ? 'int32' : 'float64') && b instanceof BufferTensor)).toBe(true);
    expect(net.namedBuffers().filter(([, b]) => b.dtype === 'int32').map(([n]) => n)).toEqual(['norm.num_batches_tracked']);
    expect(net.layers[1]!.weight).toBe(net.layers[0]!.weight);
    expect((net.head[1] as Linear).weight.requiresGrad).toBe(false);
    flat(net.encoder.weight).forEach((v, i) => expect(v).toBeCloseTo(before[i]!, 6));
    expect(net.forward(randn([4, 3], { dtype: 'float64' })).dtype).toBe('float64');
  });
});

describe('Module: printing', () => {
  it('prints like PyTorch, nesting children', () => {
    const model = new Sequential(new Linear(784, 256), new ReLU(), new Sequential(new Dropout(0.25), new Linear(256, 10, { bias: false })));
    expect(String(model)).toBe(
      [
        'Sequential(',
        '  (0): Linear(in_features=784, out_features=256, bias=True)',
        '  (1): ReLU()',
        '  (2): Sequential(',
        '    (0): Dropout(p=0.25)',
        '    (1): Linear(in_features=256, out_features=10, bias=False)',
        '  )',
        ')',
      ].join('\n'),
    );
  });

  it('prints a custom module with array and ModuleList fields', () => {
    class Stack extends Module<[Tensor], Tensor> {
      blocks = new ModuleList([new Linear(2, 2)]);
      extra = [new ReLU()];
      forward(x: Tensor) { return x; }
    }
    expect(String(new Stack())).toBe(
      'Stack(\n  (blocks): ModuleList(\n    (0): Linear(in_features=2, out_features=2, bias=True)\n  )\n  (extra.0): ReLU()\n)',
    );
  });
});

describe('functionalCall', () => {
  it('runs with swapped tensors, sends gradients to them and restores the originals', () => {
    const layer = new Linear(2, 1);
    const w = tensor([[1, 2]], { requiresGrad: true });
    const y = functionalCall(layer, { weight: w, bias: zeros([1]) }, tensor([[3, 4]]));
    expect(y.item()).toBe(11);
    y.sum().backward();
    expect(flat(w.grad!)).toEqual([3, 4]);
    expect(layer.weight).toBeInstanceOf(Parameter);
    expect(layer.weight.grad).toBeNull();
  });

  it('names unknown keys and restores after a throwing forward', () => {
    const layer = new Linear(2, 1);
    const weight = layer.weight;
    expect(() => functionalCall(layer, { wieght: zeros([1, 2]) }, zeros([1, 2]))).toThrow(/no parameter or buffer named "wieght"; it has "weight", "bias"/);
    expect(() => functionalCall(layer, { weight: zeros([1, 2]) }, zeros([1, 3]))).toThrow(/expected input with last dimension 2/);
    expect(layer.weight).toBe(weight);
  });
});

describe('Sequential and ModuleList', () => {
  it('index, iterate, append', () => {
    manualSeed(1);
    const seq = new Sequential(new Linear(2, 3));
    seq.append(new ReLU());
    expect(seq.length).toBe(2);
    expect([...seq].map((m) => m.constructor.name)).toEqual(['Linear', 'ReLU']);
    expect(seq[1]).toBeInstanceOf(ReLU);
    const list = new ModuleList([new Linear(2, 2)]).append(new Linear(2, 2));
    expect(list.length).toBe(2);
    expect(list.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect(() => list.forward()).toThrow(/ModuleList: has no forward/);
    expect(() => new Sequential({} as Module)).toThrow(/Sequential: element 0 is not a Module/);
  });

  it('Sequential feeds each output to the next module', () => {
    const seq = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    const x = randn([5, 2]);
    const manual = seq[2]!.forward(seq[1]!.forward(seq[0]!.forward(x)));
    expect(flat(seq.forward(x))).toEqual(flat(manual));
  });
});
