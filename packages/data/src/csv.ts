// Reading CSV files (or text) into a typed Table.
import { parseCsvRecords, type CsvRecord } from './csv-parse.js';
import { checkOptions, describeValue } from '@tapegrad/autograd';
import { checkBool, checkOptionsArg, isPlainObject } from './checks.js';
import { Table } from './table.js';
import type { Column } from './table-types.js';

/**
 * Options of {@link readCsv}.
 *
 * @example
 * ```ts
 * const opts: CsvOptions = { delimiter: ';', columnTypes: { zip: 'string' }, naValues: ['', 'n/a'] };
 * ```
 * @category Loading
 */
export interface CsvOptions {
  /** Whether the first line holds the column names; `true` by default. */
  header?: boolean;
  /** Column names to use instead of the header (or of `col0`, `col1`, … without a header). */
  names?: readonly string[];
  /** The field separator, one character; `','` by default. */
  delimiter?: string;
  /**
   * Types of some columns by name. Others are inferred: `'number'` when every present value parses
   * as a decimal number, `'string'` otherwise.
   */
  columnTypes?: Readonly<Record<string, 'number' | 'string'>>;
  /** Field values (compared after trimming spaces) that mean "missing"; `['', 'NA', '?']` by default. */
  naValues?: readonly string[];
}

/**
 * CSV held in memory rather than in a file; `name` stands for the file in error messages.
 *
 * @example
 * ```ts
 * const src: CsvText = { text: 'a,b\n1,2\n', name: 'inline' };
 * ```
 * @category Loading
 */
export interface CsvText {
  /** The CSV content. */
  text: string;
  /** What errors call it; `'<text>'` by default. */
  name?: string;
}

const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * Reads CSV text (`{ text }`) into a {@link Table}; `readCsv` of `@tapegrad/data/node` also takes
 * a file path.
 *
 * Quoted fields may hold the delimiter, line breaks and doubled quotes (`""`). Missing values
 * (see `naValues`) become `null`. A row with a different number of fields than the header is an
 * error naming the file and the line.
 *
 * @example
 * ```ts
 * const inline = readCsv({ text: 'x,label\n1.5,"a, b"\nNA,c\n' });
 * inline.row(1); // { x: null, label: 'c' }
 * ```
 * @category Loading
 */
export function readCsv(source: CsvText, options: CsvOptions = {}): Table {
  const o = checkOptionsArg<CsvOptions>('readCsv', options, ['header', 'names', 'delimiter', 'columnTypes', 'naValues']);
  const { header = true, names, delimiter = ',', columnTypes = {}, naValues = ['', 'NA', '?'] } = o;
  checkBool('readCsv', 'header', header);
  if (names !== undefined && !(Array.isArray(names) && names.every((n) => typeof n === 'string'))) {
    throw new Error(`readCsv: names must be an array of column names (got ${describeValue(names)}, expected strings)`);
  }
  if (!(Array.isArray(naValues) && naValues.every((n) => typeof n === 'string'))) {
    throw new Error(`readCsv: naValues must be an array of strings (got ${describeValue(naValues)}, expected e.g. ['', 'NA'])`);
  }
  if (!isPlainObject(columnTypes)) throw new Error(`readCsv: columnTypes must be an object of column types by name (got ${describeValue(columnTypes)}, expected e.g. { age: 'number' })`);
  for (const [col, type] of Object.entries(columnTypes)) {
    if (type !== 'number' && type !== 'string') {
      throw new Error(`readCsv: columnTypes['${col}'] is not a column type (got ${describeValue(type)}, expected 'number' or 'string')`);
    }
  }
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new Error(`readCsv: delimiter must be one character other than a quote or a line break (got ${describeValue(delimiter)}, expected one character such as a comma or a semicolon)`);
  }
  if (typeof source !== 'object' || source === null || typeof source.text !== 'string') {
    const hint = typeof source === 'string' ? '; a file path needs readCsv from @tapegrad/data/node' : '';
    throw new Error(`readCsv: expected CSV text as { text, name? } (got ${describeValue(source)}, expected an object { text, name? })${hint}`);
  }
  checkOptions('readCsv', source, ['text', 'name']);
  if (source.name !== undefined && typeof source.name !== 'string') throw new Error(`readCsv: source.name must be a string (got ${describeValue(source.name)})`);
  const name = source.name ?? '<text>';
  const text = source.text;
  // A NUL character never occurs in CSV text: it means a binary file (or the wrong encoding).
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    throw new Error(`readCsv: ${name} is not CSV text: it holds a NUL character on line ${line} (a binary file, or text in UTF-16)`);
  }
  const records = parseCsvRecords(text, delimiter, name);
  if (header && records.length === 0) throw new Error(`readCsv: ${name} is empty; expected a header line with the column names`);
  const headerRecord = header ? records.shift() : undefined;
  const columnNames = resolveNames(name, headerRecord, records[0], names);
  checkFieldCounts(name, records, columnNames.length, headerRecord ? 'the header' : names ? 'the names given' : `line ${records[0]?.line}`);

  for (const key of Object.keys(columnTypes)) {
    if (!columnNames.includes(key)) {
      throw new Error(`readCsv: ${name}: columnTypes names '${key}', which is not a column; the columns are ${columnNames.map((c) => `'${c}'`).join(', ')}`);
    }
  }
  const na = new Set(naValues);
  const isMissing = (field: string) => na.has(field) || na.has(field.trim());
  const columns = new Map<string, Column>();
  columnNames.forEach((col, j) => {
    const type = columnTypes[col] ?? (records.every((r) => isMissing(r.fields[j]!) || NUMBER.test(r.fields[j]!)) ? 'number' : 'string');
    if (type === 'string') {
      columns.set(col, { type, values: records.map((r) => (isMissing(r.fields[j]!) ? null : r.fields[j]!)) });
      return;
    }
    const values = records.map((r) => {
      const field = r.fields[j]!;
      if (isMissing(field)) return null;
      if (!NUMBER.test(field)) throw new Error(`readCsv: ${name} line ${r.line}, column '${col}': expected a number, got ${JSON.stringify(field)}`);
      return Number(field);
    });
    columns.set(col, { type, values });
  });
  return new Table(columns);
}

function resolveNames(source: string, header: CsvRecord | undefined, first: CsvRecord | undefined, names: readonly string[] | undefined): string[] {
  let result: string[];
  if (names) {
    if (header && header.fields.length !== names.length) {
      throw new Error(`readCsv: ${source}: ${names.length} names were given but the header on line ${header.line} has ${header.fields.length} fields`);
    }
    result = [...names];
  } else if (header) {
    result = header.fields.map((f, j) => (f.trim() === '' ? `col${j}` : f));
  } else {
    result = (first?.fields ?? []).map((_, j) => `col${j}`);
  }
  const seen = new Map<string, number>();
  result.forEach((n, j) => {
    if (seen.has(n)) {
      throw new Error(`readCsv: ${source}: column name '${n}' appears twice (columns ${seen.get(n)! + 1} and ${j + 1}); column names must be unique`);
    }
    seen.set(n, j);
  });
  return result;
}

function checkFieldCounts(source: string, records: readonly CsvRecord[], expected: number, basis: string): void {
  for (const r of records) {
    if (r.fields.length !== expected) {
      throw new Error(`readCsv: ${source} line ${r.line}: expected ${expected} fields (as in ${basis}), got ${r.fields.length}`);
    }
  }
}
