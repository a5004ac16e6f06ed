// Filling missing values with a per-column statistic or a constant.
import type { Table } from './table.js';
import type { Cleaned, Column } from './table-types.js';

/**
 * How {@link Table.impute} picks the fill value of a column: the mean or median of its present
 * values (numeric columns), its most frequent value (ties go to the smallest), or a constant.
 *
 * @example
 * ```ts
 * const s: ImputeStrategy = 'median';
 * ```
 * @category Cleaning
 */
export type ImputeStrategy = 'mean' | 'median' | 'mostFrequent' | 'constant';

/**
 * Options of {@link Table.impute}.
 *
 * @example
 * ```ts
 * table.impute({ strategy: 'constant', value: 0, columns: ['bonus'] });
 * table.impute({ strategy: 'constant', value: { age: 40, city: 'unknown' } });
 * ```
 * @category Cleaning
 */
export interface ImputeOptions {
  /** How to choose each column's fill value. */
  strategy: ImputeStrategy;
  /**
   * For `'constant'`: one fill value, or one per column (such as the `values` of a report from the
   * training split, to fill the validation and test splits the same way).
   */
  value?: number | string | Readonly<Record<string, number | string>>;
  /**
   * Columns to fill. By default: the numeric columns for `'mean'` and `'median'`, every column for
   * `'mostFrequent'`, and for `'constant'` the columns of a per-column value, or the columns whose
   * type matches a single value.
   */
  columns?: readonly string[];
}

/**
 * What {@link Table.impute} filled.
 *
 * @example
 * ```ts
 * const { report } = train.impute({ strategy: 'mean' });
 * report; // { cellsImputed: 3, cellsByColumn: { age: 2, income: 1 }, values: { age: 41.5, income: 52000 } }
 * ```
 * @category Cleaning
 */
export interface ImputeReport {
  /** Number of missing cells filled, over all columns. */
  cellsImputed: number;
  /** Cells filled per column (every filled-in column is listed, 0 included). */
  cellsByColumn: Record<string, number>;
  /** The fill value of each column; pass it as `value` with `'constant'` to reuse it on other splits. */
  values: Record<string, number | string>;
}

/** Fills missing cells; see {@link ImputeOptions} for which columns and which values. */
export function impute(table: Table, options: ImputeOptions): Cleaned<ImputeReport> {
  const { strategy, value } = options;
  if (!['mean', 'median', 'mostFrequent', 'constant'].includes(strategy)) {
    throw new Error(`impute: unknown strategy '${strategy}'; expected 'mean', 'median', 'mostFrequent' or 'constant'`);
  }
  if (strategy === 'constant' && value === undefined) throw new Error("impute: strategy 'constant' needs a value");
  if (strategy !== 'constant' && value !== undefined) {
    throw new Error(`impute: value is only used with strategy 'constant', not '${strategy}'`);
  }
  const report: ImputeReport = { cellsImputed: 0, cellsByColumn: {}, values: {} };
  let result = table;
  for (const name of targetColumns(table, options)) {
    const column = table.column(name);
    const fill = fillValue(name, column, options);
    let filled = 0;
    const values = column.values.map((v) => (v === null ? (filled++, fill) : v));
    result = result.withColumn(name, { type: column.type, values } as Column);
    report.values[name] = fill;
    report.cellsByColumn[name] = filled;
    report.cellsImputed += filled;
  }
  return { table: result, report };
}

function targetColumns(table: Table, { strategy, value, columns }: ImputeOptions): readonly string[] {
  if (columns) return columns;
  const ofType = (type: 'number' | 'string') => table.columnNames.filter((n) => table.column(n).type === type);
  if (strategy === 'mean' || strategy === 'median') return ofType('number');
  if (strategy === 'mostFrequent') return table.columnNames;
  if (typeof value === 'object') return Object.keys(value);
  return ofType(typeof value === 'number' ? 'number' : 'string');
}

function fillValue(name: string, column: Column, { strategy, value }: ImputeOptions): number | string {
  if (strategy === 'constant') {
    const fill = typeof value === 'object' ? value[name] : value;
    if (fill === undefined) {
      throw new Error(`impute: no constant value for column '${name}'; the per-column values cover ${Object.keys(value!).map((k) => `'${k}'`).join(', ')}`);
    }
    const fillType = typeof fill === 'number' ? 'number' : 'string';
    if (fillType !== column.type) {
      throw new Error(`impute: column '${name}' holds ${column.type}s but its constant fill value ${JSON.stringify(fill)} is a ${fillType}`);
    }
    return fill;
  }
  const present = column.values.filter((v): v is number | string => v !== null);
  if (present.length === 0) {
    throw new Error(`impute: column '${name}' has no values to compute the ${strategy} from (all ${column.values.length} are missing)`);
  }
  if (strategy === 'mostFrequent') return mostFrequent(present);
  if (column.type !== 'number') {
    throw new Error(`impute: strategy '${strategy}' needs numeric columns, but column '${name}' holds strings; use 'mostFrequent' or 'constant'`);
  }
  const nums = present as number[];
  return strategy === 'mean' ? nums.reduce((a, b) => a + b, 0) / nums.length : median(nums);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function mostFrequent<V extends number | string>(values: readonly V[]): V {
  const counts = new Map<V, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0]!;
  let bestCount = 0;
  for (const [v, c] of counts) {
    // Ties go to the smallest value, as scikit-learn's SimpleImputer does, so the result does not
    // depend on row order.
    if (c > bestCount || (c === bestCount && v < best)) [best, bestCount] = [v, c];
  }
  return best;
}
