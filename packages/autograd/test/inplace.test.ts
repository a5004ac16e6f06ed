import { describe, expect, it } from 'vitest';
import { tensor, zeros, arange, noGrad } from '@tapegrad/autograd';

describe('in-place updates', () => {
  it('copy_, add_ (with alpha and broadcasting), mul_, zero_ write through to storage and views', () => {
    const w = zeros([2, 3]);
    w.copy_(tensor([1, 2, 3]));
    expect(w.toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
    w.add_(tensor([[1], [2]]), 10);
    expect(w.toArray()).toEqual([[11, 12, 13], [21, 22, 23]]);
    w.mul_(2).add_(1);
    expect(w.toArray()).toEqual([[23, 25, 27], [43, 45, 47]]);
    w.transpose().slice(0).zero_(); // a strided view: column 0 of w
    expect(w.toArray()).toEqual([[0, 25, 27], [0, 45, 47]]);
    const s = tensor(3);
    s.add_(2);
    expect(s.item()).toBe(5);
  });
  it('refuses to modify a tensor that requires grad while recording, allows it under noGrad', () => {
    const p = arange(3).requiresGrad_();
    expect(() => p.add_(1)).toThrow('add_: in-place update of a tensor that requires grad (shape [3]) would corrupt the tape; wrap it in noGrad()');
    noGrad(() => p.add_(1));
    expect(p.toArray()).toEqual([1, 2, 3]);
  });
  it('rejects shapes that do not broadcast to the target and dtype mixing', () => {
    expect(() => zeros([3]).add_(zeros([2, 3]))).toThrow('add_: cannot update a tensor of shape [3] in place with shape [2,3]');
    expect(() => zeros([3]).copy_(zeros([3], { dtype: 'float64' }))).toThrow('copy_: dtype mismatch: float32 tensor updated with float64');
  });
});
