// ReLU6, Hardtanh, SELU, SiLU, Mish, PReLU modules: they match the ops, print as PyTorch, and PReLU learns its slopes.
import { describe, expect, it } from 'vitest';
import * as tg from '@tapegrad/autograd';
import { Generator, randn, tensor } from '@tapegrad/autograd';
import { Hardtanh, Mish, PReLU, ReLU6, SELU, SiLU } from '@tapegrad/nn';
import { moduleGradcheck } from './helpers.js';

const input = (shape: number[], seed = 0) => randn(shape, { dtype: 'float64', requiresGrad: true, generator: new Generator(seed) });

describe('activation modules of issue 12', () => {
  it('forward to the autograd ops', () => {
    const x = input([3, 4]);
    expect(new ReLU6().forward(x.mul(4)).toArray()).toEqual(tg.relu6(x.mul(4)).toArray());
    expect(new Hardtanh(-0.5, 0.5).forward(x).toArray()).toEqual(tg.hardtanh(x, -0.5, 0.5).toArray());
    expect(new SELU().forward(x).toArray()).toEqual(tg.selu(x).toArray());
    expect(new SiLU().forward(x).toArray()).toEqual(tg.silu(x).toArray());
    expect(new Mish().forward(x).toArray()).toEqual(tg.mish(x).toArray());
  });

  it('print like PyTorch', () => {
    expect(String(new Hardtanh())).toBe('Hardtanh(min_val=-1.0, max_val=1.0)');
    expect(String(new ReLU6())).toBe('ReLU6()');
    expect(String(new PReLU(3))).toBe('PReLU(num_parameters=3)');
  });

  it('PReLU has PyTorch’s parameter (name, shape, init) and passes gradcheck', () => {
    const act = new PReLU(3, 0.1, { dtype: 'float64' });
    expect(act.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['weight', [3]]]);
    expect(act.weight.toArray()).toEqual([0.1, 0.1, 0.1]);
    expect(new PReLU().weight.toArray()).toEqual([0.25]);
    moduleGradcheck(act, [input([2, 3, 4], 1)]);
    moduleGradcheck(new PReLU(1, 0.25, { dtype: 'float64' }), [input([5], 2)]);
  });

  it('rejects bad arguments naming the layer', () => {
    expect(() => new PReLU(0)).toThrow('PReLU: numParameters must be a positive integer (got 0, expected an integer >= 1)');
    expect(() => new PReLU(1, NaN)).toThrow('PReLU: init must be a finite number (got NaN');
    expect(() => new PReLU(1, 0.25, { generator: new Generator(0) } as never)).toThrow("PReLU: unexpected option 'generator' (expected one of: dtype)");
    expect(() => new PReLU(2).forward(tensor([[1, 2, 3]]))).toThrow('prelu: weight has 2 elements');
    expect(() => new Hardtanh(2, 1)).toThrow('hardtanh: minVal (2) is greater than maxVal (1)');
  });
});
