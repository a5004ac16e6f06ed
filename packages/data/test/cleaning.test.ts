import { describe, expect, it } from 'vitest';
import { fromArrays } from '@tapegrad/data';

const raw = fromArrays({
  age: [30, null, 50, 30, 40, null],
  city: ['Oslo', 'Rome', null, 'Oslo', 'Rome', 'Rome'],
  score: [1, 2, 3, 1, 5, 6],
});

describe('dropDuplicates', () => {
  it('keeps the first occurrence and reports the dropped rows', () => {
    const { table, report } = raw.dropDuplicates();
    expect(report).toEqual({ rowsDropped: 1, droppedRows: [3] });
    expect(table.numRows).toBe(5);
  });

  it('compares only the given columns, and keeps 1 apart from "1" and null', () => {
    expect(raw.dropDuplicates({ columns: ['city'] }).report).toEqual({ rowsDropped: 3, droppedRows: [3, 4, 5] });
    const mixed = fromArrays({ a: [1, null, null], b: ['1', null, 'null'] });
    expect(mixed.dropDuplicates().report.rowsDropped).toBe(0);
  });
});

describe('dropMissing', () => {
  it('drops rows with any missing value', () => {
    const { table, report } = raw.dropMissing();
    expect(report).toEqual({ rowsDropped: 3, droppedRows: [1, 2, 5] });
    expect(table.column('score').values).toEqual([1, 1, 5]);
  });

  it('looks only at the given columns', () => {
    const { table, report } = raw.dropMissing({ columns: ['city'] });
    expect(report.rowsDropped).toBe(1);
    expect(table.column('age').values).toEqual([30, null, 30, 40, null]);
    expect(() => raw.dropMissing({ columns: ['nope'] })).toThrow("Table.column: no column 'nope'; the columns are 'age', 'city', 'score'");
  });
});

describe('impute', () => {
  it('fills numeric columns with the mean by default and reports what it did', () => {
    const { table, report } = raw.impute({ strategy: 'mean' });
    expect(table.column('age').values).toEqual([30, 37.5, 50, 30, 40, 37.5]);
    expect(table.column('city').values).toEqual(raw.column('city').values);
    expect(report).toEqual({ cellsImputed: 2, cellsByColumn: { age: 2, score: 0 }, values: { age: 37.5, score: 3 } });
    expect(raw.column('age').values).toEqual([30, null, 50, 30, 40, null]); // the input is untouched
  });

  it('uses the median (middle pair averaged) and the most frequent value (ties to the smallest)', () => {
    expect(raw.impute({ strategy: 'median', columns: ['age'] }).report.values).toEqual({ age: 35 });
    const { table, report } = raw.impute({ strategy: 'mostFrequent' });
    expect(report.values).toEqual({ age: 30, city: 'Rome', score: 1 });
    expect(report.cellsImputed).toBe(3);
    expect(table.column('city').values).toEqual(['Oslo', 'Rome', 'Rome', 'Oslo', 'Rome', 'Rome']);
    const tie = fromArrays({ v: [3, 1, 3, 1, null] }).impute({ strategy: 'mostFrequent' });
    expect(tie.table.column('v').values).toEqual([3, 1, 3, 1, 1]);
  });

  it('fills a constant into the columns of its type, or per column', () => {
    expect(raw.impute({ strategy: 'constant', value: 'unknown' }).table.column('city').values).toEqual([
      'Oslo', 'Rome', 'unknown', 'Oslo', 'Rome', 'Rome',
    ]);
    const { table, report } = raw.impute({ strategy: 'constant', value: { age: 0, city: '?' } });
    expect(table.rows()[2]).toEqual({ age: 50, city: '?', score: 3 });
    expect(report).toEqual({ cellsImputed: 3, cellsByColumn: { age: 2, city: 1 }, values: { age: 0, city: '?' } });
  });

  it('reuses the training fill values on another split', () => {
    const train = fromArrays({ x: [1, 2, null, 6] });
    const test = fromArrays({ x: [null, 10] });
    const { report } = train.impute({ strategy: 'mean' });
    expect(test.impute({ strategy: 'constant', value: report.values }).table.column('x').values).toEqual([3, 10]);
  });

  it('explains impossible requests', () => {
    expect(() => raw.impute({ strategy: 'mean', columns: ['city'] })).toThrow(
      "impute: strategy 'mean' needs numeric columns, but column 'city' holds strings; use 'mostFrequent' or 'constant'",
    );
    expect(() => raw.impute({ strategy: 'constant', value: 1, columns: ['city'] })).toThrow(
      "impute: column 'city' holds strings but its constant fill value 1 is a number",
    );
    expect(() => fromArrays({ e: [null, null] }).impute({ strategy: 'median' })).toThrow(
      "impute: column 'e' has no values to compute the median from (all 2 are missing)",
    );
    expect(() => raw.impute({ strategy: 'constant' })).toThrow("impute: strategy 'constant' needs a value");
    expect(() => raw.impute({ strategy: 'mean', value: 3 })).toThrow("impute: value is only used with strategy 'constant', not 'mean'");
    expect(() => raw.impute({ strategy: 'mode' as 'mean' })).toThrow(
      "impute: unknown strategy 'mode'; expected 'mean', 'median', 'mostFrequent' or 'constant'",
    );
  });
});

describe('encodeCategories', () => {
  it('replaces string columns by sorted category codes, keeping missing values', () => {
    const { table, report } = raw.encodeCategories();
    expect(report).toEqual({ categories: { city: ['Oslo', 'Rome'] } });
    expect(table.column('city')).toEqual({ type: 'number', values: [0, 1, null, 0, 1, 1] });
  });

  it('applies known categories to another split and rejects unseen ones', () => {
    const test = fromArrays({ city: ['Rome', 'Oslo'] });
    expect(test.encodeCategories({ categories: { city: ['Oslo', 'Rome'] } }).table.column('city').values).toEqual([1, 0]);
    expect(() => fromArrays({ city: ['Paris'] }).encodeCategories({ categories: { city: ['Oslo', 'Rome'] } })).toThrow(
      "encodeCategories: column 'city' row 0 holds 'Paris', which is not among the known categories 'Oslo', 'Rome'",
    );
    expect(() => raw.encodeCategories({ columns: ['age'] })).toThrow(
      "encodeCategories: column 'age' already holds numbers; only string columns are encoded",
    );
  });
});
