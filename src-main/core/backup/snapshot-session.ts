// The connection a backup holds for the whole dump: the toolkit's pre-operation marker
// first (when installed and allowed), then a REPEATABLE READ transaction whose snapshot
// pg_dump adopts, so the manifest's row counts describe exactly the data in the backup.
import path from 'node:path';
import type pg from 'pg';
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../platform/kernel/deps';
import { log } from '../platform/kernel/log';
import { withClient } from '../platform/postgres/connect';
import { errorText } from '../platform/tools/tool-process';
import { readOnlyMarkerNote } from './naming';
import type { PreparedBackup } from './plan';

export interface SnapshotSession {
  client: pg.Client;
  /** pg_export_snapshot() of the held transaction; null when the server could not share one. */
  snapshot: string | null;
  marker: { id: string; lsn: string | null } | null;
}

export interface HeldSession {
  session: SnapshotSession;
  release: () => void;
  /** Things that went wrong without failing the backup (shown in the audit entry and the manifest). */
  notes: string[];
}

/**
 * The marker is a courtesy to the runbook's records, never a reason to lose a backup: a
 * role without USAGE on ops_toolkit (or EXECUTE, or a read-only server) only gets a note.
 * Nothing here runs inside a transaction, so a failed statement leaves the connection usable.
 */
export async function createMarker(client: pg.Client, prepared: PreparedBackup, notes: string[]): Promise<{ id: string; lsn: string | null } | null> {
  try {
    // has_schema_privilege first: without USAGE, to_regprocedure itself raises "permission denied for schema".
    const exists = await client.query<{ present: boolean }>(
      `SELECT CASE WHEN to_regnamespace('ops_toolkit') IS NULL THEN false
                   WHEN NOT has_schema_privilege('ops_toolkit', 'USAGE') THEN NULL
                   ELSE to_regprocedure('ops_toolkit.create_backup_metadata(text,text)') IS NOT NULL END AS present`,
    );
    const present = exists.rows[0]?.present;
    if (present === false) return null;
    if (present === null || present === undefined) {
      notes.push('pre-operation marker not recorded: this role has no USAGE on schema ops_toolkit');
      return null;
    }
    // A read-only profile only observes (core/platform/guard): the marker is a write, so it is not tried.
    if (prepared.profile.readOnly) {
      notes.push(readOnlyMarkerNote(prepared.profile.name));
      return null;
    }
    const description = prepared.options.description || `ops-console ${prepared.plan.kind} backup to ${path.basename(prepared.plan.path)}`;
    const res = await client.query<{ id: string; wal_lsn: string | null }>(
      `SELECT id::text AS id, wal_lsn::text AS wal_lsn FROM ops_toolkit.create_backup_metadata('pre_operation', $1)`,
      [description],
    );
    const row = res.rows[0];
    return row ? { id: row.id, lsn: row.wal_lsn } : null;
  } catch (err) {
    // A read-only profile or a missing privilege: the backup itself is still worth taking.
    notes.push(`pre-operation marker not recorded: ${errorText(err)}`);
    return null;
  }
}

/** Opens and holds the session until `release()`; resolves once the snapshot is exported. */
export async function openSnapshotSession(deps: CoreDeps, prepared: PreparedBackup): Promise<HeldSession> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let ready!: (value: { session: SnapshotSession; notes: string[] }) => void;
  const opened = new Promise<{ session: SnapshotSession; notes: string[] }>((resolve) => {
    ready = resolve;
  });
  const held = withClient(
    deps,
    prepared.profile,
    async (client) => {
      const notes: string[] = [];
      const marker = prepared.options.preOperationMarker ? await createMarker(client, prepared, notes) : null;
      let snapshot: string | null = null;
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]?.s ?? null;
      } catch (err) {
        // A pooler in transaction mode, for one, cannot share a snapshot: count after the dump.
        notes.push(`row counts taken after the dump (no shared snapshot: ${errorText(err)})`);
        await client.query('ROLLBACK').catch(() => undefined);
      }
      ready({ session: { client, snapshot, marker }, notes });
      await released;
      await client.query(snapshot ? 'COMMIT' : 'SELECT 1').catch(() => undefined);
    },
    { password: prepared.password ?? undefined },
  );
  const result = await Promise.race([opened, held.then(() => null)]);
  if (result === null) throw new OpsError('INTERNAL', 'The connection for the backup closed before it was ready.');
  held.catch((err: unknown) => log.warn('backup session ended with an error', err));
  return { session: result.session, release, notes: result.notes };
}
