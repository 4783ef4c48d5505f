// Prune: the destination's retention policy over its ok copies, grouped by profile + kind
// (planRetention decides; the preview and the run use the same plan), then the objects and
// their manifests deleted and the copies marked deleted. Production copies need the typed name.
// Storage snapshot copies are one group per profile ('storage'); their objects are shared by
// content, so a pruned copy loses its manifest and then only the objects no kept copy names
// (and none sent in the last day: a copy may be running) are deleted.
import { OpsError } from '../../contract/errors';
import type { PrunePlanItem, PruneResult } from '../../contract/offsite';
import { BackupCatalog } from '../backup';
import { SnapshotCatalog } from '../storage';
import type { CoreDeps } from '../platform/kernel/deps';
import { ObjectStore } from '../platform/objectstore';
import type { CopyRepo } from './copies';
import { directoryKeys } from './copy-dir';
import type { DestinationRepo } from './destinations';
import { keepsEverything, planRetention } from './retention';
import { objectsPrefixOf, sweepSnapshotObjects } from './snapshot-copy';

/** Snapshot objects sent more recently than this are never swept (a copy may still be running). */
const SWEEP_GRACE_MS = 24 * 60 * 60 * 1000;

export async function pruneDestination(
  deps: CoreDeps,
  repos: { destinations: DestinationRepo; copies: CopyRepo },
  destination: string,
  options: { dryRun: boolean; confirmName?: string | undefined; now?: Date },
): Promise<PruneResult> {
  const d = repos.destinations.get(destination);
  if (d.retention === null || keepsEverything(d.retention))
    throw new OpsError('CONFLICT', `Offsite destination ${d.name} has no retention policy: set one before pruning (nothing is deleted without one).`);
  const catalog = new BackupCatalog(deps.store.db);
  const snapshots = new SnapshotCatalog(deps.store.db);
  const items = new Map<string, PrunePlanItem>();
  for (const c of repos.copies.list({ destinationId: d.id })) {
    if (c.status !== 'ok') continue;
    if (c.kind === 'storage') {
      const snapshot = snapshots.get(c.backupId);
      items.set(c.id, {
        copyId: c.id,
        backupId: c.backupId,
        key: c.key,
        profile: snapshot?.profileName ?? c.key.split('/').slice(-3, -2)[0] ?? '?',
        kind: 'storage',
        createdAt: snapshot?.startedAt ?? c.startedAt,
        production: snapshot !== null && deps.profiles.get(snapshot.profileId)?.env === 'production',
      });
      continue;
    }
    const backup = catalog.get(c.backupId);
    const profile = backup?.profileName ?? c.key.split('/').slice(-2, -1)[0] ?? '?';
    const production = backup !== null && deps.profiles.get(backup.profileId)?.env === 'production';
    items.set(c.id, {
      copyId: c.id,
      backupId: c.backupId,
      key: c.key,
      profile,
      kind: backup?.kind ?? 'full',
      createdAt: backup?.startedAt ?? c.startedAt,
      production,
    });
  }
  const plan = planRetention(
    [...items.values()].map((i) => ({ id: i.copyId, createdAt: i.createdAt, group: `${i.profile}\u0000${i.kind}` })),
    d.retention,
    options.now ?? new Date(),
  );
  const prune = plan.prune.map((p) => items.get(p.id)!);
  const keep = plan.keep.map((k) => ({ ...items.get(k.id)!, reasons: k.reasons }));
  const result: PruneResult = { ok: true, destination: d.name, dryRun: options.dryRun, prune, keep, deletedKeys: [] };
  if (options.dryRun || prune.length === 0) return result;
  if (prune.some((p) => p.production) && options.confirmName !== d.name)
    throw new OpsError(
      'CONFIRMATION_REQUIRED',
      `Copies of a production profile's backups would be deleted: type the destination's name (${d.name}) to prune.`,
      {
        reason: 'production',
        expected: d.name,
      },
    );
  const store = new ObjectStore(repos.destinations.storeConfig(d));
  try {
    const sweep = new Set<string>();
    for (const p of prune) {
      if (p.kind === 'storage') {
        await store.remove(d.bucket, p.key);
        result.deletedKeys.push(p.key);
        sweep.add(objectsPrefixOf(p.key));
      } else if (p.key.endsWith('/')) {
        // A directory dump's copy: its manifest first (without it the files are no copy), then every file under the prefix.
        const manifestKey = directoryKeys(p.key.slice(0, -1)).manifestKey;
        await store.remove(d.bucket, manifestKey);
        result.deletedKeys.push(manifestKey);
        for await (const o of store.listObjects(d.bucket, p.key)) {
          await store.remove(d.bucket, o.key);
          result.deletedKeys.push(o.key);
        }
      } else {
        await store.remove(d.bucket, p.key);
        await store.remove(d.bucket, `${p.key}.manifest.json`);
        result.deletedKeys.push(p.key, `${p.key}.manifest.json`);
      }
      repos.copies.markDeleted(p.copyId);
    }
    for (const prefix of sweep) {
      const kept = keep.filter((k) => k.kind === 'storage' && objectsPrefixOf(k.key) === prefix).map((k) => k.key);
      result.deletedKeys.push(...(await sweepSnapshotObjects(store, d.bucket, prefix, kept, SWEEP_GRACE_MS, options.now ?? new Date())));
    }
  } finally {
    store.destroy();
  }
  return result;
}
