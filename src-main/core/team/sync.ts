// One sync = register the workstation, upload the audit chain past the mark, then the shared
// objects whose digest changed. Single-flight: a sync asked for while one runs waits for it
// and runs once more after. In the background (desktop and browser mode) a sync follows
// appends (debounced) and a timer, backing off while the store is down; the CLI syncs only
// when asked (`team sync`), so a short command never waits on the network.
import { OpsError } from '../../contract/errors';
import type { TeamPending, TeamStatus, TeamSyncResult } from '../../contract/team';
import type { CoreDeps } from '../platform/kernel/deps';
import { log } from '../platform/kernel/log';
import { withTeamClient } from './connection';
import { TeamLink, workstationName, type Link } from './link';
import { refuseNewer, storeVersion } from './migrate';
import { TEAM_STORE_VERSION } from './schema';
import { pendingShared, planShared, uploadShared } from './upload-shared';
import { uploadAudit, type Progress } from './upload-audit';

const DEBOUNCE_MS = 2_000;
const PERIOD_MS = 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;

export interface TeamSyncOptions {
  background: boolean;
}

export class TeamSync {
  readonly link: TeamLink;
  private running: Promise<TeamSyncResult> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private closed = false;
  private dueAt = 0;
  private readonly unsubscribe: (() => void) | null = null;

  constructor(
    private readonly deps: CoreDeps,
    private readonly options: TeamSyncOptions,
  ) {
    this.link = new TeamLink(deps.store.db);
    if (options.background) {
      this.unsubscribe = deps.events.subscribe((e) => {
        if (e.type === 'audit.appended') this.schedule(DEBOUNCE_MS, true);
      });
      this.schedule(DEBOUNCE_MS);
    }
  }

  pending(link: Link = this.link.read()): TeamPending {
    const auditRecords = Math.max(0, this.link.chainHead() - link.auditSentSeq);
    return { auditRecords, ...pendingShared(planShared(this.deps.store.db, this.link, this.deps.profiles.list())) };
  }

  status(): TeamStatus {
    const link = this.link.read();
    return {
      connected: link.connection !== null,
      workstationId: link.workstationId,
      workstationName: workstationName(),
      connection: link.connection,
      storeVersion: link.storeVersion,
      appStoreVersion: TEAM_STORE_VERSION,
      pending: this.pending(link),
      lastSyncAt: link.lastSyncAt,
      lastError: link.lastError,
      lastErrorAt: link.lastErrorAt,
    };
  }

  /** Runs a sync now (or joins the running one and runs once more after it). */
  async syncNow(progress: Progress = () => undefined): Promise<TeamSyncResult> {
    while (this.running) {
      this.again = true;
      await this.running.catch(() => undefined);
    }
    this.again = false;
    this.running = this.run(progress);
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async run(progress: Progress): Promise<TeamSyncResult> {
    const started = Date.now();
    const link = this.link.read();
    const connection = link.connection;
    if (!connection) throw new OpsError('NOT_FOUND', 'No team store is connected on this workstation: run "ops-console team connect URL" first.');
    try {
      const outcome = await withTeamClient(this.deps, connection, async (client) => {
        const version = await storeVersion(client);
        refuseNewer(version, connection);
        if (version < TEAM_STORE_VERSION)
          throw new OpsError(
            'CONFLICT',
            `The team store is at schema version ${version}; run "ops-console team connect" again to migrate it to ${TEAM_STORE_VERSION}.`,
          );
        await client.query(
          `INSERT INTO ops_team.workstations (id, name, actor) VALUES ($1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, actor = excluded.actor, last_seen = now()`,
          [link.workstationId, workstationName(), this.deps.actor],
        );
        const audit = await uploadAudit(client, this.deps.store.db, this.link, link.workstationId, progress);
        const plans = planShared(this.deps.store.db, this.link, this.deps.profiles.list());
        const shared = await uploadShared(client, this.link, link.workstationId, plans);
        return { audit, shared, version };
      });
      this.link.synced(new Date().toISOString(), outcome.version);
      this.failures = 0;
      const conflictNote =
        outcome.audit.conflicts > 0
          ? `${outcome.audit.conflicts} record(s) conflicted with what the team store holds (kept in ops_team.audit_conflicts)`
          : null;
      if (conflictNote) this.link.failed(new Date().toISOString(), conflictNote);
      return {
        ok: outcome.audit.conflicts === 0,
        uploaded: { auditRecords: outcome.audit.uploaded, ...outcome.shared },
        pending: this.pending(),
        conflicts: outcome.audit.conflicts,
        lastError: conflictNote,
        durationMs: Date.now() - started,
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.link.failed(new Date().toISOString(), message);
      this.failures += 1;
      throw err;
    }
  }

  /** An append brings the next sync forward, except while backing off from a store that is down. */
  private schedule(delayMs: number, fromAppend = false): void {
    if (this.closed || (fromAppend && this.failures > 0)) return;
    const due = Date.now() + delayMs;
    if (this.timer && this.dueAt <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.backgroundRun();
    }, delayMs);
    this.timer.unref();
  }

  private async backgroundRun(): Promise<void> {
    if (this.closed) return;
    if (this.link.read().connection === null) return this.schedule(PERIOD_MS);
    try {
      await this.syncNow();
    } catch (err) {
      log.warn('team store sync failed; will retry', err instanceof Error ? err.message : String(err));
    }
    const backoff = this.failures === 0 ? PERIOD_MS : Math.min(MAX_BACKOFF_MS, 5_000 * 2 ** Math.min(this.failures - 1, 6));
    this.schedule(this.again ? DEBOUNCE_MS : backoff);
  }

  async dispose(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
