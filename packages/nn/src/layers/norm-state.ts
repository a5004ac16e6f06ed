// The per-channel state BatchNorm and InstanceNorm share (PyTorch's _NormBase): an affine scale
// and shift, and running statistics with their batch counter.
import { ones, zeros, type DType } from '@tapegrad/autograd';
import { BufferTensor, Parameter } from '../parameter.js';

/** What a normalization layer over `numFeatures` channels holds; absent parts are `null`. */
export interface NormState {
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean: BufferTensor | null;
  runningVar: BufferTensor | null;
  numBatchesTracked: BufferTensor | null;
}

/** γ = 1 and β = 0 with `affine`; mean 0, variance 1 and an int32 counter with `trackRunningStats`. */
export function normState(numFeatures: number, affine: boolean, trackRunningStats: boolean, dtype: DType | undefined): NormState {
  return {
    weight: affine ? new Parameter(ones([numFeatures], { dtype })) : null,
    bias: affine ? new Parameter(zeros([numFeatures], { dtype })) : null,
    runningMean: trackRunningStats ? new BufferTensor(zeros([numFeatures], { dtype })) : null,
    runningVar: trackRunningStats ? new BufferTensor(ones([numFeatures], { dtype })) : null,
    // An integer counter as PyTorch's (int64 there; int32 here, read from I64 with a range check).
    numBatchesTracked: trackRunningStats ? new BufferTensor(zeros([], { dtype: 'int32' })) : null,
  };
}
