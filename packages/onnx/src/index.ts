/**
 * ONNX for tapegrad: {@link exportOnnx} writes a model or function as an ONNX graph by tracing its
 * tape (checked against ONNX Runtime in the tests).
 *
 * @example
 * ```ts
 * import { exportOnnx } from '@tapegrad/onnx';
 * writeFileSync('model.onnx', exportOnnx(model, [randn([1, 1, 28, 28])]));
 * ```
 * @module
 */
export { exportOnnx, type ExportOnnxOptions, type Traceable } from './export.js';
export { importOnnx, OnnxModel } from './import.js';
