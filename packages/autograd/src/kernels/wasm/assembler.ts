// A small WebAssembly assembler: just the opcodes our kernels use, emitted as bytes at run time,
// so the kernels need no build step, no toolchain and no committed binary. Functions are written
// with structured helpers (`loop`, `ifElse`, ...) that mirror the text format; the module imports
// one memory ("env" "mem"), so the same compiled code can later run on a shared memory in workers.

/** Value types, as encoded in the binary format. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Unsigned LEB128. */
function uleb(n: number, out: number[]): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

/** Signed LEB128 of a 32-bit integer. */
function sleb(n: number, out: number[]): void {
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

function utf8(s: string, out: number[]): void {
  const bytes = new TextEncoder().encode(s);
  uleb(bytes.length, out);
  out.push(...bytes);
}

/** Plain (non-prefixed) opcodes used by the kernels. */
const OP = {
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a, i32_gt_u: 0x4b,
  i32_le_s: 0x4c, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_div_u: 0x6e, i32_rem_u: 0x70, i32_and: 0x71, i32_or: 0x72, i32_shl: 0x74,
  f32_add: 0x92, f64_add: 0xa0, f32_demote_f64: 0xb6, f64_promote_f32: 0xbb,
  select: 0x1b, drop: 0x1a,
} as const;

/** SIMD opcodes: prefix 0xFD followed by the LEB128 index. */
const SIMD = {
  v128_load: 0x00, v128_load32_splat: 0x09, v128_load64_splat: 0x0a, v128_store: 0x0b, v128_const: 0x0c,
  f32x4_splat: 0x13, f64x2_splat: 0x14,
  f32x4_add: 0xe4, f32x4_mul: 0xe6, f64x2_add: 0xf0, f64x2_mul: 0xf2,
  // Elementwise kernels (fused/wasm-codegen.ts).
  f32x4_abs: 0xe0, f32x4_neg: 0xe1, f32x4_sqrt: 0xe3, f32x4_sub: 0xe5, f32x4_div: 0xe7, f32x4_min: 0xe8, f32x4_max: 0xe9,
  f32x4_pmin: 0xea, f32x4_pmax: 0xeb,
  f64x2_abs: 0xec, f64x2_neg: 0xed, f64x2_sqrt: 0xef, f64x2_sub: 0xf1, f64x2_div: 0xf3,
  f32x4_eq: 0x41, f32x4_ne: 0x42, f32x4_lt: 0x43, f32x4_gt: 0x44, f32x4_le: 0x45, f32x4_ge: 0x46,
  f64x2_eq: 0x47, f64x2_ne: 0x48, f64x2_lt: 0x49, f64x2_gt: 0x4a, f64x2_le: 0x4b, f64x2_ge: 0x4c,
  v128_not: 0x4d, v128_and: 0x4e, v128_bitselect: 0x52, f32x4_nearest: 0x6a, f64x2_min: 0xf4, f64x2_max: 0xf5,
  i32x4_shl: 0xab, i32x4_shr_s: 0xac, i32x4_add: 0xae, i32x4_sub: 0xb1, i32x4_trunc_sat_f32x4_s: 0xf8,
  f32x4_relaxed_madd: 0x105, f64x2_relaxed_madd: 0x107,
  // Pooling (pool-module.ts).
  v128_or: 0x50, i32x4_splat: 0x11, i32x4_eq: 0x37, f32x4_demote_f64x2_zero: 0x5e, f64x2_promote_low_f32x4: 0x5f,
} as const;

/** SIMD lane opcodes, followed by a lane index byte. */
const LANE = { i32x4_replace_lane: 0x1c, i64x2_extract_lane: 0x1d, f32x4_extract_lane: 0x1f, f32x4_replace_lane: 0x20, f64x2_replace_lane: 0x22 } as const;

/** Memory access opcodes (plain); the memarg (alignment log2, offset) follows. */
const MEM = {
  i32_load: 0x28, i64_load: 0x29, f32_load: 0x2a, f64_load: 0x2b, i32_store: 0x36, i64_store: 0x37, f32_store: 0x38, f64_store: 0x39,
} as const;

/**
 * One function body under construction. Locals are numbered after the parameters; every helper
 * appends bytes and returns `this`, so code reads top to bottom like the text format.
 */
export class Fn {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {}

  /** A new local of type `t`; returns its index. */
  local(t: ValType): number {
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }

  op(name: keyof typeof OP): this {
    this.code.push(OP[name]);
    return this;
  }

  simd(name: keyof typeof SIMD): this {
    this.code.push(0xfd);
    uleb(SIMD[name], this.code);
    return this;
  }

  /** A lane instruction (`extract_lane`, `replace_lane`) on lane `lane`. */
  lane(name: keyof typeof LANE, lane: number): this {
    this.code.push(0xfd);
    uleb(LANE[name], this.code);
    this.code.push(lane);
    return this;
  }

  private withIndex(opcode: number, i: number): this {
    this.code.push(opcode);
    uleb(i, this.code);
    return this;
  }

  get(i: number): this { return this.withIndex(0x20, i); }
  set(i: number): this { return this.withIndex(0x21, i); }
  tee(i: number): this { return this.withIndex(0x22, i); }
  br(depth: number): this { return this.withIndex(0x0c, depth); }
  brIf(depth: number): this { return this.withIndex(0x0d, depth); }
  /** `call` by function index: functions are numbered in module order (nothing is imported). */
  call(fn: number): this { return this.withIndex(0x10, fn); }
  ret(): this {
    this.code.push(0x0f);
    return this;
  }

  /** `i32.atomic.rmw.add` at the address on the stack plus `offset`; leaves the old value. */
  atomicAdd(offset = 0): this {
    this.code.push(0xfe, 0x1e, 2);
    uleb(offset, this.code);
    return this;
  }

  /** `i32.atomic.load` at the address on the stack plus `offset`. */
  atomicLoad(offset = 0): this {
    this.code.push(0xfe, 0x10, 2);
    uleb(offset, this.code);
    return this;
  }

  i32(n: number): this {
    this.code.push(0x41);
    sleb(n, this.code);
    return this;
  }

  /** `local[i] += n` for an i32 local. */
  inc(i: number, n: number): this {
    return this.get(i).i32(n).op('i32_add').set(i);
  }

  /** A scalar load/store with a constant byte offset; the address is on the stack. */
  mem(name: keyof typeof MEM, offset = 0): this {
    const align = name.startsWith('f64') || name.startsWith('i64') ? 3 : 2;
    this.code.push(MEM[name], align);
    uleb(offset, this.code);
    return this;
  }

  /** A v128 load/store/splat with a constant byte offset; the address is on the stack. */
  vmem(name: 'v128_load' | 'v128_store' | 'v128_load32_splat' | 'v128_load64_splat', offset = 0): this {
    const align = name === 'v128_load32_splat' ? 2 : name === 'v128_load64_splat' ? 3 : 4;
    this.simd(name);
    this.code.push(align);
    uleb(offset, this.code);
    return this;
  }

  /** `memory.copy` (bulk memory): dst, src and byte count on the stack; overlap-safe. */
  memoryCopy(): this {
    this.code.push(0xfc, 0x0a, 0x00, 0x00);
    return this;
  }

  /** `f32.const 0` or `f64.const 0`. */
  fzero(t: typeof F32 | typeof F64): this {
    this.code.push(t === F32 ? 0x43 : 0x44, ...new Array<number>(t === F32 ? 4 : 8).fill(0));
    return this;
  }

  /**
   * `i8x16.shuffle` of the two vectors on the stack, given as lanes of `bytes` bytes each
   * (0…lanes−1 from the first vector, lanes…2·lanes−1 from the second).
   */
  shuffle(lanes: readonly number[], bytes: number): this {
    this.code.push(0xfd, 0x0d);
    for (const l of lanes) for (let b = 0; b < bytes; b++) this.code.push(l * bytes + b);
    return this;
  }

  /** `v128.const` with four equal float32 lanes. */
  f32x4Const(v: number): this {
    this.simd('v128_const');
    const b = new Uint8Array(new Float32Array([v, v, v, v]).buffer);
    this.code.push(...b);
    return this;
  }

  /** `v128.const` with two equal float64 lanes. */
  f64x2Const(v: number): this {
    this.simd('v128_const');
    const b = new Uint8Array(new Float64Array([v, v]).buffer);
    this.code.push(...b);
    return this;
  }

  /** `v128.const` with four equal int32 lanes. */
  i32x4Const(v: number): this {
    this.simd('v128_const');
    const b = new Uint8Array(new Int32Array([v, v, v, v]).buffer);
    this.code.push(...b);
    return this;
  }

  /** `v128.const 0`. */
  v128Zero(): this {
    this.simd('v128_const');
    for (let i = 0; i < 16; i++) this.code.push(0);
    return this;
  }

  /** `loop ... end`: `body` ends an iteration with `br_if 0` (continue) or falls through (exit). */
  loop(body: () => void): this {
    this.code.push(0x03, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }

  /** `block ... end`: `br_if` to depth 0 inside jumps past the end. */
  block(body: () => void): this {
    this.code.push(0x02, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }

  /** `if ... else ... end` on the i32 on the stack. */
  ifElse(then: () => void, otherwise?: () => void): this {
    this.code.push(0x04, 0x40);
    then();
    if (otherwise) {
      this.code.push(0x05);
      otherwise();
    }
    this.code.push(0x0b);
    return this;
  }

  /**
   * A counted loop `for (i = from; i < to; i += step)`, skipped when empty: `from` is a constant
   * or emits the start value, `to` is a local index, read on every test.
   */
  forRange(i: number, from: number | (() => void), to: number, step: number, body: () => void): this {
    if (typeof from === 'number') this.i32(from);
    else from();
    this.set(i);
    return this.block(() => {
      this.get(i).get(to).op('i32_ge_s').brIf(0);
      this.loop(() => {
        body();
        this.inc(i, step);
        this.get(i).get(to).op('i32_lt_s').brIf(0);
      });
    });
  }

  /** The function body as in the code section: size, run-length locals, code, `end`. */
  encode(): number[] {
    const body: number[] = [];
    const runs: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(runs.length, body);
    for (const [n, t] of runs) {
      uleb(n, body);
      body.push(t);
    }
    body.push(...this.code, 0x0b);
    const out: number[] = [];
    uleb(body.length, out);
    out.push(...body);
    return out;
  }
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  out.push(...content);
}

/**
 * A module importing `env.mem` (shared when `shared`, which then needs `maxPages`) and exporting
 * every function under its name. Each function gets its own type entry (duplicates are legal).
 */
export function assemble(fns: readonly Fn[], memory: { shared?: boolean; maxPages?: number } = {}): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(fns.length, types);
  for (const f of fns) {
    types.push(0x60);
    uleb(f.params.length, types);
    types.push(...f.params);
    uleb(f.results.length, types);
    types.push(...f.results);
  }
  section(1, types, out);
  const imports: number[] = [1];
  utf8('env', imports);
  utf8('mem', imports);
  imports.push(0x02);
  if (memory.shared) imports.push(0x03);
  else imports.push(memory.maxPages === undefined ? 0x00 : 0x01);
  uleb(1, imports);
  if (memory.shared || memory.maxPages !== undefined) uleb(memory.maxPages ?? 65536, imports);
  section(2, imports, out);
  const funcs: number[] = [];
  uleb(fns.length, funcs);
  fns.forEach((_, i) => uleb(i, funcs));
  section(3, funcs, out);
  const exports: number[] = [];
  uleb(fns.length, exports);
  fns.forEach((f, i) => {
    utf8(f.name, exports);
    exports.push(0x00);
    uleb(i, exports);
  });
  section(7, exports, out);
  const code: number[] = [];
  uleb(fns.length, code);
  for (const f of fns) code.push(...f.encode());
  section(10, code, out);
  return new Uint8Array(out);
}
