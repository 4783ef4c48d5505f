// Placeholders such as `[PID]` or `[connection_string]` in a runbook's SQL and commands:
// the values the operator must supply before a step can run. SQL is scanned lexically so
// brackets inside string literals (' [ARCHIVED]'), quoted identifiers, comments and
// dollar-quoted bodies are not mistaken for placeholders, and array subscripts (`a[i]`,
// `ARRAY[x]`) are told apart by what stands before the bracket.

const NAME = /^\[([A-Za-z][A-Za-z0-9_ .-]{0,62})\]/;
/** A placeholder never follows an identifier, a closing bracket or a quote (that is a subscript). */
const SUBSCRIPT_BEFORE = /[\w\])"'$]/;
const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

function addUnique(list: string[], name: string): void {
  const trimmed = name.trim();
  if (trimmed && !list.includes(trimmed)) list.push(trimmed);
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

function placeholderAt(text: string, i: number, found: string[]): number {
  const match = NAME.exec(text.slice(i, i + 66));
  const before = i > 0 ? text[i - 1]! : '';
  if (!match || SUBSCRIPT_BEFORE.test(before)) return i + 1;
  addUnique(found, match[1]!);
  return i + match[0].length;
}

/** Placeholders in SQL, in order of first appearance, each once. */
export function sqlPlaceholders(sql: string): string[] {
  const found: string[] = [];
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
      i = placeholderAt(sql, i, found);
    } else i++;
  }
  return found;
}

/** Placeholders in shell commands; comment lines are skipped. */
export function commandPlaceholders(script: string): string[] {
  const found: string[] = [];
  for (const line of script.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    for (let i = line.indexOf('['); i !== -1 && i < line.length; i = line.indexOf('[', i)) {
      i = placeholderAt(line, i, found);
    }
  }
  return found;
}
