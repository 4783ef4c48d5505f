// One console session per profile: a single connection reused across runs, so that
// BEGIN in one run and COMMIT in the next act on the same transaction, and so that
// Cancel knows exactly which backend pid is running the statement.
import type pg from 'pg';
import type Cursor from 'pg-cursor';
import { OpsError } from '../../contract/errors';
import { CONSOLE_IDLE_CLOSE_MS, type Profile, type QueryCell } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import { activeElevation, elevatedConnection, markElevated } from '../platform/guard/elevation';
import { connectClient, connectPassword } from '../platform/postgres/connect';
import { emptyNames, type SessionNames } from '../platform/guard/statements/judge';

/**
 * The settings the guard's parser assumes (effects.ts, PINNED_SETTINGS), as the server
 * reports them (ParameterStatus): the console sends nothing while they differ.
 */
export const PINNED_VALUES: Readonly<Record<string, string>> = { standard_conforming_strings: 'on', client_encoding: 'UTF8' };

/** Listens to the server's ParameterStatus reports on a pg client (both settings are GUC_REPORT). */
export function trackReportedSettings(client: pg.Client, into: Map<string, string>): void {
  const connection = (client as unknown as { connection?: { on(event: string, fn: (msg: { parameterName: string; parameterValue: string }) => void): void } })
    .connection;
  connection?.on('parameterStatus', (msg) => into.set(msg.parameterName, msg.parameterValue));
}

/** Why the session may not send user SQL now (a pinned setting changed), or null. */
export function pinnedSettingsDrift(reported: ReadonlyMap<string, string>): string | null {
  for (const [name, value] of Object.entries(PINNED_VALUES)) {
    const now = reported.get(name);
    if (now !== undefined && now.toLowerCase() !== value.toLowerCase()) return `${name} is now "${now}" (the console pins it to "${value}")`;
  }
  return null;
}

/**
 * A streamed result that stopped at its row limit with its cursor left open, so "Fetch
 * more" continues where it stopped instead of running the query again (which could give
 * different rows). While it is held the connection can run nothing else.
 */
export interface HeldResult {
  cursor: Cursor<unknown[]>;
  runId: string;
  index: number;
  delivered: number;
  /** The row read to learn that more exist: handed out first by the next fetch. */
  lookahead: QueryCell[] | null;
  timer: NodeJS.Timeout | null;
}

export class QuerySession {
  readonly profileId: string;
  readonly client: pg.Client;
  readonly pid: number;
  /** Set while a script runs on this session. */
  busy = false;
  /** Set by cancelQuery, read by the runner to tell a cancel from a statement timeout. */
  cancelRequested = false;
  /** The connection broke (server gone, network dropped, tunnel closed). */
  dead = false;
  deadReason: string | null = null;
  idleTimer: NodeJS.Timeout | null = null;
  /** The password this session connected with (memory only), so Cancel can open its second connection. */
  password: string | undefined;
  /** A result kept open for "Fetch more" (see HeldResult). */
  held: HeldResult | null = null;
  /** Prepared statements and cursors this session's statements created, with their judgement. */
  readonly names: SessionNames = emptyNames();
  /** The settings the server reported (ParameterStatus), for the pinned ones. */
  readonly reported = new Map<string, string>();
  /** The elevation this session was opened under (issue #19): not read-only, maybe the break-glass role. */
  elevationId: string | null = null;

  constructor(profileId: string, client: pg.Client, pid: number) {
    this.profileId = profileId;
    this.client = client;
    this.pid = pid;
    const markDead = (reason: string) => {
      this.dead = true;
      this.deadReason ??= reason;
    };
    client.on('error', (err: Error) => markDead(err.message));
    client.on('end', () => markDead('the connection was closed'));
  }

  /** Type names looked up in pg_type for oids outside the built-in table. */
  readonly typeNames = new Map<number, string>();

  /** From the server's last ReadyForQuery: 'I' idle, 'T' in a transaction, 'E' in a failed one. */
  get txStatus(): string | null {
    return (this.client as unknown as { getTransactionStatus?: () => string | null }).getTransactionStatus?.() ?? null;
  }

  get transactionOpen(): boolean {
    return this.txStatus === 'T' || this.txStatus === 'E';
  }
}

export interface SessionManagerOptions {
  idleCloseMs?: number;
}

/** The console sessions of one core, keyed by profile id. */
export class SessionManager {
  private readonly sessions = new Map<string, QuerySession>();
  private readonly opening = new Map<string, Promise<QuerySession>>();
  /**
   * Profiles whose session was closed (dead, or idle too long) while a transaction was open:
   * the next acquire reports it, so a COMMIT never lands on a fresh connection that holds
   * nothing to commit.
   */
  private readonly lostTransactions = new Set<string>();
  private readonly idleCloseMs: number;

  constructor(
    private readonly deps: Pick<CoreDeps, 'secrets' | 'tunnels'>,
    options: SessionManagerOptions = {},
  ) {
    this.idleCloseMs = options.idleCloseMs ?? CONSOLE_IDLE_CLOSE_MS;
  }

  current(profileId: string): QuerySession | null {
    const session = this.sessions.get(profileId) ?? null;
    return session && !session.dead ? session : null;
  }

  /**
   * The live session of a profile, opened (or reopened after a dead connection) on demand.
   * `lostTransaction` tells the caller a transaction died with the old connection.
   */
  async acquire(
    profile: Profile,
    password?: string,
    options: { elevated?: boolean } = {},
  ): Promise<{ session: QuerySession; lostTransaction: boolean; reconnected: boolean }> {
    let existing = this.sessions.get(profile.id);
    let lostTransaction = this.lostTransactions.delete(profile.id);
    let reconnected = false;
    // Only a run is the elevated action (issue #19): it gets a session opened under the
    // elevation (read-write, the break-glass role); a preview keeps whatever is open. A
    // session opened under an elevation that has ended (or been replaced) is never reused.
    const elevation = activeElevation(profile.id);
    const wanted = options.elevated === true ? elevation : null;
    const stale = existing !== undefined && existing.elevationId !== null && existing.elevationId !== (elevation?.id ?? null);
    const upgrade = existing !== undefined && wanted !== null && existing.elevationId !== wanted.id;
    if (existing && !existing.dead && !existing.busy && (stale || upgrade)) {
      await this.close(profile.id);
      lostTransaction = this.lostTransactions.delete(profile.id);
      reconnected = true;
      existing = undefined;
    }
    if (wanted) markElevated(profile, wanted);
    if (existing && existing.dead) {
      lostTransaction ||= existing.transactionOpen;
      reconnected = true;
      await this.close(profile.id);
      // Reported now, by this acquire: not again by the next one.
      this.lostTransactions.delete(profile.id);
    } else if (existing) {
      this.touch(existing, true);
      return { session: existing, lostTransaction, reconnected };
    }
    let pending = this.opening.get(profile.id);
    if (!pending) {
      pending = this.open(profile, password).finally(() => this.opening.delete(profile.id));
      this.opening.set(profile.id, pending);
    }
    const session = await pending;
    this.touch(session, true);
    return { session, lostTransaction, reconnected };
  }

  private async open(profile: Profile, password?: string): Promise<QuerySession> {
    const resolved = connectPassword(this.deps, profile, password);
    const client = await connectClient(profile, resolved, { tunnels: this.deps.tunnels });
    try {
      const reported = new Map<string, string>();
      trackReportedSettings(client, reported);
      // hex is what the contract promises for bytea, whatever the server's default. The
      // pinned settings are set whatever a role or database default says (effects.ts).
      const res = await client.query<{ pid: number; scs: string; enc: string }>(
        "SELECT pg_backend_pid() AS pid, set_config('bytea_output', 'hex', false), set_config('standard_conforming_strings', 'on', false) AS scs, current_setting('client_encoding') AS enc",
      );
      const pid = res.rows[0]?.pid;
      if (typeof pid !== 'number') throw new OpsError('CONNECTION_FAILED', 'The server did not report its backend pid');
      const session = new QuerySession(profile.id, client, pid);
      session.reported.set('standard_conforming_strings', res.rows[0]!.scs);
      session.reported.set('client_encoding', res.rows[0]!.enc);
      for (const [name, value] of reported) if (name in PINNED_VALUES) session.reported.set(name, value);
      trackReportedSettings(client, session.reported);
      session.password = resolved;
      session.elevationId = elevatedConnection(profile)?.id ?? null;
      this.sessions.set(profile.id, session);
      return session;
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  /** Marks the session in use (no idle close) or restarts its idle countdown. */
  touch(session: QuerySession, busy: boolean): void {
    if (session.idleTimer) clearTimeout(session.idleTimer);
    session.idleTimer = null;
    if (busy) return;
    // An open transaction holds locks and snapshots: leaving it idle for ever is the
    // runbook's "idle in transaction" problem, so the session still closes (and rolls back).
    session.idleTimer = setTimeout(() => void this.close(session.profileId), this.idleCloseMs);
    session.idleTimer.unref();
  }

  async close(profileId: string): Promise<void> {
    const session = this.sessions.get(profileId);
    if (!session) return;
    this.sessions.delete(profileId);
    if (session.transactionOpen) this.lostTransactions.add(profileId);
    if (session.idleTimer) clearTimeout(session.idleTimer);
    await session.client.end().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.opening.values()].map((p) => p.catch(() => undefined)));
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }
}
