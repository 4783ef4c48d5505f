// The audit operations through the dispatcher, as every transport calls them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditVerifyResult } from '../../src-main/contract/models';
import { createCore, type Core } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';

const ctx = { actor: 'tester', via: 'test' as const };
let home: string;
let core: Core;

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-audit-handlers-'));
  core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'tester' });
});
afterEach(async () => {
  await core.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('audit handlers', () => {
  it('gets an entry, and answers NOT_FOUND for a missing one', async () => {
    const id = core.deps.audit.record({ actor: 'tester', action: 'query.run', profile: 'shop', summary: 'hello', detail: null, outcome: 'ok', durationMs: 1 });
    const found = await core.dispatch('getAuditEntry', { id }, ctx);
    expect(found).toMatchObject({ ok: true, value: { id, summary: 'hello' } });
    const missing = await core.dispatch('getAuditEntry', { id: 4242 }, ctx);
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    if (!missing.ok) expect(missing.error.message).toContain('#4242');
  });

  it('searches, verifies and exports; the export is itself audited with what it exported', async () => {
    core.deps.audit.record({ actor: 'tester', action: 'query.run', profile: 'shop', summary: 'VACUUM orders', detail: null, outcome: 'ok', durationMs: 1 });
    const search = await core.dispatch('searchAudit', { search: 'vacuum' }, ctx);
    expect(search.ok && (search.value as { entries: AuditEntry[] }).entries.map((e) => e.summary)).toEqual(['VACUUM orders']);
    const bad = await core.dispatch('searchAudit', { since: 'yesterday' }, ctx);
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });

    const exported = await core.dispatch('exportAudit', { format: 'csv' }, ctx);
    expect(exported).toMatchObject({ ok: true, value: { format: 'csv', entries: 2 } }); // + its own pending entry
    const [exportEntry] = core.deps.audit.search({ limit: 1 });
    expect(exportEntry).toMatchObject({ action: 'audit.export', outcome: 'ok', summary: 'Exported 2 audit entries as CSV' });

    const verified = await core.dispatch('verifyAudit', {}, ctx);
    expect(verified.ok && (verified.value as AuditVerifyResult)).toEqual({ ok: true, entries: 2, firstBadId: null, problem: null });
  });
});
