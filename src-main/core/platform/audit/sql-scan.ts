// A small SQL tokenizer for redaction: it only needs to know where string literals start
// and end (and what they say), so comments, quoted identifiers and dollar quoting cannot
// hide a literal or fake one. It follows PostgreSQL's lexer for the forms a literal takes:
// '…' with '' doubling (standard_conforming_strings on), E'…' with backslash escapes,
// U&'…' with an optional UESCAPE 'c' after it, N'/B'/X' prefixes, $tag$…$tag$, and
// '…' continued on a following line ('a'\n'b' is one constant). It never throws: an
// unterminated literal or comment runs to the end of the text (what is after an opening
// quote is then treated as the literal's content, which is the safe side for redaction).

export type TokenKind = 'space' | 'comment' | 'literal' | 'word' | 'qident' | 'other';

export interface SqlToken {
  kind: TokenKind;
  /** String offsets (UTF-16), end exclusive. */
  start: number;
  end: number;
  /** literal: the decoded value; word: lower-cased; qident: the identifier. */
  value: string;
}

// Character tests by code (the scan runs over whole scripts: regexes per character cost 3×).
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
}
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

type QuoteStyle = 'standard' | 'escape' | 'unicode';

/** End of a '…' body starting after the opening quote: index after the closing quote (or text end) and the raw body. */
function quotedBody(sql: string, from: number, backslashEscapes: boolean): { end: number; raw: string; closed: boolean } {
  let i = from;
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if (backslashEscapes && c === 92 /* \ */) {
      i += 2;
      continue;
    }
    if (c === 39 /* ' */) {
      if (sql.charCodeAt(i + 1) === 39) {
        i += 2;
        continue;
      }
      // The raw body keeps '' and backslash escapes as written; decoding happens after.
      return { end: i + 1, raw: sql.slice(from, i), closed: true };
    }
    i += 1;
  }
  return { end: sql.length, raw: sql.slice(from), closed: false };
}

/** Whitespace (and -- comments) holding a newline, then a quote: where a continuation starts, else -1. */
function continuationAt(sql: string, from: number): number {
  let i = from;
  let newline = false;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === '\n' || ch === '\r') newline = true;
    else if (ch === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      if (eol === -1) return -1;
      i = eol;
      continue;
    } else if (!/\s/.test(ch)) break;
    i += 1;
  }
  return newline && sql[i] === "'" ? i : -1;
}

function decodeEscape(raw: string): string {
  return raw.replace(/''|\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[\s\S])/g, (m: string, esc: string | undefined) => {
    if (m === "''") return "'";
    if (esc === undefined) return m;
    const c = esc[0]!;
    if (c === 'x') return String.fromCharCode(parseInt(esc.slice(1), 16));
    if (/[0-7]/.test(c)) return String.fromCharCode(parseInt(esc, 8) & 0xff);
    if (c === 'u' || c === 'U') return safeCodePoint(parseInt(esc.slice(1), 16));
    const named: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    return named[c] ?? c;
  });
}

function safeCodePoint(n: number): string {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '\uFFFD';
}

function decodeUnicode(raw: string, escape: string): string {
  const body = raw.replace(/''/g, "'");
  let out = '';
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== escape) {
      out += body[i];
      continue;
    }
    if (body[i + 1] === escape) {
      out += escape;
      i += 1;
    } else if (body[i + 1] === '+' && /^[0-9A-Fa-f]{6}$/.test(body.slice(i + 2, i + 8))) {
      out += safeCodePoint(parseInt(body.slice(i + 2, i + 8), 16));
      i += 7;
    } else if (/^[0-9A-Fa-f]{4}$/.test(body.slice(i + 1, i + 5))) {
      out += safeCodePoint(parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else {
      out += body[i];
    }
  }
  return out;
}

/** After U&'…': whitespace/comments, UESCAPE, whitespace/comments, 'c'. Returns the end and the escape character. */
function uescapeAfter(sql: string, from: number): { end: number; escape: string } | null {
  const m = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*uescape(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*'([^'])'/i.exec(sql.slice(from, from + 200));
  return m ? { end: from + m[0].length, escape: m[1]! } : null;
}

/** A quoted literal (with continuations) whose opening quote is at `quote`. */
function quotedLiteral(sql: string, start: number, quote: number, style: QuoteStyle): SqlToken {
  let raw = '';
  let at = quote;
  let end: number;
  for (;;) {
    const body = quotedBody(sql, at + 1, style === 'escape');
    raw += body.raw;
    end = body.end;
    if (!body.closed) break;
    const next = continuationAt(sql, end);
    if (next === -1) break;
    at = next;
  }
  let value: string;
  if (style === 'escape') value = decodeEscape(raw);
  else if (style === 'unicode') {
    const uescape = uescapeAfter(sql, end);
    if (uescape) end = uescape.end;
    value = decodeUnicode(raw, uescape?.escape ?? '\\');
  } else value = raw.replace(/''/g, "'");
  return { kind: 'literal', start, end, value };
}

function blockCommentEnd(sql: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else i += 1;
  }
  return sql.length;
}

/** The literal starting at `i`, if one does (prefix letters included). */
function literalAt(sql: string, i: number): SqlToken | null {
  const ch = sql[i]!;
  if (ch === "'") return quotedLiteral(sql, i, i, 'standard');
  const next = sql[i + 1];
  if (next === "'") {
    if (ch === 'e' || ch === 'E') return quotedLiteral(sql, i, i + 1, 'escape');
    if (/[nNbBxX]/.test(ch)) return quotedLiteral(sql, i, i + 1, 'standard');
  }
  if ((ch === 'u' || ch === 'U') && next === '&' && sql[i + 2] === "'") return quotedLiteral(sql, i, i + 2, 'unicode');
  if (ch === '$') {
    const tag = DOLLAR_TAG.exec(sql.slice(i, i + 200));
    if (tag) {
      const close = sql.indexOf(tag[0], i + tag[0].length);
      const end = close === -1 ? sql.length : close + tag[0].length;
      return { kind: 'literal', start: i, end, value: sql.slice(i + tag[0].length, close === -1 ? sql.length : close) };
    }
  }
  return null;
}

/** Splits SQL (or any text) into tokens. Linear in the length of the text. */
export function scanSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    let token: SqlToken | null = literalAt(sql, i);
    const code = sql.charCodeAt(i);
    if (token !== null) {
      // A literal, prefix letters included (checked before words: E'…' starts with a letter).
    } else if (isSpace(code)) {
      let j = i + 1;
      while (j < sql.length && isSpace(sql.charCodeAt(j))) j += 1;
      token = { kind: 'space', start: i, end: j, value: '' };
    } else if (ch === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      token = { kind: 'comment', start: i, end: eol === -1 ? sql.length : eol, value: '' };
    } else if (ch === '/' && sql[i + 1] === '*') {
      token = { kind: 'comment', start: i, end: blockCommentEnd(sql, i), value: '' };
    } else if (ch === '"' || ((ch === 'u' || ch === 'U') && sql[i + 1] === '&' && sql[i + 2] === '"')) {
      const open = ch === '"' ? i : i + 2;
      let j = open + 1;
      let name = '';
      while (j < sql.length) {
        if (sql[j] === '"') {
          if (sql[j + 1] !== '"') break;
          j += 1;
        }
        name += sql[j];
        j += 1;
      }
      token = { kind: 'qident', start: i, end: Math.min(sql.length, j + 1), value: name };
    } else if (isIdentStart(code)) {
      let j = i + 1;
      while (j < sql.length && isIdentChar(sql.charCodeAt(j))) j += 1;
      token = { kind: 'word', start: i, end: j, value: sql.slice(i, j).toLowerCase() };
    } else {
      token = { kind: 'other', start: i, end: i + 1, value: ch };
    }
    tokens.push(token);
    i = token.end;
  }
  return tokens;
}
