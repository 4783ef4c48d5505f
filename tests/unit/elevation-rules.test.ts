// The elevation rule without a server (issue #19): the read-only rule lets an action through
// only while an elevation lasts, marks that action's own profile object (its connections
// lift read-only and use the break-glass role), names the elevation for the audit entry, and
// a one-action elevation is used up by the first action. The renderer's helpers say the same
// before any dialog: which profiles need an elevation, which cannot have one, the time left.
import { afterEach, describe, expect, it } from 'vitest';
import type { Profile } from '../../src-main/contract/models';
import {
  activeElevation,
  connectionUser,
  elevatedConnection,
  endElevation,
  startElevation,
  type ElevationEndReason,
} from '../../src-main/core/platform/guard/elevation';
import { isReadOnlyNow, refuseReadOnly, type RefusalNote } from '../../src-main/core/platform/guard/rules';
import { clientConfig } from '../../src-main/core/platform/postgres/connect';
import { elevationBlocker, liveElevation, needsElevation, timeLeft } from '../../src-renderer/src/shared/state/elevation';

function profile(over: Partial<Profile> = {}): Profile {
  return {
    id: `p-${Math.random().toString(36).slice(2)}`,
    name: 'prod',
    host: 'db',
    port: 5432,
    database: 'shop',
    user: 'observer',
    sslmode: 'require',
    sslRootCert: null,
    env: 'production',
    readOnly: true,
    statementTimeoutMs: null,
    notes: '',
    contacts: [],
    escalationLevel: null,
    ssh: null,
    storage: null,
    breakGlassUser: 'ops_breakglass',
    hasSecret: false,
    hasSshSecret: false,
    hasJumpSecret: false,
    hasStorageSecret: false,
    tags: [],
    createdAt: 'then',
    updatedAt: 'then',
    ...over,
  };
}

const started: string[] = [];
afterEach(() => {
  for (const id of started.splice(0)) endElevation(id, 'ended by the user', true);
});

describe('the read-only rule under an elevation', () => {
  it('refuses without one; with a window lets every action through, marked and named, until it ends', () => {
    const p = profile();
    const ends: ElevationEndReason[] = [];
    expect(() => refuseReadOnly(p, 'terminating backend 7', {})).toThrow(/read-only profile.*Elevate the profile/);
    expect(isReadOnlyNow(p)).toBe(true);

    const e = startElevation(
      p,
      { reason: 'INC-1', mode: 'window', minutes: 5, actor: 'dba', role: 'ops_breakglass' },
      { onEnd: (_e, _n, why) => ends.push(why) },
    );
    started.push(p.id);
    expect(isReadOnlyNow(p)).toBe(false);
    const action = { ...p };
    const note: RefusalNote = {};
    refuseReadOnly(action, 'terminating backend 7', note);
    expect(note.elevation).toBe(`elevated until ${e.expiresAt} (elevation ${e.id.slice(0, 8)}, reason: INC-1, as break-glass role ops_breakglass)`);
    // Only the action's own object is elevated: its connection, not every connection of the profile.
    expect(elevatedConnection(action)).toEqual(e);
    expect(elevatedConnection(p)).toBeNull();
    expect(connectionUser(action)).toBe('ops_breakglass');
    expect(connectionUser(p)).toBe('observer');
    expect(clientConfig(action)).toMatchObject({ user: 'ops_breakglass' });
    expect(clientConfig(action).options).toBeUndefined();
    expect(clientConfig(p)).toMatchObject({ user: 'observer', options: '-c default_transaction_read_only=on' });
    refuseReadOnly({ ...p }, 'a second action', {});
    expect(activeElevation(p.id)).toEqual(e);

    expect(endElevation(p.id, 'ended by the user')).toEqual(e);
    expect(ends).toEqual(['ended by the user']);
    expect(() => refuseReadOnly({ ...p }, 'after the end', {})).toThrow(/read-only/);
  });

  it('a one-action elevation is used up by the first action; a new one replaces an old one', () => {
    const p = profile({ breakGlassUser: null });
    const ends: ElevationEndReason[] = [];
    const owner = { onEnd: (_e: unknown, _n: string, why: ElevationEndReason) => ends.push(why) };
    startElevation(p, { reason: 'one', mode: 'window', minutes: 5, actor: 'dba', role: null }, owner);
    startElevation(p, { reason: 'two', mode: 'action', minutes: 2, actor: 'dba', role: null }, owner);
    started.push(p.id);
    expect(ends).toEqual(['replaced by a new elevation']);
    const action = { ...p };
    refuseReadOnly(action, 'one thing', {});
    expect(connectionUser(action)).toBe('observer');
    expect(ends).toEqual(['replaced by a new elevation', 'used by its one action']);
    expect(() => refuseReadOnly({ ...p }, 'another thing', {})).toThrow(/read-only/);
  });

  it('a read-write profile is never refused and never marked', () => {
    const p = profile({ readOnly: false });
    const note: RefusalNote = {};
    refuseReadOnly(p, 'anything', note);
    expect(note.elevation).toBeUndefined();
    expect(elevatedConnection(p)).toBeNull();
  });
});

describe('what the screens say before a dialog', () => {
  it('needs an elevation on read-only production only; elsewhere names the fix', () => {
    expect(needsElevation(profile())).toBe(true);
    expect(needsElevation(profile({ readOnly: false }))).toBe(false);
    expect(elevationBlocker(profile())).toBeNull();
    expect(elevationBlocker(profile({ env: 'staging' }))).toMatchObject({ fix: 'edit-profile', message: expect.stringMatching(/read-write in its settings/) });
    expect(elevationBlocker(profile({ env: 'staging', readOnly: false }))).toBeNull();
  });

  it('shows the time left as m:ss and forgets an elevation whose time has passed', () => {
    const now = Date.parse('2026-12-06T03:00:00.000Z');
    const e = {
      id: 'e',
      reason: 'r',
      mode: 'window' as const,
      startedAt: '2026-12-06T02:58:00.000Z',
      expiresAt: '2026-12-06T03:04:32.000Z',
      role: null,
      actor: 'dba',
    };
    expect(timeLeft(e, now)).toBe('4:32');
    expect(timeLeft(e, now + 272_000 + 5000)).toBe('0:00');
    expect(liveElevation(profile({ elevation: e }), now)).toEqual(e);
    expect(liveElevation(profile({ elevation: e }), now + 300_000)).toBeNull();
    expect(needsElevation(profile({ elevation: { ...e, expiresAt: new Date(Date.now() + 60_000).toISOString() } }))).toBe(false);
  });
});
