// The value types of a Table: cells, columns, rows, and the result shape of cleaning steps.
import type { Table } from './table.js';

/**
 * One table cell: a number, a string, or `null` for a missing value.
 *
 * @example
 * ```ts
 * const cells: Cell[] = [1.5, 'red', null];
 * ```
 * @category Loading
 */
export type Cell = number | string | null;

/**
 * A table column: numbers (or missing) or strings (or missing).
 *
 * @example
 * ```ts
 * const age: Column = { type: 'number', values: [31, null, 45] };
 * ```
 * @category Loading
 */
export type Column =
  | { readonly type: 'number'; readonly values: readonly (number | null)[] }
  | { readonly type: 'string'; readonly values: readonly (string | null)[] };

/**
 * A row as an object keyed by column name.
 *
 * @example
 * ```ts
 * const row: Row = { age: 31, city: 'Oslo' };
 * ```
 * @category Loading
 */
export type Row = Record<string, Cell>;

/**
 * The result of a cleaning step: the new table and a report of what changed.
 *
 * @example
 * ```ts
 * const { table, report } = raw.dropMissing();
 * console.log(`dropped ${report.rowsDropped} rows`);
 * ```
 * @category Cleaning
 */
export interface Cleaned<R> {
  /** The cleaned table (the input table is never modified). */
  table: Table;
  /** What the step changed. */
  report: R;
}
