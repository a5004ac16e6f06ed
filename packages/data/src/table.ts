// A small column-oriented table (a DataFrame-like), the type loaders produce and cleaning works on.
import { fromTyped, type DType, type Tensor } from '@tapegrad/autograd';
import { dropDuplicates, dropMissing, type DropDuplicatesOptions, type DropMissingOptions, type DropReport } from './cleaning.js';
import { impute, type ImputeOptions, type ImputeReport } from './impute.js';
import { encodeCategories, type CategoriesReport, type EncodeCategoriesOptions } from './categories.js';
import { formatTable } from './table-format.js';
import type { Cleaned, Column, Row } from './table-types.js';
import type { Dataset } from './dataset.js';

/**
 * An immutable table of named, typed columns (numbers or strings, missing values as `null`), as
 * {@link readCsv} and {@link fromArrays} return it. Cleaning methods return a new table and a
 * report; {@link Table.toTensor} turns numeric columns into a tensor.
 *
 * @example
 * ```ts
 * const t = fromArrays({ age: [31, null, 45], city: ['Oslo', 'Rome', 'Oslo'] });
 * t.numRows;             // 3
 * t.column('age').values; // [31, null, 45]
 * t.row(1);              // { age: null, city: 'Rome' }
 * ```
 * @category Loading
 */
export class Table implements Dataset<Row> {
  /** Column names, in order. */
  readonly columnNames: readonly string[];
  /** Number of rows. */
  readonly numRows: number;
  private readonly byName: ReadonlyMap<string, Column>;

  /** Builds a table from columns of equal length; prefer {@link fromArrays} or {@link readCsv}. */
  constructor(columns: ReadonlyMap<string, Column> | Record<string, Column>) {
    const map = columns instanceof Map ? columns : new Map(Object.entries(columns));
    const names = [...map.keys()];
    const lengths = names.map((n) => map.get(n)!.values.length);
    const bad = lengths.findIndex((l) => l !== lengths[0]);
    if (bad >= 0) {
      throw new Error(`Table: all columns must have the same length; '${names[0]}' has ${lengths[0]} values but '${names[bad]}' has ${lengths[bad]}`);
    }
    this.byName = map;
    this.columnNames = names;
    this.numRows = lengths[0] ?? 0;
  }

  /** Number of rows (the same as `numRows`), so a table is a {@link Dataset} of rows. */
  get length(): number {
    return this.numRows;
  }

  /**
   * Row `index` as an object: the {@link Dataset} view of a table, which lets
   * {@link trainValTestSplit} and {@link randomSplit} split a table by rows.
   *
   * @example
   * ```ts
   * const { train } = trainValTestSplit(table, { seed: 0 });
   * const trainTable = table.take(train.indices);
   * ```
   */
  get(index: number): Row {
    return this.row(index);
  }

  /**
   * The column called `name` (its type and values); an unknown name is an error listing the columns.
   *
   * @example
   * ```ts
   * table.column('age'); // { type: 'number', values: [31, null, 45] }
   * ```
   */
  column(name: string): Column {
    const col = this.byName.get(name);
    if (!col) throw new Error(`Table.column: no column '${name}'; the columns are ${this.listNames()}`);
    return col;
  }

  /**
   * Row `index` (0-based) as an object keyed by column name.
   *
   * @example
   * ```ts
   * table.row(0); // { age: 31, city: 'Oslo' }
   * ```
   */
  row(index: number): Row {
    if (!Number.isInteger(index) || index < 0 || index >= this.numRows) {
      throw new Error(`Table.row: row ${index} is out of range for a table of ${this.numRows} rows`);
    }
    return Object.fromEntries(this.columnNames.map((n) => [n, this.byName.get(n)!.values[index]!]));
  }

  /**
   * All rows as objects (handy for printing and tests; the table itself stores columns).
   *
   * @example
   * ```ts
   * for (const { age, city } of table.rows()) console.log(age, city);
   * ```
   */
  rows(): Row[] {
    return Array.from({ length: this.numRows }, (_, i) => this.row(i));
  }

  /**
   * A table with only the given columns, in the given order.
   *
   * @example
   * ```ts
   * const features = table.select(['age', 'income']);
   * ```
   */
  select(names: readonly string[]): Table {
    return new Table(new Map(names.map((n) => [n, this.column(n)])));
  }

  /**
   * A table without the given columns.
   *
   * @example
   * ```ts
   * const withoutId = table.drop(['id']);
   * ```
   */
  drop(names: readonly string[]): Table {
    names.forEach((n) => this.column(n));
    return this.select(this.columnNames.filter((n) => !names.includes(n)));
  }

  /**
   * A table with column `name` added (at the end) or replaced (in place).
   *
   * @example
   * ```ts
   * const flagged = table.withColumn('flag', { type: 'number', values: [0, 1, 0] });
   * ```
   */
  withColumn(name: string, column: Column): Table {
    const map = new Map(this.byName);
    map.set(name, column);
    return new Table(map);
  }

  /**
   * The rows at `indices` (0-based), in that order.
   *
   * @example
   * ```ts
   * const firstAndLast = table.take([0, table.numRows - 1]);
   * ```
   */
  take(indices: readonly number[]): Table {
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= this.numRows) {
        throw new Error(`Table.take: row ${i} is out of range for a table of ${this.numRows} rows`);
      }
    }
    const map = new Map<string, Column>();
    for (const [n, c] of this.byName) map.set(n, { type: c.type, values: indices.map((i) => c.values[i]!) } as Column);
    return new Table(map);
  }

  /**
   * The first `n` rows (5 by default).
   *
   * @example
   * ```ts
   * console.log(String(table.head()));
   * ```
   */
  head(n = 5): Table {
    return this.take(Array.from({ length: Math.min(n, this.numRows) }, (_, i) => i));
  }

  /**
   * Numeric columns as a tensor: `[numRows, columns.length]` for a list of names (all numeric
   * columns by default), or `[numRows]` for a single name. Missing values and string columns are
   * errors: clean and encode first.
   *
   * @example
   * ```ts
   * const x = table.toTensor(['age', 'income']); // [N, 2] float32
   * const y = table.toTensor('label');           // [N]
   * ```
   */
  toTensor(columns?: readonly string[] | string, options: { dtype?: DType } = {}): Tensor {
    const single = typeof columns === 'string';
    const names = single ? [columns] : (columns ?? this.columnNames.filter((n) => this.byName.get(n)!.type === 'number'));
    const cols = names.map((n) => {
      const col = this.column(n);
      if (col.type !== 'number') {
        throw new Error(`Table.toTensor: column '${n}' holds strings; encode it first (e.g. table.encodeCategories(['${n}']))`);
      }
      return col.values;
    });
    const f = names.length;
    const out = options.dtype === 'float64' ? new Float64Array(this.numRows * f) : new Float32Array(this.numRows * f);
    cols.forEach((values, j) => {
      values.forEach((v, i) => {
        if (v === null) {
          throw new Error(`Table.toTensor: column '${names[j]}' is missing a value in row ${i} (0-based); use dropMissing() or impute() first`);
        }
        out[i * f + j] = v;
      });
    });
    return fromTyped(out, single ? [this.numRows] : [this.numRows, f]);
  }

  /**
   * Drops rows that repeat an earlier row (in all columns, or in `columns`), keeping the first.
   *
   * @example
   * ```ts
   * const { table: unique, report } = table.dropDuplicates();
   * report.rowsDropped; // e.g. 1
   * table.dropDuplicates({ columns: ['id'] });
   * ```
   */
  dropDuplicates(options?: DropDuplicatesOptions): Cleaned<DropReport> {
    return dropDuplicates(this, options);
  }

  /**
   * Drops rows with a missing value (in any column, or in `columns`).
   *
   * @example
   * ```ts
   * const { table: complete, report } = table.dropMissing();
   * report; // { rowsDropped: 2, droppedRows: [1, 4] }
   * table.dropMissing({ columns: ['label'] }); // only rows without a label
   * ```
   */
  dropMissing(options?: DropMissingOptions): Cleaned<DropReport> {
    return dropMissing(this, options);
  }

  /**
   * Fills missing values with a per-column statistic (mean, median, most frequent) or a constant.
   *
   * @example
   * ```ts
   * const { table: filled, report } = train.impute({ strategy: 'median' });
   * report.cellsImputed;          // e.g. 3
   * report.values;                // { age: 38, income: 51000 }: the medians used
   * test.impute({ strategy: 'constant', value: report.values }); // the training medians
   * ```
   */
  impute(options: ImputeOptions): Cleaned<ImputeReport> {
    return impute(this, options);
  }

  /**
   * Replaces string columns by integer codes 0..k-1 of their sorted categories.
   *
   * @example
   * ```ts
   * const { table: coded, report } = table.encodeCategories({ columns: ['species'] });
   * report.categories.species; // ['setosa', 'versicolor', 'virginica']: code 0, 1, 2
   * ```
   */
  encodeCategories(options?: EncodeCategoriesOptions): Cleaned<CategoriesReport> {
    return encodeCategories(this, options);
  }

  /**
   * The table as aligned text, at most `maxRows` rows (20 by default).
   *
   * @example
   * ```ts
   * console.log(String(table));
   * ```
   */
  toString(maxRows = 20): string {
    return formatTable(this, maxRows);
  }

  /** The names formatted for error messages. */
  private listNames(): string {
    return this.columnNames.length === 0 ? '(none)' : this.columnNames.map((n) => `'${n}'`).join(', ');
  }
}
