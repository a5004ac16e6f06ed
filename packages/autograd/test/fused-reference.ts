// A scalar reference for elementwise expressions (kernels/fused/expr.ts), written independently of
// both backends: one value at a time, each node rounded to float32 with Math.fround when the
// expression computes in float32 (as a Float32Array register or an f32x4 lane rounds).
import type { Expr } from '../src/kernels/fused/expr.js';
import { expF32 } from '../src/kernels/fused/exp-f32.js';

export function scalarEval(e: Expr, x: readonly number[], work: 'float32' | 'float64' | 'int32' | 'bool'): number {
  const memo = new Map<Expr, number>();
  const round = (v: number) => (work === 'float32' ? Math.fround(v) : work === 'float64' ? v : v | 0);
  const ev = (n: Expr): number => {
    const hit = memo.get(n);
    if (hit !== undefined) return hit;
    const A = () => ev((n as { a: Expr }).a), B = () => ev((n as { b: Expr }).b);
    let v: number;
    switch (n.k) {
      case 'in': v = round(x[n.i]!); break;
      case 'const': v = round(n.v); break;
      case 'neg': v = -A(); break;
      case 'abs': v = Math.abs(A()); break;
      case 'sqrt': v = Math.sqrt(A()); break;
      case 'square': v = A() * A(); break;
      case 'relu': { const a = A(); v = a <= 0 ? 0 : a; break; }
      case 'exp': v = work === 'float32' ? expF32(A()) : Math.exp(A()); break;
      case 'log': v = Math.log(A()); break;
      case 'log1p': v = Math.log1p(A()); break;
      case 'expm1': v = Math.expm1(A()); break;
      case 'sin': v = Math.sin(A()); break;
      case 'cos': v = Math.cos(A()); break;
      case 'tanh': v = Math.tanh(A()); break;
      case 'add': v = A() + B(); break;
      case 'sub': v = A() - B(); break;
      case 'mul': v = A() * B(); break;
      case 'div': v = A() / B(); break;
      case 'max': v = Math.max(A(), B()); break;
      case 'min': v = Math.min(A(), B()); break;
      case 'pow': v = Math.pow(A(), B()); break;
      case 'eq': v = +(A() === B()); break;
      case 'ne': v = +(A() !== B()); break;
      case 'lt': v = +(A() < B()); break;
      case 'le': v = +(A() <= B()); break;
      case 'gt': v = +(A() > B()); break;
      case 'ge': v = +(A() >= B()); break;
      case 'select': v = ev(n.c) !== 0 ? ev(n.a) : ev(n.b); break;
      case 'call': v = n.f(...n.args.map(ev)); break;
    }
    v = round(v);
    memo.set(n, v);
    return v;
  };
  return ev(e);
}
