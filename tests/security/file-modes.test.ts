// Issue #14 §5.3: nothing the app writes is readable by other local accounts. The process
// umask here is the common 022 (set explicitly), so every mode checked below comes from the
// app's own explicit modes, not from a friendly umask. The home is one an older version
// left behind: the folder 0755, the store 0644, backups/ 0755.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { Profile } from '../../src-main/contract/models';
import { createCore, type Core } from '../../src-main/core/app';
import { manifestPathFor } from '../../src-main/core/backup/manifest';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { followJob } from '../helpers/backup';
import { callsOn } from '../helpers/core';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let home: string;
let outRoot: string;
let core: Core;
let shopDb: ShopDatabase;
let profile: Profile;
let savedUmask: number;
const { ok } = callsOn(() => core);

const mode = (p: string): string => (fs.statSync(p).mode & 0o777).toString(8);
const open = (): Core => createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'tester' });

async function backup(options: Record<string, unknown>): Promise<BackupEntry> {
  const jobId = crypto.randomUUID();
  const job = followJob(core, jobId);
  const started = await ok<{ backupId: string }>('startBackup', { profileId: profile.id, jobId, ...options });
  expect((await job.done).ok).toBe(true);
  return ok<BackupEntry>('getBackup', { id: started.backupId });
}

/** Every folder and file under `root` with its mode, e.g. { ".": "700", "toc.dat": "600" }. */
function modesUnder(root: string): Record<string, string> {
  const out: Record<string, string> = { '.': mode(root) };
  for (const name of fs.readdirSync(root, { recursive: true }) as string[]) out[name] = mode(path.join(root, name));
  return out;
}

beforeAll(async () => {
  savedUmask = process.umask(0o022);
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sec-modes-'));
  outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sec-modes-out-'));
  // What an older version (or a user's own folder) leaves: everything readable by all.
  await open().close();
  fs.chmodSync(home, 0o755);
  fs.chmodSync(path.join(home, 'ops-console.sqlite'), 0o644);
  fs.mkdirSync(path.join(home, 'backups'), { mode: 0o755 });
  fs.chmodSync(path.join(home, 'backups'), 0o755);
  expect(mode(home)).toBe('755');
  core = open();
  shopDb = await createShopDatabase(pg, 'filemodes');
  profile = await ok<Profile>('createProfile', {
    profile: {
      name: 'modes',
      host: pg.host,
      port: pg.port,
      database: shopDb.database,
      user: shopDb.role,
      sslmode: 'disable',
      env: 'development',
      readOnly: false,
    },
    password: shopDb.password,
  });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  process.umask(savedUmask);
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outRoot, { recursive: true, force: true });
});

describe('file modes', () => {
  it('an existing 0755 home, its 0644 store and 0755 backups/ are made private at open; the WAL too', () => {
    expect(mode(home)).toBe('700');
    expect(mode(path.join(home, 'backups'))).toBe('700');
    for (const name of ['ops-console.sqlite', 'ops-console.sqlite-wal', 'ops-console.sqlite-shm']) {
      expect(fs.existsSync(path.join(home, name)), name).toBe(true);
      expect(mode(path.join(home, name)), name).toBe('600');
    }
  });

  it('a fresh home and store are created private', async () => {
    const fresh = path.join(outRoot, 'fresh-home', 'nested');
    const other = createCore({ home: fresh, mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'tester' });
    try {
      expect(mode(fresh)).toBe('700');
      expect(mode(path.join(fresh, 'ops-console.sqlite'))).toBe('600');
      expect(mode(path.join(fresh, 'ops-console.sqlite-wal'))).toBe('600');
    } finally {
      await other.close();
    }
  });

  it('a custom backup into the default folder: dump and manifest 0600, backups/ and tmp/ 0700', async () => {
    const entry = await backup({ format: 'custom' });
    expect(path.dirname(entry.path)).toBe(path.join(home, 'backups'));
    expect(mode(entry.path)).toBe('600');
    expect(mode(manifestPathFor(entry.path))).toBe('600');
    expect(mode(path.join(home, 'backups'))).toBe('700');
    expect(mode(path.join(home, 'tmp'))).toBe('700');
  });

  it('backup --out DIR into a folder that does not exist yet: the folder 0700, a plain dump 0600', async () => {
    const outDir = path.join(outRoot, 'created', 'by-backup');
    const entry = await backup({ format: 'plain', outDir });
    expect(mode(outDir)).toBe('700');
    expect(mode(entry.path)).toBe('600');
    expect(mode(manifestPathFor(entry.path))).toBe('600');
  });

  it('a directory-format backup: its folder 0700 and every file in it 0600', async () => {
    const outDir = path.join(outRoot, 'dir-format');
    const entry = await backup({ format: 'directory', jobs: 2, outDir });
    const modes = modesUnder(entry.path);
    expect(Object.keys(modes).length).toBeGreaterThan(2);
    expect(Object.entries(modes).filter(([name, m]) => m !== (name === '.' ? '700' : '600'))).toEqual([]);
    expect(mode(manifestPathFor(entry.path))).toBe('600');
  });
});
