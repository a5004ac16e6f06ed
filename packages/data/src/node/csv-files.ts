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
  if (source === '') throw new Error('readCsv: path must be a non-empty string (got a string "", expected a file path)');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(source);
  } catch (e) {
    throw new Error(`readCsv: cannot read ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  // Decoding strictly: invalid UTF-8 (a binary file, or Latin-1 text) is an error rather than
  // replacement characters in the table.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new Error(`readCsv: ${source} is not UTF-8 text (invalid UTF-8 at byte offset ${at}); a binary file, or text in another encoding: convert it to UTF-8 first`);
  }
  return readCsvText({ text, name: source }, options);
}

/** The offset of the first byte that breaks UTF-8 (for the error message). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  // The longest valid prefix, by bisection (a prefix may end mid-character: allow 3 bytes of slack).
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  return Math.min(lo, bytes.length - 1);
}
