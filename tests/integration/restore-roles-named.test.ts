// Issue #15: a foreign dump (made with pg_dump directly, no manifest of ours) whose grants,
// policies and default privileges name roles the target lacks. Inspect lists those roles
// (read by PostgreSQL's parser from the archive's ACL/POLICY/DEFAULT ACL entries, or from
// the plain script's statements), the plan warns about each with the exact fix before
// anything runs, and a restore that fails on one says which role and how to fix it.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { BackupContents, RestorePlan } from '../../src-main/contract/restore';
import type { Core } from '../../src-main/core/app';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, pgUrl, quoteIdent, uniqueDatabaseName, withClient } from '../helpers/pg';
import { restoreAndWait } from '../helpers/restore';

const pg = inject('pg');
const suffix = crypto.randomBytes(3).toString('hex');
/** Two roles the dump names and the target lacks; one needs quoting. */
const AUTH = `rn_authenticated_${suffix}`;
const ANON = `Rn Anon ${suffix}`;
let core: Core;
let home: string;
let dir: string;
let admin: Profile;
let customFile: string;
let plainFile: string;
const created: string[] = [];
const calls = callsOn(() => core);

function pgDump(format: 'c' | 'p', file: string, database: string): void {
  const r = spawnSync(path.join(pg.binDir, 'pg_dump'), [`-F${format}`, '-f', file, pgUrl(pg, database)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pg_dump failed: ${r.stderr}`);
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-restore-roles-'));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-restore-roles-files-'));
  const source = await createTestDatabase(pg, uniqueDatabaseName('roles_source'));
  await withClient(pg, async (c) => {
    await c.query(`CREATE ROLE ${quoteIdent(AUTH)} NOLOGIN`);
    await c.query(`CREATE ROLE ${quoteIdent(ANON)} NOLOGIN`);
  });
  await withClient(
    pg,
    async (c) => {
      await c.query('CREATE TABLE items (id int PRIMARY KEY, owner_name text)');
      await c.query(`INSERT INTO items VALUES (1, 'a'), (2, 'b')`);
      await c.query(`GRANT SELECT, INSERT ON items TO ${quoteIdent(AUTH)}`);
      await c.query('GRANT SELECT ON items TO PUBLIC');
      await c.query('GRANT SELECT ON items TO pg_monitor');
      await c.query('ALTER TABLE items ENABLE ROW LEVEL SECURITY');
      await c.query(
        `CREATE POLICY items_read ON items FOR SELECT TO ${quoteIdent(ANON)}, ${quoteIdent(AUTH)} USING (owner_name <> 'x; GRANT ALL ON items TO nobody_here')`,
      );
      await c.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${quoteIdent(ANON)}`);
      await c.query(`CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT 'GRANT SELECT ON items TO not_a_role;' $$`);
    },
    source,
  );
  customFile = path.join(dir, 'foreign.dump');
  plainFile = path.join(dir, 'foreign.sql');
  pgDump('c', customFile, source);
  pgDump('p', plainFile, source);
  // The roles go: the target (same cluster) lacks them from now on.
  await dropTestDatabase(pg, source);
  await withClient(pg, async (c) => {
    await c.query(`DROP ROLE ${quoteIdent(AUTH)}`);
    await c.query(`DROP ROLE ${quoteIdent(ANON)}`);
  });
  const input: Partial<ProfileInput> = {
    name: 'admin',
    host: pg.host,
    port: pg.port,
    database: pg.database,
    user: pg.user,
    sslmode: 'disable',
    env: 'development',
    readOnly: false,
  };
  admin = await calls.ok<Profile>('createProfile', { profile: input, password: pg.password });
}, 120_000);

afterAll(async () => {
  await core?.close();
  for (const db of created) await dropTestDatabase(pg, db).catch(() => undefined);
  await withClient(pg, async (c) => {
    await c.query(`DROP ROLE IF EXISTS ${quoteIdent(AUTH)}`);
    await c.query(`DROP ROLE IF EXISTS ${quoteIdent(ANON)}`);
  }).catch(() => undefined);
  if (home) fs.rmSync(home, { recursive: true, force: true });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['custom', () => customFile, 'pg_restore'],
  ['plain', () => plainFile, 'psql'],
] as const)('a foreign %s dump whose grants and policies name roles the target lacks', (format, file, tool) => {
  it('inspect lists the roles its grants, policies and default privileges name (not PUBLIC, not pg_*)', async () => {
    const contents = await calls.ok<BackupContents>('inspectBackup', { source: file() });
    expect(contents.format).toBe(format);
    expect(contents.manifest).toBeNull();
    // The ACL entries name the owner too (pg_dump writes its grants): a role the target has.
    expect(contents.namedRoles.filter((r) => r !== pg.user)).toEqual([ANON, AUTH].sort());
    expect(contents.namedRoles.some((r) => r.toLowerCase() === 'public' || r.startsWith('pg_') || r === 'nobody_here' || r === 'not_a_role')).toBe(false);
    expect(contents.roles).toContain(pg.user);
  });

  it('the plan warns about each missing role with the exact fix, before anything runs', async () => {
    const database = uniqueDatabaseName(`roles_plan_${format}`);
    const plan = await calls.ok<RestorePlan>('planRestore', { source: file(), target: { kind: 'new-database', profileId: admin.id, database } });
    for (const role of [AUTH, ANON]) {
      const warning = plan.warnings.find((w) => w.includes(`CREATE ROLE ${quoteIdent(role)} NOLOGIN;`));
      expect(warning, plan.warnings.join('\n')).toBeDefined();
      expect(warning).toContain(`Role ${quoteIdent(role)} does not exist on admin's server`);
      expect(warning).toContain('grants, policies or default privileges name it');
    }
    expect(plan.warnings.filter((w) => w.includes('CREATE ROLE'))).toHaveLength(2);
    expect(await withClient(pg, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount)).toBe(0);
  });

  it('a restore that fails on a missing role says which role and how to fix it', async () => {
    const database = uniqueDatabaseName(`roles_run_${format}`);
    created.push(database);
    const { record, done } = await restoreAndWait(core, calls, { source: file(), target: { kind: 'new-database', profileId: admin.id, database } });
    expect(done.ok).toBe(false);
    expect(record.status).toBe('failed');
    const error = record.error ?? '';
    expect(error).toMatch(new RegExp(`^${tool} failed`));
    expect(error).toMatch(/role "(?:rn_authenticated_|Rn Anon )[0-9a-f]{6}" does not exist/);
    expect(error).toContain("which the dump's grants, policies or owners name");
    expect(error).toMatch(/CREATE ROLE "(?:rn_authenticated_|Rn Anon )[0-9a-f]{6}" NOLOGIN;/);
    expect(error).toContain(tool === 'pg_restore' ? '--no-owner/--no-privileges' : '--no-owner --no-privileges');
  });
});
