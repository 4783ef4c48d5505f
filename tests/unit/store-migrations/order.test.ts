// The migration list itself: numbered 1..N in file order, one file per migration and one
// test file per migration file (same name), so a new migration cannot ship untested.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS, type Migration } from '../../../src-main/core/platform/store/migrations';

const SRC = path.resolve(__dirname, '../../../src-main/core/platform/store/migrations');
const NUMBERED = /^(\d{3})-[a-z0-9-]+\.ts$/;

describe('migrations', () => {
  it('are numbered 1..N in order, the last being LATEST_VERSION', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_m, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('come one per NNN-short-name.ts file, listed in index.ts in file order', async () => {
    const files = fs
      .readdirSync(SRC)
      .filter((f) => NUMBERED.test(f))
      .sort();
    expect(files.map((f) => Number(NUMBERED.exec(f)![1]))).toEqual(MIGRATIONS.map((m) => m.version));
    for (const [i, f] of files.entries()) {
      const mod = (await import(path.join(SRC, f))) as Record<string, Migration>;
      // The file's one export is the very object the list holds at its position.
      expect(Object.values(mod)).toEqual([MIGRATIONS[i]]);
      expect(Object.values(mod)[0]).toBe(MIGRATIONS[i]);
    }
  });

  it('each have a test file of the same name', () => {
    const sources = fs.readdirSync(SRC).filter((f) => NUMBERED.test(f));
    const tests = new Set(fs.readdirSync(__dirname));
    expect(sources.filter((f) => !tests.has(f.replace(/\.ts$/, '.test.ts')))).toEqual([]);
  });
});
