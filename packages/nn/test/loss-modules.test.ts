import { describe, expect, it } from 'vitest';
import { randn, tensor } from '@tapegrad/autograd';
import {
  BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits,
  crossEntropy, huberLoss, l1Loss, mseLoss, nllLoss,
} from '@tapegrad/nn';

describe('loss modules', () => {
  const x = randn([4, 3]);
  const y = randn([4, 3]);
  const p = x.sigmoid();
  const q = y.sigmoid();
  const labels = tensor([0, 2, 1, 2]);
  const weight = tensor([1, 2, 0.5]);

  it('compute the same as the functions, with their options', () => {
    expect(new MSELoss().forward(x, y).item()).toBe(mseLoss(x, y).item());
    expect(new L1Loss({ reduction: 'sum' }).forward(x, y).item()).toBe(l1Loss(x, y, { reduction: 'sum' }).item());
    expect(new HuberLoss({ delta: 0.5 }).forward(x, y).item()).toBe(huberLoss(x, y, { delta: 0.5 }).item());
    const ce = new CrossEntropyLoss({ weight, labelSmoothing: 0.1, ignoreIndex: 1 });
    expect(ce.forward(x, labels).item()).toBe(crossEntropy(x, labels, { weight, labelSmoothing: 0.1, ignoreIndex: 1 }).item());
    expect(new NLLLoss({ weight }).forward(x.logSoftmax(1), labels).item()).toBe(nllLoss(x.logSoftmax(1), labels, { weight }).item());
    expect(new BCELoss({ weight }).forward(p, q).item()).toBe(binaryCrossEntropy(p, q, { weight }).item());
    const posWeight = tensor([2, 1, 3]);
    expect(new BCEWithLogitsLoss({ posWeight, reduction: 'none' }).forward(x, q).toArray()).toEqual(
      binaryCrossEntropyWithLogits(x, q, { posWeight, reduction: 'none' }).toArray(),
    );
  });

  it('keep class weights as buffers (saved, converted by toDType) and print like PyTorch', () => {
    const ce = new CrossEntropyLoss({ weight });
    expect(Object.keys(ce.stateDict())).toEqual(['weight']);
    expect(ce.toDType('float64').weight!.dtype).toBe('float64');
    expect(ce.parameters()).toHaveLength(0);
    expect(String(new CrossEntropyLoss())).toBe('CrossEntropyLoss()');
    expect(String(new MSELoss({ reduction: 'sum' }))).toBe("MSELoss(reduction='sum')");
    expect(String(new HuberLoss())).toBe('HuberLoss(delta=1.0)');
    expect(() => new L1Loss({ reduction: 'max' as never })).toThrow(`L1Loss: reduction must be 'mean', 'sum' or 'none' (got a string "max", expected 'mean', 'sum' or 'none')`);
  });
});
