// `ops-console restore` and `ops-console drill` through the built CLI (build first), on the
// demo sandbox of a temporary home: the acceptance checks (a restore into a new database
// whose validation passes with one row-count check per table; a drill with its timings and
// the RTO target), a production target refused without its typed name, and usage errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupManifest } from '../../src-main/contract/backup';
import type { ValidationReport } from '../../src-main/contract/restore';
import { json, runCli } from '../helpers/cli';

let home: string;
let backupId: string;
let manifest: BackupManifest;
let sandboxUrl: string;
const cli = (args: string[]) => runCli(home, args);

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-restore-'));
  const started = await cli(['sandbox', 'start', '--json']);
  expect(started.code, started.stderr).toBe(0);
  sandboxUrl = String(json(started).url);
  const backup = await cli(['backup', 'sandbox', '--json']);
  expect(backup.code, backup.stderr).toBe(0);
  const result = json(backup);
  backupId = String(result.id);
  manifest = result.manifest as BackupManifest;
}, 180_000);

afterAll(async () => {
  if (home) {
    await cli(['sandbox', 'stop']);
    fs.rmSync(home, { recursive: true, force: true });
  }
}, 60_000);

describe('ops-console restore', () => {
  it('restores into a new database on the sandbox with one passing row-count check per table', async () => {
    const run = await cli(['restore', backupId, '--new-database', 'restored_check', '--profile', 'sandbox', '--yes', '--json']);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const result = json(run);
    expect(result).toMatchObject({ ok: true, target: 'sandbox', database: 'restored_check' });
    expect(result.durationMs).toBeGreaterThan(0);
    const validation = result.validation as ValidationReport;
    expect(validation.ok).toBe(true);
    const rowChecks = validation.checks.filter((c) => c.name.startsWith('rows '));
    expect(manifest.tables.length).toBeGreaterThan(3);
    expect(rowChecks.map((c) => c.name).sort()).toEqual(manifest.tables.map((t) => `rows ${t.schema}.${t.name}`).sort());
    expect(rowChecks.every((c) => c.ok)).toBe(true);
  }, 120_000);

  it('refuses a production target without --confirm NAME, before touching anything', async () => {
    const add = await cli(['profile', 'add', 'prod', '--url', sandboxUrl, '--env', 'production', '--read-write', '--json']);
    expect(add.code, add.stderr).toBe(0);
    const run = await cli(['restore', backupId, '--to', 'prod', '--clean', '--yes', '--json']);
    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED' } });
    expect(run.stderr).toMatch(/--confirm prod/);
    const wrong = await cli(['restore', backupId, '--to', 'prod', '--clean', '--yes', '--confirm', 'sandbox', '--json']);
    expect(wrong.code).toBe(1);
    expect(json(wrong)).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED' } });
    // Without a terminal and without --yes nothing is asked and nothing runs.
    const noYes = await cli(['restore', backupId, '--new-database', 'never_made', '--profile', 'sandbox', '--json']);
    expect(noYes.code).toBe(1);
    expect(json(noYes)).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED' } });
  }, 60_000);

  it('exits 2 on usage errors', async () => {
    const cases = [
      ['restore'],
      ['restore', backupId],
      ['restore', backupId, '--to', 'sandbox', '--sandbox'],
      ['restore', backupId, '--new-database', 'x'],
      ['restore', backupId, '--sandbox', '--jobs', 'many'],
      ['restore', backupId, '--sandbox', '--bogus'],
      ['drill'],
      ['drill', 'a', 'b'],
    ];
    for (const args of cases) {
      const run = await cli([...args, '--json']);
      expect(run.code, args.join(' ')).toBe(2);
      expect(json(run)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    }
  }, 60_000);
});

describe('ops-console drill', () => {
  it('returns the restore time, the backup age and the RTO target', async () => {
    const run = await cli(['drill', backupId, '--json']);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const result = json(run);
    expect(result).toMatchObject({ ok: true, status: 'ok', rtoTargetMs: 2 * 3_600_000, rpoTargetMs: 15 * 60_000, backupId });
    expect(result.restoreMs).toBeGreaterThan(0);
    expect(result.backupAgeMs).toBeGreaterThanOrEqual(0);
    expect((result.validation as ValidationReport).ok).toBe(true);
    expect(String(result.report)).toMatch(/^# Restore drill — sandbox\n/);
    expect(fs.existsSync(path.join(home, 'scratch')) ? fs.readdirSync(path.join(home, 'scratch')) : []).toEqual([]);
  }, 120_000);
});
