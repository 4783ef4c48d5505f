// The "Supabase Storage (S3)" part of the profile form: its state and how it maps to the
// contract's storage settings. Empty endpoint and key id mean "no storage connection".
import type { Profile, ProfileDraft, StorageSettingsInput } from '@contract/models';

export interface StorageForm {
  endpoint: string;
  region: string;
  accessKeyId: string;
  /** Typed secret access key; empty keeps the saved one. Travels beside the profile. */
  secret: string;
  forcePathStyle: boolean;
  /** The user asked to forget the saved secret. */
  forgetSecret: boolean;
}

export function emptyStorage(): StorageForm {
  return { endpoint: '', region: 'us-east-1', accessKeyId: '', secret: '', forcePathStyle: true, forgetSecret: false };
}

export function storageFormFromProfile(p: Profile): StorageForm {
  if (!p.storage) return emptyStorage();
  return {
    ...emptyStorage(),
    endpoint: p.storage.endpoint,
    region: p.storage.region,
    accessKeyId: p.storage.accessKeyId,
    forcePathStyle: p.storage.forcePathStyle,
  };
}

/** A Supabase import fills the endpoint (and region) when the form has none yet. */
export function applyStorageHint(form: StorageForm, hint: ProfileDraft['storageHint']): StorageForm {
  if (!hint || form.endpoint.trim() !== '') return form;
  return { ...form, endpoint: hint.endpoint, ...(hint.region ? { region: hint.region } : {}) };
}

export function hasStorage(form: StorageForm): boolean {
  return form.endpoint.trim() !== '' || form.accessKeyId.trim() !== '';
}

/** The settings to save (null: none) and the secret field for create/update. */
export function storageToInput(form: StorageForm): { storage: StorageSettingsInput | null; storageSecret?: string } {
  if (!hasStorage(form)) return { storage: null, ...(form.forgetSecret ? { storageSecret: '' } : {}) };
  const storage: StorageSettingsInput = {
    endpoint: form.endpoint.trim(),
    region: form.region.trim() === '' ? 'us-east-1' : form.region.trim(),
    accessKeyId: form.accessKeyId.trim(),
    forcePathStyle: form.forcePathStyle,
  };
  if (form.secret !== '') return { storage, storageSecret: form.secret };
  return { storage, ...(form.forgetSecret ? { storageSecret: '' } : {}) };
}
