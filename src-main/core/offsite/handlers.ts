// The offsite domain's operations: destinations (audited; secrets in, never out), the test
// probe, and copying a backup offsite.
import crypto from 'node:crypto';
import { OpsError } from '../../contract/errors';
import type { offsiteOperations } from '../../contract/operations-offsite';
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';
import { ObjectStore } from '../platform/objectstore';
import type { SecretCipher } from '../platform/secrets/encrypted-secret-store';
import { CopyRepo } from './copies';
import { copyBackup } from './copy';
import { DestinationRepo } from './destinations';
import { pruneDestination } from './prune';
import { OffsiteSecrets } from './secrets';

export type OffsiteOps = keyof typeof offsiteOperations;

export interface OffsiteDomain {
  handlers: Pick<Handlers, OffsiteOps>;
  destinations: DestinationRepo;
  copies: CopyRepo;
  secrets: OffsiteSecrets;
}

/** `cipher`: the desktop's keychain cipher to save secrets with; without one they stay in memory. */
export function offsiteHandlers(deps: CoreDeps, cipher: SecretCipher | null = null): OffsiteDomain {
  const secrets = new OffsiteSecrets(deps.store.db, cipher);
  const destinations = new DestinationRepo(deps.store.db, secrets);
  const copies = new CopyRepo(deps.store.db);

  const handlers: Pick<Handlers, OffsiteOps> = {
    listOffsiteDestinations: () => ({ destinations: destinations.list() }),
    getOffsiteDestination: (input) => destinations.get(input.id),
    createOffsiteDestination: (input, ctx) => {
      if (input.encrypt)
        throw new OpsError('INVALID_INPUT', 'Encrypted destinations need the crypto module, which is not in this build yet.', { field: 'encrypt' });
      const { secretAccessKey, encrypt, ...settings } = input;
      const d = destinations.create(settings, encrypt, null);
      if (secretAccessKey !== undefined && secretAccessKey !== '') secrets.set(d.id, 'access', secretAccessKey);
      ctx.audit.summary = `offsite destination ${d.name}: ${d.endpoint} bucket ${d.bucket}${d.prefix ? ` prefix ${d.prefix}` : ''}`;
      return destinations.get(d.id);
    },
    updateOffsiteDestination: (input, ctx) => {
      const { id, secretAccessKey, ...patch } = input;
      const d = destinations.update(id, patch);
      if (secretAccessKey === '') secrets.delete(d.id, 'access');
      else if (secretAccessKey !== undefined) secrets.set(d.id, 'access', secretAccessKey);
      ctx.audit.summary = `offsite destination ${d.name} updated${secretAccessKey !== undefined ? ' (secret access key changed)' : ''}`;
      return destinations.get(d.id);
    },
    deleteOffsiteDestination: (input, ctx) => {
      const d = destinations.remove(input.id);
      ctx.audit.summary = `offsite destination ${d.name} forgotten (objects in ${d.bucket} kept)`;
      return { removed: true };
    },
    testOffsiteDestination: async (input, ctx) => {
      const started = Date.now();
      const d = destinations.get(input.id);
      const store = new ObjectStore(destinations.storeConfig(d));
      const probeKey = [d.prefix, `.ops-console-probe-${crypto.randomUUID()}`].filter((s) => s !== '').join('/');
      ctx.audit.summary = `test offsite destination ${d.name} (${d.endpoint} bucket ${d.bucket})`;
      try {
        await store.checkBucket(d.bucket);
        await store.putBody(d.bucket, probeKey, 'ops-console write probe; safe to delete\n', { contentType: 'text/plain' });
        await store.remove(d.bucket, probeKey);
      } finally {
        store.destroy();
      }
      return { ok: true, endpoint: d.endpoint, bucket: d.bucket, probeKey, durationMs: Date.now() - started };
    },
    listBackupCopies: (input) => {
      const destinationId = input.destination !== undefined ? destinations.get(input.destination).id : undefined;
      return { copies: copies.list({ ...(input.backupId !== undefined ? { backupId: input.backupId } : {}), ...(destinationId ? { destinationId } : {}) }) };
    },
    copyBackupOffsite: async (input, ctx) => {
      ctx.audit.summary = `copy backup ${input.backupId} to ${input.destination}`;
      const result = await copyBackup(deps, { destinations, copies }, input.backupId, input.destination);
      ctx.audit.summary = `copy backup ${result.backupId} to ${result.destination}: ${result.key} (${result.bytes} bytes, sha256 ${result.sha256})${result.alreadyThere ? ', already there' : ', verified'}`;
      return result;
    },
    setOffsiteRetention: (input, ctx) => {
      const d = destinations.setRetention(input.id, input.policy);
      ctx.audit.summary = `offsite destination ${d.name}: retention ${input.policy === null ? 'removed' : JSON.stringify(input.policy)}`;
      return d;
    },
    pruneOffsite: async (input, ctx) => {
      const r = await pruneDestination(deps, { destinations, copies }, input.destination, { dryRun: input.dryRun, confirmName: input.confirmName });
      ctx.audit.summary = r.dryRun
        ? `prune preview on ${r.destination}: ${r.prune.length} to delete, ${r.keep.length} kept`
        : `pruned ${r.destination}: deleted ${r.deletedKeys.join(', ') || 'nothing'}`;
      return r;
    },
  };
  return { handlers, destinations, copies, secrets };
}
