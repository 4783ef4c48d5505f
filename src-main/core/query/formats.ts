// Text formats for result rows, shared by the CLI's `query` output and the console's file
// export, so a value is written the same way whichever way it leaves the app.
//
// CSV is written exactly as PostgreSQL's COPY … TO STDOUT WITH (FORMAT csv, HEADER) writes it
// (and so as `psql -c "\copy (…) to stdout csv header"`): a single read exported as CSV is
// streamed by COPY itself (copy-csv.ts), and every other result must give the same bytes.
// That means LF line ends, booleans as t/f, every value in the server's text form, NULL as
// an empty field and an empty string as "" (the two stay distinct), quotes only where COPY
// puts them: a field holding a comma, a double quote, CR or LF, or the text \. in a
// one-column result (COPY's end-of-data marker).
import type { QueryCell } from '../../contract/models';

/** One CSV field as COPY writes it; `single`: the result has one column (where \. is quoted). */
export function csvField(cell: QueryCell, single = false): string {
  if (cell === null) return '';
  const text = typeof cell === 'string' ? cell : typeof cell === 'boolean' ? (cell ? 't' : 'f') : String(cell);
  if (text === '' || needsQuotes(text) || (single && text === '\\.')) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

/** A plain scan: on a million-row export this runs per field, where a regex costs twice as much. */
function needsQuotes(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 44 || c === 10 || c === 13) return true;
  }
  return false;
}

/** Many records at once, without an array per row (the CLI's hot loop on big results). */
export function csvLines(rows: readonly (readonly QueryCell[])[]): string {
  let text = '';
  for (const row of rows) {
    const single = row.length === 1;
    for (let i = 0; i < row.length; i++) text += i === 0 ? csvField(row[i]!, single) : `,${csvField(row[i]!, single)}`;
    text += '\n';
  }
  return text;
}

/** One CSV record with its LF terminator (COPY's line end). */
export function csvRecord(cells: readonly QueryCell[]): string {
  return csvLines([cells]);
}

/**
 * Object keys for a row of JSON: column names, with repeats made unique ("id", "id_2") so
 * `SELECT a.id, b.id` does not silently lose a column when it becomes an object.
 */
export function jsonKeys(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let key = name;
    for (let n = 2; seen.has(key); n++) key = `${name}_${n}`;
    seen.add(key);
    return key;
  });
}

/**
 * Turns rows into single-line JSON objects keyed by column name. `rawJson[i]` marks
 * json/jsonb columns whose server text is embedded as a nested value (valid JSON, the
 * server checked it, its numbers kept exactly as written); their line breaks can only be
 * whitespace between tokens (a JSON string cannot hold a raw line break), so folding them
 * keeps one object per line.
 */
export function jsonRowWriter(names: readonly string[], rawJson: readonly boolean[]): (cells: readonly QueryCell[]) => string {
  // Quoted once, not once per row.
  const prefixes = jsonKeys(names).map((key, i) => `${i === 0 ? '' : ','}${JSON.stringify(key)}:`);
  return function jsonRecord(cells) {
    let out = '{';
    for (let i = 0; i < prefixes.length; i++) {
      const cell = cells[i] ?? null;
      out += prefixes[i];
      if (cell === null) out += 'null';
      else if (rawJson[i] && typeof cell === 'string') out += cell.replace(/[\r\n]+/g, ' ');
      else out += JSON.stringify(cell);
    }
    return `${out}}`;
  };
}
