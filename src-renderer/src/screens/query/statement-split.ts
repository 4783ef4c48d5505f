// Which statement "run the statement under the cursor" means. A small lexer that knows
// PostgreSQL's quoting rules (strings, E'' escapes, quoted identifiers, dollar quotes,
// nested comments) so a semicolon inside any of them never splits. It only picks the text
// to send: the core still judges every statement with the real parser, so a wrong guess
// here can at worst send too little or too much, never bypass a guard.
import type { RunTarget } from './query-tools';

export interface StatementRange {
  /** First character of the statement's first token (leading comments are not part of it). */
  start: number;
  /** Just after its last token; the terminating semicolon is not included. */
  end: number;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

/**
 * psql's heuristic for SQL-standard function bodies (CREATE FUNCTION … BEGIN ATOMIC … END):
 * inside such a statement, BEGIN/CASE … END nest and their semicolons do not split.
 * Mirrors psqlscan.l so the console splits exactly where psql would.
 */
class BodyTracker {
  private words = 0;
  private initials: string[] = [];
  depth = 0;

  reset(): void {
    this.words = 0;
    this.initials = [];
    this.depth = 0;
  }

  word(text: string, parenDepth: number): void {
    const lower = text.toLowerCase();
    if (['create', 'function', 'procedure', 'or', 'replace'].includes(lower) && this.words < 4) this.initials[this.words] = lower.charAt(0);
    this.words += 1;
    const [a, b, c, d] = this.initials;
    const defining = a === 'c' && (b === 'f' || b === 'p' || (b === 'o' && c === 'r' && (d === 'f' || d === 'p')));
    if (!defining || parenDepth !== 0) return;
    if (lower === 'begin') this.depth += 1;
    else if (lower === 'case' && this.depth >= 1) this.depth += 1;
    else if (lower === 'end' && this.depth > 0) this.depth -= 1;
  }
}

/** End of a '…' string starting at `i` (the quote); `backslash` for E'…' strings. */
function skipString(text: string, i: number, backslash: boolean): number {
  let j = i + 1;
  while (j < text.length) {
    const ch = text.charAt(j);
    if (backslash && ch === '\\') {
      j += 2;
    } else if (ch === "'") {
      if (text.charAt(j + 1) === "'") j += 2;
      else return j + 1;
    } else {
      j += 1;
    }
  }
  return text.length;
}

function skipQuotedIdentifier(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length) {
    if (text.charAt(j) === '"') {
      if (text.charAt(j + 1) === '"') j += 2;
      else return j + 1;
    } else {
      j += 1;
    }
  }
  return text.length;
}

/** Nested /* *\/ comments, as PostgreSQL reads them (unlike the SQL of most databases). */
function skipBlockComment(text: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < text.length) {
    if (text.startsWith('/*', j)) {
      depth += 1;
      j += 2;
    } else if (text.startsWith('*/', j)) {
      depth -= 1;
      j += 2;
      if (depth === 0) return j;
    } else {
      j += 1;
    }
  }
  return text.length;
}

function skipLineComment(text: string, i: number): number {
  const newline = text.indexOf('\n', i);
  return newline === -1 ? text.length : newline;
}

/** `$tag$…$tag$` when a dollar quote starts at `i`, else null (`$1` is a parameter). */
function skipDollarQuote(text: string, i: number): number | null {
  DOLLAR_TAG.lastIndex = i;
  const open = DOLLAR_TAG.exec(text);
  if (!open) return null;
  const close = text.indexOf(open[0], i + open[0].length);
  return close === -1 ? text.length : close + open[0].length;
}

function skipWhile(text: string, i: number, pattern: RegExp): number {
  let j = i;
  while (j < text.length && pattern.test(text.charAt(j))) j += 1;
  return j;
}

/** The statements of a script, in order; empty ones (only comments, stray `;`) are skipped. */
export function splitStatements(text: string): StatementRange[] {
  const statements: StatementRange[] = [];
  const body = new BodyTracker();
  let start: number | null = null;
  let end = 0;
  let parens = 0;

  const token = (from: number, to: number): void => {
    if (start === null) start = from;
    end = to;
  };
  const finish = (): void => {
    if (start !== null) statements.push({ start, end });
    start = null;
    parens = 0;
    body.reset();
  };

  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    const next = text.charAt(i + 1);
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '-' && next === '-') {
      i = skipLineComment(text, i);
    } else if (ch === '/' && next === '*') {
      i = skipBlockComment(text, i);
    } else if (ch === "'") {
      const to = skipString(text, i, false);
      token(i, to);
      i = to;
    } else if (ch === '"') {
      const to = skipQuotedIdentifier(text, i);
      token(i, to);
      i = to;
    } else if (ch === '$') {
      const to = skipDollarQuote(text, i) ?? skipWhile(text, i + 1, /[0-9]/);
      token(i, to);
      i = to;
    } else if (IDENT_START.test(ch)) {
      const to = skipWhile(text, i + 1, IDENT_CHAR);
      const word = text.slice(i, to);
      // E'…' is one token only when the word is exactly E: in somE'x' the string is plain.
      const stringEnd = (word === 'E' || word === 'e') && text.charAt(to) === "'" ? skipString(text, to, true) : to;
      if (stringEnd === to) body.word(word, parens);
      token(i, stringEnd);
      i = stringEnd;
    } else if (/[0-9]/.test(ch)) {
      const to = skipWhile(text, i + 1, /[0-9A-Za-z_.]/);
      token(i, to);
      i = to;
    } else if (ch === ';' && parens === 0 && body.depth === 0) {
      finish();
      i += 1;
    } else {
      // Semicolons inside parentheses do not split either (psql: CREATE RULE … DO (a; b)).
      if (ch === '(') parens += 1;
      else if (ch === ')') parens = Math.max(0, parens - 1);
      token(i, i + 1);
      i += 1;
    }
  }
  finish();
  return statements;
}

/**
 * Does the cursor belong to the statement starting at `start`? Inside it, yes; right at its
 * first character too, unless a `;` sits just before the cursor (that is the end of the
 * previous one). In front of it, only when the cursor is in the indentation of its line.
 */
function cursorIn(text: string, cursor: number, start: number): boolean {
  if (start < cursor) return true;
  if (start === cursor) return text.charAt(cursor - 1) !== ';';
  const lineStart = text.lastIndexOf('\n', cursor - 1) + 1;
  return /^[ \t]*$/.test(text.slice(lineStart, start));
}

/**
 * The statement the cursor is in. Between statements (just after a `;`, on a blank or
 * comment line) the nearest statement before the cursor wins, as in DataGrip and pgAdmin.
 * Before the first statement, the first one. No statement at all: empty `sql`.
 */
export function statementAt(text: string, cursor: number): RunTarget {
  const statements = splitStatements(text);
  let chosen: StatementRange | undefined;
  for (const statement of statements) {
    if (!cursorIn(text, cursor, statement.start)) break;
    chosen = statement;
  }
  chosen ??= statements[0];
  if (!chosen) return { sql: '', offset: cursor, fromSelection: false };
  return { sql: text.slice(chosen.start, chosen.end), offset: chosen.start, fromSelection: false };
}

function selectionTarget(text: string, from: number, to: number): RunTarget | null {
  const start = Math.min(from, to);
  const end = Math.max(from, to);
  const selected = text.slice(start, end);
  return end > start && selected.trim() !== '' ? { sql: selected, offset: start, fromSelection: true } : null;
}

/** Ctrl/Cmd+Enter: the selection when there is one (not just whitespace), else the statement under the cursor. */
export function statementTarget(text: string, from: number, to: number): RunTarget {
  return selectionTarget(text, from, to) ?? statementAt(text, to);
}

/** Shift+Ctrl/Cmd+Enter: the selection when there is one, else the whole script. */
export function scriptTarget(text: string, from: number, to: number): RunTarget {
  return selectionTarget(text, from, to) ?? { sql: text, offset: 0, fromSelection: false };
}
