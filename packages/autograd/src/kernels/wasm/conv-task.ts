// The task record conv-module.ts's `run` reads: one i32 field per parameter of a forward,
// weight-gradient, input-gradient or packing task, at fixed byte offsets.
import { Fn, I32 } from './assembler.js';

/**
 * Byte offsets of a task's i32 fields (`next` and `chunks` where gemm-threads.ts expects them).
 * Forward (op 0): x images, a packed weight strips ([K][4] per 4 channels), b tap offsets (K),
 * c output (n·outImage + (o·L + l)·4), bias (mStrips·4 floats), K taps, mStrips channel strips,
 * rows channels, L, oW, rowStep (bytes between output rows' inputs), inImage / outImage (bytes),
 * nStrips strips of 8 positions, perChunk strips per chunk, seed.
 * Weight gradient (op 1): x, a position table (ld entries, byte addresses), b tap offsets
 * (mStrips·4), c dwᵀ (ldc bytes per tap row), gyp packed gy (nStrips strips of [ld][8]), ld
 * positions, kc positions per block, mStrips tap strips, nStrips channel strips, perChunk tap
 * strips per chunk.
 * Input gradient (op 2, chunk = image): x dx images, a weight strips ([K][4] per strip of 4
 * channels at one tap), c gy images, K output channels, mStrips strips (channel group-major, then
 * i, then j), rows input channels, L, oW, rowStep (bytes between dx rows of consecutive output
 * rows), inImage / outImage (bytes), nStrips strips of 8 positions per image, kHW taps per
 * channel, kW, tapRow / tapCol (bytes between taps' dx rows / columns), plane (bytes per channel).
 * Packing the output gradient (op 3, chunk = strip · cnt + image; conv-packers.ts `packGy`): x gy
 * images, c the strips, rows channels, L, outImage (bytes), ld positions, cnt images.
 */
export const CONV_TASK = {
  next: 0, chunks: 4, op: 8, x: 12, a: 16, b: 20, c: 24, bias: 28, K: 32, mStrips: 36, rows: 40, L: 44, oW: 48,
  rowStep: 52, inImage: 56, outImage: 60, nStrips: 64, perChunk: 68, seed: 72, gyp: 76, ld: 80, kc: 84, ldc: 88,
  kHW: 92, kW: 96, tapRow: 100, tapCol: 104, plane: 108, cnt: 112,
} as const;
export const CONV_TASK_BYTES = 128;

/** The task's fields as locals of a function being generated. */
export type Fields = Record<keyof typeof CONV_TASK, number>;

/** Loads every task field into a local. */
export function fields(f: Fn, task: number): Fields {
  const v = Object.fromEntries(Object.keys(CONV_TASK).map((k) => [k, f.local(I32)])) as Fields;
  for (const [name, off] of Object.entries(CONV_TASK)) f.get(task).mem('i32_load', off).set(v[name as keyof typeof CONV_TASK]);
  return v;
}
