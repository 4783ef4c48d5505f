// The roles a dump's grants, policies, default privileges and role memberships name, read
// from the dump itself by PostgreSQL's own parser (libpg-query): every RoleSpec of a GRANT /
// REVOKE (grantees, GRANTED BY), of GRANT role TO role (and the granted role), of CREATE /
// ALTER POLICY … TO, and of ALTER DEFAULT PRIVILEGES [FOR ROLE …] … TO. Statements are cut
// out of the script by psql's own lexing rules (psql-lexer.ts), so a semicolon inside a
// quote or a dollar quote never splits one. PUBLIC, CURRENT_USER/SESSION_USER and the
// built-in pg_* roles are left out: every server has them.
import { loadModule, parseSync } from 'libpg-query';
import { PsqlLexer } from './psql-lexer';

/** Statements worth parsing: the only ones that can name a role this way. */
const HEAD = /^(?:GRANT|REVOKE|CREATE\s+POLICY|ALTER\s+POLICY|ALTER\s+DEFAULT\s+PRIVILEGES)\b/i;
/** Enough of a statement's text to judge its head. */
const HEAD_CHARS = 64;
/** A GRANT or POLICY longer than this is not pg_dump's: it is skipped rather than buffered. */
const MAX_STATEMENT = 1024 * 1024;

let ready = false;
const loading: Promise<void> = loadModule().then(
  () => {
    ready = true;
  },
  () => undefined,
);

/** Resolves once the parser is loaded (it starts loading when this module is imported). */
export function loadRoleParser(): Promise<void> {
  return loading;
}

/** A role that every server has, or no role name at all. */
export function isBuiltinRole(name: string): boolean {
  return name === '' || name.toLowerCase() === 'public' || name.startsWith('pg_');
}

type Json = Record<string, unknown>;
function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every named role of one parse tree: RoleSpec nodes (CSTRING kind) and GRANT role's granted roles (AccessPriv). */
export function rolesInTree(tree: unknown): string[] {
  const out = new Set<string>();
  const visit = (node: unknown, grantRole: boolean): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, grantRole);
      return;
    }
    if (!isObject(node)) return;
    // A RoleSpec node's body, wrapped ({RoleSpec: …} in lists) or bare (GRANTED BY's grantor).
    if (node.roletype === 'ROLESPEC_CSTRING' && typeof node.rolename === 'string') out.add(node.rolename);
    const priv = isObject(node.AccessPriv) ? node.AccessPriv : null;
    if (grantRole && priv && typeof priv.priv_name === 'string') out.add(priv.priv_name);
    for (const [key, value] of Object.entries(node)) visit(value, grantRole || key === 'GrantRoleStmt');
  };
  visit(tree, false);
  return [...out].filter((r) => !isBuiltinRole(r));
}

/** The roles one statement names (GRANT/REVOKE/POLICY/DEFAULT PRIVILEGES); [] when it does not parse. */
export function rolesInStatement(sql: string): string[] {
  if (!ready) throw new Error('the SQL parser is not loaded yet (await loadRoleParser())');
  try {
    return rolesInTree(parseSync(sql));
  } catch {
    return [];
  }
}

/**
 * Cuts a script (fed line by line, COPY data excluded) into statements with psql's lexer and
 * keeps the roles named by those whose head is a GRANT, REVOKE, POLICY or DEFAULT PRIVILEGES.
 */
export class NamedRoleCollector {
  private readonly lexer = new PsqlLexer();
  private readonly roles = new Set<string>();
  /** Statements met before the parser finished loading (callers that scan files await it first). */
  private readonly pending: string[] = [];
  private buffer = '';
  private skipping = false;

  /** One line outside COPY data (the lexer must see every such line, in order). */
  line(text: string): void {
    const lexed = this.lexer.line(text);
    let from = 0;
    for (const end of lexed.ends) {
      this.append(text.slice(from, end + 1));
      this.finish();
      from = end + 1;
    }
    // psql takes the rest of a line after a meta-command as its arguments, not as SQL.
    this.append(`${text.slice(from, lexed.meta ?? text.length)}\n`);
  }

  /** The roles named so far; statements still waiting for the parser are read now if it has loaded. */
  result(): string[] {
    if (ready) for (const sql of this.pending.splice(0)) for (const r of rolesInStatement(sql)) this.roles.add(r);
    return [...this.roles].sort();
  }

  private append(part: string): void {
    if (this.skipping) return;
    if (this.buffer === '') {
      // Leading blanks and whole comment lines are not part of the statement's head.
      const t = part.trimStart();
      if (t === '' || t.startsWith('--')) return;
      part = t;
    }
    this.buffer += part;
    if (this.buffer.length >= HEAD_CHARS && !HEAD.test(this.buffer)) this.skip();
    else if (this.buffer.length > MAX_STATEMENT) this.skip();
  }

  private skip(): void {
    this.skipping = true;
    this.buffer = '';
  }

  private finish(): void {
    const sql = this.buffer;
    this.buffer = '';
    this.skipping = false;
    if (sql === '' || !HEAD.test(sql)) return;
    if (!ready) this.pending.push(sql);
    else for (const r of rolesInStatement(sql)) this.roles.add(r);
  }
}

/** The roles a whole script names (see NamedRoleCollector); the script in memory, so for small ones (pg_restore's ACL/POLICY output). */
export function namedRolesOfScript(script: string): string[] {
  const c = new NamedRoleCollector();
  for (const line of script.split('\n')) c.line(line.endsWith('\r') ? line.slice(0, -1) : line);
  return c.result();
}
