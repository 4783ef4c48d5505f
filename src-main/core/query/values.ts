// How server values become cells: exact text for anything a JS number would round
// (numeric, int8, money), pretty JSON that keeps its numbers as written, bytea as \x hex,
// dates as the server printed them, NULL as null. The server's text output is the source
// of truth; only small integers and booleans become JS values.
import pg from 'pg';
import type { QueryCell } from '../../contract/models';

const OID = {
  bool: 16,
  int2: 21,
  int4: 23,
  oid: 26,
  json: 114,
  jsonb: 3802,
} as const;

/** oid → type name for the built-in types (pg-types' table, lower-cased like pg_type.typname). */
const BUILTIN_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(pg.types.builtins).map(([name, oid]) => [oid as number, name.toLowerCase()]),
);

/**
 * Pseudo-types pg-types leaves out but functions return all the time (pg_sleep is void):
 * known here so a column is named even when the pg_type lookup cannot run (after an error).
 */
const PSEUDO_NAMES: ReadonlyMap<number, string> = new Map([
  [19, 'name'],
  [705, 'unknown'],
  [2249, 'record'],
  [2275, 'cstring'],
  [2278, 'void'],
]);

export function builtinTypeName(oid: number): string | undefined {
  return BUILTIN_NAMES.get(oid) ?? PSEUDO_NAMES.get(oid);
}

/**
 * Re-indents JSON text without parsing it into JS values, so 12345678901234567890 and
 * 1.10 stay exactly as the server wrote them.
 */
export function prettyJson(text: string): string {
  let out = '';
  let depth = 0;
  let inString = false;
  const newline = (d: number) => `\n${'  '.repeat(d)}`;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    switch (ch) {
      case '"':
        inString = true;
        out += ch;
        break;
      case '{':
      case '[': {
        // Keep empty containers on one line.
        let j = i + 1;
        while (j < text.length && /\s/.test(text[j]!)) j++;
        if (text[j] === (ch === '{' ? '}' : ']')) {
          out += ch + text[j];
          i = j;
        } else {
          depth++;
          out += ch + newline(depth);
        }
        break;
      }
      case '}':
      case ']':
        depth--;
        out += newline(depth) + ch;
        break;
      case ',':
        out += ',' + newline(depth);
        break;
      case ':':
        out += ': ';
        break;
      default:
        if (!/\s/.test(ch)) out += ch;
    }
  }
  return out;
}

function textValue(value: string): string {
  return value;
}

/** Type parsers for one query: text for everything except the lossless cases. */
export const cellTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number) => {
    switch (oid) {
      case OID.bool:
        return (v: string) => v === 't';
      case OID.int2:
      case OID.int4:
      case OID.oid:
        return (v: string) => Number(v);
      case OID.json:
      case OID.jsonb:
        return prettyJson;
      default:
        return textValue;
    }
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** A parsed value as a cell (the parsers above only make strings, numbers and booleans). */
export function toCell(value: unknown): QueryCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}
