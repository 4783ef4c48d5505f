// The security audit (issue #23) on a Supabase-shaped cluster (ONE for the whole file): the
// platform-only database is clean; a database with tests/fixtures/supabase/security-findings.sql
// has exactly one instance of every finding, each named as SQL names it (quotes, spaces,
// non-ASCII), and every fix is valid SQL that removes its finding (run in a rolled-back
// transaction). The cluster serves TLS with a throwaway certificate, as Supabase does, so a fresh
// project passes every check. On the shared test cluster (not Supabase) the Supabase checks are N/A and a
// non-superuser gets UNKNOWN for password hashes. The CLI exits by the worst status.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile } from '../../src-main/contract/models';
import type { ChecklistRunRecord, ChecklistRunResult, ChecklistStepResult } from '../../src-main/contract/runbook';
import { checklistCommand } from '../../src-main/cli/commands/checklist';
import type { Core } from '../../src-main/core/app';
import { planScript } from '../../src-main/core/platform/guard/statements/classify';
import { chownTree, mustSwitchUser, requirePostgresUser } from '../../src-main/core/platform/postgres/cluster-os';
import { CATALOG_CHECKS } from '../../src-main/core/security/checks';
import { readShape } from '../../src-main/core/security/shape';
import { callsOn, inProcessCli, newTestCore } from '../helpers/core';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';
import { buildSupabaseDatabase, createSupabaseCluster, type SupabaseCluster } from '../helpers/supabase';

const sharedPg = inject('pg');
let core: Core;
let home: string;
let cluster: SupabaseCluster;
let clean: Profile;
let findings: Profile;
let certDir = '';
const { ok } = callsOn(() => core);

const FINDINGS_SQL = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'supabase', 'security-findings.sql'), 'utf8');

/** Each check's one finding in the fixture: [object, severity]. */
const EXPECTED: Record<string, [string, 'warning' | 'critical']> = {
  'security.rls-disabled': ['public."Order ""items"" é"', 'critical'],
  'security.rls-no-policy': ['api."locked notes"', 'warning'],
  'security.anon-write-policies': ['public.guestbook policy "Guests sign the book"', 'critical'],
  'security.views-bypass-rls': ['public."guestbook view"', 'critical'],
  'security.function-search-path': ['public."add one"(n integer)', 'warning'],
  'security.definer-functions-exposed': ['public.owner_secret(label text)', 'critical'],
  'security.extensions-in-public': ['citext', 'warning'],
  'security.unindexed-foreign-keys': ['public."Order ""items"" é" constraint "Order ""items"" é_guest id_fkey"', 'warning'],
  'security.privileged-roles': ['"ops admin ü"', 'critical'],
  'security.password-expiry': ['app_login', 'warning'],
  'security.password-hashes': ['"legacy md5"', 'warning'],
  'security.public-privileges': ['public.owner_secret(label text)', 'warning'],
  'security.settings': ['setting password_encryption', 'warning'],
};

async function profileFor(name: string, database: string): Promise<Profile> {
  return ok<Profile>('createProfile', {
    profile: { name, host: cluster.host, port: cluster.port, database, user: cluster.user, sslmode: 'disable', env: 'development' },
    password: cluster.password,
  });
}

const run = (profile: Profile) => ok<ChecklistRunResult>('runChecklist', { checklistId: 'security', profileId: profile.id });
const step = (result: ChecklistRunResult, id: string): ChecklistStepResult => result.steps.find((s) => s.id === id)!;
const objects = (s: ChecklistStepResult) => s.rows.map((r) => r[0]);

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-security-audit-'));
  cluster = await createSupabaseCluster('platform');
  await serveTls(cluster);
  clean = await profileFor('supabase-clean', 'postgres');
}, 180_000);

/** A self-signed certificate for the cluster and ssl = on (a reload is enough since PostgreSQL 10). */
async function serveTls(c: SupabaseCluster): Promise<void> {
  certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-security-tls-'));
  const [crt, key] = [path.join(certDir, 'server.crt'), path.join(certDir, 'server.key')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-subj', '/CN=localhost', '-days', '2'], {
    stdio: 'ignore',
  });
  fs.chmodSync(key, 0o600);
  // The server runs as `postgres` when the tests run as root: the key must be its own.
  if (mustSwitchUser()) chownTree(certDir, requirePostgresUser());
  await c.sql(`ALTER SYSTEM SET ssl_cert_file = '${crt}'`);
  await c.sql(`ALTER SYSTEM SET ssl_key_file = '${key}'`);
  await c.sql('ALTER SYSTEM SET ssl = on');
  await c.sql('SELECT pg_reload_conf()');
  for (let i = 0; i < 200 && (await c.sql<{ ssl: string }>('SHOW ssl')).rows[0]!.ssl !== 'on'; i++) await new Promise((r) => setTimeout(r, 25));
}

afterAll(async () => {
  await core?.close();
  await cluster?.destroy();
  fs.rmSync(home, { recursive: true, force: true });
  if (certDir) fs.rmSync(certDir, { recursive: true, force: true });
});

describe('the security audit on Supabase-shaped databases', () => {
  it('finds nothing on a fresh project: every step OK', async () => {
    const result = await run(clean);
    for (const s of result.steps) expect([s.id, s.status, s.rows]).toEqual([s.id, 'ok', []]);
    expect(result.status).toBe('ok');
  });

  it('names exactly the one instance of every finding, with its severity and a quoted fix', async () => {
    await cluster.sql('CREATE DATABASE findings');
    const client = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'findings' });
    await client.connect();
    try {
      await buildSupabaseDatabase(client, { app: false });
      await client.query(FINDINGS_SQL);
    } finally {
      await client.end();
    }
    findings = await profileFor('supabase-findings', 'findings');
    const result = await run(findings);
    for (const [id, [object, severity]] of Object.entries(EXPECTED)) {
      const s = step(result, id);
      const rows = s.rows;
      expect([id, rows.map((r) => [r[0], r[2]])]).toEqual([id, [[object, severity]]]);
      expect(s.status).toBe(severity);
      expect(s.columns).toEqual(['object', 'finding', 'severity', 'fix']);
    }
    expect(result.status).toBe('critical');
    // The same findings on the clean database's side of the cluster do not exist: the
    // database-scoped ones stay in their database (roles are cluster-wide by nature).
    const again = await run(clean);
    expect(objects(step(again, 'security.rls-disabled'))).toEqual([]);
    expect(objects(step(again, 'security.rls-no-policy'))).toEqual([]);
  });

  it('every fix parses with the app’s parser and removes its finding (in a rolled-back transaction)', async () => {
    const client = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'findings' });
    await client.connect();
    try {
      const shape = await readShape(client);
      for (const [name, check] of CATALOG_CHECKS) {
        const found = await check(client, shape);
        const [object] = EXPECTED[name]!;
        const row = found.rows.find((r) => r[0] === object)!;
        const fix = String(row[3]);
        expect((await planScript(fix)).length, `${name}: ${fix}`).toBeGreaterThan(0);
        // Not transactional: ALTER SYSTEM (settings) and CREATE INDEX CONCURRENTLY run plain here.
        if (name === 'security.settings') continue;
        await client.query('BEGIN');
        try {
          await client.query(fix.replace('CREATE INDEX CONCURRENTLY', 'CREATE INDEX'));
          const after = await check(client, shape);
          expect([name, after.rows.map((r) => r[0])]).toEqual([name, found.rows.map((r) => r[0]).filter((o) => o !== object)]);
        } finally {
          await client.query('ROLLBACK');
        }
      }
    } finally {
      await client.end();
    }
  });

  it('the monthly step summarises every check in one step, and the audit trail lists what to review since the last sign-off', async () => {
    const now = new Date().toISOString();
    core.deps.audit.record({
      actor: 'tester',
      action: 'profile.elevate',
      profile: findings.name,
      summary: 'elevated for 10 minutes',
      detail: null,
      outcome: 'ok',
      durationMs: 1,
    });
    core.deps.audit.record({
      actor: 'tester',
      action: 'query.run',
      profile: findings.name,
      summary: 'DROP TABLE refused on a read-only profile',
      detail: null,
      outcome: 'error',
      error: 'READ_ONLY: this profile is read-only',
      durationMs: 1,
    });
    // Console runs are judged by their parse tree: a plain read is not listed, a DELETE is.
    for (const detail of ['SELECT count(*) FROM public.todos', "SELECT 1; DELETE FROM public.todos WHERE task = 'x'"])
      core.deps.audit.record({ actor: 'tester', action: 'query.run', profile: findings.name, summary: 'ran', detail, outcome: 'ok', durationMs: 1 });
    const monthly = await ok<ChecklistRunResult>('runChecklist', {
      checklistId: 'maintenance.monthly',
      profileId: findings.id,
      stepIds: ['maintenance.monthly.security'],
    });
    const audit = step(monthly, 'maintenance.monthly.security');
    expect(audit.columns).toEqual(['check', 'object', 'finding', 'severity', 'fix']);
    expect(audit.status).toBe('critical');
    for (const [id, [object]] of Object.entries(EXPECTED)) expect(audit.rows.some((r) => r[0] === id && r[1] === object)).toBe(true);
    const trailRows = audit.rows.filter((r) => r[0] === 'security.audit-trail');
    expect(trailRows.map((r) => String(r[2]))).toEqual([
      expect.stringMatching(/^console statement that changed the server \(DELETE\) at /),
      expect.stringMatching(/refused by a guard .*DROP TABLE refused/),
      expect.stringMatching(/^elevated session at /),
    ]);
    expect(trailRows.every((r) => String(r[1]).startsWith('audit entry #'))).toBe(true);

    // Signing off a security run starts the next period: what came before is no longer listed.
    const result = await run(findings);
    expect(step(result, 'security.audit-trail').rows).toHaveLength(3);
    await ok<ChecklistRunRecord>('signOffChecklistRun', {
      profileId: findings.id,
      result,
      decisions: result.steps.map((s) => ({
        stepId: s.id,
        decision: s.status === 'ok' || s.status === 'not_applicable' ? 'done' : 'escalated',
        reason: 'tracked',
      })),
    });
    const next = await run(findings);
    expect(step(next, 'security.audit-trail')).toMatchObject({ status: 'ok', summary: expect.stringContaining(`since the last signed-off security audit (`) });
    expect(now <= new Date().toISOString()).toBe(true);
  });
});

describe('the signed-off audit as a report', () => {
  it('exports Markdown and HTML with what is new and what was resolved since the previous signed-off audit', async () => {
    const signOff = async (result: ChecklistRunResult) =>
      ok<ChecklistRunRecord>('signOffChecklistRun', {
        profileId: findings.id,
        result,
        decisions: result.steps.map((s) => ({
          stepId: s.id,
          decision: s.status === 'ok' || s.status === 'not_applicable' ? 'done' : 'escalated',
          reason: 'tracked',
        })),
      });
    const exported = (id: string, format: 'markdown' | 'html') => ok<{ content: string }>('exportChecklistRun', { id, format }).then((r) => r.content);
    // The previous test signed off one audit of this profile: the first report says everything is new.
    const { runs } = await ok<{ runs: Array<{ id: string; checklistId: string }> }>('listChecklistRuns', { profileId: findings.id, limit: 10 });
    const first = await exported(runs.find((r) => r.checklistId === 'security')!.id, 'markdown');
    expect(first).toContain('## New since the last audit\n\nNo earlier signed-off run of this checklist on this profile: every finding is new.');

    // One finding fixed (RLS on, which leaves the table with no policy: a new finding), one table added without RLS.
    await cluster.sql('ALTER TABLE public."Order ""items"" é" ENABLE ROW LEVEL SECURITY; CREATE TABLE public."new <b>table</b>" (id int)', 'findings');
    const record = await signOff(await run(findings));
    const md = await exported(record.id, 'markdown');
    const [added, resolved] = md.split('## Resolved since the last audit');
    expect(added).toContain('## New since the last audit');
    expect(added).toContain('security.rls-no-policy: public."Order ""items"" é" (warning)');
    expect(added).toContain('security.rls-disabled: public."new \\<b\\>table\\</b\\>" (warning)');
    expect(added).not.toContain('security.privileged-roles');
    expect(resolved!.split('## Steps')[0]).toContain('security.rls-disabled: public."Order ""items"" é" (critical)');
    const html = await exported(record.id, 'html');
    expect(html).toContain('<h2>New since the last audit</h2>');
    expect(html).toContain('public.&quot;new &lt;b&gt;table&lt;/b&gt;&quot;');
    expect(html).not.toContain('<b>table</b>');
  });
});

describe('the security audit elsewhere', () => {
  let shopDb: ShopDatabase;
  let shop: Profile;
  beforeAll(async () => {
    shopDb = await createShopDatabase(sharedPg, 'security');
    shop = await ok<Profile>('createProfile', {
      profile: { name: 'shop', host: sharedPg.host, port: sharedPg.port, database: shopDb.database, user: shopDb.role, sslmode: 'disable', env: 'development' },
      password: shopDb.password,
    });
  }, 120_000);
  afterAll(async () => {
    await shopDb?.dispose();
  });

  it('on a plain PostgreSQL as a non-superuser: Supabase checks N/A, password hashes UNKNOWN with the reason, the rest judged', async () => {
    const result = await run(shop);
    const supabaseOnly = Object.keys(EXPECTED).filter((id) => !/unindexed|privileged|password|public-priv|settings/.test(id));
    for (const id of supabaseOnly) expect([id, step(result, id).status]).toEqual([id, 'not_applicable']);
    expect(step(result, 'security.password-hashes')).toMatchObject({ status: 'unknown', summary: expect.stringMatching(/pg_authid.*superuser/) });
    for (const id of [
      'security.unindexed-foreign-keys',
      'security.privileged-roles',
      'security.password-expiry',
      'security.public-privileges',
      'security.settings',
    ])
      expect(step(result, id).status).toMatch(/^(ok|warning|critical)$/);
    // The shared test cluster has no certificate: ssl = off is found there.
    expect(objects(step(result, 'security.settings'))).toContain('setting ssl');
  });

  it('ops-console checklist run security --profile P --json exits with the worst status', async () => {
    const { ctx, out } = inProcessCli(
      () => core,
      () => home,
    );
    const code = await checklistCommand(ctx, ['run', 'security', '--profile', 'supabase-findings']);
    const doc = JSON.parse(out.join('')) as { status: string; checklist: string; steps: Array<{ id: string }> };
    expect(doc).toMatchObject({ checklist: 'security', status: 'critical' });
    expect(code).toBe(2);
  });
});
