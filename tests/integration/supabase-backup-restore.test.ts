// Issue 15 §2–4: a `--supabase` backup of a Supabase-shaped project (tests/fixtures/supabase)
// restored into a fresh Supabase-shaped project, into a plain new database, refused with the
// exact fix where roles are missing, atomic when it fails, and drilled offline.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { Profile } from '../../src-main/contract/models';
import type { RestorePlan } from '../../src-main/contract/restore';
import type { Core } from '../../src-main/core/app';
import { callsOn, newTestCore } from '../helpers/core';
import { backupAndWait, restoreAndWait } from '../helpers/restore';
import { createSupabaseCluster, type SupabaseCluster } from '../helpers/supabase';
import { runDrill } from '../helpers/supabase-drill';

let core: Core;
let home: string;
let outDir: string;
let source: SupabaseCluster;
let backup: BackupEntry;
const clusters: SupabaseCluster[] = [];
const calls = callsOn(() => core);

async function profileFor(name: string, c: SupabaseCluster, database = 'postgres'): Promise<Profile> {
  return calls.ok<Profile>('createProfile', {
    profile: { name, host: c.host, port: c.port, database, user: c.user, sslmode: 'disable', env: 'development', readOnly: false },
    password: c.password,
  });
}

async function cluster(shape: 'project' | 'platform' | 'none'): Promise<SupabaseCluster> {
  const c = await createSupabaseCluster(shape);
  clusters.push(c);
  return c;
}

/** What a person would compare after moving a project: counts, policies, triggers, grants, buckets. */
async function shapeOf(c: SupabaseCluster, database = 'postgres'): Promise<Record<string, unknown>> {
  const one = async (sql: string): Promise<unknown> => (await c.sql<{ v: unknown }>(sql, database)).rows.map((r) => r.v);
  return {
    counts: await one(`SELECT format('%s %s', t, n) AS v FROM (VALUES
      ('auth.users', (SELECT count(*) FROM auth.users)), ('auth.identities', (SELECT count(*) FROM auth.identities)),
      ('public.profiles', (SELECT count(*) FROM public.profiles)), ('public.todos', (SELECT count(*) FROM public.todos)),
      ('public.audit_notes', (SELECT count(*) FROM public.audit_notes)), ('storage.objects', (SELECT count(*) FROM storage.objects))) AS x(t, n) ORDER BY 1`),
    policies: await one(`SELECT schemaname || '.' || tablename || ' ' || policyname AS v FROM pg_policies ORDER BY 1`),
    triggers: await one(`SELECT tgrelid::regclass || ' ' || tgname AS v FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`),
    grants: await one(`SELECT grantee || ' ' || privilege_type || ' ' || table_schema || '.' || table_name AS v FROM information_schema.role_table_grants
      WHERE grantee IN ('anon', 'authenticated', 'service_role') AND table_schema = 'public' ORDER BY 1`),
    buckets: await one('SELECT id AS v FROM storage.buckets ORDER BY 1'),
  };
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-sb-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sb-out-'));
  source = await cluster('project');
  const profile = await profileFor('sb-source', source);
  backup = await backupAndWait(core, calls, { profileId: profile.id, outDir, supabase: true });
}, 180_000);

afterAll(async () => {
  await core?.close();
  for (const c of clusters) await c.destroy();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('the --supabase backup', () => {
  it('keeps privileges, dumps auth/storage rows without the bookkeeping tables, and leaves the other platform schemas out', () => {
    const m = backup.manifest!;
    expect(backup.command).not.toContain('--no-privileges');
    expect(backup.command).toContain('-N realtime');
    expect(backup.command).not.toMatch(/-N auth\b/);
    const tables = m.tables.map((t) => `${t.schema}.${t.name}`);
    expect(tables).toEqual(expect.arrayContaining(['auth.users', 'auth.identities', 'storage.buckets', 'storage.objects', 'public.profiles']));
    expect(tables).not.toContain('auth.schema_migrations');
    expect(tables).not.toContain('storage.migrations');
    expect(m.tables.find((t) => t.schema === 'auth' && t.name === 'users')?.rows).toBe(3);
  });

  it('captures what users added on platform tables, the API grants, the buckets and what the platform owns', () => {
    const s = backup.manifest!.supabase!;
    expect(s.platformTriggers).toEqual([{ schema: 'auth', table: 'users', name: 'on_auth_user_created' }]);
    expect(
      s.policies
        .filter((p) => p.schema === 'storage')
        .map((p) => p.name)
        .sort(),
    ).toEqual(['Anyone can upload an avatar.', 'Avatar images are publicly accessible.', 'Owners update their avatar.']);
    expect(s.grants).toContainEqual({ schema: 'public', name: 'profiles', grantee: 'anon', privilege: 'SELECT' });
    expect(s.buckets).toEqual(['avatars']);
    expect(s.eventTriggers).toEqual(['issue_graphql_placeholder', 'issue_pg_graphql_access', 'pgrst_ddl_watch', 'pgrst_drop_watch']);
    expect(s.publications).toEqual(['supabase_realtime']);
    expect(s.referencedRoles).toEqual(expect.arrayContaining(['anon', 'authenticated', 'service_role']));
    expect(s.roles.map((r) => r.name)).not.toContain('anon');
    expect(s.extensions).toContainEqual({ name: 'pgcrypto', schema: 'extensions' });
  });
});

describe('restore into a fresh Supabase project', () => {
  let target: SupabaseCluster;
  let plan: RestorePlan;
  let profile: Profile;
  beforeAll(async () => {
    target = await cluster('platform');
    profile = await profileFor('sb-project', target);
    plan = await calls.ok<RestorePlan>('planRestore', { source: backup.id, target: { kind: 'profile', profileId: profile.id } });
  }, 120_000);

  it('plans it: the platform keeps its event triggers, publication and extensions; no conflicts, no missing roles', () => {
    expect(plan.blocked).toBeNull();
    expect(plan.conflicts).toEqual([]);
    expect(plan.supabase?.mode).toBe('project');
    expect(plan.supabase?.missingRoles).toEqual([]);
    // The project's own role is part one of the restore; the platform's roles are already there.
    expect(plan.supabase?.rolesToCreate).toEqual(['app_reporter']);
    expect(plan.supabase?.leftOut).toEqual(
      expect.arrayContaining([
        'event trigger pgrst_ddl_watch',
        'publication supabase_realtime',
        'extension pgcrypto (already installed)',
        'default privileges of supabase_admin',
      ]),
    );
    expect(plan.args).toContain('--single-transaction');
    expect(plan.args).not.toContain('--no-privileges');
  });

  it('restores counts (auth.users included), policies, triggers, grants and bucket rows as they were, and validates them', async () => {
    const { record } = await restoreAndWait(core, calls, { source: backup.id, target: { kind: 'profile', profileId: profile.id } });
    expect(record.error).toBeNull();
    expect(record.status).toBe('ok');
    const names = record.validation!.checks.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['rows auth.users', 'policies', 'triggers', 'grants', 'storage buckets', 'sequences']));
    expect(await shapeOf(target)).toEqual(await shapeOf(source));
    // The platform's own objects were left alone: its event triggers, still supabase_admin's, and its storage trigger once.
    const evt = await target.sql<{ n: string }>(`SELECT count(*) AS n FROM pg_event_trigger WHERE evtowner = 'supabase_admin'::regrole`);
    expect(evt.rows[0]!.n).toBe('4');
    const pub = await target.sql<{ t: string }>(`SELECT tablename AS t FROM pg_publication_tables WHERE pubname = 'supabase_realtime'`);
    expect(pub.rows.map((r) => r.t)).toEqual(['todos']);
    const granted = await target.sql<{
      anon: boolean;
      reporter: boolean;
      member: boolean;
    }>(`SELECT has_table_privilege('anon', 'public.profiles', 'SELECT') AS anon,
      has_table_privilege('app_reporter', 'public.todos', 'SELECT') AS reporter, pg_has_role('app_reporter', 'authenticated', 'MEMBER') AS member`);
    expect(granted.rows[0]).toEqual({ anon: true, reporter: true, member: true });
    const settings = await target.sql<{ c: string[] }>(`SELECT rolconfig AS c FROM pg_roles WHERE rolname = 'app_reporter'`);
    expect(settings.rows[0]!.c).toEqual(['statement_timeout=5s']);
    // The source revoked anon from audit_notes; the project's default privileges must not hand it back.
    const revoked = await target.sql<{ ok: boolean }>(`SELECT has_table_privilege('anon', 'public.audit_notes', 'SELECT') AS ok`);
    expect(revoked.rows[0]!.ok).toBe(false);
  }, 120_000);
});

describe('a Supabase restore that fails', () => {
  it('a project whose bucket table already holds rows is refused by the plan', async () => {
    const target = await cluster('platform');
    await target.sql(`INSERT INTO storage.buckets (id, name) VALUES ('avatars', 'avatars')`);
    const profile = await profileFor('sb-dup', target);
    const plan = await calls.ok<RestorePlan>('planRestore', { source: backup.id, target: { kind: 'profile', profileId: profile.id } });
    expect(plan.blocked).toMatch(/storage\.buckets/);
  }, 120_000);

  it('runs in one transaction: rows the target rejects midway leave the project as it was', async () => {
    const target = await cluster('platform');
    // A rule of this project the backup's users break: the load fails well after the schema went in.
    await target.sql(`ALTER TABLE auth.users ADD CONSTRAINT no_example_addresses CHECK (email NOT LIKE '%@example.com')`);
    const profile = await profileFor('sb-midway', target);
    const { record } = await restoreAndWait(core, calls, { source: backup.id, target: { kind: 'profile', profileId: profile.id } });
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/no_example_addresses/);
    const left = await target.sql<{
      t: string | null;
      u: string;
      r: string;
    }>(`SELECT to_regclass('public.profiles')::text AS t, (SELECT count(*) FROM auth.users)::text AS u,
      (SELECT count(*) FROM pg_roles WHERE rolname = 'app_reporter')::text AS r`);
    // No table, no user, and the role the restore's first part made is gone again.
    expect(left.rows[0]).toEqual({ t: null, u: '0', r: '0' });
  }, 120_000);
});

describe('restore into a database without the platform', () => {
  it('into a new database on a server with the roles: auth/storage and the extensions schema stand in, and it validates', async () => {
    const profile = await profileFor('sb-new-db', clusters[1] ?? source);
    const { record } = await restoreAndWait(core, calls, { source: backup.id, target: { kind: 'new-database', profileId: profile.id, database: 'moved_app' } });
    expect(record.error).toBeNull();
    expect(record.validation?.ok).toBe(true);
  }, 120_000);

  it('on a plain server the plan names the missing roles and the exact statements that make them', async () => {
    const plain = await cluster('none');
    const profile = await profileFor('sb-plain', plain);
    const plan = await calls.ok<RestorePlan>('planRestore', { source: backup.id, target: { kind: 'new-database', profileId: profile.id, database: 'app' } });
    expect(plan.supabase?.missingRoles).toEqual(expect.arrayContaining(['anon', 'authenticated', 'service_role']));
    expect(plan.supabase?.fix).toContain('CREATE ROLE "authenticated" NOLOGIN;');
    // The platform admin's default privileges are never replayed, so its role is not asked for.
    expect(plan.supabase?.missingRoles).not.toContain('supabase_admin');
    expect(plan.blocked).toMatch(/authenticated/);
    expect(plan.blocked).toContain('CREATE ROLE');
  }, 120_000);
});

describe('an offline drill of the Supabase backup', () => {
  it('stands in for the platform on plain PostgreSQL, restores and validates, and says what it stood in', async () => {
    const { record } = await runDrill(core, calls, { source: backup.id });
    expect(record.error).toBeNull();
    expect(record.status).toBe('ok');
    expect(record.validation?.ok).toBe(true);
    expect(record.validation?.checks.find((c) => c.name === 'rows auth.users')?.ok).toBe(true);
    expect(record.notes.join('\n')).toMatch(/stood in for the platform: .*role anon/);
    expect(record.report).toMatch(/stood in/);
  }, 180_000);
});
