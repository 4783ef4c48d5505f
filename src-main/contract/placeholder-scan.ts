// The lexical half of runbook placeholders: where, in a step's SQL or command, something
// *looks like* a value to fill in. Runbooks write them in several styles — `[PID]`,
// `<slot_name>`, `{{database}}`, psql's `:'var'`, `:"var"` and `:var` — and several of
// those shapes are also legal SQL (`a <b> c`, `arr[1:n]`). So this only finds candidates
// outside strings, quoted identifiers, comments and dollar quotes; the importer decides with
// the SQL parser which candidates really are placeholders (core/runbook/markdown-import-sql.ts)
// and records them, and the filler (placeholders.ts) replaces only those. Pure: shared by
// the core and the renderer.

export type PlaceholderSyntax =
  /** `[NAME]`, the runbook convention the importer always knew. */
  | 'bracket'
  /** `<pid>`, `<slot_name>`. */
  | 'angle'
  /** `{{database}}`, template style. */
  | 'mustache'
  /** A whole string literal that is only a placeholder: `'<slot_name>'`, `'{{db}}'`. */
  | 'quoted'
  /** psql `:var` (raw interpolation in psql; filled as a literal here). */
  | 'psql'
  /** psql `:'var'`: always a string literal. */
  | 'psql-literal'
  /** psql `:"var"`: always an identifier. */
  | 'psql-identifier';

export interface Candidate {
  /** [start, end) of the token in the text. */
  start: number;
  end: number;
  name: string;
  /** The token exactly as written ("<pid>", ":'db'"): what the filler looks for. */
  token: string;
  syntax: PlaceholderSyntax;
  /** Inside a psql meta-command line (`\c {{db}}`), which the SQL parser never sees. */
  inMeta: boolean;
}

export interface SqlScan {
  candidates: Candidate[];
  /** [start, end) of each statement between semicolons and meta-commands, untrimmed. */
  statements: Array<{ start: number; end: number }>;
}

const BRACKET = /^\[([A-Za-z][A-Za-z0-9_ .-]{0,62})\]/;
const ANGLE = /^<([A-Za-z_][A-Za-z0-9_.-]{0,62})>/;
const MUSTACHE = /^\{\{\s*([A-Za-z_][A-Za-z0-9_.-]{0,62})\s*\}\}/;
const PSQL = /^:(?:'([A-Za-z_][A-Za-z0-9_]{0,62})'|"([A-Za-z_][A-Za-z0-9_]{0,62})"|([A-Za-z_][A-Za-z0-9_]{0,62}))/;
/** A string literal that is nothing but an angle or mustache placeholder. */
const QUOTED = /^'(<([A-Za-z_][A-Za-z0-9_.-]{0,62})>|\{\{\s*([A-Za-z_][A-Za-z0-9_.-]{0,62})\s*\}\})'$/;
/** Strings PostgreSQL itself shows in angle brackets, compared against in old runbooks (`current_query <> '<IDLE>'`). */
const SERVER_WORDS = new Set(["'<IDLE>'"]);
/** A bracket never follows an identifier, a closing bracket or a quote (that is a subscript). */
const SUBSCRIPT_BEFORE = /[\w\])"'$]/;
const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

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

function candidate(start: number, token: string, name: string, syntax: PlaceholderSyntax, inMeta: boolean): Candidate {
  return { start, end: start + token.length, name: name.trim(), token, syntax, inMeta };
}

/** The bracket, angle or mustache placeholder starting at `i`, or null. */
function shapeAt(text: string, i: number, inMeta: boolean): Candidate | null {
  const c = text[i];
  const head = text.slice(i, i + 70);
  if (c === '[') {
    const m = BRACKET.exec(head);
    if (m && !SUBSCRIPT_BEFORE.test(i > 0 ? text[i - 1]! : '') && m[1]!.trim()) return candidate(i, m[0], m[1]!, 'bracket', inMeta);
  } else if (c === '<') {
    // `<<EOF` is a heredoc in a shell, `<<` a shift in SQL: never a placeholder.
    const m = ANGLE.exec(head);
    if (m && text[i - 1] !== '<') return candidate(i, m[0], m[1]!, 'angle', inMeta);
  } else if (c === '{') {
    const m = MUSTACHE.exec(head);
    if (m) return candidate(i, m[0], m[1]!, 'mustache', inMeta);
  }
  return null;
}

/** psql's `:'v'`, `:"v"` or `:v` at `i` (a colon that is not half of a `::` cast), or null. */
function psqlAt(sql: string, i: number, inMeta: boolean): Candidate | null {
  if (sql[i - 1] === ':' || sql[i + 1] === ':' || sql[i + 1] === '=') return null;
  const m = PSQL.exec(sql.slice(i, i + 70));
  if (!m) return null;
  if (m[1] !== undefined) return candidate(i, m[0], m[1], 'psql-literal', inMeta);
  if (m[2] !== undefined) return candidate(i, m[0], m[2], 'psql-identifier', inMeta);
  // `arr[1:n]` is a slice and `\c host:5432` a port: a bare `:v` right after a name, a number
  // or a bracket, or in a meta-command's arguments, is not a variable.
  if (inMeta || /[\w\])]/.test(sql[i - 1] ?? '')) return null;
  return candidate(i, m[0], m[3]!, 'psql', inMeta);
}

/**
 * Candidates, statements and meta-command lines of `sql`, in one pass. A backslash outside
 * any literal starts a psql meta-command, which runs to the end of its line and also ends
 * the statement before it (`SELECT … \gset`).
 */
export function scanSql(sql: string): SqlScan {
  const candidates: Candidate[] = [];
  const statements: Array<{ start: number; end: number }> = [];
  let statementStart = 0;
  let metaEnd = -1;
  const endStatement = (end: number, next: number) => {
    if (sql.slice(statementStart, end).trim() !== '') statements.push({ start: statementStart, end });
    statementStart = next;
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const prev = i > 0 ? sql[i - 1]! : '';
    const inMeta = i < metaEnd;
    if (c === '\\' && !inMeta) {
      const newline = sql.indexOf('\n', i);
      metaEnd = newline === -1 ? sql.length : newline;
      endStatement(i, metaEnd);
      i++;
    } else if (c === ':') {
      const found = psqlAt(sql, i, inMeta);
      if (found) candidates.push(found);
      i = found ? found.end : i + (sql[i + 1] === ':' ? 2 : 1);
    } else if (c === "'") {
      // E'…' strings take backslash escapes; standard strings do not.
      const escaped = /[eE]/.test(prev) && !/\w/.test(i > 1 ? sql[i - 2]! : '');
      const end = skipQuoted(sql, i, "'", escaped);
      const literal = sql.slice(i, end);
      const whole = escaped ? null : QUOTED.exec(literal);
      if (whole && !SERVER_WORDS.has(literal)) candidates.push(candidate(i, literal, whole[2] ?? whole[3]!, 'quoted', inMeta));
      i = end;
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
    } else if (c === ';' && !inMeta) {
      endStatement(i + 1, i + 1);
      i++;
    } else {
      const found = shapeAt(sql, i, inMeta);
      if (found) candidates.push(found);
      i = found ? found.end : i + 1;
    }
  }
  endStatement(sql.length, sql.length);
  return { candidates, statements };
}

/**
 * Placeholders of a shell command: brackets, angles and mustaches, not in comment lines.
 * psql's `:var` is left alone (`host:5432`, `user:pass@`), as are `${VAR}` variables.
 */
export function scanCommand(script: string): Candidate[] {
  const found: Candidate[] = [];
  let offset = 0;
  for (const line of script.split('\n')) {
    if (!line.trimStart().startsWith('#')) {
      for (let i = 0; i < line.length; i++) {
        const c = shapeAt(line, i, false);
        if (!c) continue;
        found.push({ ...c, start: c.start + offset, end: c.end + offset });
        i = c.end - 1;
      }
    }
    offset += line.length + 1;
  }
  return found;
}
