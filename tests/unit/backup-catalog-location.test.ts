// The catalog keeps where a backup is as a destination location (migration 10): written for
// every new row, moved with the path when the backup is published, and the one thing
// locate() and the start-up clean-up of an interrupted backup's partial go by. Entries still
// show `path` only, as the contract says.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupCatalog } from '../../src-main/core/backup/catalog';
import { LocalDestination } from '../../src-main/core/platform/destinations';
import { openStore, type Store } from '../../src-main/core/platform/store/store';

let dir = '';
let store: Store;
let catalog: BackupCatalog;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-catalog-loc-'));
  store = openStore(path.join(dir, 'store.sqlite'));
  catalog = new BackupCatalog(store.db);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function running(id: string, file: string, location?: string): void {
  catalog.insertRunning({
    id,
    profileId: 'p1',
    profileName: 'one',
    kind: 'full',
    format: 'custom',
    path: file,
    ...(location === undefined ? {} : { location }),
    startedAt: '2025-01-01T00:00:00.000Z',
    command: 'pg_dump …',
  });
}

function locationOf(id: string): string | null {
  return (store.db.prepare('SELECT location FROM backups WHERE id = ?').get(id) as { location: string | null }).location;
}

describe('backup locations in the catalog', () => {
  it('are written for a new row (file:// + path by default) and follow the path on finish; entries show no location', () => {
    running('b1', '/b/one.dump');
    expect(locationOf('b1')).toBe('file:///b/one.dump');
    catalog.finish('b1', { status: 'ok', finishedAt: 'x', durationMs: 1, path: '/b/one-2.dump' });
    expect(locationOf('b1')).toBe('file:///b/one-2.dump');
    expect(catalog.get('b1')).toMatchObject({ path: '/b/one-2.dump' });
    expect(Object.keys(catalog.get('b1')!)).not.toContain('location');

    running('b2', '/b/two.dump', 'file:///elsewhere/two.dump');
    catalog.finish('b2', { status: 'failed', finishedAt: 'x', durationMs: 1, error: 'boom' });
    expect(locationOf('b2')).toBe('file:///elsewhere/two.dump'); // no new path: the location stays
  });

  it('locate() reads the location, not the path; a row without one (or none at all) is the local path', () => {
    const backups = path.join(dir, 'backups');
    running('b1', '/not/used.dump', `file://${path.join(backups, 'x.dump')}`);
    const found = catalog.locate({ id: 'b1', path: '/not/used.dump' });
    expect(found.destination).toBeInstanceOf(LocalDestination);
    expect(found.name).toBe('x.dump');
    expect(found.destination.localPath(found.name)).toBe(path.join(backups, 'x.dump'));

    store.db.prepare("UPDATE backups SET location = NULL WHERE id = 'b1'").run();
    expect(catalog.locate({ id: 'b1', path: '/b/legacy.dump' }).destination.localPath('legacy.dump')).toBe('/b/legacy.dump');
    expect(catalog.locate({ id: 'missing', path: '/b/gone.dump' }).name).toBe('gone.dump');
  });

  it('markInterrupted deletes the partial at the row’s location and marks the row failed', () => {
    const real = path.join(dir, 'real');
    fs.mkdirSync(real);
    fs.writeFileSync(path.join(real, 'x.dump.partial'), 'half');
    const decoy = path.join(dir, 'decoy');
    fs.mkdirSync(decoy);
    fs.writeFileSync(path.join(decoy, 'x.dump.partial'), 'not ours to delete');
    running('b1', path.join(decoy, 'x.dump'), `file://${path.join(real, 'x.dump')}`);
    // As if left by a process that is gone.
    store.db.prepare("UPDATE backups SET error = 'running-owner no-such-host 1' WHERE id = 'b1'").run();
    expect(catalog.markInterrupted()).toBe(1);
    expect(fs.readdirSync(real)).toEqual([]);
    expect(fs.readdirSync(decoy)).toEqual(['x.dump.partial']);
    expect(catalog.get('b1')).toMatchObject({ status: 'failed' });
  });
});
