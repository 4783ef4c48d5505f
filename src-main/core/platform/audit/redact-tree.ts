// Redaction of passwords written as SQL literals, found by what the SQL means rather than
// by how it looks: a password may be spelt U&'d\0061t\0061', E'\x70…', $q$…$q$, sit behind
// a comment (PASSWORD /* c */ '…'), or hide inside a connection string passed to dblink,
// a foreign server or a subscription. Two independent finders mark literal tokens:
//  - the real PostgreSQL parser (libpg-query): every `password` option of CREATE/ALTER
//    ROLE/USER, USER MAPPING and SERVER (DefElem → the literal after its location), and
//    every string constant whose value is a conninfo or URI carrying a password;
//  - the tokenizer alone (sql-scan.ts), used always, so text that does not parse (a
//    script with a typo, a cut summary) or a parser not loaded yet still gets redacted:
//    the literal right after the word `password`, and any literal whose decoded value
//    looks like a conninfo or URI with a password.
// Each marked literal is replaced whole (from its first to its last character, prefixes,
// continuations and UESCAPE included) by '***'. The regex rules in redact.ts run after.
import { loadModule, parseSync } from 'libpg-query';
import { scanSql, type SqlToken } from './sql-scan';

export const LITERAL_MARKER = "'***'";

let parserReady = false;
const parserLoading: Promise<void> = loadModule().then(
  () => {
    parserReady = true;
  },
  () => undefined,
);

/** Resolves once the parser can be used (it starts loading when this module is imported). */
export function loadRedactionParser(): Promise<void> {
  return parserLoading;
}

/** Option names whose value is a password (role options, postgres_fdw / dblink_fdw options). */
const PASSWORD_OPTIONS = new Set(['password', 'sslpassword']);

/** A libpq key=value string or a URI that carries a password (decoded value of a literal). */
export function looksLikeSecretConninfo(value: string): boolean {
  return /(?:^|[^A-Za-z0-9_])(?:ssl)?password\s*=/i.test(value) || /[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:[^\s]*@/i.test(value);
}

/** Cheap pre-test: text that cannot hold a password literal skips the parser and the scan. */
function mayHoldSecret(text: string): boolean {
  return /pass|:\/\/|\\|u&/i.test(text);
}

type Json = { [key: string]: unknown };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Byte offsets (what libpg_query reports) → string offsets. */
function byteToChar(sql: string): (byteOffset: number) => number {
  const bytes = Buffer.from(sql, 'utf8');
  if (bytes.length === sql.length) return (b) => b;
  return (b) => bytes.subarray(0, b).toString('utf8').length;
}

/** The first literal at or after `from`, past at most `words` words/identifiers (and `=`). */
function literalFrom(tokens: SqlToken[], from: number, words: number): SqlToken | null {
  let index = tokens.findIndex((t) => t.end > from);
  if (index === -1) return null;
  let skipped = 0;
  for (; index < tokens.length; index++) {
    const t = tokens[index]!;
    if (t.kind === 'literal') return t;
    if (t.kind === 'space' || t.kind === 'comment') continue;
    if (t.kind === 'word' || t.kind === 'qident' || (t.kind === 'other' && t.value === '=')) {
      skipped += 1;
      if (skipped > words) return null;
      continue;
    }
    return null;
  }
  return null;
}

/** Literal tokens the parse tree says are secrets; null when the text does not parse (or the parser is not loaded). */
export function treeFindings(sql: string, tokens: SqlToken[]): SqlToken[] | null {
  if (!parserReady) return null;
  let tree: unknown;
  try {
    tree = parseSync(sql);
  } catch {
    return null;
  }
  const toChar = byteToChar(sql);
  const found: SqlToken[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (!isObject(node)) return;
    const def = isObject(node.DefElem) ? node.DefElem : null;
    if (
      def &&
      typeof def.defname === 'string' &&
      PASSWORD_OPTIONS.has(def.defname.toLowerCase()) &&
      def.arg !== undefined &&
      typeof def.location === 'number'
    ) {
      // [ENCRYPTED] PASSWORD '…', OPTIONS (password '…'), OPTIONS (SET "password" '…').
      const literal = literalFrom(tokens, toChar(def.location), 3);
      if (literal) found.push(literal);
    }
    const constant = isObject(node.A_Const) ? node.A_Const : null;
    if (
      constant &&
      isObject(constant.sval) &&
      typeof constant.sval.sval === 'string' &&
      typeof constant.location === 'number' &&
      looksLikeSecretConninfo(constant.sval.sval)
    ) {
      const literal = literalFrom(tokens, toChar(constant.location), 1);
      if (literal) found.push(literal);
    }
    for (const child of Object.values(node)) if (typeof child === 'object' && child !== null) visit(child);
  };
  visit(tree);
  return found;
}

/** Literal tokens the tokenizer alone says are secrets. */
export function scanFindings(tokens: SqlToken[]): SqlToken[] {
  const found: SqlToken[] = [];
  let afterPassword = false;
  for (const t of tokens) {
    if (t.kind === 'space' || t.kind === 'comment') continue;
    if (t.kind === 'literal' && (afterPassword || looksLikeSecretConninfo(t.value))) found.push(t);
    afterPassword = (t.kind === 'word' || t.kind === 'qident') && PASSWORD_OPTIONS.has(t.value.toLowerCase());
  }
  return found;
}

/**
 * Replaces every literal that holds a password (see the top of this file) with '***'.
 * Pure apart from the parser, which it uses once loaded. Text without any hint of a
 * password is returned as it is.
 */
export function redactSqlLiterals(text: string): string {
  if (!mayHoldSecret(text)) return text;
  const tokens = scanSql(text);
  const marked = new Map<number, SqlToken>();
  for (const t of [...(treeFindings(text, tokens) ?? []), ...scanFindings(tokens)]) marked.set(t.start, t);
  if (marked.size === 0) return text;
  let out = '';
  let at = 0;
  for (const t of [...marked.values()].sort((a, b) => a.start - b.start)) {
    if (t.start < at) continue;
    out += text.slice(at, t.start) + LITERAL_MARKER;
    at = t.end;
  }
  return out + text.slice(at);
}
