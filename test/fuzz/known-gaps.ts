// Exports whose fuzz row still fails, with the first failure seen. Each runs as `it.fails`: when a
// fix makes the row pass, that test fails until the entry is removed here, so this list only shrinks.
export const KNOWN_GAPS: Record<string, string> = {
  '@tapegrad/nn:binaryCrossEntropy': 'binaryCrossEntropy(arg 2 = {"notAnOption":true}) did not throw',
  '@tapegrad/nn:binaryCrossEntropyWithLogits': 'binaryCrossEntropyWithLogits(arg 2 = {"notAnOption":true}) did not throw',
  '@tapegrad/nn:crossEntropy': 'crossEntropy(arg 2 = {"notAnOption":true}) did not throw',
  '@tapegrad/nn:huberLoss': 'huberLoss(arg 2 = {"notAnOption":true}) did not throw',
  '@tapegrad/nn:l1Loss': 'l1Loss(arg 2 = {"notAnOption":true}) did not throw',
  '@tapegrad/nn:mseLoss': 'mseLoss(arg 2 = {"notAnOption":true}) did not throw',
  '@tapegrad/nn:nllLoss': 'nllLoss(arg 2 = {"notAnOption":true}) did not throw',
  '@tapegrad/onnx:exportOnnx': 'exportOnnx(arg 0 = undefined) threw TypeError: model is not a function',
};
