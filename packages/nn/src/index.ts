/**
 * Neural-network building blocks on the tapegrad tape: `Module` (which finds its parameters by
 * walking its fields), layers, initializers (`init`) and losses. Weight files on disk are in `@tapegrad/nn/node`.
 *
 * @example
 * ```ts
 * import { Linear, ReLU, Sequential, crossEntropy } from '@tapegrad/nn';
 * const model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
 * const loss = crossEntropy(model.forward(images), labels);
 * loss.backward();
 * ```
 * @module
 */
export { Module } from './module.js';
export { Parameter, parameter, BufferTensor, buffer } from './parameter.js';
export type { LoadStateDictOptions, LoadStateDictResult } from './state-dict.js';
export { functionalCall } from './functional-call.js';
export * as init from './init.js';

export type { LayerOptions } from './layers/options.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export { Conv1d, Conv2d, type Conv1dLayerOptions, type Conv2dLayerOptions, type PaddingMode, type Size2 } from './layers/conv.js';
export { MaxUnpool2d, type MaxUnpool2dLayerOptions } from './layers/unpool.js';
export { ConvNd } from './layers/conv-base.js';
export { ConvTranspose1d, ConvTranspose2d, type ConvTranspose1dLayerOptions, type ConvTranspose2dLayerOptions } from './layers/conv-transpose.js';
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, Flatten, type Pool1dLayerOptions, type Pool2dLayerOptions } from './layers/pool.js';
export { Sequential, ModuleList } from './layers/containers.js';
export { Dropout, type DropoutOptions } from './layers/dropout.js';
export { BatchNorm, BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './layers/batch-norm.js';
export { LayerNorm, type LayerNormOptions } from './layers/layer-norm.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { MultiheadAttention, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions } from './layers/attention.js';
export { generateSquareSubsequentMask } from './layers/attention-mask.js';
export {
  TransformerEncoderLayer, TransformerDecoderLayer, type TransformerLayerOptions, type TransformerActivation,
  type TransformerEncoderForwardOptions, type TransformerDecoderForwardOptions,
} from './layers/transformer-layers.js';
export { TransformerEncoder, TransformerDecoder, type TransformerStackOptions, type TransformerEncoderStackForwardOptions } from './layers/transformer.js';
export { RNNCell, LSTMCell, GRUCell, type RNNCellOptions, type ElmanCellOptions, type RecurrentMode } from './layers/rnn-cells.js';
export { RNN, LSTM, GRU, type RecurrentOptions, type RNNOptions, type LSTMOptions, type RecurrentForwardOptions } from './layers/rnn.js';
export { GroupNorm, InstanceNorm2d, type GroupNormOptions, type InstanceNormOptions } from './layers/group-norm.js';
export { AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, type AdaptiveSize2 } from './layers/adaptive-pool.js';
export { Upsample, PixelShuffle, PixelUnshuffle, type UpsampleOptions } from './layers/upsample.js';
export { ModuleDict } from './layers/module-dict.js';
export { ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax, Identity } from './layers/activations.js';
export { ReLU6, Hardtanh, SELU, SiLU, Mish, PReLU } from './layers/more-activations.js';

export type { Reduction, LossOptions } from './losses/reduction.js';
export { mseLoss, l1Loss, huberLoss, type HuberLossOptions } from './losses/regression.js';
export { nllLoss, crossEntropy, type NllLossOptions, type CrossEntropyOptions } from './losses/classification.js';
export {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, type BinaryCrossEntropyOptions, type BinaryCrossEntropyWithLogitsOptions,
} from './losses/binary.js';
export { Loss, MSELoss, L1Loss, HuberLoss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss } from './losses/modules.js';
