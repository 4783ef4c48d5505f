// Upgrade planning's checks (issue #23) against the run's real PostgreSQL, whatever its major:
// the version judged against the app's table, the extensions installed, and feature rules that
// fire because this database uses the feature — and stop firing when the use is removed. Then a
// Supabase-shaped cluster, where the checks point at the platform's upgrade path. Each check
// runs as the checklist engine runs it: inside BEGIN READ ONLY, through the core's registry.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checklistCommand } from '../../src-main/cli/commands/checklist';
import type { Profile } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import type { StepCheckResult } from '../../src-main/core/platform/kernel/step-checks';
import { callsOn, inProcessCli, newTestCore } from '../helpers/core';
import { clientConfig, createTestDatabase, dropTestDatabase, quoteIdent, uniqueDatabaseName } from '../helpers/pg';
import { createSupabaseCluster, type SupabaseCluster } from '../helpers/supabase';

const server = inject('pg');
let core: Core;
let home: string;
let db: string;
let major: number;

async function runCheck(name: string, config: pg.ClientConfig, host = '127.0.0.1'): Promise<StepCheckResult> {
  const check = core.deps.stepChecks.get(name);
  if (!check) throw new Error(`${name} is not registered`);
  const client = new pg.Client(config);
  await client.connect();
  try {
    await client.query('BEGIN READ ONLY');
    const result = await check({ client, profile: { host } as Profile, now: new Date() });
    await client.query('ROLLBACK');
    return result;
  } finally {
    await client.end();
  }
}

async function sql(text: string, database = db): Promise<void> {
  const client = new pg.Client(clientConfig(server, database));
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-upgrade-'));
  db = await createTestDatabase(server, uniqueDatabaseName('upgrade_checks'));
  const client = new pg.Client(clientConfig(server, db));
  await client.connect();
  major = Math.floor((await client.query<{ n: number }>("SELECT current_setting('server_version_num')::int AS n")).rows[0]!.n / 10000);
  await client.end();
  await sql('CREATE SCHEMA scratch');
});

afterAll(async () => {
  await core?.close();
  if (db) await dropTestDatabase(server, db);
});

describe('on the harness cluster', () => {
  it('registers the three checks on the core', () => {
    expect(core.deps.stepChecks.names()).toEqual(expect.arrayContaining(['upgrade.extensions', 'upgrade.features', 'upgrade.version']));
  });

  it('upgrade.version judges this server and outlines the upgrade choices', async () => {
    const r = await runCheck('upgrade.version', clientConfig(server, db));
    expect(['ok', 'warning', 'critical']).toContain(r.status);
    const version = r.rows.find((x) => x[0] === 'Server version');
    expect(String(version?.[1])).toMatch(new RegExp(`^${major}\\.`));
    expect(r.rows.find((x) => x[0] === `Latest minor of ${major}`)).toBeDefined();
    expect(r.rows.filter((x) => x[0] === 'Upgrade path').map((x) => x[1])).toEqual(['pg_upgrade', 'dump and restore', 'logical replication']);
    expect(r.summary).not.toContain('Supabase');
  });

  it('upgrade.extensions lists what is installed, contrib as available', async () => {
    await sql('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA scratch');
    const r = await runCheck('upgrade.extensions', clientConfig(server, db));
    expect(r.status).toBe('ok');
    const trgm = r.rows.find((x) => x[0] === 'pg_trgm');
    expect(trgm?.[2]).toBe('scratch');
    expect(trgm?.[3]).toBe('yes (ships with PostgreSQL)');
    expect(r.rows.find((x) => x[0] === 'plpgsql')).toBeDefined();
    await sql('DROP EXTENSION pg_trgm');
  });

  it('upgrade.features: a rule fires because this database uses the feature, and not once the use is gone', async () => {
    // A use each harness major can have: a monitoring function reading pg_stat_bgwriter's
    // buffers_backend (gone in 17), or an unlogged partitioned table (disallowed in 18); on 18,
    // standard_conforming_strings off (forced on in 19).
    const before = await runCheck('upgrade.features', clientConfig(server, db));
    if (major < 17) {
      await sql(
        `CREATE FUNCTION scratch.backend_writes() RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN (SELECT buffers_backend FROM pg_stat_bgwriter); END $$`,
      );
    }
    if (major < 18) await sql('CREATE UNLOGGED TABLE scratch.events (id int, at date) PARTITION BY RANGE (at)');
    else await sql(`ALTER DATABASE ${quoteIdent(db)} SET standard_conforming_strings = off`);

    const r = await runCheck('upgrade.features', clientConfig(server, db));
    expect(r.status).toBe('warning');
    const found = r.rows.map((x) => String(x[2]));
    if (major < 17) expect(found).toContain('function scratch.backend_writes()');
    if (major < 18) {
      const row = r.rows.find((x) => x[2] === 'table scratch.events');
      expect(row?.[0]).toBe(18);
      expect(String(row?.[3])).toContain('SET LOGGED');
    } else {
      expect(found).toContain('standard_conforming_strings = off (database)');
    }
    expect(Number(r.value)).toBeGreaterThan(Number(before.value ?? 0) - 1);

    await sql('DROP FUNCTION IF EXISTS scratch.backend_writes()');
    await sql('DROP TABLE IF EXISTS scratch.events');
    await sql(`ALTER DATABASE ${quoteIdent(db)} RESET standard_conforming_strings`);
    const after = await runCheck('upgrade.features', clientConfig(server, db));
    const left = after.rows.map((x) => String(x[2]));
    expect(left).not.toContain('table scratch.events');
    expect(left).not.toContain('function scratch.backend_writes()');
    expect(left.some((x) => x.startsWith('standard_conforming_strings'))).toBe(false);
    expect(after.value).toBe(before.value);
  });
});

describe('as a role that is not a superuser, on names that need quoting', () => {
  const role = `upgrade_reader_${process.pid}`;
  afterAll(async () => {
    await sql(`DROP OWNED BY ${quoteIdent(role)}`).catch(() => undefined);
    await sql(`DROP ROLE IF EXISTS ${quoteIdent(role)}`, server.database);
  });

  it('names objects quoted as SQL wants them, and a rule the role cannot read is "not checked" instead of failing the step', async () => {
    await sql(`CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD 'upgrade-reader-pw'`, server.database);
    await sql('CREATE SCHEMA "we""ird ops"');
    if (major < 18) await sql('CREATE UNLOGGED TABLE "we""ird ops"."Évents ""x""" (id int) PARTITION BY LIST (id)');
    const r = await runCheck('upgrade.features', { ...clientConfig(server, db), user: role, password: 'upgrade-reader-pw' });
    expect(['ok', 'warning']).toContain(r.status);
    if (major < 18) {
      expect(r.rows.map((x) => x[2])).toContain('table "we""ird ops"."Évents ""x"""');
      // pg_authid is the superuser's: the MD5-passwords rule is reported as not checked.
      const md5 = r.rows.find((x) => String(x[1]).startsWith('MD5 password authentication') && String(x[2]).startsWith('not checked'));
      expect(md5?.[2]).toContain('cannot read');
      expect(r.summary).toContain('not checked');
    }
    await sql('DROP SCHEMA "we""ird ops" CASCADE');
  });
});

describe('from the CLI', () => {
  it('checklist run maintenance.quarterly runs the three upgrade checks like any other step', async () => {
    const { ok } = callsOn(() => core);
    await ok<Profile>('createProfile', {
      profile: {
        name: 'upgrade',
        host: server.host,
        port: server.port,
        user: server.user,
        database: db,
        sslmode: 'disable',
        env: 'development',
        readOnly: true,
      },
      password: server.password,
    });
    const { ctx, out } = inProcessCli(
      () => core,
      () => home,
    );
    const code = await checklistCommand(ctx, ['run', 'maintenance.quarterly', '--profile', 'upgrade']);
    const doc = JSON.parse(out.join('')) as { checklist: string; status: string; steps: Array<{ id: string; status: string; summary: string }> };
    const steps = new Map(doc.steps.map((s) => [s.id, s]));
    const checks = doc.steps.filter((s) => /^maintenance\.quarterly\.upgrade/.test(s.id));
    expect(checks.length).toBe(3);
    for (const s of checks) {
      expect(['ok', 'warning', 'critical']).toContain(s.status);
      expect(s.summary.length).toBeGreaterThan(10);
    }
    expect(checks.some((s) => s.summary.includes(`PostgreSQL ${major}.`))).toBe(true);
    expect([0, 1, 2]).toContain(code);
    expect(steps.size).toBe(doc.steps.length);
  });
});

describe('on a Supabase-shaped cluster', () => {
  let supa: SupabaseCluster;
  let config: pg.ClientConfig;
  beforeAll(async () => {
    supa = await createSupabaseCluster('platform');
    config = { host: supa.host, port: supa.port, user: supa.user, password: supa.password, database: supa.database, ssl: false };
  }, 120_000);
  afterAll(async () => {
    await supa?.destroy();
  });

  it('recognises Supabase from the catalog and points at the platform upgrade, not pg_upgrade steps', async () => {
    const v = await runCheck('upgrade.version', config);
    expect(v.summary).toContain('Dashboard → Project Settings → Infrastructure');
    const path = v.rows.filter((x) => x[0] === 'Upgrade path');
    expect(path).toHaveLength(1);
    expect(String(path[0]![2])).toContain('Do not run pg_upgrade yourself');

    const e = await runCheck('upgrade.extensions', config);
    expect(e.rows.find((x) => x[0] === 'pgcrypto')?.[3]).toBe('yes (managed by Supabase)');
    expect(e.summary).toContain('managed by Supabase');

    const f = await runCheck('upgrade.features', config);
    expect(f.rows.some((x) => String(x[2]).startsWith('data_checksums'))).toBe(false);
    // The platform's roles (supabase_auth_admin has CREATEROLE) are the platform's to upgrade.
    expect(f.rows.some((x) => String(x[2]).startsWith('role supabase_'))).toBe(false);
    expect(f.summary).toContain('left to Supabase');
  });
});
