// What a PL/pgSQL function body calls, from libpg-query's PL/pgSQL parse tree. A function
// declared STABLE may still call pg_terminate_backend (PostgreSQL does not check), so the
// guard reads the body: every embedded statement and expression is parsed like the user's
// SQL; EXECUTE of a string literal is parsed too; EXECUTE of anything built at run time
// (format(), concatenation, a variable) cannot be read, and is reported as such.
import { parsePlPgSQLSync, parseSync } from 'libpg-query';
import { collectRefs, isNode, type EffectRefs } from './effects';

/** PL/pgSQL statements whose query text is only known at run time. */
const DYNAMIC_STATEMENTS = new Set(['PLpgSQL_stmt_dynexecute', 'PLpgSQL_stmt_dynfors']);

export interface PlpgsqlReading {
  refs: EffectRefs;
  /** EXECUTE of SQL built at run time: what it runs cannot be known before it runs. */
  dynamic: boolean;
  /** An embedded statement or expression the parser could not read. */
  unreadable: boolean;
}

/**
 * parseMode 0 is a whole statement; 3–5 are assignments (`v := expr`, `v[1] := expr`), read
 * as their right-hand side; the other modes are expressions (`n > 2`, `lo_create(0)`).
 */
function asStatement(query: string, parseMode: unknown): string {
  if (parseMode === 0 || parseMode === undefined) return query;
  if (parseMode === 3 || parseMode === 4 || parseMode === 5) {
    const assign = /^[^:=]*?(:=|=)/.exec(query);
    return `SELECT ${assign ? query.slice(assign[0].length) : query}`;
  }
  return `SELECT ${query}`;
}

/** The literal text of an expression that is a single string constant, or null. */
function literalText(expression: string): string | null {
  try {
    const tree = parseSync(`SELECT ${expression}`) as { stmts?: Array<{ stmt?: Record<string, unknown> }> };
    const select = tree.stmts?.[0]?.stmt?.SelectStmt as { targetList?: unknown[] } | undefined;
    const target = select?.targetList?.length === 1 ? (select.targetList[0] as { ResTarget?: { val?: { A_Const?: { sval?: { sval?: string } } } } }) : null;
    const text = target?.ResTarget?.val?.A_Const?.sval?.sval;
    return typeof text === 'string' ? text : null;
  } catch {
    return null;
  }
}

type Expression = { query: string; mode: unknown; dynamic: boolean };

/**
 * Every PLpgSQL_expr under `value`. An expression is dynamic when it is the `query` of
 * EXECUTE / FOR … IN EXECUTE, or the `dynquery` of RETURN QUERY EXECUTE / OPEN … FOR EXECUTE;
 * their USING parameters and loop bodies are ordinary code.
 */
function collectExpressions(value: unknown, out: Expression[], owner = '', dynamic = false): void {
  if (Array.isArray(value)) {
    for (const item of value) collectExpressions(item, out, owner, dynamic);
    return;
  }
  if (!isNode(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'PLpgSQL_expr' && isNode(child) && typeof child.query === 'string') {
      out.push({ query: child.query, mode: child.parseMode, dynamic });
      continue;
    }
    if (typeof child !== 'object' || child === null) continue;
    if (key.startsWith('PLpgSQL_')) collectExpressions(child, out, key, false);
    else collectExpressions(child, out, owner, (DYNAMIC_STATEMENTS.has(owner) && key === 'query') || key === 'dynquery');
  }
}

/** Reads a CREATE FUNCTION … LANGUAGE plpgsql text (pg_get_functiondef); null when it does not parse. */
export function readPlpgsql(definition: string): PlpgsqlReading | null {
  let tree: unknown;
  try {
    tree = parsePlPgSQLSync(definition);
  } catch {
    return null;
  }
  const expressions: Expression[] = [];
  collectExpressions(tree, expressions);
  const refs: EffectRefs = { functions: [], operators: [], relations: [], types: [] };
  let dynamic = false;
  let unreadable = false;
  for (const e of expressions) {
    let sql = asStatement(e.query, e.mode);
    if (e.dynamic) {
      // EXECUTE 'SELECT …' runs a text known now: read it; anything else is unknowable.
      const text = literalText(e.query);
      if (text === null) {
        dynamic = true;
        collectRefs(safeParse(sql), refs);
        continue;
      }
      sql = text;
    }
    const parsed = safeParse(sql);
    if (parsed === null) unreadable = true;
    else collectRefs(parsed, refs);
  }
  return { refs, dynamic, unreadable };
}

function safeParse(sql: string): unknown {
  try {
    return parseSync(sql);
  } catch {
    return null;
  }
}
