// This home's side of the team store, in the local store (migration 18): the workstation id,
// the connection settings (never a password), the audit high-water mark, the last sync and
// its error. See the migration's header for why the chain itself is the trail's outbox.
import crypto from 'node:crypto';
import os from 'node:os';
import type Database from 'better-sqlite3';
import type { TeamConnection } from '../../contract/team';

interface LinkRow {
  workstation_id: string;
  connection_json: string | null;
  store_version: number | null;
  audit_sent_seq: number;
  last_sync_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
}

export interface Link {
  workstationId: string;
  connection: TeamConnection | null;
  storeVersion: number | null;
  auditSentSeq: number;
  lastSyncAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

/** The workstation's display name in the team store. */
export function workstationName(): string {
  return os.hostname();
}

export class TeamLink {
  constructor(private readonly db: Database.Database) {}

  /** The row, made on first use with a fresh random workstation id that this home keeps for good. */
  read(): Link {
    let row = this.db.prepare('SELECT * FROM team_link WHERE id = 1').get() as LinkRow | undefined;
    if (!row) {
      this.db.prepare('INSERT OR IGNORE INTO team_link (id, workstation_id) VALUES (1, ?)').run(crypto.randomUUID());
      row = this.db.prepare('SELECT * FROM team_link WHERE id = 1').get() as LinkRow;
    }
    return {
      workstationId: row.workstation_id,
      connection: row.connection_json === null ? null : (JSON.parse(row.connection_json) as TeamConnection),
      storeVersion: row.store_version,
      auditSentSeq: row.audit_sent_seq,
      lastSyncAt: row.last_sync_at,
      lastError: row.last_error,
      lastErrorAt: row.last_error_at,
    };
  }

  /** A new store starts from the beginning of the chain: what was sent to another store is not in this one. */
  connect(connection: TeamConnection, storeVersion: number): void {
    const before = this.read();
    const same = before.connection !== null && sameStore(before.connection, connection);
    this.db.transaction(() => {
      this.db
        .prepare(
          'UPDATE team_link SET connection_json = ?, store_version = ?, audit_sent_seq = CASE WHEN ? THEN audit_sent_seq ELSE 0 END, last_error = NULL, last_error_at = NULL WHERE id = 1',
        )
        .run(JSON.stringify(connection), storeVersion, same ? 1 : 0);
      if (!same) this.db.prepare('DELETE FROM team_sent').run();
    })();
  }

  disconnect(): void {
    this.db.prepare('UPDATE team_link SET connection_json = NULL, store_version = NULL WHERE id = 1').run();
  }

  /** Only ever moves forward: two syncs racing (two processes on one home) cannot move it back. */
  markAuditSent(seq: number): void {
    this.db.prepare('UPDATE team_link SET audit_sent_seq = max(audit_sent_seq, ?) WHERE id = 1').run(seq);
  }

  synced(at: string, storeVersion: number): void {
    this.db.prepare('UPDATE team_link SET last_sync_at = ?, store_version = ?, last_error = NULL, last_error_at = NULL WHERE id = 1').run(at, storeVersion);
  }

  failed(at: string, message: string): void {
    this.db.prepare('UPDATE team_link SET last_error = ?, last_error_at = ? WHERE id = 1').run(message, at);
  }

  sentDigests(kind: string): Map<string, string> {
    const rows = this.db.prepare('SELECT key, digest FROM team_sent WHERE kind = ?').all(kind) as Array<{ key: string; digest: string }>;
    return new Map(rows.map((r) => [r.key, r.digest]));
  }

  markSent(kind: string, key: string, digest: string | null, at: string): void {
    if (digest === null) this.db.prepare('DELETE FROM team_sent WHERE kind = ? AND key = ?').run(kind, key);
    else
      this.db
        .prepare(
          'INSERT INTO team_sent (kind, key, digest, sent_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET digest = excluded.digest, sent_at = excluded.sent_at',
        )
        .run(kind, key, digest, at);
  }

  /** The newest record of the local chain. */
  chainHead(): number {
    // The chain's last key (audit_head holds only a floor of the head since migration 20).
    return (this.db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM audit_chain').get() as { seq: number }).seq;
  }
}

function sameStore(a: TeamConnection, b: TeamConnection): boolean {
  return a.host === b.host && a.port === b.port && a.database === b.database;
}
