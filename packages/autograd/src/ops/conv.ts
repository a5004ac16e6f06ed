// Convolution family (NCHW): conv2d, maxPool2d, avgPool2d.
import type { Tensor } from '../tensor.js';

function todo(name: string): never {
  throw new Error(`${name}: not implemented yet`);
}
/** @category Convolution @example `const o: Conv2dOptions = { stride: 2 };` */
export interface Conv2dOptions {
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  groups?: number;
}
/** @category Convolution @example `const o: Pool2dOptions = { kernelSize: 2 };` */
export interface Pool2dOptions {
  kernelSize: number | readonly [number, number];
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
}
/** @category Convolution @example `conv2d(x, w)` */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor { return todo('conv2d'); }
/** @category Convolution @example `maxPool2d(x, { kernelSize: 2 })` */
export function maxPool2d(input: Tensor, options: Pool2dOptions): Tensor { return todo('maxPool2d'); }
/** @category Convolution @example `avgPool2d(x, { kernelSize: 2 })` */
export function avgPool2d(input: Tensor, options: Pool2dOptions): Tensor { return todo('avgPool2d'); }
