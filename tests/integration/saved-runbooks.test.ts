// Saved Markdown runbooks (issue #5) through core.dispatch: importRunbook with save keeps
// the parsed result in the local store (never executing it: the audit trail holds no
// query), listRunbooks lists newest first, getRunbook returns it whole, deleteRunbook is
// audited with the title, and a missing id is a clear NOT_FOUND. The store survives a restart.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpResult } from '../../src-main/contract/operations';
import type { RunbookImportResult, SavedRunbook } from '../../src-main/contract/runbook';
import { createCore, type Core } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { callsOn, newTestCore } from '../helpers/core';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'runbook-sample.md');
const markdown = fs.readFileSync(FIXTURE, 'utf8');

let core: Core;
let home: string;
const { ok, fail } = callsOn(() => core);

type Imported = RunbookImportResult & { savedId: string | null };

beforeAll(() => {
  ({ core, home } = newTestCore('ops-saved-runbooks-'));
});

afterAll(async () => {
  await core?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('saved runbooks', () => {
  let sampleId: string;
  let smallId: string;

  it('keeps nothing unless asked to save', async () => {
    const result = await ok<Imported>('importRunbook', { markdown, source: 'runbook-sample.md' });
    expect(result.savedId).toBeNull();
    expect((await ok<OpResult<'listRunbooks'>>('listRunbooks', {})).runbooks).toEqual([]);
  });

  it('saves the parsed runbook on import, without running anything', async () => {
    const sample = await ok<Imported>('importRunbook', { markdown, source: 'runbook-sample.md', save: true });
    expect(sample.savedId).toMatch(/^[0-9a-f-]{36}$/);
    sampleId = sample.savedId!;
    const small = await ok<Imported>('importRunbook', { markdown: '# Small\n## Fix it\n```sql\nSELECT pg_cancel_backend([PID]);\n```\n', save: true });
    smallId = small.savedId!;
    expect(smallId).not.toBe(sampleId);

    const entries = core.deps.audit.search({ limit: 100 });
    expect(entries.every((e) => e.action === 'runbook.import')).toBe(true);
    expect(entries[0]).toMatchObject({ outcome: 'ok', summary: 'Imported 1 procedures, 1 steps (1 SQL) from "Small", saved as "Small"' });
  });

  it('lists them newest first with their counts', async () => {
    const { runbooks } = await ok<OpResult<'listRunbooks'>>('listRunbooks', {});
    expect(runbooks.map((r) => r.id)).toEqual([smallId, sampleId]);
    expect(runbooks[1]).toMatchObject({ title: 'Database Operations Runbook', source: 'runbook-sample.md', procedures: 8, steps: 15, sqlSteps: 5 });
    expect(runbooks[0]).toMatchObject({ title: 'Small', source: null, procedures: 1, steps: 1, sqlSteps: 1 });
    expect(Date.parse(runbooks[0]!.importedAt)).not.toBeNaN();
  });

  it('returns a saved runbook whole, as the import parsed it', async () => {
    const saved = await ok<SavedRunbook>('getRunbook', { id: sampleId });
    const { savedId: _savedId, ...parsed } = await ok<Imported>('importRunbook', { markdown, source: 'runbook-sample.md' });
    expect(saved.runbook).toEqual(parsed);
    expect(saved).toMatchObject({ id: sampleId, title: 'Database Operations Runbook', procedures: 8 });
    const small = await ok<SavedRunbook>('getRunbook', { id: smallId });
    expect(small.runbook.outline[0]!.steps[0]).toMatchObject({ type: 'sql', parameters: ['PID'] });
  });

  it('keeps them across a restart of the core', async () => {
    await core.close();
    core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'tester' });
    expect((await ok<OpResult<'listRunbooks'>>('listRunbooks', {})).runbooks.map((r) => r.id)).toEqual([smallId, sampleId]);
  });

  it('deletes one, audited with its title, and then no longer finds it', async () => {
    expect(await ok('deleteRunbook', { id: sampleId })).toEqual({ removed: true });
    const entry = core.deps.audit.search({ limit: 1 })[0];
    expect(entry).toMatchObject({
      action: 'runbook.delete',
      outcome: 'ok',
      summary: 'Deleted the saved runbook "Database Operations Runbook" (from runbook-sample.md)',
    });
    expect((await ok<OpResult<'listRunbooks'>>('listRunbooks', {})).runbooks.map((r) => r.id)).toEqual([smallId]);

    const missing = await fail('getRunbook', { id: sampleId });
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(`no saved runbook with id "${sampleId}"`) });
    expect(await fail('deleteRunbook', { id: sampleId })).toMatchObject({ code: 'NOT_FOUND' });
    expect(core.deps.audit.search({ limit: 1 })[0]).toMatchObject({ action: 'runbook.delete', outcome: 'error' });
  });
});
