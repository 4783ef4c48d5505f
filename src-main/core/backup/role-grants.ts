// The roles one GRANT line of a plain script names: its grantees, and the grantor of a
// GRANTED BY clause. pg_dumpall --roles-only writes role memberships as
//   GRANT "pg_monitor" TO "ops" WITH INHERIT TRUE GRANTED BY "postgres";   (PostgreSQL 16+)
//   GRANT pg_monitor TO ops GRANTED BY postgres;                            (before 16)
// and pg_dump writes privileges as GRANT SELECT ON TABLE public.t TO anon, authenticated;
// Both the grantees and the grantor must exist where the script is replayed (a missing
// grantor fails the statement too). Read token by token (quoted identifiers with "" inside,
// string literals, parentheses of function signatures), never by a pattern over the line:
// "GRANTED BY postgres" is not part of a role's name.

export interface GrantRoles {
  grantees: string[];
  grantor: string | null;
}

type Token = { kind: 'ident' | 'quoted' | 'string' | 'punct'; text: string };

function tokens(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '"' || ch === "'") {
      // A quoted identifier or a string literal; a doubled quote is one quote inside.
      let text = '';
      let j = i + 1;
      for (; j < line.length; j += 1) {
        if (line[j] === ch) {
          if (line[j + 1] === ch) {
            text += ch;
            j += 1;
          } else break;
        } else text += line[j];
      }
      out.push({ kind: ch === '"' ? 'quoted' : 'string', text });
      i = j + 1;
    } else if (/[A-Za-z0-9_$\u0080-\uffff]/.test(ch)) {
      let j = i;
      while (j < line.length && /[A-Za-z0-9_$.\u0080-\uffff]/.test(line[j]!)) j += 1;
      out.push({ kind: 'ident', text: line.slice(i, j) });
      i = j;
    } else {
      out.push({ kind: 'punct', text: ch });
      i += 1;
    }
  }
  return out;
}

function isWord(t: Token | undefined, word: string): boolean {
  return t?.kind === 'ident' && t.text.toUpperCase() === word;
}

/** A role specification: a quoted name as written, an unquoted one folded to lower case. */
function roleName(t: Token | undefined): string | null {
  if (t?.kind === 'quoted') return t.text;
  if (t?.kind !== 'ident') return null;
  const upper = t.text.toUpperCase();
  // Not roles of the script: everyone, and whoever runs it.
  if (upper === 'PUBLIC' || upper === 'CURRENT_USER' || upper === 'SESSION_USER' || upper === 'CURRENT_ROLE') return null;
  return t.text.toLowerCase();
}

/** The roles a GRANT line names; null when the line is not a complete GRANT statement. */
export function grantLineRoles(line: string): GrantRoles | null {
  const ts = tokens(line);
  if (!isWord(ts[0], 'GRANT') || ts[ts.length - 1]?.text !== ';') return null;
  // The TO that ends the privileges and the object: outside parentheses (a function's
  // argument list) and not quoted (a quoted "to" is a name).
  let depth = 0;
  let to = -1;
  for (let i = 1; i < ts.length; i += 1) {
    const t = ts[i]!;
    if (t.kind === 'punct' && t.text === '(') depth += 1;
    else if (t.kind === 'punct' && t.text === ')') depth -= 1;
    else if (depth === 0 && isWord(t, 'TO')) {
      to = i;
      break;
    }
  }
  if (to < 0) return null;
  const grantees: string[] = [];
  let i = to + 1;
  for (; i < ts.length; i += 1) {
    const t = ts[i]!;
    if (t.kind === 'punct') {
      if (t.text === ',') continue;
      break;
    }
    if (t.kind === 'ident' && (isWord(t, 'WITH') || isWord(t, 'GRANTED'))) break;
    // The old GROUP keyword before a grantee (GRANT … TO GROUP staff).
    if (isWord(t, 'GROUP') && (ts[i + 1]?.kind === 'ident' || ts[i + 1]?.kind === 'quoted')) continue;
    const name = roleName(t);
    if (name !== null && !grantees.includes(name)) grantees.push(name);
  }
  // WITH … options (ADMIN OPTION, INHERIT TRUE, GRANT OPTION) come before GRANTED BY.
  let grantor: string | null = null;
  for (; i < ts.length - 1; i += 1) {
    if (isWord(ts[i], 'GRANTED') && isWord(ts[i + 1], 'BY')) {
      grantor = roleName(ts[i + 2]);
      break;
    }
  }
  return { grantees, grantor };
}
