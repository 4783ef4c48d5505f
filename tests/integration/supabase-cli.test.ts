// The CLI contract on a Supabase-shaped project (build first): `backup PROFILE --supabase
// --json`, `restore ID --to PROFILE --yes --json` into a fresh Supabase-shaped project and
// `drill ID --json`, with the fields cli.md fixes plus the ones issue 15 adds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupManifest } from '../../src-main/contract/backup';
import type { SupabaseRestorePlan, ValidationReport } from '../../src-main/contract/restore';
import { json, runCli } from '../helpers/cli';
import { createSupabaseCluster, type SupabaseCluster } from '../helpers/supabase';

let home: string;
let source: SupabaseCluster;
let target: SupabaseCluster;

function urlOf(c: SupabaseCluster): string {
  return `postgresql://${c.user}@${c.host}:${c.port}/postgres?sslmode=disable`;
}

const as = (c: SupabaseCluster, args: string[]) => runCli(home, args, { env: { PGPASSWORD: c.password } });

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-sb-'));
  source = await createSupabaseCluster('project');
  target = await createSupabaseCluster('platform');
  for (const [name, c] of [
    ['sb-src', source],
    ['sb-dst', target],
  ] as const) {
    const add = await as(c, ['profile', 'add', name, '--url', urlOf(c), '--env', 'development', '--read-write', '--json']);
    expect(add.code, add.stderr).toBe(0);
  }
}, 180_000);

afterAll(async () => {
  await source?.destroy();
  await target?.destroy();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe('ops-console on a Supabase project', () => {
  let backupId: string;

  it('backup PROFILE --supabase --json: the contract fields, the manifest with its Supabase capture', async () => {
    const run = await as(source, ['backup', 'sb-src', '--supabase', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = json(run);
    for (const field of ['ok', 'id', 'path', 'kind', 'format', 'bytes', 'sha256', 'manifest', 'durationMs', 'pgDumpVersion', 'serverVersion', 'manifestPath'])
      expect(out).toHaveProperty(field);
    const manifest = out.manifest as BackupManifest;
    expect(manifest.supabase?.buckets).toEqual(['avatars']);
    expect(manifest.supabase?.platformTriggers.map((t) => t.name)).toEqual(['on_auth_user_created']);
    backupId = String(out.id);
  }, 120_000);

  it('restore ID --to PROFILE --yes --json into a fresh project: validated, with how it went in', async () => {
    const run = await as(target, ['restore', backupId, '--to', 'sb-dst', '--yes', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = json(run);
    expect(out.ok).toBe(true);
    const validation = out.validation as ValidationReport;
    expect(validation.ok).toBe(true);
    expect(validation.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['rows auth.users', 'policies', 'triggers', 'grants', 'storage buckets']));
    expect((out.supabase as SupabaseRestorePlan).mode).toBe('project');
    const users = await target.sql<{ n: string }>('SELECT count(*) AS n FROM auth.users');
    expect(users.rows[0]!.n).toBe('3');
  }, 120_000);

  it('restore again into the same project is refused with why, not with a --clean hint', async () => {
    const run = await as(target, ['restore', backupId, '--to', 'sb-dst', '--yes', '--clean', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/auth\.users/);
    expect(run.stderr).not.toMatch(/Add --clean/);
  }, 120_000);

  it('drill ID --json: offline, validation passes, the notes say what stood in', async () => {
    const run = await as(source, ['drill', backupId, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = json(run);
    expect(out.ok).toBe(true);
    expect((out.validation as ValidationReport).ok).toBe(true);
    expect(String((out.notes as string[]).join('\n'))).toMatch(/stood in for the platform/);
  }, 180_000);
});
