// Splitting CSV text into records of fields (RFC 4180 quoting), remembering each record's line.
// No typing here: every field is a string.

/** One CSV record: its fields and the 1-based line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * Splits `text` into records. Fields may be quoted with `"`; inside quotes the delimiter and line
 * breaks are literal and `""` stands for one quote. Blank lines are skipped; `\r\n`, `\n` and `\r`
 * all end a line. `source` names the file in errors.
 */
export function parseCsvRecords(text: string, delimiter: string, source: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not part of the first name
  let line = 1;
  const isBreak = (c: string | undefined) => c === '\n' || c === '\r';
  while (i < n) {
    const recordLine = line;
    if (isBreak(text[i])) {
      i = skipBreak(text, i);
      line++;
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      if (text[i] === '"') {
        const quoted = readQuoted(text, i, delimiter, source, line, fields.length + 1);
        fields.push(quoted.value);
        i = quoted.end;
        line += quoted.breaks;
      } else {
        let j = i;
        while (j < n && text[j] !== delimiter && !isBreak(text[j])) j++;
        fields.push(text.slice(i, j));
        i = j;
      }
      if (i < n && text[i] === delimiter) {
        i++; // a delimiter always introduces one more field, even at the end of a line
        continue;
      }
      break;
    }
    records.push({ fields, line: recordLine });
    if (i < n) {
      i = skipBreak(text, i);
      line++;
    }
  }
  return records;
}

function skipBreak(text: string, i: number): number {
  return text[i] === '\r' && text[i + 1] === '\n' ? i + 2 : i + 1;
}

/** Reads a quoted field starting at the opening quote at `start`. */
function readQuoted(
  text: string,
  start: number,
  delimiter: string,
  source: string,
  line: number,
  fieldNumber: number,
): { value: string; end: number; breaks: number } {
  let value = '';
  let i = start + 1;
  let breaks = 0;
  for (;;) {
    const close = text.indexOf('"', i);
    if (close < 0) {
      throw new Error(`readCsv: ${source} line ${line}: field ${fieldNumber} opens a quote that is never closed`);
    }
    const chunk = text.slice(i, close);
    breaks += countBreaks(chunk);
    value += chunk;
    if (text[close + 1] === '"') {
      value += '"'; // "" inside quotes is an escaped quote
      i = close + 2;
      continue;
    }
    i = close + 1;
    break;
  }
  const next = text[i];
  if (i < text.length && next !== delimiter && next !== '\n' && next !== '\r') {
    throw new Error(
      `readCsv: ${source} line ${line + breaks}: field ${fieldNumber} has ${JSON.stringify(next)} after its closing quote; expected the delimiter ${JSON.stringify(delimiter)} or the end of the line`,
    );
  }
  return { value, end: i, breaks };
}

function countBreaks(s: string): number {
  let count = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    if (c === '\n' || (c === '\r' && s[k + 1] !== '\n')) count++;
  }
  return count;
}
