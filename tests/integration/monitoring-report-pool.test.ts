// The Performance screen's reports on warm connections (issue #21, report-pool.ts): a report's
// connection is kept after a clean COMMIT and serves the next report of the same profile,
// still in a READ ONLY transaction the server enforces; a failed report's connection is
// closed; a profile whose connection settings changed gets a new connection and the old one
// is closed. The catalog reports' statement timeout follows the catalog's size. And the table
// report's sizes are the ones PgHero's space queries compute (pg_table_size, pg_indexes_size,
// pg_total_relation_size) on a fixture with TOAST data, several indexes and an empty table.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile } from '../../src-main/contract/models';
import type { TableReport } from '../../src-main/contract/monitoring';
import type { Core } from '../../src-main/core/app';
import { catalogTimeoutMs, readCatalogReport, readReport, REPORT_TIMEOUT_MS } from '../../src-main/core/monitoring/report-read';
import { reportConnections } from '../../src-main/core/monitoring/report-pool';
import { AuditLog } from '../../src-main/core/platform/audit/audit-log';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { TunnelManager } from '../../src-main/core/platform/ssh/tunnel-manager';
import { openStore, type Store } from '../../src-main/core/platform/store/store';
import { waitFor } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';
import fs from 'node:fs';
import path from 'node:path';

const server = inject('pg');
let database: string;
let core: Core;
let home: string;
let profile: Profile;
const { ok } = callsOn(() => core);
let store: Store;
// The reports' own deps, for calling them with a statement of the test's choosing: an
// in-memory secret store and a tunnel manager (no profile here goes through SSH).
let deps: { secrets: MemorySecretStore; tunnels: TunnelManager };

/** The server's backends of this app on the test database (what a DBA sees in pg_stat_activity). */
function appBackends(): Promise<number[]> {
  return withClient(server, async (c) => {
    const rows = (await c.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ops-console'", [database])).rows;
    return rows.map((r) => r.pid).sort();
  });
}

beforeAll(async () => {
  database = await createTestDatabase(server, uniqueDatabaseName('report_pool'));
  await withClient(
    server,
    async (c) => {
      await c.query('CREATE TABLE docs (id bigserial PRIMARY KEY, title text, body text)');
      await c.query('CREATE INDEX docs_title ON docs (title)');
      await c.query('CREATE UNIQUE INDEX docs_title_id ON docs (title, id)');
      // Incompressible text past the TOAST threshold: the TOAST table and its index hold data.
      await c.query(
        "INSERT INTO docs (title, body) SELECT 't' || g, string_agg(md5(g::text || x::text), '') FROM generate_series(1, 40) g, generate_series(1, 200) x GROUP BY g",
      );
      await c.query('CREATE TABLE empty_one (v int)');
      await c.query('CREATE TABLE "Mixed Case" (id int PRIMARY KEY, v numeric)');
      await c.query('INSERT INTO "Mixed Case" SELECT g, g FROM generate_series(1, 5000) g');
      await c.query('VACUUM ANALYZE');
    },
    database,
  );
  ({ core, home } = newTestCore('ops-report-pool-'));
  store = openStore(path.join(home, 'direct.sqlite'));
  const secrets = new MemorySecretStore();
  deps = { secrets, tunnels: new TunnelManager({ secrets, audit: new AuditLog(store.db), actor: 'tester' }) };
  profile = await ok<Profile>('createProfile', {
    profile: { name: 'pool', host: server.host, port: server.port, database, user: server.user, sslmode: 'disable', env: 'development', readOnly: false },
    ...(server.password ? { password: server.password } : {}),
  });
}, 60_000);

afterAll(async () => {
  if (deps) await reportConnections(deps).closeAll();
  store?.close();
  await core?.close();
  if (database) await dropTestDatabase(server, database);
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

const backendPid = async (c: import('pg').Client) => Number((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
/** The backend a catalog report (the index and table reports' path) ran on. */
const pid = (p: Profile) => readCatalogReport(deps, p, server.password, 'the backend', backendPid);

describe('warm report connections', () => {
  it('serves the next report on the same backend, still in a READ ONLY transaction with the timeout, and closes a failed one', async () => {
    const first = await pid(profile);
    expect(await pid(profile)).toBe(first);
    // The profile allows writes; the report's transaction does not, on the warm backend too.
    const write = readCatalogReport(deps, profile, server.password, 'a write', async (c) => c.query('CREATE TABLE sneaky (v int)'));
    await expect(write).rejects.toThrow(/read-only transaction/);
    // That report failed: its backend (the warm one) was closed, not handed on.
    await waitFor("the failed report's backend to end", async () => !(await appBackends()).includes(first));
    const after = await pid(profile);
    expect(after).not.toBe(first);
    const settings = await readCatalogReport(deps, profile, server.password, 'settings', async (c) =>
      Promise.all(['transaction_read_only', 'statement_timeout'].map(async (s) => (await c.query<Record<string, string>>(`SHOW ${s}`)).rows[0]![s])),
    );
    expect(settings).toEqual(['on', `${REPORT_TIMEOUT_MS / 1000}s`]);
    // SET LOCAL ended with the last report: the session itself kept no read-only or timeout of ours.
    expect(await pid(profile)).toBe(after);
    expect(await withClient(server, async (c) => (await c.query('SELECT 1 FROM sneaky LIMIT 0').catch((e: Error) => e)) instanceof Error, database)).toBe(true);
  });

  it('keeps no connection of the cheap reports (top queries, the shop figures): each connects anew', async () => {
    const first = await readReport(deps, profile, server.password, 'the backend', backendPid);
    await waitFor("the cheap report's backend to end", async () => !(await appBackends()).includes(first));
    expect(await readReport(deps, profile, server.password, 'the backend', backendPid)).not.toBe(first);
  });

  it('opens a new connection when the profile changes and closes the old one; closeAll leaves none', async () => {
    const before = await pid(profile);
    const edited: Profile = { ...profile, statementTimeoutMs: 60_000 };
    const other = await pid(edited);
    expect(other).not.toBe(before);
    await waitFor('the old backend to end', async () => !(await appBackends()).includes(before));
    expect(await pid(edited)).toBe(other);
    await reportConnections(deps).closeAll();
    await waitFor('the idle backend to end', async () => !(await appBackends()).includes(other));
    expect(reportConnections(deps).idleCount(profile.id)).toBe(0);
  });

  it('keeps the dashboard connections through dispatch; an edited profile connects anew', async () => {
    await ok<TableReport>('getTableReport', { profileId: profile.id });
    const kept = await appBackends();
    expect(kept.length).toBeGreaterThan(0);
    await ok<TableReport>('getTableReport', { profileId: profile.id });
    expect(await appBackends()).toEqual(kept);
    // Edited through the app (a new statement timeout): the next report connects anew.
    const { name, host, port, user, sslmode, env, readOnly } = profile;
    await ok<Profile>('updateProfile', { id: profile.id, profile: { name, host, port, database, user, sslmode, env, readOnly, statementTimeoutMs: 30_000 } });
    await ok<TableReport>('getTableReport', { profileId: profile.id });
    await waitFor('the old backends to end', async () => (await appBackends()).every((p) => !kept.includes(p)));
  });
});

describe('catalog reports', () => {
  it('raise the statement timeout with the catalog size, from 5 s up to a cap, and say so in the transaction', async () => {
    expect(catalogTimeoutMs(0)).toBe(REPORT_TIMEOUT_MS);
    expect(catalogTimeoutMs(50_000)).toBe(REPORT_TIMEOUT_MS);
    expect(catalogTimeoutMs(130_000)).toBe(13_000);
    expect(catalogTimeoutMs(10_000_000)).toBe(60_000);
    const shown = await readCatalogReport(deps, profile, server.password, 'settings', async (c) => [
      (await c.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]!.statement_timeout,
      (await c.query<{ jit: string }>('SHOW jit')).rows[0]!.jit,
    ]);
    expect(shown).toEqual([`${REPORT_TIMEOUT_MS / 1000}s`, 'off']);
  });

  it("give each table's sizes as PgHero's space queries compute them (heap + TOAST = pg_table_size, indexes, total)", async () => {
    const report = await ok<TableReport>('getTableReport', { profileId: profile.id });
    const oracle = await withClient(
      server,
      async (c) =>
        (
          await c.query<{ table: string; table_size: string; indexes_size: string; total: string; toast: string }>(`
            SELECT c.relname AS "table", pg_table_size(c.oid) AS table_size, pg_indexes_size(c.oid) AS indexes_size,
                   pg_total_relation_size(c.oid) AS total, COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0) AS toast
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY pg_total_relation_size(c.oid) DESC, c.relname`)
        ).rows,
      database,
    );
    const mine = report.tables.filter((t) => t.schema === 'public');
    expect(mine.map((t) => t.table)).toEqual(oracle.map((o) => o.table));
    for (const o of oracle) {
      const t = mine.find((m) => m.table === o.table)!;
      expect([t.tableBytes + t.toastBytes, t.indexBytes, t.tableBytes + t.toastBytes + t.indexBytes, t.toastBytes]).toEqual([
        Number(o.table_size),
        Number(o.indexes_size),
        Number(o.total),
        Number(o.toast),
      ]);
    }
    expect(mine.find((t) => t.table === 'docs')!.toastBytes).toBeGreaterThan(0);
  });
});
