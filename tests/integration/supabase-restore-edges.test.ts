// Issue 15 §3 and §5 (restore validation of sequences), the edges: a `--supabase` restore
// with clean into a project that holds an older app (the platform's event triggers and
// publication survive), one whose auth.users already has rows (refused even with clean),
// inspect naming the roles grants and policies need, and a sequence fed only through a
// column default (no OWNED BY) found behind its column after a restore.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { Profile } from '../../src-main/contract/models';
import type { BackupContents, RestorePlan } from '../../src-main/contract/restore';
import type { Core } from '../../src-main/core/app';
import { validateRestore } from '../../src-main/core/restore/validate';
import { callsOn, newTestCore } from '../helpers/core';
import { backupAndWait, restoreAndWait } from '../helpers/restore';
import { createSupabaseCluster, type SupabaseCluster } from '../helpers/supabase';
import { runDrill } from '../helpers/supabase-drill';

let core: Core;
let home: string;
let outDir: string;
let backup: BackupEntry;
const clusters: SupabaseCluster[] = [];
const calls = callsOn(() => core);

async function cluster(shape: 'project' | 'platform' | 'none'): Promise<SupabaseCluster> {
  const c = await createSupabaseCluster(shape);
  clusters.push(c);
  return c;
}

async function profileFor(name: string, c: SupabaseCluster): Promise<Profile> {
  return calls.ok<Profile>('createProfile', {
    profile: { name, host: c.host, port: c.port, database: 'postgres', user: c.user, sslmode: 'disable', env: 'development', readOnly: false },
    password: c.password,
  });
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-sb-edges-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sb-edges-out-'));
  const source = await cluster('project');
  backup = await backupAndWait(core, calls, { profileId: (await profileFor('sb-edges-source', source)).id, outDir, supabase: true });
}, 180_000);

afterAll(async () => {
  await core?.close();
  for (const c of clusters) await c.destroy();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('clean into a project holding an older app', () => {
  it('is refused without clean naming the table; with clean it replaces the app and leaves the platform objects alone', async () => {
    const target = await cluster('platform');
    await target.sql('CREATE TABLE public.profiles (id uuid PRIMARY KEY, nickname text)');
    const profile = await profileFor('sb-older-app', target);
    const refused = await calls.ok<RestorePlan>('planRestore', { source: backup.id, target: { kind: 'profile', profileId: profile.id } });
    expect(refused.blocked).toMatch(/public\.profiles/);
    const { record } = await restoreAndWait(core, calls, { source: backup.id, target: { kind: 'profile', profileId: profile.id }, clean: true });
    expect(record.error).toBeNull();
    expect(record.validation?.ok).toBe(true);
    const left = await target.sql<{ evt: string; pub: string; cols: string }>(`SELECT
      (SELECT count(*) FROM pg_event_trigger WHERE evtowner = 'supabase_admin'::regrole)::text AS evt,
      (SELECT count(*) FROM pg_publication WHERE pubname = 'supabase_realtime')::text AS pub,
      (SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'public.profiles'::regclass AND attnum > 0 AND NOT attisdropped) AS cols`);
    expect(left.rows[0]).toEqual({ evt: '4', pub: '1', cols: 'id,updated_at,username,full_name,avatar_url,website' });
  }, 120_000);

  it('a project whose auth.users already has rows is refused, even with clean', async () => {
    const target = await cluster('platform');
    await target.sql(`INSERT INTO auth.users (id, email) VALUES ('44444444-4444-4444-8444-444444444444', 'someone@example.com')`);
    const profile = await profileFor('sb-occupied', target);
    const plan = await calls.ok<RestorePlan>('planRestore', { source: backup.id, target: { kind: 'profile', profileId: profile.id }, clean: true });
    expect(plan.blocked).toMatch(/auth\.users/);
    expect(plan.conflicts).toContainEqual({ type: 'TABLE DATA', schema: 'auth', name: 'users' });
  }, 120_000);
});

describe('as a project administrator that is no superuser (as postgres is on Supabase)', () => {
  it('restores without touching what only the platform may (event triggers, admin default privileges, replica mode)', async () => {
    const target = await cluster('platform');
    await target.sql(`CREATE ROLE project_admin LOGIN PASSWORD 'admin-pw' CREATEROLE;
      GRANT supabase_auth_admin, supabase_storage_admin, anon, authenticated, service_role TO project_admin;
      GRANT CREATE ON DATABASE postgres TO project_admin;
      GRANT ALL ON SCHEMA public, extensions TO project_admin;
      ALTER PUBLICATION supabase_realtime OWNER TO project_admin;`);
    const profile = await calls.ok<Profile>('createProfile', {
      profile: {
        name: 'sb-nonsuper',
        host: target.host,
        port: target.port,
        database: 'postgres',
        user: 'project_admin',
        sslmode: 'disable',
        env: 'development',
        readOnly: false,
      },
      password: 'admin-pw',
    });
    const plan = await calls.ok<RestorePlan>('planRestore', { source: backup.id, target: { kind: 'profile', profileId: profile.id } });
    expect(plan.blocked).toBeNull();
    expect(plan.supabase?.replicaRole).toBe(false);
    expect(plan.warnings.join('\n')).toMatch(/may not set session_replication_role/);
    const { record } = await restoreAndWait(core, calls, { source: backup.id, target: { kind: 'profile', profileId: profile.id } });
    expect(record.error).toBeNull();
    expect(record.validation?.ok).toBe(true);
    const users = await target.sql<{ n: string; evt: string }>(`SELECT (SELECT count(*) FROM auth.users)::text AS n,
      (SELECT count(*) FROM pg_event_trigger WHERE evtowner = 'supabase_admin'::regrole)::text AS evt`);
    expect(users.rows[0]).toEqual({ n: '3', evt: '4' });
  }, 120_000);
});

describe('a directory-format Supabase backup with parallel jobs', () => {
  it('drills offline in one transaction (no parallel restore) and validates', async () => {
    const source = clusters[0]!;
    const profile = (await calls.ok<Profile[]>('listProfiles', {})).find((p) => p.name === 'sb-edges-source')!;
    expect(profile.port).toBe(source.port);
    const dir = await backupAndWait(core, calls, { profileId: profile.id, outDir, supabase: true, format: 'directory', jobs: 2 });
    const { record } = await runDrill(core, calls, { source: dir.id, jobs: 2 });
    expect(record.error).toBeNull();
    expect(record.validation?.ok).toBe(true);
  }, 180_000);
});

describe('inspect', () => {
  it('lists the roles the grants and policies name, not only the owners', async () => {
    const contents = await calls.ok<BackupContents>('inspectBackup', { source: backup.id });
    expect(contents.roles).toEqual(expect.arrayContaining(['anon', 'authenticated', 'service_role']));
  });
});

describe('restore validation of sequences', () => {
  it('checks a sequence fed through a nextval() default that no column owns', async () => {
    const target = await cluster('platform');
    const profile = await profileFor('sb-seq', target);
    const { record } = await restoreAndWait(core, calls, { source: backup.id, target: { kind: 'new-database', profileId: profile.id, database: 'seqcheck' } });
    expect(record.validation?.ok).toBe(true);
    // todos (identity), audit_notes (serial), ticket_no_seq (a default only), auth.refresh_tokens (bigserial).
    expect(record.validation?.checks.find((c) => c.name === 'sequences')?.detail).toMatch(/^4 sequence/);
    await target.sql(`SELECT setval('public.ticket_no_seq', 1)`, 'seqcheck');
    const contents = await calls.ok<BackupContents>('inspectBackup', { source: backup.id });
    const client = new pg.Client({ host: target.host, port: target.port, user: target.user, password: target.password, database: 'seqcheck', ssl: false });
    await client.connect();
    try {
      const report = await validateRestore(client, contents);
      const seq = report.checks.find((c) => c.name === 'sequences')!;
      expect(seq.ok).toBe(false);
      expect(seq.detail).toMatch(/public\.ticket_no_seq would hand out 2 but public\.todos\.ticket already reaches 1011/);
    } finally {
      await client.end();
    }
  }, 120_000);
});
