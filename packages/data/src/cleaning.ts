// Dropping rows: duplicates and rows with missing values. Each step reports what it removed.
import type { Table } from './table.js';
import type { Cleaned } from './table-types.js';

/**
 * What a row-dropping step removed.
 *
 * @example
 * ```ts
 * const { report } = table.dropMissing();
 * report; // { rowsDropped: 2, droppedRows: [3, 7] }
 * ```
 * @category Cleaning
 */
export interface DropReport {
  /** Number of rows removed. */
  rowsDropped: number;
  /** 0-based indices (in the input table) of the removed rows. */
  droppedRows: number[];
}

/**
 * Options of {@link Table.dropDuplicates}.
 *
 * @example
 * ```ts
 * table.dropDuplicates({ columns: ['id'] });
 * ```
 * @category Cleaning
 */
export interface DropDuplicatesOptions {
  /** Compare only these columns; all columns by default. */
  columns?: readonly string[];
}

/**
 * Options of {@link Table.dropMissing}.
 *
 * @example
 * ```ts
 * table.dropMissing({ columns: ['label'] });
 * ```
 * @category Cleaning
 */
export interface DropMissingOptions {
  /** Look for missing values only in these columns; all columns by default. */
  columns?: readonly string[];
}

/** Keeps the first occurrence of every row (as seen through `columns`). */
export function dropDuplicates(table: Table, options: DropDuplicatesOptions = {}): Cleaned<DropReport> {
  const cols = (options.columns ?? table.columnNames).map((n) => table.column(n).values);
  const seen = new Set<string>();
  // JSON keeps 1 and '1' apart and null distinct from both, which plain joining would not.
  return keepRows(table, (i) => {
    const key = JSON.stringify(cols.map((c) => c[i]));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Drops every row with a missing value in `columns` (all columns by default). */
export function dropMissing(table: Table, options: DropMissingOptions = {}): Cleaned<DropReport> {
  const cols = (options.columns ?? table.columnNames).map((n) => table.column(n).values);
  return keepRows(table, (i) => cols.every((c) => c[i] !== null));
}

function keepRows(table: Table, keep: (row: number) => boolean): Cleaned<DropReport> {
  const kept: number[] = [];
  const droppedRows: number[] = [];
  for (let i = 0; i < table.numRows; i++) (keep(i) ? kept : droppedRows).push(i);
  return { table: table.take(kept), report: { rowsDropped: droppedRows.length, droppedRows } };
}
