// Building a table from in-memory JS data: rows (objects or arrays) or columns.
import { describeValue } from '@tapegrad/autograd';
import { checkOptionsArg, isPlainObject } from './checks.js';
import { Table } from './table.js';
import type { Column } from './table-types.js';

/**
 * A cell as given in JS data: besides numbers, strings and `null`, `undefined` and `NaN` also
 * count as missing.
 *
 * @example
 * ```ts
 * const cells: InputCell[] = [1, 'a', null, undefined, NaN];
 * ```
 * @category Loading
 */
export type InputCell = number | string | null | undefined;

/**
 * Builds a {@link Table} from in-memory data: an object of columns, an array of row objects, or an
 * array of row arrays (with `names`). A column's type is inferred: numbers, or strings; mixing
 * them is an error.
 *
 * @example
 * ```ts
 * fromArrays({ x: [1, 2, 3], label: ['a', 'b', 'a'] });
 * fromArrays([{ x: 1, label: 'a' }, { x: 2 }]);            // label missing in row 1
 * fromArrays([[1, 'a'], [2, 'b']], { names: ['x', 'label'] });
 * ```
 * @category Loading
 */
export function fromArrays(
  data: Readonly<Record<string, readonly InputCell[]>> | readonly (Readonly<Record<string, InputCell>> | readonly InputCell[])[],
  options: { names?: readonly string[] } = {},
): Table {
  const { names } = checkOptionsArg<{ names?: readonly string[] }>('fromArrays', options, ['names']);
  if (names !== undefined && !(Array.isArray(names) && names.every((n) => typeof n === 'string'))) {
    throw new Error(`fromArrays: names must be an array of column names (got ${describeValue(names)}, expected strings)`);
  }
  if (!Array.isArray(data) && !isPlainObject(data)) {
    throw new Error(`fromArrays: data must be rows (an array of objects or arrays) or columns (an object of arrays) (got ${describeValue(data)}, expected e.g. [{ a: 1 }] or { a: [1, 2] })`);
  }
  if (Array.isArray(data)) {
    data.forEach((r: unknown, i) => {
      if (!Array.isArray(r) && !isPlainObject(r)) throw new Error(`fromArrays: row ${i} must be an object or an array (got ${describeValue(r)})`);
    });
  } else {
    for (const [k, v] of Object.entries(data)) {
      if (!Array.isArray(v)) throw new Error(`fromArrays: column '${k}' must be an array of values (got ${describeValue(v)}, expected numbers, strings or null)`);
    }
  }
  const columns = Array.isArray(data) ? rowsToColumns(data, names) : (data as Readonly<Record<string, readonly InputCell[]>>);
  if (!Array.isArray(data) && names) throw new Error('fromArrays: names are only used with rows given as arrays');
  const map = new Map<string, Column>();
  for (const [name, values] of Object.entries(columns)) map.set(name, toColumn(name, values));
  return new Table(map);
}

function rowsToColumns(
  rows: readonly (Readonly<Record<string, InputCell>> | readonly InputCell[])[],
  names: readonly string[] | undefined,
): Record<string, InputCell[]> {
  const arrays = rows.filter((r) => Array.isArray(r)).length;
  if (arrays !== 0 && arrays !== rows.length) throw new Error('fromArrays: rows must be all arrays or all objects, not a mix');
  if (arrays > 0) {
    if (!names) throw new Error('fromArrays: rows given as arrays need column names: fromArrays(rows, { names: [...] })');
    (rows as readonly InputCell[][]).forEach((r, i) => {
      if (r.length !== names.length) {
        throw new Error(`fromArrays: row ${i} has ${r.length} values but there are ${names.length} column names`);
      }
    });
    return Object.fromEntries(names.map((n, j) => [n, (rows as readonly InputCell[][]).map((r) => r[j])]));
  }
  if (names) throw new Error('fromArrays: names are only used with rows given as arrays; row objects name their own columns');
  // Columns appear in the order their keys are first seen; a key absent from a row is missing there.
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((k) => [k, rows.map((r) => (r as Record<string, InputCell>)[k])]));
}

function toColumn(name: string, values: readonly InputCell[]): Column {
  let kind: 'number' | 'string' | null = null;
  let firstRow = -1;
  const cells = values.map((v, i) => {
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return null;
    if (typeof v !== 'number' && typeof v !== 'string') {
      throw new Error(`fromArrays: column '${name}' row ${i} holds ${describeValue(v)}; expected a number, a string or null`);
    }
    const k = typeof v === 'number' ? 'number' : 'string';
    if (kind === null) [kind, firstRow] = [k, i];
    else if (k !== kind) {
      throw new Error(`fromArrays: column '${name}' mixes ${kind}s (row ${firstRow}) and ${k}s (row ${i} holds ${JSON.stringify(v)}); a column holds one type`);
    }
    return v;
  });
  return { type: kind ?? 'number', values: cells } as Column;
}
