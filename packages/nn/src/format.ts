// Printing modules and their settings the way PyTorch does, so architectures read the same in both.
import type { Module } from './module.js';

/** Indents every line but the first (PyTorch's `_addindent`), for nesting a child's repr. */
function indentTail(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text.split('\n').map((line, i) => (i === 0 ? line : pad + line)).join('\n');
}

/** `Name(extra)` for a leaf; `Name(\n  extra\n  (child): ...\n)` when there are children. */
export function formatModule(m: Module): string {
  const extra = m.extraRepr();
  const extraLines = extra === '' ? [] : extra.split('\n');
  const childLines = m.namedChildren().map(([name, child]) => `(${name}): ${indentTail(formatModule(child), 2)}`);
  const lines = [...extraLines, ...childLines];
  let body = '';
  if (lines.length === 1 && childLines.length === 0) body = lines[0]!;
  else if (lines.length > 0) body = `\n  ${lines.join('\n  ')}\n`;
  return `${m.constructor.name || 'Module'}(${body})`;
}

/** The one-line description layers use to prefix their errors: `Linear(in_features=4, ...)`. */
export function shortName(m: Module): string {
  return `${m.constructor.name || 'Module'}(${m.extraRepr()})`;
}

/** A number as Python prints a float: `1.0`, `0.1`, `1e-05`. */
export function pyFloat(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1);
  if (v !== 0 && Math.abs(v) < 1e-4) {
    const [mantissa, exponent] = v.toExponential().split('e') as [string, string];
    const sign = exponent.startsWith('-') ? '-' : '+';
    return `${mantissa}e${sign}${exponent.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  return String(v);
}

/** A boolean as Python prints it. */
export const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/** A size pair as Python prints a tuple: `(3, 3)`. */
export const pyPair = (p: readonly [number, number]): string => `(${p[0]}, ${p[1]})`;

/** A shape as the nn errors print it, matching autograd's messages: `[3,5]`. */
export const fmtShape = (shape: readonly number[]): string => `[${shape.join(',')}]`;
