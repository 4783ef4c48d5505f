// Placeholders such as `[PID]`, `<slot_name>`, `{{database}}` or psql's `:'var'` in a
// runbook's SQL and commands: the values the operator must supply before a step can run.
// placeholder-scan.ts finds where they may stand (never inside strings, quoted identifiers,
// comments or dollar quotes, never an array subscript); the importer decides with the SQL
// parser which of those are placeholders and how each is filled, and records them on the
// step as `SqlPlaceholder`s. Filling replaces exactly those tokens, as SQL literals or
// identifiers, never as raw text. Pure: the core finds them on import, the renderer fills
// them before a saved step opens in the query console.
import { scanCommand, scanSql, type Candidate } from './placeholder-scan';

export type { PlaceholderSyntax } from './placeholder-scan';

/**
 * How a value goes into the SQL. 'literal': a plain number as it is, anything else a quoted
 * string. 'string': always a quoted string (psql's `:'var'`, and `'<name>'` written inside
 * quotes). 'identifier': a quoted identifier, dotted names quoted part by part (psql's
 * `:"var"`, and a placeholder the parser only accepts where a name stands: `VACUUM <table>`).
 */
export type PlaceholderFill = 'literal' | 'string' | 'identifier';

export interface SqlPlaceholder {
  /** What the operator is asked for ("pid"); two tokens may share a name (`:'db'`, `:"db"`). */
  name: string;
  /** The token exactly as written in the step ("<pid>", ":'db'", "'<slot_name>'"). */
  token: string;
  fill: PlaceholderFill;
  /**
   * Each occurrence's fill, in order, when they differ: `CREATE DATABASE {{db}}` names it,
   * `WHERE datname = {{db}}` compares with it. null: that occurrence is not a placeholder
   * (it is SQL as written) and stays.
   */
  fills?: Array<PlaceholderFill | null>;
}

/** Numbers go in as they are, so `pg_cancel_backend([PID])` gets an integer, not text. */
const NUMBER = /^\d+(\.\d+)?$/;
const NEGATIVE = /^-\d+(\.\d+)?$/;

function addUnique(list: string[], name: string): void {
  if (name && !list.includes(name)) list.push(name);
}

/** `[NAME]` placeholders of SQL found lexically, as the importer did before it asked the parser. */
function bracketCandidates(sql: string): Candidate[] {
  return scanSql(sql).candidates.filter((c) => c.syntax === 'bracket');
}

/**
 * `[NAME]` placeholders in SQL, in order of first appearance, each once. The lexical rule
 * alone: the importer's parser-checked list (all syntaxes) is on the step.
 */
export function sqlPlaceholders(sql: string): string[] {
  const names: string[] = [];
  for (const c of bracketCandidates(sql)) addUnique(names, c.name);
  return names;
}

/** Placeholders in shell commands (`[NAME]`, `<name>`, `{{name}}`); comment lines are skipped. */
export function commandPlaceholders(script: string): string[] {
  const names: string[] = [];
  for (const c of scanCommand(script)) addUnique(names, c.name);
  return names;
}

function refuseNul(value: string): void {
  if (value.includes('\0')) throw new Error('A value for a SQL placeholder cannot contain a NUL character.');
}

/** A standard string literal, its quotes doubled. */
export function sqlString(value: string): string {
  refuseNul(value);
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A value as a SQL literal: a plain number as it is (a negative one in parentheses, so
 * `a-[N]` cannot become the comment `a--5`), anything else a standard string literal with
 * its quotes doubled. A string literal is of unknown type until PostgreSQL sees where it
 * stands, so '2024-01-01' still compares with a date column.
 */
export function sqlLiteral(value: string): string {
  const trimmed = value.trim();
  if (NUMBER.test(trimmed)) return trimmed;
  if (NEGATIVE.test(trimmed)) return `(${trimmed})`;
  return sqlString(value);
}

/**
 * A value as an identifier, always double-quoted so no value can close it or smuggle SQL in.
 * `public.orders` is a schema and a table, quoted part by part; a value that already holds
 * a double quote is taken as one name.
 */
export function sqlIdentifier(value: string): string {
  refuseNul(value);
  const trimmed = value.trim();
  if (trimmed === '') throw new Error('A name for a SQL placeholder cannot be empty.');
  const parts = trimmed.includes('"') ? [trimmed] : trimmed.split('.');
  if (parts.some((p) => p === '')) throw new Error(`"${trimmed}" is not a name: a part between dots is empty.`);
  return parts.map((p) => `"${p.replaceAll('"', '""')}"`).join('.');
}

function fillValue(value: string, fill: PlaceholderFill): string {
  if (fill === 'identifier') return sqlIdentifier(value);
  if (fill === 'string') return sqlString(value);
  return sqlLiteral(value);
}

/**
 * `sql` with every placeholder replaced by its value (see PlaceholderFill); text in strings,
 * comments, quoted identifiers and dollar quotes, and subscripts, stays as written. With
 * `placeholders` (what the importer found, on the step), only those tokens are filled;
 * without, the `[NAME]` placeholders are, as literals (steps saved before other syntaxes
 * were recognised carry no list). Throws when a placeholder has no value, naming it.
 */
export function fillSqlPlaceholders(sql: string, values: Record<string, string>, placeholders?: readonly SqlPlaceholder[]): string {
  const byToken = new Map((placeholders ?? []).map((p) => [p.token, p]));
  const seen = new Map<string, number>();
  const found = placeholders
    ? scanSql(sql).candidates.flatMap((c) => {
        const p = byToken.get(c.token);
        if (!p) return [];
        const k = seen.get(c.token) ?? 0;
        seen.set(c.token, k + 1);
        const fill = p.fills ? (p.fills[k] ?? null) : p.fill;
        return fill ? [{ start: c.start, end: c.end, name: p.name, token: p.token, fill }] : [];
      })
    : bracketCandidates(sql).map((c) => ({ start: c.start, end: c.end, name: c.name, token: `[${c.name}]`, fill: 'literal' as const }));
  const has = (name: string) => Object.prototype.hasOwnProperty.call(values, name);
  const missing: string[] = [];
  for (const p of found) if (!has(p.name)) addUnique(missing, p.token);
  if (missing.length > 0) throw new Error(`No value for the placeholder${missing.length === 1 ? '' : 's'} ${missing.join(', ')}.`);
  let out = '';
  let at = 0;
  for (const p of found) {
    out += sql.slice(at, p.start) + fillValue(values[p.name]!, p.fill);
    at = p.end;
  }
  return out + sql.slice(at);
}
