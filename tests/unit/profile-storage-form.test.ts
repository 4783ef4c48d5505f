// The profile form's storage part: empty means no connection, a typed secret travels beside
// the profile, "forget" sends '', an import's hint fills only an empty endpoint.
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src-main/contract/models';
import { applyStorageHint, emptyStorage, storageFormFromProfile, storageToInput } from '../../src-renderer/src/screens/profiles/storage-form-model';

describe('storage form model', () => {
  it('no endpoint and no key id: no storage connection', () => {
    expect(storageToInput(emptyStorage())).toEqual({ storage: null });
    expect(storageToInput({ ...emptyStorage(), forgetSecret: true })).toEqual({ storage: null, storageSecret: '' });
  });

  it('settings trimmed, the secret beside them, empty secret keeps the saved one', () => {
    const form = { ...emptyStorage(), endpoint: ' https://r.supabase.co/storage/v1/s3 ', region: '', accessKeyId: ' k ', forcePathStyle: false };
    expect(storageToInput(form)).toEqual({
      storage: { endpoint: 'https://r.supabase.co/storage/v1/s3', region: 'us-east-1', accessKeyId: 'k', forcePathStyle: false },
    });
    expect(storageToInput({ ...form, secret: 's3cret' }).storageSecret).toBe('s3cret');
    expect(storageToInput({ ...form, forgetSecret: true }).storageSecret).toBe('');
  });

  it('round-trips a saved profile and fills a hint only into an empty endpoint', () => {
    const storage = { endpoint: 'https://x/s3', region: 'eu-west-2', accessKeyId: 'k', forcePathStyle: true };
    const form = storageFormFromProfile({ storage } as Profile);
    expect(storageToInput(form)).toEqual({ storage });
    const hint = { endpoint: 'https://ref.supabase.co/storage/v1/s3', region: 'eu-central-1' };
    expect(applyStorageHint(form, hint)).toBe(form);
    expect(applyStorageHint(emptyStorage(), hint)).toMatchObject({ endpoint: hint.endpoint, region: 'eu-central-1' });
    expect(applyStorageHint(emptyStorage(), { ...hint, region: null }).region).toBe('us-east-1');
  });
});
