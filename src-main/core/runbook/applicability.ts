// Whether a read step applies to this database at all. The built-in runbook is the shop's
// (inventory, orders, order_items, designs…); run on any other database, a step reading
// those tables would fail with 42P01 and make the whole run UNKNOWN. Instead the catalog
// is asked first, for exactly the tables the step's parse tree names (never a hand list of
// "shop steps"), and a step whose table is not there is not_applicable, naming the table.
// Asking first also keeps the failing statement out of the server log, which the overview
// reads as failed queries.
import type pg from 'pg';
import type { NameRef } from '../platform/guard/statements/effects';
import { isNode } from '../platform/guard/statements/effects';
import { pluralNoun } from '../platform/text/plural';

/** Names a WITH clause defines anywhere in the tree: a reference to one is not a table. */
export function cteNames(tree: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(tree)) {
    for (const item of tree) cteNames(item, found);
    return found;
  }
  if (!isNode(tree)) return found;
  for (const [key, child] of Object.entries(tree)) {
    if (key === 'CommonTableExpr' && isNode(child) && typeof child.ctename === 'string') found.add(child.ctename);
    if (typeof child === 'object' && child !== null) cteNames(child, found);
  }
  return found;
}

/**
 * The relations whose absence makes a step not applicable: every table or view the step
 * names, except WITH names and pg_* relations. A missing pg_* relation is the server's
 * (an extension's view such as pg_stat_statements): its absence is something to fix, and
 * the step stays UNKNOWN with the install hint rather than "not applicable".
 */
export function applicabilityRefs(relations: readonly NameRef[], tree: unknown): NameRef[] {
  const ctes = cteNames(tree);
  return relations.filter(
    (r) => !(r.schema === null && ctes.has(r.name)) && !r.name.startsWith('pg_') && r.schema !== 'pg_catalog' && r.schema !== 'information_schema',
  );
}

function display(ref: NameRef): string {
  return ref.schema === null ? ref.name : `${ref.schema}.${ref.name}`;
}

/**
 * The referenced relations this database does not have, as the step names them. to_regclass
 * answers NULL instead of failing (a missing schema included), resolves unqualified names
 * through the session's search_path as the step itself would, and reads no table.
 */
export async function missingRelations(client: pg.Client, refs: readonly NameRef[]): Promise<string[]> {
  if (refs.length === 0) return [];
  const { rows } = await client.query<{ i: number }>(
    `SELECT t.i FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(s, r, i)
     WHERE to_regclass(CASE WHEN t.s IS NULL THEN quote_ident(t.r) ELSE quote_ident(t.s) || '.' || quote_ident(t.r) END) IS NULL
     ORDER BY t.i`,
    [refs.map((r) => r.schema), refs.map((r) => r.name)],
  );
  return rows.map((row) => display(refs[Number(row.i) - 1]!));
}

/** The summary of a not-applicable step: which tables are missing. */
export function notApplicableSummary(missing: readonly string[]): string {
  const list = missing.map((m) => `"${m}"`).join(', ');
  return `Not applicable: this database has no ${pluralNoun(missing.length, 'table')} ${list} that this step reads`;
}
