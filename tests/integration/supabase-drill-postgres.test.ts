// Issue 15 §1: a drill of a database named `postgres` (every Supabase project's name) in a
// scratch cluster that already holds one, and a failed drill that must never call an
// objective met. The source is a fresh cluster whose `postgres` database holds a small app.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { Profile } from '../../src-main/contract/models';
import type { DrillRecord } from '../../src-main/contract/restore';
import type { Core } from '../../src-main/core/app';
import { objectiveRows } from '../../src-main/core/restore/drill-report';
import { callsOn, newTestCore } from '../helpers/core';
import { backupAndWait } from '../helpers/restore';
import { createSupabaseCluster, type SupabaseCluster } from '../helpers/supabase';
import { runDrill } from '../helpers/supabase-drill';

let core: Core;
let home: string;
let outDir: string;
let source: SupabaseCluster;
let profile: Profile;
const calls = callsOn(() => core);

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-sb-drill-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sb-drill-out-'));
  source = await createSupabaseCluster('none');
  await source.sql(`CREATE TABLE public.notes (id serial PRIMARY KEY, body text NOT NULL);
    INSERT INTO public.notes (body) SELECT 'note ' || n FROM generate_series(1, 25) AS n;`);
  profile = await calls.ok<Profile>('createProfile', {
    profile: {
      name: 'plain-postgres',
      host: source.host,
      port: source.port,
      database: 'postgres',
      user: source.user,
      sslmode: 'disable',
      env: 'development',
      readOnly: false,
    },
    password: source.password,
  });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await source?.destroy();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('a drill of a database named postgres', () => {
  let backup: BackupEntry;
  beforeAll(async () => {
    backup = await backupAndWait(core, calls, { profileId: profile.id, outDir, format: 'custom' });
  }, 120_000);

  it('restores into the scratch cluster although it already holds a postgres database, and validates', async () => {
    const { record } = await runDrill(core, calls, { source: backup.id });
    expect(record.error).toBeNull();
    expect(record.status).toBe('ok');
    expect(record.validation?.ok).toBe(true);
    expect(record.validation?.checks.find((c) => c.name === 'rows public.notes')?.detail).toMatch(/^25 rows/);
    expect(record.rtoMet).toBe(true);
    expect(record.rpoMet).toBe(true);
  }, 180_000);

  it('a drill that fails reports both objectives missed, never met', async () => {
    const plain = await backupAndWait(core, calls, { profileId: profile.id, outDir, format: 'plain' });
    const broken = path.join(outDir, 'postgres-broken.sql');
    const script = fs.readFileSync(plain.path, 'utf8');
    const at = script.indexOf('CREATE TABLE');
    fs.writeFileSync(broken, `${script.slice(0, at)}SELECT 1/0;\n${script.slice(at)}`);
    const { record } = await runDrill(core, calls, { source: broken });
    expect(record.status).toBe('failed');
    // The backup is minutes old, which used to read as "RPO met" on a drill that recovered nothing.
    expect(record.rpoMet).toBe(false);
    // The restore broke off: its time was never measured, so it is neither met nor missed.
    expect(record.rtoMet).toBeNull();
    expect(record.report).not.toMatch(/\|\s*met\s*\|/);
    expect(record.report).toContain('MISSED (the drill failed)');
  }, 180_000);
});

describe('objective verdicts', () => {
  it('a failed drill misses every objective; a passed one is judged by the clock', () => {
    const failed = objectiveRows({ restoreMs: 10, backupAgeMs: 10, status: 'failed' as DrillRecord['status'] });
    expect(failed.every((r) => r.verdict.startsWith('MISSED'))).toBe(true);
    const passed = objectiveRows({ restoreMs: 10, backupAgeMs: 10, status: 'ok' as DrillRecord['status'] });
    expect(passed.every((r) => r.verdict === 'met')).toBe(true);
  });
});
