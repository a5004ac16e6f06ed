// Runs ONNX bytes in ONNX Runtime (CPU) and compares with tapegrad.
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import type { Tensor } from '@tapegrad/autograd';

/** Runs the model on the given inputs (in graph-input order) and returns every output as flat values with its shape. */
export async function runOrt(bytes: Uint8Array, inputs: readonly Tensor[]): Promise<{ data: number[]; shape: number[] }[]> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, i) => {
    const t = inputs[i]!;
    const data = t.contiguousData();
    const type = t.dtype === 'float64' ? 'float64' : t.dtype === 'int32' ? 'int32' : t.dtype === 'bool' ? 'bool' : 'float32';
    feeds[name] = new ort.Tensor(type, type === 'bool' ? Uint8Array.from(data) : data.slice(), [...t.shape]);
  });
  const result = await session.run(feeds);
  await session.release();
  return session.outputNames.map((n) => ({ data: Array.from(result[n]!.data as Float32Array), shape: [...result[n]!.dims] }));
}

/** Expects ONNX Runtime's output to match tapegrad's within `tol` (max abs difference), same shape. */
export function expectClose(actual: { data: number[]; shape: number[] }, expected: Tensor, tol = 1e-5): number {
  expect(actual.shape).toEqual([...expected.shape]);
  const e = Array.from(expected.contiguousData());
  const diff = actual.data.reduce((m, v, i) => Math.max(m, Math.abs(v - e[i]!)), 0);
  expect(diff).toBeLessThan(tol);
  return diff;
}
