// Runs the WebAssembly im2col/col2im (im2col-module.ts) for float32 over a chunk of images: the
// images (and, for col2im, the panel and the gradient being accumulated) are copied into the
// streaming kernels' memory (simd-memory.ts) in one piece each, the kernel runs once per image,
// and the result is copied out in one piece. Returns false (having done nothing) for float64,
// without WebAssembly SIMD, or when memory cannot grow; the caller then runs the TypeScript loops.
import type { TypedArray } from '../../dtype.js';
import type { Geometry } from '../im2col.js';
import { im2colModuleBytes } from './im2col-module.js';
import { ensureMemory, instantiate, memoryView } from './simd-memory.js';

/** Mutable so tests can compare against the TypeScript loops; not public API. */
export const simdIm2col = { enabled: true };

let kernels: ReturnType<typeof instantiate> | undefined;
const pad = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** Byte layout of one call: images at 64, then the panel. Null when the kernels cannot run. */
function layout(x: TypedArray, panel: TypedArray, cnt: number, C: number, g: Geometry, ld: number) {
  // The panel is copied whole, so it must be exactly the cnt images wide.
  if (!simdIm2col.enabled || !(x instanceof Float32Array) || !(panel instanceof Float32Array) || ld !== cnt * g.oH * g.oW) return null;
  if (kernels === undefined) kernels = instantiate(im2colModuleBytes());
  if (!kernels) return null;
  const inImage = C * g.H * g.W, rows = C * g.kH * g.kW;
  const xAt = 64, pAt = xAt + pad(cnt * inImage * 4);
  if (!ensureMemory(pAt + pad(rows * ld * 4))) return null;
  return { k: kernels, v: memoryView('float32') as Float32Array, inImage, rows, xAt, pAt };
}

const geometry = (g: Geometry) => [g.H, g.W, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW, g.oH, g.oW];

/**
 * im2col of `cnt` images of C planes from x[xOff], image n's patches at column n·L of a panel of
 * (C·kH·kW) rows `ld` = cnt·L apart written to panel[0…]. False: use the TypeScript loops.
 */
export function im2colBatch(x: TypedArray, xOff: number, cnt: number, C: number, g: Geometry, panel: TypedArray, ld: number): boolean {
  const m = layout(x, panel, cnt, C, g, ld);
  if (!m) return false;
  const L = g.oH * g.oW, geo = geometry(g);
  m.v.set(x.subarray(xOff, xOff + cnt * m.inImage), m.xAt / 4);
  for (let n = 0; n < cnt; n++) m.k.im2col!(m.xAt + n * m.inImage * 4, m.pAt + n * L * 4, C, ...geo, ld);
  panel.set(m.v.subarray(m.pAt / 4, m.pAt / 4 + m.rows * ld), 0);
  return true;
}

/** The adjoint: adds panel[0…] (laid out as im2colBatch writes it) into the `cnt` images at dx[dxOff]. False: use the TypeScript loops. */
export function col2imBatch(panel: TypedArray, cnt: number, C: number, g: Geometry, dx: TypedArray, dxOff: number, ld: number): boolean {
  const m = layout(dx, panel, cnt, C, g, ld);
  if (!m) return false;
  const L = g.oH * g.oW, geo = geometry(g);
  m.v.set(dx.subarray(dxOff, dxOff + cnt * m.inImage), m.xAt / 4);
  m.v.set(panel.subarray(0, m.rows * ld), m.pAt / 4);
  for (let n = 0; n < cnt; n++) m.k.col2im!(m.xAt + n * m.inImage * 4, m.pAt + n * L * 4, C, ...geo, ld);
  dx.set(m.v.subarray(m.xAt / 4, m.xAt / 4 + cnt * m.inImage), dxOff);
  return true;
}
