import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCsv } from '@tapegrad/data/node';
import { readCsv as readCsvText } from '@tapegrad/data';
import { tempDir } from './helpers.js';

describe('readCsv', () => {
  const { file } = tempDir();
  const write = (name: string, text: string) => {
    writeFileSync(file(name), text);
    return file(name);
  };

  it('reads a file with a header, inferring numeric and string columns', () => {
    const path = write('people.csv', 'name,age,height\nAda,36,1.65\nAlan,41,1.78\n');
    const t = readCsv(path);
    expect(t.columnNames).toEqual(['name', 'age', 'height']);
    expect(t.numRows).toBe(2);
    expect(t.column('name')).toEqual({ type: 'string', values: ['Ada', 'Alan'] });
    expect(t.column('age')).toEqual({ type: 'number', values: [36, 41] });
    expect(t.column('height')).toEqual({ type: 'number', values: [1.65, 1.78] });
  });

  it('handles quoted fields with delimiters, doubled quotes and line breaks', () => {
    const t = readCsv({ text: 'id,text\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"two\nlines"\r\n4,plain "inner" quotes\r\n' });
    expect(t.column('text').values).toEqual(['a, b', 'say "hi"', 'two\nlines', 'plain "inner" quotes']);
    expect(t.column('id').values).toEqual([1, 2, 3, 4]);
  });

  it('maps the NA values to null, skips blank lines and keeps trailing empty fields', () => {
    const t = readCsv({ text: '\uFEFFa,b,c\n1,,x\n\nNA,2,?\n 3 ,4,\n' });
    expect(t.rows()).toEqual([
      { a: 1, b: null, c: 'x' },
      { a: null, b: 2, c: null },
      { a: 3, b: 4, c: null },
    ]);
    expect(t.column('a').type).toBe('number');
  });

  it('supports custom delimiters, naValues, names and headerless files', () => {
    const t = readCsv({ text: '1;n/a\n2;b\n' }, { header: false, delimiter: ';', naValues: ['n/a'] });
    expect(t.columnNames).toEqual(['col0', 'col1']);
    expect(t.rows()).toEqual([{ col0: 1, col1: null }, { col0: 2, col1: 'b' }]);
    const named = readCsv({ text: 'x,y\n1,2\n' }, { names: ['a', 'b'] });
    expect(named.rows()).toEqual([{ a: 1, b: 2 }]);
  });

  it('respects columnTypes and reports values that are not numbers', () => {
    const t = readCsv({ text: 'zip,score\n01234,7\n98765,8\n' }, { columnTypes: { zip: 'string' } });
    expect(t.column('zip').values).toEqual(['01234', '98765']);
    const path = write('scores.csv', 'id,score\n1,7\n2,seven\n');
    expect(() => readCsv(path, { columnTypes: { score: 'number' } })).toThrow(`readCsv: ${path} line 3, column 'score': expected a number, got "seven"`);
    expect(() => readCsv(path, { columnTypes: { points: 'number' } })).toThrow(
      `readCsv: ${path}: columnTypes names 'points', which is not a column; the columns are 'id', 'score'`,
    );
  });

  it('reports ragged rows with the file, the 1-based line and the field counts', () => {
    const path = write('ragged.csv', 'a,b,c\n1,2,3\n"multi\nline",5,6\n4,5\n');
    expect(() => readCsv(path)).toThrow(`readCsv: ${path} line 5: expected 3 fields (as in the header), got 2`);
    const wide = write('wide.csv', 'a,b\n1,2,3\n');
    expect(() => readCsv(wide)).toThrow(`readCsv: ${wide} line 2: expected 2 fields (as in the header), got 3`);
    expect(() => readCsv({ text: '1,2\n3\n' }, { header: false })).toThrow('readCsv: <text> line 2: expected 2 fields (as in line 1), got 1');
  });

  it('reports malformed quoting, duplicate names, empty files and unreadable paths', () => {
    expect(() => readCsv({ text: 'a,b\n1,"open\n', name: 'q.csv' })).toThrow('readCsv: q.csv line 2: field 2 opens a quote that is never closed');
    expect(() => readCsv({ text: 'a,b\n"x"y,1\n', name: 'q.csv' })).toThrow(
      'readCsv: q.csv line 2: field 1 has "y" after its closing quote; expected the delimiter "," or the end of the line',
    );
    expect(() => readCsv({ text: 'a,b,a\n1,2,3\n', name: 'dup.csv' })).toThrow(
      "readCsv: dup.csv: column name 'a' appears twice (columns 1 and 3); column names must be unique",
    );
    expect(() => readCsv(write('empty.csv', ''))).toThrow(`readCsv: ${file('empty.csv')} is empty; expected a header line with the column names`);
    expect(() => readCsv(file('nope.csv'))).toThrow(/^readCsv: cannot read .*nope\.csv: ENOENT/);
    expect(() => readCsv({ text: 'a\n' }, { delimiter: '::' })).toThrow(
      'readCsv: delimiter must be one character other than a quote or a line break (got a string "::", expected one character such as a comma or a semicolon)',
    );
  });

  it('the main entry point reads text only, and says where paths are read', () => {
    expect(readCsvText({ text: 'a,b\n1,x\n', name: 'mem.csv' }).row(0)).toEqual({ a: 1, b: 'x' });
    expect(() => readCsvText('data.csv' as never)).toThrow('readCsv: expected CSV text as { text, name? } (got a string "data.csv", expected an object { text, name? }); a file path needs readCsv from @tapegrad/data/node');
  });

  it('reads a header-only file as an empty table', () => {
    const t = readCsv({ text: 'a,b\n' });
    expect(t.columnNames).toEqual(['a', 'b']);
    expect(t.numRows).toBe(0);
  });
});
