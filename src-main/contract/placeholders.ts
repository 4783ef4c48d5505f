// Placeholders such as `[PID]` or `[connection_string]` in a runbook's SQL and commands:
// the values the operator must supply before a step can run. SQL is scanned lexically so
// brackets inside string literals (' [ARCHIVED]'), quoted identifiers, comments and
// dollar-quoted bodies are not mistaken for placeholders, and array subscripts (`a[i]`,
// `ARRAY[x]`) are told apart by what stands before the bracket. Pure: the core finds them
// on import, the renderer fills them before a saved step opens in the query console.

const NAME = /^\[([A-Za-z][A-Za-z0-9_ .-]{0,62})\]/;
/** A placeholder never follows an identifier, a closing bracket or a quote (that is a subscript). */
const SUBSCRIPT_BEFORE = /[\w\])"'$]/;
const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;
/** Numbers go in as they are, so `pg_cancel_backend([PID])` gets an integer, not text. */
const NUMBER = /^\d+(\.\d+)?$/;
const NEGATIVE = /^-\d+(\.\d+)?$/;

/** Where a placeholder stands in the text: [start, end) covers the brackets. */
interface Found {
  start: number;
  end: number;
  name: string;
}

function addUnique(list: string[], name: string): void {
  if (name && !list.includes(name)) list.push(name);
}

/** Index just past a literal opened at `start` by `quote` (doubled quote escapes it). */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === quote && sql[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return sql.length;
}

/** Index just past a block comment; PostgreSQL block comments nest. */
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return sql.length;
}

/** The placeholder opening at `i` (a `[`), or null when it is a subscript or no name. */
function placeholderAt(text: string, i: number): Found | null {
  const match = NAME.exec(text.slice(i, i + 66));
  const before = i > 0 ? text[i - 1]! : '';
  if (!match || SUBSCRIPT_BEFORE.test(before)) return null;
  const name = match[1]!.trim();
  return name ? { start: i, end: i + match[0].length, name } : null;
}

/** Every placeholder of `sql` outside strings, quoted identifiers, comments and dollar quotes. */
function scanSql(sql: string): Found[] {
  const found: Found[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const prev = i > 0 ? sql[i - 1]! : '';
    if (c === "'") {
      // E'…' strings take backslash escapes; standard strings do not.
      const escaped = /[eE]/.test(prev) && !/\w/.test(i > 1 ? sql[i - 2]! : '');
      i = skipQuoted(sql, i, "'", escaped);
    } else if (c === '"') {
      i = skipQuoted(sql, i, '"', false);
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (sql.startsWith('/*', i)) {
      i = skipBlockComment(sql, i);
    } else if (c === '$' && !/\w/.test(prev)) {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? sql.length : end + tag[0].length;
      } else i++;
    } else if (c === '[') {
      const placeholder = placeholderAt(sql, i);
      if (placeholder) found.push(placeholder);
      i = placeholder ? placeholder.end : i + 1;
    } else i++;
  }
  return found;
}

/** Placeholders in SQL, in order of first appearance, each once. */
export function sqlPlaceholders(sql: string): string[] {
  const names: string[] = [];
  for (const p of scanSql(sql)) addUnique(names, p.name);
  return names;
}

/** Placeholders in shell commands; comment lines are skipped. */
export function commandPlaceholders(script: string): string[] {
  const found: string[] = [];
  for (const line of script.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    for (let i = line.indexOf('['); i !== -1 && i < line.length; i = line.indexOf('[', i)) {
      const placeholder = placeholderAt(line, i);
      if (placeholder) addUnique(found, placeholder.name);
      i = placeholder ? placeholder.end : i + 1;
    }
  }
  return found;
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
  if (value.includes('\0')) throw new Error('A value for a SQL placeholder cannot contain a NUL character.');
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * `sql` with every placeholder replaced by its value as a literal (see sqlLiteral); text in
 * strings, comments, quoted identifiers and dollar quotes, and subscripts, stay as written.
 * Throws when a placeholder has no value, naming it.
 */
export function fillSqlPlaceholders(sql: string, values: Record<string, string>): string {
  const found = scanSql(sql);
  const missing = found.map((p) => p.name).filter((name, i, all) => !Object.prototype.hasOwnProperty.call(values, name) && all.indexOf(name) === i);
  if (missing.length > 0) throw new Error(`No value for the placeholder${missing.length === 1 ? '' : 's'} ${missing.map((n) => `[${n}]`).join(', ')}.`);
  let out = '';
  let at = 0;
  for (const p of found) {
    out += sql.slice(at, p.start) + sqlLiteral(values[p.name]!);
    at = p.end;
  }
  return out + sql.slice(at);
}
