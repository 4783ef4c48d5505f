// Which relations decide whether a read step applies (core/runbook/applicability.ts): the
// tables and views its parse tree names, minus WITH names and the server's pg_* relations
// (a missing pg_stat_statements is something to install, not "not applicable"); and the
// platform schema list the reports and the unused-index step leave out of drop advice.
import { describe, expect, it } from 'vitest';
import { isPlatformSchema, notPlatformSchemaSql } from '../../src-main/contract/platform-schemas';
import { planScript } from '../../src-main/core/platform/guard/statements/classify';
import { applicabilityRefs, notApplicableSummary } from '../../src-main/core/runbook/applicability';

async function refsOf(sql: string) {
  const [plan] = await planScript(sql);
  return applicabilityRefs(plan!.refs.relations, plan!.tree);
}

describe('applicabilityRefs', () => {
  it('keeps the tables a statement reads, qualified as written', async () => {
    expect(await refsOf('SELECT o.id FROM orders o JOIN shop.order_items i ON i.order_id = o.id')).toEqual([
      { schema: null, name: 'orders' },
      { schema: 'shop', name: 'order_items' },
    ]);
  });

  it('leaves out WITH names, pg_* relations and the catalog schemas', async () => {
    const sql = `WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval '1 day')
      SELECT count(*) FROM recent, pg_stat_activity a, pg_catalog.pg_class c, information_schema.tables t`;
    expect(await refsOf(sql)).toEqual([{ schema: null, name: 'orders' }]);
  });

  it('finds tables in subqueries and quoted names', async () => {
    expect(await refsOf('SELECT * FROM inventory WHERE id IN (SELECT inventory_id FROM "Designs")')).toEqual([
      { schema: null, name: 'inventory' },
      { schema: null, name: 'Designs' },
    ]);
  });

  it('says which tables are missing', () => {
    expect(notApplicableSummary(['orders'])).toBe('Not applicable: this database has no table "orders" that this step reads');
    expect(notApplicableSummary(['orders', 'order_items'])).toBe('Not applicable: this database has no tables "orders", "order_items" that this step reads');
  });
});

describe('platform schemas', () => {
  it("names Supabase's schemas and those of the extensions it installs, not the user's", () => {
    for (const s of [
      'auth',
      'storage',
      'realtime',
      'extensions',
      'graphql',
      'graphql_public',
      'vault',
      'supabase_functions',
      'pgsodium',
      'net',
      'cron',
      '_timescaledb_internal',
    ])
      expect(isPlatformSchema(s), s).toBe(true);
    for (const s of ['public', 'shop', 'authx', 'my_storage']) expect(isPlatformSchema(s), s).toBe(false);
  });

  it('writes the same rule as SQL over fixed literals', () => {
    const sql = notPlatformSchemaSql('n.nspname');
    expect(sql).toContain("n.nspname <> ALL (ARRAY['auth', 'storage',");
    expect(sql).toContain("left(n.nspname, 12) <> 'timescaledb_'");
  });
});
