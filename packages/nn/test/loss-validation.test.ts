// Losses refuse what PyTorch refuses, naming themselves: unknown options, non-tensors, class
// targets that are not class indices (out of range, fractional, wrong shape), BCE targets outside
// [0, 1]; ignoreIndex keeps PyTorch's meaning.
import { describe, expect, it } from 'vitest';
import { tensor } from '@tapegrad/autograd';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, huberLoss, l1Loss, mseLoss, nllLoss } from '@tapegrad/nn';

const logits = () => tensor([[1, 2, 3], [3, 1, 0]], { dtype: 'float64' });
const i32 = (v: number[]) => tensor(v, { dtype: 'int32' });

describe('class-index losses', () => {
  it.each([['crossEntropy', crossEntropy], ['nllLoss', nllLoss]] as const)('%s refuses targets that are not class indices', (name, f) => {
    const x = name === 'nllLoss' ? logits().logSoftmax(1) : logits();
    expect(() => f(x, i32([0, 3]))).toThrow(`${name}: target 3 at [1] is not a class index for 3 classes; expected an integer in 0..2 (or ignoreIndex -100)`);
    expect(() => f(x, i32([-1, 0]))).toThrow(`${name}: target -1 at [0] is not a class index`);
    expect(() => f(x, tensor([0.5, 1]))).toThrow(`${name}: target 0.5 at [0] is not a class index`);
    expect(() => f(x, i32([0, 1, 2]))).toThrow(`${name}: expected input [N, C] or [N, C, ...] with class-index targets [N]`);
    expect(() => f(x, [0, 1] as never)).toThrow(`${name}: targets must be a Tensor (got an array of length 2, expected a Tensor (wrap plain arrays with tensor(...)))`);
    expect(() => f([[1, 2]] as never, i32([0]))).toThrow(new RegExp(`^${name}: \\w+ must be a Tensor`));
    expect(() => f(x, i32([0, 1]), { reducton: 'sum' } as never)).toThrow(`${name}: unexpected option 'reducton'`);
    expect(() => f(x, i32([0, 1]), 'sum' as never)).toThrow(`${name}: options must be an object (got a string "sum"`);
    expect(() => f(x, i32([0, 1]), { ignoreIndex: 0.5 })).toThrow(`${name}: ignoreIndex must be an integer (got 0.5`);
    expect(() => f(x, i32([0, 1]), { weight: [1, 1, 1] } as never)).toThrow(`${name}: weight must be a Tensor`);
  });

  it('keeps ignoreIndex as PyTorch: ignored targets may be out of range and drop out of the mean', () => {
    const full = crossEntropy(logits(), i32([2, 0]), { reduction: 'none' }).toArray() as number[];
    expect(crossEntropy(logits(), i32([2, -100])).item()).toBeCloseTo(full[0]!, 12);
    expect(crossEntropy(logits(), i32([2, 7]), { ignoreIndex: 7 }).item()).toBeCloseTo(full[0]!, 12);
    expect(nllLoss(logits().logSoftmax(1), i32([-100, 0]), { reduction: 'sum' }).item()).toBeCloseTo(full[1]!, 12);
  });

  it('crossEntropy rejects a labelSmoothing that is not a number in [0, 1]', () => {
    expect(() => crossEntropy(logits(), i32([0, 1]), { labelSmoothing: '0.1' } as never)).toThrow('crossEntropy: labelSmoothing must be in [0, 1] (got a string "0.1"');
    expect(() => crossEntropy(logits(), i32([0, 1]), { labelSmoothing: 1.5 })).toThrow('crossEntropy: labelSmoothing must be in [0, 1] (got 1.5');
  });
});

describe('binary and regression losses', () => {
  const p = () => tensor([0.2, 0.7], { dtype: 'float64' });
  it('binaryCrossEntropy refuses targets outside [0, 1] as PyTorch; the logits form does not check them (as PyTorch)', () => {
    expect(() => binaryCrossEntropy(p(), tensor([1, 1.5], { dtype: 'float64' }))).toThrow('binaryCrossEntropy: target must hold values in [0, 1], got 1.5 at flat position 1');
    expect(() => binaryCrossEntropy(p(), tensor([-1, 0], { dtype: 'float64' }))).toThrow('binaryCrossEntropy: target must hold values in [0, 1], got -1 at flat position 0');
    expect(Number.isFinite(binaryCrossEntropyWithLogits(p(), tensor([1, 1.5], { dtype: 'float64' })).item())).toBe(true);
    expect(() => binaryCrossEntropyWithLogits(p(), p(), { pos_weight: p() } as never)).toThrow("binaryCrossEntropyWithLogits: unexpected option 'pos_weight'");
    expect(() => binaryCrossEntropyWithLogits(p(), p(), { posWeight: 2 } as never)).toThrow('binaryCrossEntropyWithLogits: posWeight must be a Tensor (got 2');
  });
  it.each([['mseLoss', mseLoss], ['l1Loss', l1Loss], ['huberLoss', huberLoss]] as const)('%s refuses unknown option keys', (name, f) => {
    expect(() => f(p(), p(), { reduce: 'sum' } as never)).toThrow(`${name}: unexpected option 'reduce'`);
    expect(() => f(p(), p(), [1] as never)).toThrow(`${name}: options must be an object`);
  });
});
