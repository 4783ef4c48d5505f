// Who makes a finished dump durable (core/backup/dump-process.ts): the runner, for a single
// file from a pg_dump that knows --no-sync, beside the verification's reads; pg_dump itself
// for a folder and for pg_dumpall. A dump that cannot be flushed fails the backup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { syncDump, syncsItself } from '../../src-main/core/backup/dump-process';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-dump-sync-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('syncsItself', () => {
  it('takes over the fsync of custom and plain files from pg_dump 10 and later only', () => {
    const pgDump = (major: number) => ({ name: 'pg_dump' as const, major });
    expect(syncsItself(pgDump(15), 'custom')).toBe(true);
    expect(syncsItself(pgDump(10), 'plain')).toBe(true);
    // A folder may be written by parallel workers: pg_dump syncs it recursively itself.
    expect(syncsItself(pgDump(17), 'directory')).toBe(false);
    // --no-sync appeared in pg_dump 10.
    expect(syncsItself(pgDump(9), 'custom')).toBe(false);
    expect(syncsItself({ name: 'pg_dumpall', major: 15 }, 'plain')).toBe(false);
  });
});

describe('syncDump', () => {
  it('flushes a finished dump and leaves its bytes as they were', async () => {
    const file = path.join(dir, 'good.dump.partial');
    fs.writeFileSync(file, 'PGDMP…', { mode: 0o600 });
    await syncDump(file);
    expect(fs.readFileSync(file, 'utf8')).toBe('PGDMP…');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('fails the backup, naming the file, when the dump cannot be opened to flush', async () => {
    const file = path.join(dir, 'gone.dump.partial');
    const err = await syncDump(file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpsError);
    expect(err).toMatchObject({ code: 'BACKUP_FAILED' });
    expect((err as OpsError).message).toContain(file);
  });
});
