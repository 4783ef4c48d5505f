// The shared objects that change in place — profiles (without secrets), saved runbooks,
// signed-off checklist runs — uploaded when their digest differs from the one last sent
// (team_sent, migration 18). What a profile shares is an allowlist: connection settings,
// tags, thresholds, contacts, notes; never a password, key passphrase or secret access key,
// nor local paths (key files, root certificates), which mean nothing on another workstation.
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import type { TeamPending } from '../../contract/team';
import type { TeamLink } from './link';

type Kind = 'profile' | 'runbook' | 'checklist_run';

interface SharedObject {
  key: string;
  digest: string;
  /** Parameters of the upsert after the workstation id. */
  params: unknown[];
}

const UPSERT: Record<Kind, string> = {
  profile: `INSERT INTO ops_team.profiles (workstation_id, profile_id, name, settings, thresholds) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (workstation_id, profile_id) DO UPDATE SET name = excluded.name, settings = excluded.settings, thresholds = excluded.thresholds, updated_at = now(), removed_at = NULL`,
  runbook: `INSERT INTO ops_team.runbooks (workstation_id, runbook_id, title, source, imported_at, outline) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (workstation_id, runbook_id) DO UPDATE SET title = excluded.title, source = excluded.source, imported_at = excluded.imported_at, outline = excluded.outline, updated_at = now(), removed_at = NULL`,
  // A signed-off run never changes: the first upload stands.
  checklist_run: `INSERT INTO ops_team.checklist_runs (workstation_id, run_id, profile_name, checklist_id, title, status, actor, started_at, signed_at, result, decisions, note)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (workstation_id, run_id) DO NOTHING`,
};

const REMOVE: Partial<Record<Kind, string>> = {
  profile: 'UPDATE ops_team.profiles SET removed_at = now() WHERE workstation_id = $1 AND profile_id = $2',
  runbook: 'UPDATE ops_team.runbooks SET removed_at = now() WHERE workstation_id = $1 AND runbook_id = $2',
};

function digestOf(params: unknown[]): string {
  return crypto.hash('sha256', JSON.stringify(params), 'hex');
}

function sharedProfile(p: Profile): Record<string, unknown> {
  return {
    name: p.name,
    env: p.env,
    host: p.host,
    port: p.port,
    database: p.database,
    user: p.user,
    sslmode: p.sslmode,
    readOnly: p.readOnly,
    statementTimeoutMs: p.statementTimeoutMs,
    notes: p.notes,
    contacts: p.contacts,
    escalationLevel: p.escalationLevel,
    tags: p.tags,
    breakGlassUser: p.breakGlassUser ?? null,
    ssh: p.ssh ? { host: p.ssh.host, port: p.ssh.port, user: p.ssh.user, auth: p.ssh.auth } : null,
  };
}

function profiles(db: Database.Database, list: Profile[]): SharedObject[] {
  const thresholds = db.prepare('SELECT key, warn, critical FROM threshold_overrides WHERE profile_id = ? ORDER BY key');
  return list.map((p) => {
    const params = [p.id, p.name, JSON.stringify(sharedProfile(p)), JSON.stringify(thresholds.all(p.id))];
    return { key: p.id, digest: digestOf(params), params };
  });
}

function runbooks(db: Database.Database): SharedObject[] {
  const rows = db.prepare('SELECT id, title, source, imported_at, outline_json FROM runbooks ORDER BY id').raw().all() as unknown[][];
  return rows.map((r) => ({ key: String(r[0]), digest: digestOf(r), params: r }));
}

function checklistRuns(db: Database.Database): SharedObject[] {
  const rows = db
    .prepare(
      'SELECT id, profile_name, checklist_id, title, status, actor, started_at, signed_at, result_json, decisions_json, note FROM checklist_runs ORDER BY id',
    )
    .raw()
    .all() as unknown[][];
  // A run is immutable: its id is its digest.
  return rows.map((r) => ({ key: String(r[0]), digest: String(r[0]), params: r }));
}

interface Plan {
  kind: Kind;
  changed: SharedObject[];
  removed: string[];
}

function plan(link: TeamLink, kind: Kind, current: SharedObject[]): Plan {
  const sent = link.sentDigests(kind);
  const keys = new Set(current.map((o) => o.key));
  return {
    kind,
    changed: current.filter((o) => sent.get(o.key) !== o.digest),
    removed: [...sent.keys()].filter((k) => !keys.has(k)),
  };
}

export function planShared(db: Database.Database, link: TeamLink, profileList: Profile[]): Plan[] {
  return [plan(link, 'profile', profiles(db, profileList)), plan(link, 'runbook', runbooks(db)), plan(link, 'checklist_run', checklistRuns(db))];
}

export function pendingShared(plans: Plan[]): Omit<TeamPending, 'auditRecords'> {
  const count = (kind: Kind) => {
    const p = plans.find((x) => x.kind === kind);
    return p ? p.changed.length + p.removed.length : 0;
  };
  return { profiles: count('profile'), runbooks: count('runbook'), checklistRuns: count('checklist_run') };
}

/** One transaction per kind; the digests are recorded after it commits. */
export async function uploadShared(client: pg.Client, link: TeamLink, workstationId: string, plans: Plan[]): Promise<Omit<TeamPending, 'auditRecords'>> {
  const done: Record<Kind, number> = { profile: 0, runbook: 0, checklist_run: 0 };
  for (const p of plans) {
    if (p.changed.length === 0 && p.removed.length === 0) continue;
    const removeSql = REMOVE[p.kind];
    await client.query('BEGIN');
    try {
      for (const o of p.changed) await client.query(UPSERT[p.kind], [workstationId, ...o.params]);
      if (removeSql) for (const key of p.removed) await client.query(removeSql, [workstationId, key]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    const at = new Date().toISOString();
    for (const o of p.changed) link.markSent(p.kind, o.key, o.digest, at);
    for (const key of p.removed) link.markSent(p.kind, key, null, at);
    done[p.kind] = p.changed.length + p.removed.length;
  }
  return { profiles: done.profile, runbooks: done.runbook, checklistRuns: done.checklist_run };
}
