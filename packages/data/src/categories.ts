// Turning string columns (class names, categories) into integer codes a tensor can hold.
import type { Table } from './table.js';
import type { Cleaned } from './table-types.js';

/**
 * Options of {@link Table.encodeCategories}.
 *
 * @example
 * ```ts
 * const { table: trainCoded, report } = train.encodeCategories({ columns: ['species'] });
 * test.encodeCategories({ categories: report.categories }); // same codes as the training split
 * ```
 * @category Cleaning
 */
export interface EncodeCategoriesOptions {
  /** Columns to encode; all string columns (or the columns of `categories`) by default. */
  columns?: readonly string[];
  /** Known categories per column (code = position); by default the sorted distinct values. */
  categories?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The categories behind the codes {@link Table.encodeCategories} wrote: code `k` of a column
 * stands for `categories[column][k]`.
 *
 * @example
 * ```ts
 * const { report } = table.encodeCategories();
 * report.categories.species; // ['setosa', 'versicolor', 'virginica']
 * ```
 * @category Cleaning
 */
export interface CategoriesReport {
  /** Per encoded column, the category of each code. */
  categories: Record<string, string[]>;
}

/** Replaces each string column by codes 0..k-1 (missing stays missing). */
export function encodeCategories(table: Table, options: EncodeCategoriesOptions = {}): Cleaned<CategoriesReport> {
  const known = options.categories;
  const names = options.columns ?? (known ? Object.keys(known) : table.columnNames.filter((n) => table.column(n).type === 'string'));
  const report: CategoriesReport = { categories: {} };
  let result = table;
  for (const name of names) {
    const column = table.column(name);
    if (column.type !== 'string') {
      throw new Error(`encodeCategories: column '${name}' already holds numbers; only string columns are encoded`);
    }
    const values = column.values;
    // Sorted with plain comparison (not locale-aware) so codes are the same on every machine.
    const categories = known?.[name] ? [...known[name]] : [...new Set(values.filter((v) => v !== null))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const codeOf = new Map(categories.map((c, k) => [c, k]));
    const codes = values.map((v, i) => {
      if (v === null) return null;
      const code = codeOf.get(v);
      if (code === undefined) {
        throw new Error(`encodeCategories: column '${name}' row ${i} holds '${v}', which is not among the known categories ${categories.map((c) => `'${c}'`).join(', ')}`);
      }
      return code;
    });
    result = result.withColumn(name, { type: 'number', values: codes });
    report.categories[name] = categories;
  }
  return { table: result, report };
}
