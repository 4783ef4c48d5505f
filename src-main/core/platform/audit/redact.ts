// Every text that reaches the audit trail (and the query history) passes through here
// first: SQL a DBA typed, a command line, an error message echoing a connection string.
// Over-redacting a harmless value is acceptable; storing one password is not.
// First the SQL literals that hold passwords are found by meaning (redact-tree.ts: the
// parser and a tokenizer, so U&'…', E'…', comments and conninfo strings cannot hide one),
// then the rules below run as a second net on whatever text remains.
import { redactSqlLiterals } from './redact-tree';

export const REDACTED = '***';

/** Whitespace or comments between PASSWORD and its literal. */
const GAP = String.raw`(?:\s|/\*[\s\S]*?\*/|--[^\n]*\n)+`;

interface Rule {
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

const RULES: Rule[] = [
  // scheme://user:password@host — the password may hold unencoded '@', '/' or ':' (URIs
  // may not, but people paste them anyway), so it runs from the first ':' after the user
  // to the last '@' before a blank or a quote. A '@' later in the path or query makes it
  // take too much, which is the safe side.
  {
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s'"]*)@/gi,
    replace: (_m, head: string) => `${head}${REDACTED}@`,
  },
  // SQL: CREATE/ALTER ROLE … [ENCRYPTED] PASSWORD [/* c */] '…' / E'…' / U&'…' / $tag$…$tag$
  // (PASSWORD NULL is left alone). Normally redact-tree.ts already replaced the literal.
  {
    pattern: new RegExp(
      String.raw`\b(PASSWORD${GAP})(E'(?:\\[\s\S]|''|[^'\\])*'|(?:U&)?'(?:''|[^'])*'(?:${GAP}UESCAPE${GAP}'[^']')?|(\$[A-Za-z_0-9]*\$)[\s\S]*?\3)`,
      'gi',
    ),
    replace: (_m, head: string) => `${head}'${REDACTED}'`,
  },
  // JSON: "password": "…"
  {
    pattern: /("(?:ssl)?pass(?:word|wd)"\s*:\s*)"(?:\\.|[^"\\])*"/gi,
    replace: (_m, head: string) => `${head}"${REDACTED}"`,
  },
  // key=value: libpq conninfo, URI query strings, env assignments, --password=x, PGPASSWORD=x.
  {
    pattern: /((?:\b|--|PG)(?:ssl)?pass(?:word|wd)?\s*=\s*)('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|[^\s&;,]+)/gi,
    replace: (_m, head: string, value: string) => {
      const quote = value.startsWith("'") || value.startsWith('"') ? value[0] : '';
      return `${head}${quote}${REDACTED}${quote}`;
    },
  },
];

// A lone UTF-16 surrogate cannot be stored as UTF-8: SQLite would keep U+FFFD instead and
// the record would no longer match its hash (a false tampering alarm). Replace it first.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const MAY_MATCH_A_RULE = /pass|:\/\//i;

export function redactSecrets(text: string): string;
export function redactSecrets(text: string | null): string | null;
export function redactSecrets(text: string | null): string | null {
  if (text === null) return null;
  let out = redactSqlLiterals(text.replace(LONE_SURROGATE, '\uFFFD'));
  // Every rule needs "pass" or "://" to match: most texts (an action name, a summary) skip the four scans.
  if (!MAY_MATCH_A_RULE.test(out)) return out;
  for (const rule of RULES) out = out.replace(rule.pattern, rule.replace as (substring: string, ...args: unknown[]) => string);
  return out;
}
