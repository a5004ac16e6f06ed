// Printing a table as aligned text, so `console.log(String(table))` is readable while cleaning.
import type { Table } from './table.js';
import type { Cell } from './table-types.js';

export function formatTable(table: Table, maxRows: number): string {
  const shown = Math.min(table.numRows, maxRows);
  const header = ['', ...table.columnNames];
  const body = Array.from({ length: shown }, (_, i) => [String(i), ...table.columnNames.map((n) => cellText(table.column(n).values[i]!))]);
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((r) => r[j]!.length)));
  // Numbers read best right-aligned, strings left-aligned, as in pandas.
  const alignRight = [true, ...table.columnNames.map((n) => table.column(n).type === 'number')];
  const line = (cells: string[]) =>
    cells.map((c, j) => (alignRight[j] ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))).join('  ').trimEnd();
  const lines = [line(header), ...body.map(line)];
  if (shown < table.numRows) lines.push(`... ${table.numRows - shown} more rows`);
  lines.push(`[${table.numRows} rows x ${table.columnNames.length} columns]`);
  return lines.join('\n');
}

function cellText(v: Cell): string {
  return v === null ? 'null' : String(v);
}
