// A profile's Supabase Storage (S3) connection: the config other domains (storage snapshots)
// hand to ObjectStore, and "test storage", which lists the buckets the key can see. The secret
// access key never reaches an audit entry or a message: only the endpoint and key id do.
import { OpsError } from '../../contract/errors';
import type { Profile, StorageSettings, StorageTestResult } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import type { CallContext } from '../platform/kernel/dispatch';
import { ObjectStore, type ObjectStoreConfig } from '../platform/objectstore';

function storageConfigOf(deps: CoreDeps, profile: Profile, secretAccessKey?: string | null): ObjectStoreConfig {
  const storage = profile.storage;
  if (!storage) {
    throw new OpsError(
      'INVALID_INPUT',
      `Profile "${profile.name}" has no storage connection. Add one in the profile's "Supabase Storage (S3)" section, or with ` +
        `profile edit ${profile.name} --storage-endpoint https://<project-ref>.supabase.co/storage/v1/s3 --storage-access-key-id <id>.`,
      { fields: [{ field: 'storage', message: 'no storage connection on this profile' }] },
    );
  }
  const secret = secretAccessKey || deps.secrets.get(profile.id, 'storage');
  if (!secret) {
    throw new OpsError(
      'PASSWORD_REQUIRED',
      `The storage secret access key of profile "${profile.name}" is needed (key id ${storage.accessKeyId} at ${storage.endpoint}): ` +
        'save it with the profile, or give it for this call (CLI: OPS_CONSOLE_STORAGE_SECRET_ACCESS_KEY).',
      { secret: 'storage' },
    );
  }
  return {
    endpoint: storage.endpoint,
    region: storage.region,
    accessKeyId: storage.accessKeyId,
    secretAccessKey: secret,
    forcePathStyle: storage.forcePathStyle,
  };
}

/**
 * The profile's S3 config with its secret access key: the argument when given, else the
 * secret store's. NOT_FOUND for an unknown profile, INVALID_INPUT (field 'storage') when it
 * has no storage connection, PASSWORD_REQUIRED (detail secret 'storage') without a secret.
 */
export function storageConfigFor(deps: CoreDeps, profileId: string, secretAccessKey?: string | null): ObjectStoreConfig {
  return storageConfigOf(deps, deps.profiles.require(profileId), secretAccessKey);
}

/** Settings typed in the form and not saved yet: the secret given, else the saved profile's. */
function unsavedConfig(deps: CoreDeps, storage: StorageSettings, profile: Profile | null, secret: string | undefined): ObjectStoreConfig {
  const key = secret || (profile ? deps.secrets.get(profile.id, 'storage') : null);
  if (!key) {
    throw new OpsError(
      'PASSWORD_REQUIRED',
      `The storage secret access key for key id ${storage.accessKeyId} at ${storage.endpoint} is needed to test the connection.`,
      {
        secret: 'storage',
      },
    );
  }
  return { ...storage, secretAccessKey: key };
}

export async function testStorageConnection(
  deps: CoreDeps,
  input: { profileId?: string | undefined; storage?: StorageSettings | undefined; storageSecret?: string | undefined },
  ctx: CallContext,
): Promise<StorageTestResult> {
  const profile = input.profileId !== undefined ? deps.profiles.require(input.profileId) : null;
  if (profile) ctx.audit.profile = profile.name;
  const config = input.storage ? unsavedConfig(deps, input.storage, profile, input.storageSecret) : storageConfigOf(deps, profile!, input.storageSecret);
  ctx.audit.detail = `${config.endpoint} region ${config.region}, key id ${config.accessKeyId}, ${config.forcePathStyle ? 'path-style' : 'virtual-hosted'}`;
  const started = Date.now();
  const store = new ObjectStore(config);
  try {
    const buckets = (await store.listBuckets()).map((b) => b.name);
    const ms = Date.now() - started;
    ctx.audit.summary = `Tested storage connection ${config.endpoint}: ok, ${buckets.length} bucket${buckets.length === 1 ? '' : 's'} in ${ms} ms`;
    // Session convenience, as for a tested database password: an in-memory store keeps a
    // secret that just worked; a persistent one is written only by saving the profile.
    if (profile && !input.storage && input.storageSecret && !deps.secrets.persistent && deps.secrets.status().available)
      deps.secrets.set(profile.id, input.storageSecret, 'storage');
    return { ok: true, endpoint: config.endpoint, buckets, ms };
  } finally {
    store.destroy();
  }
}
