// How server values become cells: exact text for anything a JS number would round
// (numeric, int8, money), pretty JSON that keeps its numbers as written, bytea as \x hex,
// dates as the server printed them, NULL as null. The server's text output is the source
// of truth; only small integers and booleans become JS values.
import pg from 'pg';
import { reformatJson } from '../../contract/json-text';
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
const BUILTIN_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(pg.types.builtins).map(([name, oid]) => [oid as number, name.toLowerCase()]));

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

/** json/jsonb as the server wrote it, re-indented (contract/json-text.ts: numbers stay exact). */
export function prettyJson(text: string): string {
  return reformatJson(text, 2);
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

/**
 * Every value exactly as the server wrote it (booleans as t/f, json unindented): what CSV
 * writes, so the row path gives COPY's bytes (formats.ts).
 */
export const serverTextTypes: pg.CustomTypesConfig = {
  getTypeParser: (() => textValue) as pg.CustomTypesConfig['getTypeParser'],
};

/** A parsed value as a cell (the parsers above only make strings, numbers and booleans). */
export function toCell(value: unknown): QueryCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}
