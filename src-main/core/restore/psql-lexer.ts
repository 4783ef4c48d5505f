// Where psql would see a meta-command (backslash command) in a plain script, and where its
// COPY … FROM stdin data starts, found the way psql's own lexer (src/fe_utils/psqlscan.l)
// reads the script line by line: a backslash outside quotes, comments and dollar quotes
// starts a meta-command anywhere on a line, even after a statement; a statement is sent at
// a semicolon outside parentheses and outside a CREATE FUNCTION … BEGIN ATOMIC body.
//
// This is a review aid, not the guarantee: psql also follows settings the script changes at
// run time (standard_conforming_strings through set_config(), variables), which a static
// reading cannot. What stops a meta-command for certain is the runner's `\restrict`
// (restore-process.ts); this scan lets the plan name the lines before anything runs.

export interface LexedLine {
  /** Column of the first backslash psql would take as a meta-command, or null. */
  meta: number | null;
  /** A COPY … FROM stdin statement ended on this line: psql reads data lines next, up to `\.`. */
  copyIn: boolean;
  /** Columns of the semicolons that ended a statement on this line (psql sends it there). */
  ends: number[];
}

type State =
  | { kind: 'sql' }
  | { kind: 'block'; depth: number }
  /** '…' with standard_conforming_strings on: backslashes are plain characters. */
  | { kind: 'quote' }
  /** E'…' (or '…' with standard_conforming_strings off): backslash escapes. */
  | { kind: 'escape' }
  | { kind: 'ident' }
  | { kind: 'dollar'; tag: string };

/** [A-Za-z_] or any non-ASCII character, as psql's ident_start (by char code: this runs per character). */
function identStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code >= 128;
}

/** ident_cont: ident_start, digits and `$` (so `a$b$` is one identifier, not a dollar quote). */
function identCont(code: number): boolean {
  return identStart(code) || (code >= 48 && code <= 57) || code === 36;
}

function isDigitOrDot(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 46;
}

// The states without data are shared: this runs for every character outside COPY data.
const SQL: State = { kind: 'sql' };
const QUOTE: State = { kind: 'quote' };
const ESCAPE: State = { kind: 'escape' };
const IDENT_QUOTE: State = { kind: 'ident' };
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const PARAM = /\$[0-9]+/y;
/** psql's heuristic for BEGIN ATOMIC bodies looks at these words only (psqlscan.l). */
const HEAD_WORDS = new Set(['create', 'function', 'procedure', 'or', 'replace']);

function matchAt(re: RegExp, text: string, at: number): string | null {
  re.lastIndex = at;
  return re.exec(text)?.[0] ?? null;
}

/** One lexer per script; feed it every line that is not COPY data, in order. */
export class PsqlLexer {
  private state: State = SQL;
  /** pg_dump sets it on at the top; a script that sets it off makes '…' strings escape strings. */
  private standardStrings = true;
  private parenDepth = 0;
  private beginDepth = 0;
  /** First letters of the statement's leading CREATE [OR REPLACE] FUNCTION|PROCEDURE words. */
  private heads: string[] = [];
  private identifiers = 0;
  /** The statement's first tokens, lower-cased (SET standard_conforming_strings …). */
  private tokens: string[] = [];
  private previousWord: string | null = null;
  private copyFromStdin = false;

  /**
   * Lexes one line (without its newline). psql takes the rest of a line after a meta-command
   * as that command's arguments, and carries on with the next line in the state it was in.
   */
  line(text: string): LexedLine {
    let copyIn = false;
    const ends: number[] = [];
    let i = 0;
    const n = text.length;
    while (i < n) {
      const s = this.state;
      if (s.kind === 'block') {
        const open = text.indexOf('/*', i);
        const close = text.indexOf('*/', i);
        if (close < 0 && open < 0) return { meta: null, copyIn, ends };
        if (open >= 0 && (close < 0 || open < close)) {
          s.depth += 1;
          i = open + 2;
        } else {
          s.depth -= 1;
          i = close + 2;
          if (s.depth === 0) this.state = SQL;
        }
        continue;
      }
      if (s.kind === 'quote' || s.kind === 'ident') {
        const q = s.kind === 'quote' ? "'" : '"';
        const at = text.indexOf(q, i);
        if (at < 0) return { meta: null, copyIn, ends };
        if (text[at + 1] === q) i = at + 2;
        else {
          this.state = SQL;
          i = at + 1;
        }
        continue;
      }
      if (s.kind === 'escape') {
        const c = text[i];
        if (c === '\\') i += 2;
        else if (c === "'" && text[i + 1] === "'") i += 2;
        else if (c === "'") {
          this.state = SQL;
          i += 1;
        } else i += 1;
        continue;
      }
      if (s.kind === 'dollar') {
        const close = text.indexOf(s.tag, i);
        if (close < 0) return { meta: null, copyIn, ends };
        this.state = SQL;
        i = close + s.tag.length;
        continue;
      }
      const c = text[i]!;
      const next = text[i + 1];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
        i += 1;
      } else if (c === '-' && next === '-') {
        return { meta: null, copyIn, ends };
      } else if (c === '/' && next === '*') {
        this.state = { kind: 'block', depth: 1 };
        i += 2;
      } else if (c === '\\') {
        // Every backslash here is psql's: a meta-command, or `\;` / `\:`, which psql turns
        // into a plain character. pg_dump writes neither; both count, so a script cannot
        // hide a second statement from the COPY tracking below behind `\;`.
        return { meta: i, copyIn, ends };
      } else if (c === "'") {
        this.token("'");
        this.state = this.standardStrings ? QUOTE : ESCAPE;
        i += 1;
      } else if (c === '"') {
        this.token('"');
        this.state = IDENT_QUOTE;
        i += 1;
      } else if (c === '$') {
        const tag = matchAt(DOLLAR_TAG, text, i);
        if (tag !== null) {
          this.token('$');
          this.state = { kind: 'dollar', tag };
          i += tag.length;
        } else i += matchAt(PARAM, text, i)?.length ?? 1;
      } else if (identStart(c.charCodeAt(0))) {
        let j = i + 1;
        while (j < n && identCont(text.charCodeAt(j))) j += 1;
        const start = i;
        i = j;
        // E'…', U&'…', B'…', X'…', N'…': a one-letter prefix glued to the quote.
        const lower = j - start === 1 ? c.toLowerCase() : '';
        if (lower === 'e' && text[i] === "'") {
          this.token("'");
          this.state = ESCAPE;
          i += 1;
        } else if ((lower === 'b' || lower === 'x' || lower === 'n') && text[i] === "'") {
          this.token("'");
          this.state = QUOTE;
          i += 1;
        } else if (lower === 'u' && text[i] === '&' && (text[i + 1] === "'" || text[i + 1] === '"')) {
          this.token(text[i + 1]!);
          this.state = text[i + 1] === "'" ? QUOTE : IDENT_QUOTE;
          i += 2;
        } else this.word(text, start, j);
      } else if (c >= '0' && c <= '9') {
        // The digits, a fraction and an exponent: only where a token ends matters here.
        let j = i + 1;
        while (j < n && isDigitOrDot(text.charCodeAt(j))) j += 1;
        if ((text[j] === 'e' || text[j] === 'E') && /^[+-]?[0-9]/.test(text.slice(j + 1, j + 3))) {
          j += 2;
          while (j < n && isDigitOrDot(text.charCodeAt(j))) j += 1;
        }
        this.token('0');
        i = j;
      } else if (c === '(') {
        this.parenDepth += 1;
        this.token(c);
        i += 1;
      } else if (c === ')') {
        if (this.parenDepth > 0) this.parenDepth -= 1;
        this.token(c);
        i += 1;
      } else if (c === ';' && this.parenDepth === 0 && this.beginDepth === 0) {
        if (this.copyFromStdin) copyIn = true;
        ends.push(i);
        this.endStatement();
        i += 1;
      } else {
        this.token(c);
        i += 1;
      }
    }
    return { meta: null, copyIn, ends };
  }

  /** Any token but a word: remembered for SET detection, and it breaks FROM … stdin. */
  private token(t: string): void {
    if (this.tokens.length < 8) this.tokens.push(t);
    this.previousWord = null;
  }

  private word(text: string, start: number, end: number): void {
    // Most words of a long INSERT matter to nothing below: no copy, no lower-casing for them.
    const routineOrCopy = this.heads[0] === 'c' || this.tokens[0] === 'copy';
    if (this.tokens.length >= 8 && this.identifiers >= 4 && !routineOrCopy) {
      this.previousWord = null;
      return;
    }
    const lower = text.slice(start, end).toLowerCase();
    if (this.tokens.length < 8) this.tokens.push(lower);
    if (this.tokens[0] === 'copy' && this.parenDepth === 0 && lower === 'stdin' && this.previousWord === 'from') this.copyFromStdin = true;
    this.previousWord = lower;
    // psqlscan.l: inside CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN … END (and CASE …
    // END within it) keep semicolons from ending the statement.
    if (this.identifiers < 4) this.heads.push(HEAD_WORDS.has(lower) ? lower[0]! : '');
    this.identifiers += 1;
    const [h0, h1, h2, h3] = this.heads;
    const routine = h0 === 'c' && (h1 === 'f' || h1 === 'p' || (h1 === 'o' && h2 === 'r' && (h3 === 'f' || h3 === 'p')));
    if (!routine || this.parenDepth !== 0) return;
    if (lower === 'begin') this.beginDepth += 1;
    else if (lower === 'case' && this.beginDepth >= 1) this.beginDepth += 1;
    else if (lower === 'end' && this.beginDepth > 0) this.beginDepth -= 1;
  }

  private endStatement(): void {
    const [t0, t1, t2, t3, t4] = this.tokens;
    // SET [SESSION] standard_conforming_strings = on|off, as pg_dump writes it.
    const [name, op, value] = t1 === 'session' ? [t2, t3, t4] : [t1, t2, t3];
    if (t0 === 'set' && name === 'standard_conforming_strings' && (op === '=' || op === 'to')) {
      if (value === 'on' || value === 'true') this.standardStrings = true;
      if (value === 'off' || value === 'false') this.standardStrings = false;
    }
    this.tokens = [];
    this.heads = [];
    this.identifiers = 0;
    this.previousWord = null;
    this.copyFromStdin = false;
  }
}
