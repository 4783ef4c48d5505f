// Signed-off checklist runs against the run's real PostgreSQL, on a database seeded like
// the sandbox: run the morning checklist, sign it off with a decision per step, find it in
// the history, reopen it with its snapshot, export it as Markdown and HTML (escaped), and
// refuse a sign-off with a step left undecided, a skip without reason or a doctored result.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { OpResult } from '../../src-main/contract/operations';
import type { ChecklistRunRecord, ChecklistRunResult, ChecklistStepDecision } from '../../src-main/contract/runbook';
import type { Core } from '../../src-main/core/app';
import { callsOn, newTestCore } from '../helpers/core';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let shop: Profile;
let other: Profile;
let shopDb: ShopDatabase;
let morning: ChecklistRunResult;
const { ok, fail } = callsOn(() => core);

/** Done for every step, except the ones given. */
function decide(result: ChecklistRunResult, except: Record<string, Omit<ChecklistStepDecision, 'stepId'>> = {}): ChecklistStepDecision[] {
  return result.steps.map((s) => ({ stepId: s.id, decision: 'done' as const, ...except[s.id] }));
}

function auditOf(action: string): { outcome: string; profile: string | null; summary: string; detail: string | null } {
  return core.deps.store.db
    .prepare('SELECT outcome, profile, summary, detail FROM audit_entries WHERE action = ? ORDER BY id DESC LIMIT 1')
    .get(action) as never;
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-checklist-runs-'));
  shopDb = await createShopDatabase(pg, 'runs');
  const input: Partial<ProfileInput> = {
    host: pg.host,
    port: pg.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    env: 'development',
    readOnly: false,
  };
  shop = await ok<Profile>('createProfile', { profile: { ...input, name: 'shop' }, password: shopDb.password });
  other = await ok<Profile>('createProfile', { profile: { ...input, name: 'other' }, password: shopDb.password });
  morning = await ok<ChecklistRunResult>('runChecklist', { checklistId: 'morning', profileId: shop.id });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('signing off a checklist run', () => {
  it('saves the run with who, when, the snapshot, every decision and the note; lists, reopens and exports it', async () => {
    expect(morning.status).toBe('warning');
    const decisions = decide(morning, {
      'morning.slow-statements': { decision: 'skipped', reason: 'stats were reset <yesterday> & "today"' },
      'morning.low-stock': { decision: 'escalated', note: 'Told purchasing | reorder today' },
    });
    const saved = await ok<ChecklistRunRecord>('signOffChecklistRun', { profileId: shop.id, result: morning, decisions, note: 'All good <b>except</b> stock' });
    expect(saved).toMatchObject({
      profileId: shop.id,
      profileName: 'shop',
      checklistId: 'morning',
      title: morning.title,
      status: 'warning',
      actor: 'tester',
      startedAt: morning.startedAt,
      note: 'All good <b>except</b> stock',
      decisions: { done: morning.steps.length - 2, skipped: 1, escalated: 1 },
    });
    expect(saved.result).toEqual(morning);
    expect(Date.parse(saved.signedAt)).toBeGreaterThanOrEqual(Date.parse(morning.startedAt));
    expect(auditOf('checklist.signoff')).toMatchObject({
      outcome: 'ok',
      profile: 'shop',
      summary: `checklist morning on shop signed off: WARNING (${morning.steps.length - 2} done, 1 skipped, 1 escalated)`,
    });

    // A second run, on the other profile: the history is per profile, newest first.
    const otherRun = await ok<ChecklistRunResult>('runChecklist', { checklistId: 'evening', profileId: other.id });
    const second = await ok<ChecklistRunRecord>('signOffChecklistRun', { profileId: other.id, result: otherRun, decisions: decide(otherRun) });
    expect(second.note).toBe('');
    const mine = await ok<OpResult<'listChecklistRuns'>>('listChecklistRuns', { profileId: shop.id });
    expect(mine.runs.map((r) => r.id)).toEqual([saved.id]);
    expect(mine.runs[0]).not.toHaveProperty('result');
    const all = await ok<OpResult<'listChecklistRuns'>>('listChecklistRuns', {});
    expect(all.runs.map((r) => r.id)).toEqual([second.id, saved.id]);
    expect((await ok<OpResult<'listChecklistRuns'>>('listChecklistRuns', { limit: 1 })).runs.map((r) => r.id)).toEqual([second.id]);

    const reopened = await ok<ChecklistRunRecord>('getChecklistRun', { id: saved.id });
    expect(reopened).toEqual(saved);
    expect(reopened.stepDecisions.find((d) => d.stepId === 'morning.slow-statements')).toEqual({
      stepId: 'morning.slow-statements',
      decision: 'skipped',
      reason: 'stats were reset <yesterday> & "today"',
    });
    expect((await fail('getChecklistRun', { id: 'nope' })).code).toBe('NOT_FOUND');

    const md = await ok<OpResult<'exportChecklistRun'>>('exportChecklistRun', { id: saved.id, format: 'markdown' });
    expect(md.filename).toMatch(/^checklist-morning-shop-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.md$/);
    for (const s of morning.steps) expect(md.content).toContain(`### ${s.status.toUpperCase()} — ${s.title}`);
    expect(md.content).toContain('**Overall status:** WARNING');
    expect(md.content).toContain('Told purchasing \\| reorder today');
    expect(md.content).toContain('Skipped (reason: stats were reset \\<yesterday\\> & "today")');
    // The low-stock rows are in the report: each SKU the step reported.
    const low = morning.steps.find((s) => s.id === 'morning.low-stock')!;
    const sku = low.columns.indexOf('sku');
    for (const row of low.rows) expect(md.content).toContain(String(row[sku]));

    const html = await ok<OpResult<'exportChecklistRun'>>('exportChecklistRun', { id: saved.id, format: 'html' });
    expect(html.filename).toMatch(/\.html$/);
    for (const s of morning.steps) {
      expect(html.content).toContain(`${s.status.toUpperCase()}</span> ${s.title.replace(/'/g, '&#39;')}</h3>`);
    }
    expect(html.content).toContain('All good &lt;b&gt;except&lt;/b&gt; stock');
    expect(html.content).toContain('stats were reset &lt;yesterday&gt; &amp; &quot;today&quot;');
    expect(html.content).not.toContain('<b>except</b>');
    expect(auditOf('checklist.export')).toMatchObject({
      outcome: 'ok',
      profile: 'shop',
      summary: expect.stringContaining(`exported as html: ${html.filename}`),
    });
  });

  it('refuses a step without a decision, a skip without a reason, and a result that is not the run', async () => {
    const before = (await ok<OpResult<'listChecklistRuns'>>('listChecklistRuns', {})).runs.length;

    const missing = await fail('signOffChecklistRun', { profileId: shop.id, result: morning, decisions: decide(morning).slice(1) });
    expect(missing.code).toBe('INVALID_INPUT');
    expect(missing.message).toContain(`step "${morning.steps[0]!.title}" (${morning.steps[0]!.id}) has no decision`);

    const skipped = decide(morning, { 'morning.connections': { decision: 'skipped' } });
    const noReason = await fail('signOffChecklistRun', { profileId: shop.id, result: morning, decisions: skipped });
    expect(noReason.code).toBe('INVALID_INPUT');
    expect(noReason.message).toMatch(/^decisions\.0\.reason: skipping "morning\.connections" needs a reason/);
    // Blank is no reason either.
    skipped[0]!.reason = '   ';
    expect((await fail('signOffChecklistRun', { profileId: shop.id, result: morning, decisions: skipped })).code).toBe('INVALID_INPUT');

    const twice = [...decide(morning), { stepId: morning.steps[0]!.id, decision: 'escalated' }];
    expect((await fail('signOffChecklistRun', { profileId: shop.id, result: morning, decisions: twice })).message).toContain('more than one decision');
    expect(
      (await fail('signOffChecklistRun', { profileId: shop.id, result: morning, decisions: [...decide(morning), { stepId: 'x', decision: 'done' }] })).message,
    ).toContain('"x" is not a step of this run');
    expect((await fail('signOffChecklistRun', { profileId: shop.id, result: morning, decisions: decide(morning), extra: 1 })).code).toBe('INVALID_INPUT');

    // A doctored snapshot: a better overall status than its steps, fewer steps, another profile.
    const rosy = await fail('signOffChecklistRun', { profileId: shop.id, result: { ...morning, status: 'ok' }, decisions: decide(morning) });
    expect(rosy).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('does not follow from its steps (WARNING)') });
    const fewer = { ...morning, steps: morning.steps.slice(0, 3) };
    expect((await fail('signOffChecklistRun', { profileId: shop.id, result: fewer, decisions: decide(fewer) })).message).toContain(
      'does not match the "morning" checklist',
    );
    expect((await fail('signOffChecklistRun', { profileId: other.id, result: morning, decisions: decide(morning) })).message).toContain(
      'made on profile "shop", not on "other"',
    );
    expect((await fail('signOffChecklistRun', { profileId: 'gone', result: morning, decisions: decide(morning) })).code).toBe('NOT_FOUND');

    expect((await ok<OpResult<'listChecklistRuns'>>('listChecklistRuns', {})).runs.length).toBe(before);
    expect(auditOf('checklist.signoff')).toMatchObject({ outcome: 'error', profile: null, summary: 'checklist.signoff (via test)' });
  });
});
