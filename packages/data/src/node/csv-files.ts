// CSV files on disk, read into a Table by the main entry point's readCsv.
import { readFileSync } from 'node:fs';
import { readCsv as readCsvText, type CsvOptions, type CsvText } from '../csv.js';
import type { Table } from '../table.js';

/**
 * Reads a CSV file (a path) or CSV text (`{ text }`) into a {@link Table}, as `readCsv` of the
 * main entry point does for text: quoted fields may hold the delimiter, line breaks and doubled
 * quotes, missing values become `null`, and errors name the file and the line.
 *
 * @example
 * ```ts
 * const table = readCsv('data/patients.csv', { naValues: ['', 'NA'] });
 * ```
 * @category Loading
 */
export function readCsv(source: string | CsvText, options: CsvOptions = {}): Table {
  if (typeof source !== 'string') return readCsvText(source, options);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (e) {
    throw new Error(`readCsv: cannot read ${source}: ${(e as Error).message}`);
  }
  return readCsvText({ text, name: source }, options);
}
