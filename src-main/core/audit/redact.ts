// Every text that reaches the audit trail passes through here first: SQL a DBA typed, a
// command line, an error message echoing a connection string. Over-redacting a harmless
// value is acceptable; storing one password is not.
export const REDACTED = '***';

interface Rule {
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

const RULES: Rule[] = [
  // scheme://user:password@host — the password may hold unencoded '@', so take up to the last
  // '@' of the authority (URIs are not allowed to, but people paste them anyway).
  {
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s/]*)(@[^\s@/]*)/gi,
    replace: (_m, head: string, _pw: string, tail: string) => `${head}${REDACTED}${tail}`,
  },
  // SQL: CREATE/ALTER ROLE … [ENCRYPTED] PASSWORD '…' / E'…' / $tag$…$tag$ (PASSWORD NULL is left alone).
  {
    pattern: /\b(PASSWORD\s+)(E'(?:\\.|''|[^'\\])*'|'(?:''|[^'])*'|(\$[A-Za-z_0-9]*\$)[\s\S]*?\3)/gi,
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

export function redactSecrets(text: string): string;
export function redactSecrets(text: string | null): string | null;
export function redactSecrets(text: string | null): string | null {
  if (text === null) return null;
  let out = text.replace(LONE_SURROGATE, '\uFFFD');
  for (const rule of RULES) out = out.replace(rule.pattern, rule.replace as (substring: string, ...args: unknown[]) => string);
  return out;
}
