import { describe, expect, it } from 'vitest';
import { Table, fromArrays } from '@tapegrad/data';

describe('fromArrays', () => {
  it('builds the same table from columns, row objects and row arrays', () => {
    const fromColumns = fromArrays({ x: [1, 2, null], label: ['a', undefined, 'b'] });
    const fromObjects = fromArrays([{ x: 1, label: 'a' }, { x: 2 }, { label: 'b' }]);
    const fromRows = fromArrays([[1, 'a'], [2, null], [NaN, 'b']], { names: ['x', 'label'] });
    for (const t of [fromColumns, fromObjects, fromRows]) {
      expect(t.columnNames).toEqual(['x', 'label']);
      expect(t.column('x')).toEqual({ type: 'number', values: [1, 2, null] });
      expect(t.column('label')).toEqual({ type: 'string', values: ['a', null, 'b'] });
    }
  });

  it('rejects mixed column types, missing names and bad cells', () => {
    expect(() => fromArrays({ v: [1, 'two', 3] })).toThrow(
      `fromArrays: column 'v' mixes numbers (row 0) and strings (row 1 holds "two"); a column holds one type`,
    );
    expect(() => fromArrays([[1, 2]])).toThrow('fromArrays: rows given as arrays need column names: fromArrays(rows, { names: [...] })');
    expect(() => fromArrays([[1, 2], [3]], { names: ['a', 'b'] })).toThrow('fromArrays: row 1 has 1 values but there are 2 column names');
    expect(() => fromArrays({ b: [true as unknown as number] })).toThrow(
      "fromArrays: column 'b' row 0 holds true; expected a number, a string or null",
    );
    expect(() => fromArrays({ a: [1, 2], b: [1] })).toThrow("Table: all columns must have the same length; 'a' has 2 values but 'b' has 1");
  });
});

describe('Table', () => {
  const t = fromArrays({ a: [1, 2, 3], b: [10, 20, 30], s: ['x', 'y', 'z'] });

  it('selects, drops, takes and adds columns without changing the original', () => {
    expect(t.select(['b', 'a']).columnNames).toEqual(['b', 'a']);
    expect(t.drop(['s']).columnNames).toEqual(['a', 'b']);
    expect(t.take([2, 0]).rows()).toEqual([{ a: 3, b: 30, s: 'z' }, { a: 1, b: 10, s: 'x' }]);
    expect(t.head(1).numRows).toBe(1);
    expect(t.withColumn('c', { type: 'number', values: [0, 0, 0] }).columnNames).toEqual(['a', 'b', 's', 'c']);
    expect(t.columnNames).toEqual(['a', 'b', 's']);
  });

  it('converts numeric columns to a [N, F] tensor, or one column to [N]', () => {
    const x = t.toTensor(['b', 'a']);
    expect(x.shape).toEqual([3, 2]);
    expect(x.dtype).toBe('float32');
    expect(x.toArray()).toEqual([[10, 1], [20, 2], [30, 3]]);
    expect(t.toTensor().toArray()).toEqual([[1, 10], [2, 20], [3, 30]]);
    const y = t.toTensor('a', { dtype: 'float64' });
    expect(y.shape).toEqual([3]);
    expect(y.dtype).toBe('float64');
  });

  it('explains why a column cannot become a tensor', () => {
    expect(() => t.toTensor(['s'])).toThrow("Table.toTensor: column 's' holds strings; encode it first (e.g. table.encodeCategories(['s']))");
    const gap = fromArrays({ a: [1, null] });
    expect(() => gap.toTensor()).toThrow("Table.toTensor: column 'a' is missing a value in row 1 (0-based); use dropMissing() or impute() first");
    expect(() => t.column('q')).toThrow("Table.column: no column 'q'; the columns are 'a', 'b', 's'");
    expect(() => t.row(3)).toThrow('Table.row: row 3 is out of range for a table of 3 rows');
  });

  it('prints as aligned text', () => {
    expect(String(fromArrays({ n: [1.5, null], name: ['ab', 'c'] }))).toBe(
      ['      n  name', '0   1.5  ab', '1  null  c', '[2 rows x 2 columns]'].join('\n'),
    );
    expect(new Table({}).numRows).toBe(0);
  });
});
