// A database set up the way the sandbox sets up its own (src-main/core/sandbox/sandbox.ts):
// owned by an unprivileged login role holding the monitoring roles, pg_stat_statements
// available, and the Timothie & Co demo data seeded as that role.
import type pg from 'pg';
import { seedDemoData } from '../../src-main/core/sandbox/seed';
import { createTestDatabase, dropTestDatabase, quoteIdent, uniqueDatabaseName, withClient, type TestPg } from './pg';

export interface ShopDatabase {
  database: string;
  role: string;
  password: string;
  /** Drops the database, then the role. */
  dispose(): Promise<void>;
}

/** `asRole` runs after the seed, still as the owner role (probe tables, functions…). */
export async function createShopDatabase(server: TestPg, prefix: string, asRole?: (c: pg.Client) => Promise<void>): Promise<ShopDatabase> {
  const database = await createTestDatabase(server, uniqueDatabaseName(prefix));
  const role = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  await withClient(server, async (c) => {
    await c.query(`CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD '${password}'`);
    await c.query(`GRANT pg_monitor, pg_signal_backend, pg_read_all_stats TO ${quoteIdent(role)}`);
    await c.query(`ALTER DATABASE ${quoteIdent(database)} OWNER TO ${quoteIdent(role)}`);
  });
  await withClient(
    server,
    async (c) => {
      await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await c.query(`DO $$ DECLARE f regprocedure; BEGIN
        FOR f IN SELECT oid::regprocedure FROM pg_proc WHERE proname = 'pg_stat_statements_reset' LOOP
          EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f, '${role}');
        END LOOP; END $$`);
      await c.query(`SET ROLE ${quoteIdent(role)}`);
      await seedDemoData(c);
      await asRole?.(c);
    },
    database,
  );
  return {
    database,
    role,
    password,
    async dispose() {
      await dropTestDatabase(server, database);
      await withClient(server, (c) => c.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`));
    },
  };
}
