import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeFolderDurably, syncDirectory } from '../../src-main/core/platform/fs/sync-folders';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('makeFolderDurably', () => {
  it('fsyncs the parent of every folder it creates, and nothing when the folder was there', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'durable-folder-'));
    dirs.push(root);
    const synced: string[] = [];
    const record = async (dir: string) => {
      synced.push(dir);
      await syncDirectory(dir);
    };
    const target = path.join(root, 'storage-snapshots', 'prod');
    expect((await makeFolderDurably(target, 0o700, record)).sort()).toEqual([root, path.join(root, 'storage-snapshots')]);
    expect(synced.sort()).toEqual([root, path.join(root, 'storage-snapshots')]);
    expect(fs.statSync(target).mode & 0o777).toBe(0o700);

    synced.length = 0;
    expect(await makeFolderDurably(target, 0o700, record)).toEqual([]);
    const sibling = path.join(root, 'storage-snapshots', 'staging');
    expect(await makeFolderDurably(sibling, 0o700, record)).toEqual([path.join(root, 'storage-snapshots')]);
    expect(synced).toEqual([path.join(root, 'storage-snapshots')]);
  });
});
