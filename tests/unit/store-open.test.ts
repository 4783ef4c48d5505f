// Opening the local store: pragmas in force, and refusal — without writing a byte — of a
// file that is not a store, is damaged, or was written by a newer version.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { LATEST_VERSION } from '../../src-main/core/platform/store/migrations';
import { openStore } from '../../src-main/core/platform/store/store';

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-store-'));
  file = path.join(dir, 'ops-console.sqlite');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function sha256(f: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
}

/** A real store with some rows, closed (so no -wal/-shm remain). */
function makeRealStore(): void {
  const store = openStore(file);
  const insert = store.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
  store.db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`key-${i}`, 'x'.repeat(200));
  })();
  store.close();
  expect(fs.existsSync(`${file}-wal`)).toBe(false);
}

function expectRefusedUntouched(code: 'STORE_CORRUPT' | 'STORE_TOO_NEW', mentions: RegExp[]): void {
  const before = sha256(file);
  let caught: unknown;
  try {
    openStore(file);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(OpsError);
  expect((caught as OpsError).code).toBe(code);
  expect((caught as OpsError).message).toContain(file);
  for (const m of mentions) expect((caught as OpsError).message).toMatch(m);
  expect(sha256(file)).toBe(before);
  expect(fs.existsSync(`${file}-wal`)).toBe(false);
  expect(fs.existsSync(`${file}-shm`)).toBe(false);
  expect(fs.existsSync(`${file}-journal`)).toBe(false);
}

describe('openStore', () => {
  it('creates a store at the latest version with WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
    const store = openStore(file);
    try {
      expect(store.schemaVersion).toBe(LATEST_VERSION);
      expect(store.path).toBe(file);
      expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(1000);
    } finally {
      store.close();
    }
    store.close(); // idempotent
  });

  it('reopens an existing store without re-running migrations and keeps its data', () => {
    makeRealStore();
    const store = openStore(file);
    try {
      expect(store.schemaVersion).toBe(LATEST_VERSION);
      expect((store.db.prepare('SELECT count(*) AS n FROM settings').get() as { n: number }).n).toBe(2000);
    } finally {
      store.close();
    }
  });

  it('refuses a store from a newer version, naming both versions, and leaves it byte-identical', () => {
    const raw = new Database(file);
    raw.exec('CREATE TABLE future (x)');
    raw.pragma(`user_version = ${LATEST_VERSION + 7}`);
    raw.close();
    expectRefusedUntouched('STORE_TOO_NEW', [new RegExp(`version ${LATEST_VERSION + 7}`), new RegExp(`up to ${LATEST_VERSION}`)]);
  });

  it('refuses a newer WAL-mode store too (the mode a newer Ops Console would leave)', () => {
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    raw.exec('CREATE TABLE future (x)');
    raw.pragma(`user_version = ${LATEST_VERSION + 1}`);
    raw.close();
    expectRefusedUntouched('STORE_TOO_NEW', [/newer/]);
  });

  it('refuses a file of random bytes as corrupt and leaves it byte-identical', () => {
    fs.writeFileSync(file, crypto.randomBytes(64 * 1024));
    expectRefusedUntouched('STORE_CORRUPT', [/not a readable Ops Console database/, /Move it aside/]);
  });

  it('refuses a text file that is not a database', () => {
    fs.writeFileSync(file, 'profiles:\n  - name: prod\n');
    expectRefusedUntouched('STORE_CORRUPT', [/SQLite file header/]);
  });

  it('refuses a truncated real store', () => {
    makeRealStore();
    const size = fs.statSync(file).size;
    fs.truncateSync(file, Math.floor(size / 2 / 4096) * 4096);
    expectRefusedUntouched('STORE_CORRUPT', [/truncated/]);
  });

  it('refuses a real store cut in the middle of a page', () => {
    makeRealStore();
    fs.truncateSync(file, fs.statSync(file).size - 1000);
    expectRefusedUntouched('STORE_CORRUPT', [/truncated/]);
  });

  it('refuses a real store with garbled pages', () => {
    makeRealStore();
    const buf = fs.readFileSync(file);
    // Overwrite the middle of the file (b-tree pages of the settings table) with noise.
    crypto.randomBytes(3 * 4096).copy(buf, Math.floor(buf.length / 2 / 4096) * 4096);
    fs.writeFileSync(file, buf);
    expectRefusedUntouched('STORE_CORRUPT', [/integrity|malformed|corrupt/i]);
  });

  it('refuses an empty file (an emptied trail is not a new store) and leaves it as it is', () => {
    fs.writeFileSync(file, '');
    expectRefusedUntouched('STORE_CORRUPT', [/empty \(0 bytes\)/]);
    expect(fs.statSync(file).size).toBe(0);
  });

  it('creates a missing store without ever leaving an empty file or a temporary one', () => {
    openStore(file).close();
    expect(fs.statSync(file).size).toBeGreaterThan(0);
    expect(fs.readdirSync(dir)).toEqual(['ops-console.sqlite']);
  });
});
