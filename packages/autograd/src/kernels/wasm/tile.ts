// The register tile of a generated gemm kernel, shared by the code generators and the driver.

/** Register tile and loop shape of one generated kernel. */
export interface TileConfig {
  readonly dtype: 'float32' | 'float64';
  /** Rows of C per micro-tile (one broadcast A value each). */
  readonly mr: number;
  /** 128-bit vectors across a micro-tile row; NR = nv × lanes columns. */
  readonly nv: number;
  /** k steps per loop iteration; k-blocks are zero-padded to a multiple of it. */
  readonly unroll: number;
  /** Use relaxed-SIMD fused multiply-add (only where `WebAssembly.validate` accepts it). */
  readonly madd: boolean;
}

/** Bytes per element, lanes per vector and NR for a tile. */
export function tileGeometry(t: TileConfig) {
  const es = t.dtype === 'float32' ? 4 : 8;
  const lanes = 16 / es;
  return { es, lanes, nr: t.nv * lanes };
}
