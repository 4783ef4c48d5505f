// A profile's Supabase Storage (S3) connection through the whole core against a real S3
// server on loopback (s3rver): saved with its secret in the secret store, handed to other
// domains by storageConfigFor, tested by listing buckets, and its secret never shown in a
// profile, an error message or the audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, Profile, ProfileInput, StorageTestResult } from '../../src-main/contract/models';
import { OpsError } from '../../src-main/contract/errors';
import type { Core } from '../../src-main/core/app';
import { storageConfigFor } from '../../src-main/core/profiles';
import { callsOn, newTestCore } from '../helpers/core';
import { S3_KEY_ID, S3_SECRET, startLocalS3, type LocalS3 } from '../helpers/s3';

const SECRET = 'wJalrXUtnFEMI-storage-secret-91';
let s3: LocalS3;
let core: Core;
const api = callsOn(() => core);

beforeAll(async () => {
  s3 = await startLocalS3(['backups', 'designs']);
  core = newTestCore('ops-profile-storage-').core;
});
afterAll(async () => {
  await core?.close();
  await s3?.destroy();
});

function input(name: string, storage: ProfileInput['storage']): ProfileInput {
  return { name, host: 'db.abcdefghijklmnopqrst.supabase.co', database: 'postgres', user: 'postgres', env: 'staging', storage };
}

function thrown(fn: () => unknown): OpsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OpsError);
    return err as OpsError;
  }
  throw new Error('did not throw');
}

async function auditOf(action: string): Promise<AuditEntry[]> {
  const { entries } = await api.ok<{ entries: AuditEntry[] }>('searchAudit', { action });
  return entries;
}

describe('profile storage connection', () => {
  it('saves the connection and its secret, gives storageConfigFor, lists the buckets, never shows the secret', async () => {
    const created = await api.ok<Profile>('createProfile', {
      profile: input('with-storage', { endpoint: `${s3.endpoint}/`, region: 'eu-west-2', accessKeyId: S3_KEY_ID }),
      storageSecret: S3_SECRET,
    });
    expect(created.storage).toEqual({ endpoint: s3.endpoint, region: 'eu-west-2', accessKeyId: S3_KEY_ID, forcePathStyle: true });
    expect(created.hasStorageSecret).toBe(true);
    expect(created.hasSecret).toBe(false);

    expect(storageConfigFor(core.deps, created.id)).toEqual({
      endpoint: s3.endpoint,
      region: 'eu-west-2',
      accessKeyId: S3_KEY_ID,
      secretAccessKey: S3_SECRET,
      forcePathStyle: true,
    });
    expect(storageConfigFor(core.deps, 'with-storage', 'given-now').secretAccessKey).toBe('given-now'); // by name, the argument first

    const tested = await api.ok<StorageTestResult>('testStorageConnection', { profileId: created.id });
    expect(tested).toMatchObject({ ok: true, endpoint: s3.endpoint });
    expect([...tested.buckets].sort()).toEqual(['backups', 'designs']);
    expect(tested.ms).toBeGreaterThanOrEqual(0);
    const [entry] = await auditOf('storage.test');
    expect(entry).toMatchObject({ outcome: 'ok', profile: 'with-storage' });
    expect(entry!.summary).toContain(s3.endpoint);

    // Editing without storageSecret keeps it; '' forgets it.
    const kept = await api.ok<Profile>('updateProfile', { id: created.id, profile: input('with-storage', { endpoint: s3.endpoint, accessKeyId: S3_KEY_ID }) });
    expect(kept.hasStorageSecret).toBe(true);
    expect(kept.storage?.region).toBe('us-east-1');
    const forgot = await api.ok<Profile>('updateProfile', {
      id: created.id,
      profile: input('with-storage', { endpoint: s3.endpoint, accessKeyId: S3_KEY_ID }),
      storageSecret: '',
    });
    expect(forgot.hasStorageSecret).toBe(false);
    const required = thrown(() => storageConfigFor(core.deps, created.id));
    expect(required.code).toBe('PASSWORD_REQUIRED');
    expect(required.detail).toEqual({ secret: 'storage' });
    expect(required.message).toContain('storage secret access key of profile "with-storage"');
    const viaOp = await api.fail('testStorageConnection', { profileId: created.id });
    expect(viaOp).toMatchObject({ code: 'PASSWORD_REQUIRED', detail: { secret: 'storage' } });
    // Given for the call: works, and the in-memory store keeps it for the session.
    await api.ok('testStorageConnection', { profileId: created.id, storageSecret: S3_SECRET });
    expect((await api.ok<Profile>('getProfile', { id: created.id })).hasStorageSecret).toBe(true);
  });

  it('an unknown access key id fails as STORAGE_FAILED auth naming the endpoint, without the secret anywhere', async () => {
    const p = await api.ok<Profile>('createProfile', {
      profile: input('wrong-key', { endpoint: s3.endpoint, accessKeyId: 'NOT-A-KEY' }),
      storageSecret: SECRET,
    });
    const err = await api.fail('testStorageConnection', { profileId: p.id });
    expect(err.code).toBe('STORAGE_FAILED');
    expect(err.detail).toMatchObject({ reason: 'auth', endpoint: s3.endpoint });
    expect(err.message).toContain(s3.endpoint);
    expect(JSON.stringify(err)).not.toContain(SECRET);
    const entries = await auditOf('storage.test');
    const failed = entries.find((e) => e.profile === 'wrong-key');
    expect(failed).toMatchObject({ outcome: 'error' });
    expect(JSON.stringify(failed)).toContain(s3.endpoint);
    for (const action of ['storage.test', 'profile.create', 'profile.update']) expect(JSON.stringify(await auditOf(action))).not.toContain(SECRET);

    const shown = JSON.stringify([await api.ok('listProfiles', {}), await api.ok('getProfile', { id: p.id })]);
    expect(shown).not.toContain(SECRET);
    expect(shown).toContain('"hasStorageSecret":true');
  });

  it('refuses a bad endpoint, names the missing connection, and an unknown profile', async () => {
    const bad = await api.fail('createProfile', { profile: input('bad', { endpoint: 'https://key:secret@x.supabase.co/storage/v1/s3', accessKeyId: 'k' }) });
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.message).toContain('storage.endpoint');
    expect(bad.message).not.toContain('secret@');
    const noKeyId = await api.fail('createProfile', { profile: input('bad', { endpoint: s3.endpoint, accessKeyId: '' }) });
    expect(noKeyId.message).toContain('storage.accessKeyId');

    const plain = await api.ok<Profile>('createProfile', { profile: input('no-storage', null) });
    expect(plain.storage).toBeNull();
    const none = await api.fail('testStorageConnection', { profileId: plain.id });
    expect(none).toMatchObject({ code: 'INVALID_INPUT', detail: { fields: [{ field: 'storage' }] } });
    expect(none.message).toContain('--storage-endpoint');
    expect((await api.fail('testStorageConnection', { profileId: 'nope' })).code).toBe('NOT_FOUND');
    expect((await api.fail('testStorageConnection', {})).code).toBe('INVALID_INPUT');
  });

  it('tests settings not saved yet (the profile form), with the secret given or the saved one', async () => {
    const storage = { endpoint: s3.endpoint, accessKeyId: S3_KEY_ID };
    const fresh = await api.ok<StorageTestResult>('testStorageConnection', { storage, storageSecret: S3_SECRET });
    expect([...fresh.buckets].sort()).toEqual(['backups', 'designs']);
    expect(await api.fail('testStorageConnection', { storage })).toMatchObject({ code: 'PASSWORD_REQUIRED', detail: { secret: 'storage' } });
    const saved = await api.ok<Profile>('createProfile', {
      profile: input('form-test', { endpoint: 'https://old.example/s3', accessKeyId: 'old' }),
      storageSecret: S3_SECRET,
    });
    // The form changed the endpoint and key id; the saved secret still answers.
    expect((await api.ok<StorageTestResult>('testStorageConnection', { profileId: saved.id, storage })).endpoint).toBe(s3.endpoint);
  });
});
