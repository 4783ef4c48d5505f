// The dispatcher is the boundary every transport shares: validation with field-level
// messages, audit before and after, and errors as { code, message, detail? }.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { OP_NAMES, operations } from '../../src-main/contract/operations';
import { createCore, type Core } from '../../src-main/core/app';
import { createDispatcher, type Handlers } from '../../src-main/core/platform/kernel/dispatch';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';

const base = { actor: 'tester', via: 'test' as const };

describe('dispatch', () => {
  let home: string;
  let core: Core;

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-dispatch-'));
    core = createCore({ home, mode: 'cli', secrets: () => new MemorySecretStore(), actor: 'tester' });
  });
  afterEach(async () => {
    await core.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('rejects invalid input at the boundary, naming each field, and runs nothing', async () => {
    const result = await core.dispatch(
      'createProfile',
      { profile: { name: '', host: 'h', port: 70000, database: 'd', user: 'u', sslmode: 'sometimes' } },
      base,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_INPUT');
    expect(result.error.message).toContain('profile.name');
    expect(result.error.message).toContain('profile.port: port must be between 1 and 65535');
    expect(result.error.message).toContain('profile.sslmode: sslmode must be one of');
    const fields = (result.error.detail as { fields: Array<{ field: string }> }).fields.map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['profile.name', 'profile.port', 'profile.sslmode']));
    expect(core.deps.profiles.list()).toHaveLength(0);
    expect(core.deps.audit.count()).toBe(0);
  });

  it('audits an audited operation before and after, with what the handler noted', async () => {
    const result = await core.dispatch('createProfile', { profile: { name: 'shop', host: 'db.example.com', database: 'shop', user: 'app' } }, base);
    expect(result.ok).toBe(true);
    const [entry] = core.deps.audit.search({ limit: 10 });
    expect(entry).toMatchObject({ action: 'profile.create', outcome: 'ok', actor: 'tester', profile: 'shop' });
    expect(entry!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('records failures of audited operations with their error code', async () => {
    await core.dispatch('createProfile', { profile: { name: 'dup', host: 'h', database: 'd', user: 'u' } }, base);
    const again = await core.dispatch('createProfile', { profile: { name: 'DUP', host: 'h', database: 'd', user: 'u' } }, base);
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const [latest] = core.deps.audit.search({ limit: 1 });
    expect(latest).toMatchObject({ action: 'profile.create', outcome: 'error' });
    expect(latest!.error).toMatch(/^CONFLICT/);
  });

  it('does not audit reads of the local store', async () => {
    await core.dispatch('listProfiles', {}, base);
    await core.dispatch('searchAudit', {}, base);
    expect(core.deps.audit.count()).toBe(0);
  });

  it('answers an unknown operation with NOT_FOUND and an unexpected exception with INTERNAL', async () => {
    expect(await core.dispatch('dropDatabase', {}, base)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const handlers = Object.fromEntries(
      OP_NAMES.map((n) => [
        n,
        () => {
          throw new TypeError('boom');
        },
      ]),
    ) as unknown as Handlers;
    const d = createDispatcher(handlers, core.deps.audit);
    expect(await d.dispatch('listProfiles', {}, base)).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'Internal error: boom' } });
    const deliberate = Object.fromEntries(
      OP_NAMES.map((n) => [
        n,
        () => {
          throw new OpsError('READ_ONLY', 'nope', { rule: 'x' });
        },
      ]),
    ) as unknown as Handlers;
    // Production: whatever code the handler chose passes through as it is.
    expect(await createDispatcher(deliberate, core.deps.audit, { strictErrors: false }).dispatch('listProfiles', {}, base)).toEqual({
      ok: false,
      error: { code: 'READ_ONLY', message: 'nope', detail: { rule: 'x' } },
    });
  });

  it('under test, turns a code the operation does not declare into a loud INTERNAL; in production passes it through', async () => {
    const throwing = (code: 'READ_ONLY' | 'NOT_FOUND' | 'INVALID_INPUT') =>
      Object.fromEntries(
        OP_NAMES.map((n) => [
          n,
          () => {
            throw new OpsError(code, `refused with ${code}`);
          },
        ]),
      ) as unknown as Handlers;
    // getProfile declares NOT_FOUND, not READ_ONLY; removeProfile is audited.
    expect(operations.getProfile.errors).not.toContain('READ_ONLY');
    expect(operations.removeProfile.errors).not.toContain('READ_ONLY');
    const strict = createDispatcher(throwing('READ_ONLY'), core.deps.audit, { strictErrors: true });
    const loud = await strict.dispatch('getProfile', { id: 'x' }, base);
    expect(loud).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    if (!loud.ok) expect(loud.error.message).toContain('getProfile failed with READ_ONLY, which its contract entry does not declare');
    const audited = await strict.dispatch('removeProfile', { id: 'x' }, base);
    expect(audited).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(core.deps.audit.search({ limit: 1 })[0]!.error).toMatch(/^INTERNAL: .*removeProfile failed with READ_ONLY/);

    // Declared codes and the universal ones pass through under strict too.
    expect(await createDispatcher(throwing('NOT_FOUND'), core.deps.audit, { strictErrors: true }).dispatch('getProfile', { id: 'x' }, base)).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'refused with NOT_FOUND' },
    });
    expect(await createDispatcher(throwing('INVALID_INPUT'), core.deps.audit, { strictErrors: true }).dispatch('getProfile', { id: 'x' }, base)).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'refused with INVALID_INPUT' },
    });

    // Production: the same undeclared code passes through unchanged.
    expect(await createDispatcher(throwing('READ_ONLY'), core.deps.audit, { strictErrors: false }).dispatch('getProfile', { id: 'x' }, base)).toEqual({
      ok: false,
      error: { code: 'READ_ONLY', message: 'refused with READ_ONLY' },
    });
    // Vitest sets VITEST, so the default is strict here.
    expect(process.env.VITEST).toBeDefined();
    expect(await createDispatcher(throwing('READ_ONLY'), core.deps.audit).dispatch('getProfile', { id: 'x' }, base)).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
  });
});
