// Issue #14 §7.6: a store that existed and was emptied (truncated to 0 bytes) must not open
// as a new, "intact" audit trail; a missing store is still created fresh.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { createCore } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';

let home: string;
const open = () => createCore({ home, mode: 'cli', secrets: () => new MemorySecretStore(), actor: 'tester' });

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sec-empty-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

describe('an emptied store', () => {
  it('is refused with STORE_CORRUPT naming the file and saying it is empty; nothing is written', async () => {
    // A trail with entries, then emptied by someone.
    const first = open();
    await first.dispatch('getAppInfo', {}, { actor: 'tester', via: 'test' });
    first.deps.audit.record({ actor: 'tester', action: 'test.entry', profile: null, summary: 'before', detail: null, outcome: 'ok', durationMs: 0 });
    await first.close();
    const file = path.join(home, 'ops-console.sqlite');
    fs.truncateSync(file, 0);

    let caught: unknown;
    try {
      open();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OpsError);
    expect((caught as OpsError).code).toBe('STORE_CORRUPT');
    expect((caught as OpsError).message).toContain(file);
    expect((caught as OpsError).message).toMatch(/empty \(0 bytes\)/);
    expect(fs.statSync(file).size).toBe(0);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('a missing store is created fresh (and is not empty on disk)', async () => {
    const core = open();
    try {
      expect(core.deps.store.schemaVersion).toBeGreaterThan(0);
      expect(fs.statSync(path.join(home, 'ops-console.sqlite')).size).toBeGreaterThan(0);
    } finally {
      await core.close();
    }
  });
});
